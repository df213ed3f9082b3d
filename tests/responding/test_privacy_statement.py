"""Every page and email a respondent sees links to a privacy statement: the organisation's own
when it has one, otherwise the built-in statement, in Dutch and English, naming the
organisation and its contact address."""

from __future__ import annotations

import re

import pytest

from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailPurpose
from survey.responding.tokens import Purpose, make_token
from tests import factories

OWN_STATEMENT = "https://www.testdorp.example/privacy"
PRIVACY_LINK = re.compile(r'<a class="privacy-link" href="([^"]+)"')


def _invitation(app, state=InvitationState.SENT, locale="nl", **settings):
    with app.app_context():
        org = factories.organisation(contact_email="loket@testdorp.example", **settings)
        invitation = factories.invitation(org, state=state, locale=locale)
        db.session.commit()
        survey = factories.survey_token(invitation)
        unsubscribe = make_token(invitation, Purpose.UNSUBSCRIBE, "test-secret")
        return org.slug, survey, unsubscribe


def _respondent_pages(client, survey: str, unsubscribe: str) -> dict[str, str]:
    pages = {
        "survey": client.get(f"/s/{survey}"),
        "unsubscribe": client.get(f"/u/{unsubscribe}"),
        "unknown": client.get("/s/not-a-link"),
        "unknown unsubscribe": client.get("/u/not-a-link"),
    }
    pages["unsubscribed"] = client.post(f"/u/{unsubscribe}")
    return {name: page.text for name, page in pages.items()}


def _privacy_link(html: str) -> str:
    match = PRIVACY_LINK.search(html)
    assert match, "the page has no privacy statement link"
    return match.group(1)


def test_every_respondent_page_links_to_the_built_in_statement(app, client):
    slug, survey, unsubscribe = _invitation(app)
    for name, html in _respondent_pages(client, survey, unsubscribe).items():
        link = _privacy_link(html)
        if name.startswith("unknown"):  # a link that never worked names no organisation
            assert link == "http://localhost/privacy?lang=nl", name
        else:
            assert link == f"http://localhost/privacy/{slug}?lang=nl", name


@pytest.mark.parametrize(
    "state, page",
    [
        (InvitationState.ANSWERED, ""),
        (InvitationState.ANSWERED, "/thanks"),
        (InvitationState.EXPIRED, ""),
    ],
)
def test_the_answered_thanks_and_expired_pages_link_to_the_statement(app, client, state, page):
    slug, survey, _ = _invitation(app, state=state, locale="en")
    html = client.get(f"/s/{survey}{page}").text
    assert _privacy_link(html) == f"http://localhost/privacy/{slug}?lang=en"


def test_the_organisations_own_statement_is_linked_when_it_has_one(app, client):
    _, survey, unsubscribe = _invitation(app, privacy_url=OWN_STATEMENT)
    pages = _respondent_pages(client, survey, unsubscribe)
    for name in ("survey", "unsubscribe", "unsubscribed"):
        assert _privacy_link(pages[name]) == OWN_STATEMENT, name


def test_the_built_in_statement_names_the_organisation_and_its_address_in_dutch(app, client):
    slug, _, _ = _invitation(app, contact_phone="020 123 45 67")
    page = client.get(f"/privacy/{slug}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="nl">' in html
    assert "Privacyverklaring" in html and "Gemeente Testdorp" in html
    assert 'href="mailto:loket@testdorp.example"' in html and "020 123 45 67" in html
    for said in ("Wat wordt vastgelegd", "Waarom", "Wie ziet uw antwoorden", "Hoe lang"):
        assert said in html
    assert "totdat Gemeente Testdorp" in html  # kept until the municipality deletes them
    assert "afmelden" in html.lower()


def test_the_built_in_statement_speaks_english_on_request(app, client):
    slug, _, _ = _invitation(app)
    html = client.get(f"/privacy/{slug}?lang=en").text
    assert '<html lang="en">' in html
    assert "Privacy statement of the survey of Gemeente Testdorp" in html
    assert "loket@testdorp.example" in html
    assert "until Gemeente Testdorp" in html and "deletes them" in html
    assert "unsubscribe link" in html


def test_the_statement_says_who_sees_the_answers_as_the_setting_says(app, client):
    private, _, _ = _invitation(app)
    open_, _, _ = _invitation(app, account_managers_see_answers=True)
    assert "only by the coordinators" in client.get(f"/privacy/{private}?lang=en").text
    assert "by your account manager" in client.get(f"/privacy/{open_}?lang=en").text


def test_the_general_statement_and_an_unknown_organisation(client):
    general = client.get("/privacy?lang=en")
    assert general.status_code == 200
    assert "The municipality that sent you the email is responsible" in general.text
    assert client.get("/privacy/no-such-organisation").status_code == 404
    assert client.get("/privacy/NOT_A_SLUG%00").status_code == 404


@pytest.mark.parametrize("own", [None, OWN_STATEMENT])
def test_the_email_links_to_the_statement_in_text_and_html(app, mail_server, own):
    slug, _, _ = _invitation(app, InvitationState.SCHEDULED, locale="en", privacy_url=own)
    with app.app_context():
        invitation = db.session.scalar(db.select(Invitation))
        factories.outbound_email(invitation, EmailPurpose.INVITATION)
        db.session.commit()
        assert send_outbox(lambda: utcnow()).sent == 1
    (received,) = mail_server.received
    text = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.message.get_body(("html",)).get_content()
    expected = own or f"http://localhost/privacy/{slug}?lang=en"
    assert f"Privacy statement:\n{expected}" in text
    assert f'<a href="{expected.replace("&", "&amp;")}"' in html and "Privacy statement</a>" in html
