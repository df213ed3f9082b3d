"""The unsubscribe link: opening it changes nothing; confirming, or a mail client's one-click
POST, stops the organisation's survey emails to that address."""

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.outbox.models import Suppression, SuppressionKind
from survey.outbox.suppressions import suppress_address
from survey.responding.opting_out import masked_address, opt_out
from survey.responding.tokens import Purpose, make_token
from tests import factories


def _unsubscribe_link(app, state=InvitationState.SENT, email=None, locale="nl"):
    """An invitation's unsubscribe path, with its id and organisation's id."""
    with app.app_context():
        org = factories.organisation(contact_email="loket@testdorp.example")
        invitation = factories.invitation(org, state=state, email=email, locale=locale)
        db.session.commit()
        token = make_token(invitation, Purpose.UNSUBSCRIBE, app.secret_key)
        return f"/u/{token}", invitation.id, org.id


def _suppressions(app) -> list[tuple[int, str, SuppressionKind]]:
    with app.app_context():
        rows = db.session.scalars(select(Suppression).order_by(Suppression.id))
        return [(row.organisation_id, row.email, row.kind) for row in rows]


def _state(app, invitation_id) -> tuple[InvitationState, SuppressionReason | None]:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return invitation.state, invitation.suppression_reason


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(app, client):
    path, invitation_id, _ = _unsubscribe_link(app, email="Ondernemer@Bedrijf.example")
    for _ in range(3):
        page = client.get(path)
        assert page.status_code == 200
        assert client.head(path).status_code == 200
    assert "Gemeente Testdorp" in page.text
    assert 'method="post"' in page.text
    # The owner recognises the address; whoever else holds the link does not learn it.
    assert "O•••@Bedrijf.example" in page.text and "Ondernemer@" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert _suppressions(app) == []
    assert _state(app, invitation_id) == (InvitationState.SENT, None)


def test_confirming_unsubscribes_and_says_so_in_the_recipients_language(app, client):
    path, _, org_id = _unsubscribe_link(app, email="Ondernemer@Bedrijf.example", locale="en")
    page = client.get(path)
    assert '<html lang="en">' in page.text
    done = client.post(path, data={"lang": "en"})
    assert done.status_code == 200
    assert '<html lang="en">' in done.text
    assert "You will receive no more survey emails from Gemeente Testdorp" in done.text
    assert "loket@testdorp.example" in done.text  # where to turn if it was a mistake
    assert _suppressions(app) == [(org_id, "ondernemer@bedrijf.example", SuppressionKind.OPTED_OUT)]
    # Opening the link again shows that it is done, in any language.
    again = client.get(f"{path}?lang=nl")
    assert '<html lang="nl">' in again.text and 'method="post"' not in again.text


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_mail_clients_one_click_post_needs_no_cookie_or_form_token(app, content_type):
    path, _, org_id = _unsubscribe_link(app)
    mail_client = app.test_client()  # no session, no CSRF token: as RFC 8058 prescribes
    response = mail_client.post(
        path, data={"List-Unsubscribe": "One-Click"}, content_type=content_type
    )
    assert response.status_code == 200
    assert [(org, kind) for org, _, kind in _suppressions(app)] == [
        (org_id, SuppressionKind.OPTED_OUT)
    ]
    assert "Set-Cookie" not in response.headers


def test_unsubscribing_twice_is_fine(app, client):
    path, _, _ = _unsubscribe_link(app)
    assert client.post(path).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert len(_suppressions(app)) == 1


@pytest.mark.parametrize(
    "state",
    [
        InvitationState.SCHEDULED,
        InvitationState.SENT,
        InvitationState.REMINDED,
        InvitationState.ANSWERED,
        InvitationState.EXPIRED,
    ],
)
def test_the_link_works_whatever_became_of_the_invitation(app, client, state):
    path, _, _ = _unsubscribe_link(app, state=state)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert len(_suppressions(app)) == 1


def test_an_unknown_or_tampered_link_gets_the_unknown_link_page(app, client):
    path, _, _ = _unsubscribe_link(app)
    for wrong in (path[:-3], path + "x", "/u/nonsense"):
        get, post = client.get(wrong), client.post(wrong)
        assert get.status_code == post.status_code == 404
        assert "Deze link werkt niet" in get.text or "This link does not work" in get.text
    assert _suppressions(app) == []


def test_a_survey_link_is_no_unsubscribe_link(app, client):
    with app.app_context():
        invitation = factories.invitation(factories.organisation())
        db.session.commit()
        survey_token = factories.survey_token(invitation)
    assert client.post(f"/u/{survey_token}").status_code == 404
    assert _suppressions(app) == []


def test_planned_invitations_to_that_address_are_suppressed_and_other_organisations_untouched(
    app, client
):
    path, _, org_id = _unsubscribe_link(app, email="piet@bakkerij.example")
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        planned = factories.invitation(
            org, state=InvitationState.SCHEDULED, email="Piet@Bakkerij.example"
        )
        sent = factories.invitation(org, email="piet@bakkerij.example")
        someone_else = factories.invitation(org, state=InvitationState.SCHEDULED)
        elsewhere = factories.invitation(
            factories.organisation("Gemeente Elders"),
            state=InvitationState.SCHEDULED,
            email="piet@bakkerij.example",
        )
        db.session.commit()
        ids = planned.id, sent.id, someone_else.id, elsewhere.id
    assert client.post(path).status_code == 200
    assert [_state(app, each) for each in ids] == [
        (InvitationState.SUPPRESSED, SuppressionReason.OPTED_OUT),
        (InvitationState.SENT, None),
        (InvitationState.SCHEDULED, None),
        (InvitationState.SCHEDULED, None),
    ]
    assert [org for org, _, _ in _suppressions(app)] == [org_id]


def test_opting_out_upgrades_a_bounce_and_is_idempotent(ctx):
    org = factories.organisation()
    invitation = factories.invitation(org, email="jan@winkel.example")
    suppress_address(org.id, "jan@winkel.example", SuppressionKind.BOUNCED, utcnow(), "550")
    first = opt_out(invitation, utcnow())
    second = opt_out(invitation, utcnow())
    assert first.id == second.id
    assert first.kind is SuppressionKind.OPTED_OUT


def test_the_address_is_masked_but_recognisable():
    assert masked_address("jan.jansen@winkel.example") == "j•••@winkel.example"
    assert masked_address("not-an-address") == "•••"
