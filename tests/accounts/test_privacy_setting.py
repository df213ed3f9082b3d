"""The organisation chooses whether account managers see the individual answers of their own
contacts, or only totals and remarks without names; coordinators and administrators always
see them. The survey page and the email say the same to the respondent."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from survey.accounts.models import Organisation, Role, User
from survey.accounts.organisation_settings import InvalidSettings, update_settings
from survey.analysis.open_answers import open_answers
from survey.analysis.population import Population, version_ids
from survey.clock import utcnow
from survey.contacts.models import Channel
from survey.extensions import db
from survey.invitations.emails import compose_email
from survey.outbox.models import EmailPurpose
from tests import factories
from tests.conftest import csrf_token_in
from tests.factories import rated_answers

REMARK = "De vergunning duurde veel te lang."
MARCH = datetime(2026, 3, 10, 14, 37, tzinfo=UTC)


def _scene(app, responses: int = 5, **settings) -> dict:
    """Sanne (account manager) with `responses` answered surveys, each with a remark; a
    coordinator; an administrator."""
    with app.app_context():
        org = factories.organisation(**settings)
        sanne = factories.user(org, email="sanne@a.example", name="Sanne de Boer")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        factories.user(org, Role.ADMIN, email="admin@a.example")
        made = [
            factories.response(
                org, sanne, {**rated_answers(7), "improve": f"{REMARK} ({number})"},
                submitted_at=MARCH.replace(day=10 + number),
            )
            for number in range(responses)
        ]  # fmt: skip
        for number, response in enumerate(made):
            company = f"Bakkerij Nummer{number}"
            response.invitation.contact.company_name = response.invitation.company_name = company
        db.session.commit()
        return {"org": org.id, "invitation": made[0].invitation_id if made else None}


def _scene_org(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(User.organisation_id).where(User.email == "sanne@a.example")
        )


def _open_answers_page(client, query: str = "") -> str:
    """The page below its heading (the header names the logged-in account manager)."""
    html = client.get(f"/dashboard/open-answers?first=2026-01&last=2026-12{query}").text
    return html.partition("</h1>")[2]


# What staff see


def test_by_default_an_account_manager_sees_the_state_but_not_the_answers(app, client, log_in):
    scene = _scene(app)
    log_in("sanne@a.example")
    html = client.get(f"/invitations/{scene['invitation']}").text
    assert "eantwoord" in html  # the state
    assert REMARK not in html
    assert "geen afzonderlijke antwoorden" in html


def test_with_the_setting_on_an_account_manager_sees_their_contacts_answers(app, client, log_in):
    scene = _scene(app, account_managers_see_answers=True)
    log_in("sanne@a.example")
    assert REMARK in client.get(f"/invitations/{scene['invitation']}").text
    html = _open_answers_page(client)
    assert "Bakkerij Nummer0" in html and "Hele reactie" in html


@pytest.mark.parametrize("viewer", ["coord@a.example", "admin@a.example"])
def test_coordinators_and_administrators_always_see_individual_answers(app, client, log_in, viewer):
    scene = _scene(app)
    log_in(viewer)
    assert REMARK in client.get(f"/invitations/{scene['invitation']}").text
    html = _open_answers_page(client)
    assert "Bakkerij Nummer0" in html and "Sanne de Boer" in html and "Hele reactie" in html


def test_by_default_remarks_show_without_company_person_or_day(app, client, log_in):
    _scene(app)
    log_in("sanne@a.example")
    html = _open_answers_page(client)
    assert html.count(REMARK) == 5
    assert "maart 2026" in html
    assert "Bakkerij" not in html and "Sanne de Boer" not in html
    assert "Hele reactie" not in html and "/invitations/" not in html
    for day in ("10 mrt", "11 mrt", "12 mrt", "16:37", "15:37"):
        assert day not in html
    # A search on a company would name the writer: it finds nothing.
    assert REMARK not in _open_answers_page(client, "&q=Nummer0")
    assert _open_answers_page(client, "&q=vergunning").count(REMARK) == 5


def test_remarks_without_names_are_withheld_below_the_minimum_group(app, client, log_in):
    _scene(app, responses=4)  # the minimum is 5
    log_in("sanne@a.example")
    html = _open_answers_page(client)
    assert REMARK not in html
    assert "1 maand met minder reacties is weggelaten." in html


def test_no_narrower_selection_singles_out_a_small_group_of_remarks(app, client, log_in):
    """Six responses in March (one by phone) and one in April: the April remark, or the phone
    call's, is never shown apart, so no list compared with another names its writer."""
    _scene(app, responses=5)
    with app.app_context():
        org = db.session.get(Organisation, _scene_org(app))
        sanne = db.session.scalar(db.select(User).where(User.email == "sanne@a.example"))
        april, phone = MARCH.replace(month=4), Channel.PHONE
        for text, at, channel in (("April alleen", april, None), ("Per telefoon", MARCH, phone)):
            factories.response(
                org, sanne, {**rated_answers(7), "improve": text}, submitted_at=at,
                channel=channel or Channel.VISIT,
            )  # fmt: skip
        db.session.commit()
    log_in("sanne@a.example")
    everything = _open_answers_page(client)
    assert everything.count(REMARK) == 5 and "Per telefoon" in everything
    assert "April alleen" not in everything
    assert "1 maand met minder reacties is weggelaten." in everything
    april_only = client.get("/dashboard/open-answers?first=2026-04&last=2026-04").text
    assert "April alleen" not in april_only
    # The channel filter is not applied without names: by phone lists all of March.
    by_phone = client.get("/dashboard/open-answers?first=2026-01&last=2026-12&channel=phone")
    assert by_phone.text.count(REMARK) == 5 and "Per telefoon" in by_phone.text


def test_remarks_without_names_do_not_come_in_the_order_they_were_sent(ctx):
    org = factories.organisation()
    sanne = factories.user(org)
    for number, text in enumerate(["Zeer tevreden", "Antwoord kwam snel", "Matig"]):
        factories.response(
            org, sanne, {**rated_answers(7), "improve": text},
            submitted_at=MARCH.replace(day=10 + number),
        )  # fmt: skip
    questionnaire = factories.contact_version().questionnaire
    population = Population(org.id, version_ids(db.session, questionnaire))
    found = open_answers(db.session, population, None, locale="nl", without_names=True, minimum=3)
    assert [item.text for item in found.items] == ["Antwoord kwam snel", "Matig", "Zeer tevreden"]
    assert {item.company for item in found.items} == {None}
    assert {item.submitted_at for item in found.items} == {None}
    assert {item.month for item in found.items} == {MARCH.date().replace(day=1)}


# What the respondent is told


def test_the_survey_page_says_who_sees_the_answers_following_the_setting(app, client):
    with app.app_context():
        private = factories.organisation()
        shared = factories.organisation(account_managers_see_answers=True)
        tokens = [
            factories.survey_token(factories.invitation(org, locale="en"))
            for org in (private, shared)
        ]
        db.session.commit()
    private_page, shared_page = (client.get(f"/s/{token}").text for token in tokens)
    assert "seen with your name only by the coordinators and administrators" in private_page
    assert "Your account manager sees only totals of at least 5 responses" in private_page
    assert "by your account manager and by the coordinators" in shared_page
    dutch = client.get(f"/s/{tokens[0]}?lang=nl").text
    assert "Uw accountmanager ziet alleen totalen van ten minste 5 reacties" in dutch
    assert "5 responses" not in dutch
    # The old promise, untrue for the account manager who saw everything, is gone.
    for page in (private_page, shared_page):
        assert "Reports only show groups" not in page


@pytest.mark.parametrize(
    "see, said",
    [
        (False, "Your account manager sees only totals"),
        (True, "by your account manager and by the coordinators"),
    ],
)
def test_the_email_says_who_sees_the_answers_following_the_setting(ctx, see, said):
    org = factories.organisation(account_managers_see_answers=see)
    email = compose_email(factories.invitation(org, locale="en"), EmailPurpose.INVITATION)
    assert said in email.text_body
    assert said in email.html_body


# The setting itself


def test_the_settings_page_explains_and_saves_the_choice_and_the_own_statement(app, client, log_in):
    scene = _scene(app, responses=0)
    log_in("admin@a.example")
    page = client.get("/settings")
    html = page.text
    assert "Wat accountmanagers zien van de antwoorden van hun eigen contacten" in html
    assert "Coördinatoren en beheerders zien altijd de afzonderlijke antwoorden" in html
    assert "Nu: accountmanagers zien alleen totalen" in html
    assert re.search(r'value="False"\s+checked', html)
    data = _form_values(html)
    data.update(account_managers_see_answers="True", privacy_url="https://testdorp.example/pv")
    saved = client.post("/settings", data=data, follow_redirects=True)
    assert "De instellingen zijn opgeslagen" in saved.text
    assert "Nu: accountmanagers zien de afzonderlijke antwoorden" in saved.text
    with app.app_context():
        org = db.session.get(Organisation, scene["org"])
        assert org.account_managers_see_answers is True
        assert org.privacy_url == "https://testdorp.example/pv"


@pytest.mark.parametrize(
    "address",
    [
        "http://testdorp.example/privacy",
        "javascript:alert(1)",
        "https://localhost/privacy",
        "https://user:secret@testdorp.example/",
        "https://testdorp.example/pri vacy",
        "https://[::1/privacy",
        "https://testdorp.example:0/",
        "https://testdorp.example/" + "a" * 500,
        "testdorp.example/privacy",
    ],
)
def test_an_own_statement_must_be_an_https_web_page(ctx, address):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    with pytest.raises(InvalidSettings) as refused:
        update_settings(org, admin, utcnow(), privacy_url=address)
    assert "https://" in refused.value.errors["privacy_url"]
    assert org.privacy_url is None


def test_an_empty_own_statement_means_the_built_in_one(ctx):
    org = factories.organisation(privacy_url="https://testdorp.example/privacy")
    admin = factories.user(org, Role.ADMIN)
    update_settings(org, admin, utcnow(), privacy_url="  ")
    assert org.privacy_url is None


def test_an_unreadable_choice_is_refused_with_a_message(app, client, log_in):
    _scene(app, responses=0)
    log_in("admin@a.example")
    data = _form_values(client.get("/settings").text)
    data["account_managers_see_answers"] = "maybe"
    refused = client.post("/settings", data=data)
    assert refused.status_code == 422
    assert "Kies een van de aangeboden opties." in refused.text


def _form_values(html: str) -> dict:
    """What the settings form posts as the page shows it."""
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    values.update(
        (name, value)
        for name, value in re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)" checked', html)
    )
    values["timezone"] = "Europe/Amsterdam"
    values["csrf_token"] = csrf_token_in(html)
    return values
