"""Staff can have a lost invitation email sent once more (never holding its link themselves):
while the invitation is open, with the same link and expiry, recorded on the activity log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.sending import CannotResend, resend_invitation
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail, SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.conftest import csrf_token_in

LINK = re.compile(r"http://localhost(/s/[^\s\"<]+)")


@pytest.fixture
def scene(app):
    """Sanne's open invitation (its first email delivered), Joris, a coordinator, and an
    administrator of another organisation."""
    with app.app_context():
        org, elsewhere = factories.organisation(), factories.organisation("Gemeente Elders")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne de Vries")
        factories.user(org, email="joris@a.example")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        factories.user(elsewhere, Role.ADMIN, email="admin@b.example")
        invitation = factories.invitation(org, sanne, locale="en")
        first = factories.outbound_email(invitation)
        first.status = EmailStatus.SENT
        db.session.commit()
        return {"id": invitation.id, "expires_at": invitation.expires_at}


def resend_through_the_page(client, invitation_id: int):
    page = client.get(f"/invitations/{invitation_id}")
    return client.post(
        f"/invitations/{invitation_id}/resend",
        data={"csrf_token": csrf_token_in(page.text)},
        follow_redirects=True,
    )


def test_the_email_goes_out_again_with_the_same_link_and_expiry(
    app, client, log_in, scene, mail_server
):
    log_in("sanne@a.example")
    page = resend_through_the_page(client, scene["id"])
    assert "wordt zo dadelijk opnieuw verstuurd" in page.text  # staff read Dutch by default
    with app.app_context():
        report = send_outbox(lambda: utcnow())
    assert report.sent == 1

    (received,) = mail_server.received
    message = received.message
    assert message["Subject"].startswith("How was your contact with Sanne de Vries")
    text = message.get_body(("plain",)).get_content()
    assert "works until" in text and "Reminder" not in text
    with app.app_context():
        invitation = db.session.get(Invitation, scene["id"])
        assert invitation.state is InvitationState.SENT
        assert invitation.expires_at == scene["expires_at"]
        assert LINK.search(text).group(1) == f"/s/{factories.survey_token(invitation)}"
        (email,) = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.purpose == EmailPurpose.RESEND)
        )
        assert email.status is EmailStatus.SENT
    assert client.get(LINK.search(text).group(1)).status_code == 200  # the link works


def test_the_resend_is_on_the_activity_log_and_the_invitation_page(app, client, log_in, scene):
    log_in("coord@a.example")
    page = resend_through_the_page(client, scene["id"])
    assert "uitnodiging opnieuw verstuurd" in page.text  # among the invitation's emails
    assert "al opnieuw verstuurd" in page.text  # and no second button
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INVITATION_RESENT)
        )
        assert (event.subject_type, event.subject_id) == ("Invitation", scene["id"])
        assert event.actor.email == "coord@a.example"


def test_a_second_resend_is_refused_politely(app, client, log_in, scene):
    log_in("sanne@a.example")
    resend_through_the_page(client, scene["id"])
    again = client.post(
        f"/invitations/{scene['id']}/resend",
        data={"csrf_token": csrf_token_in(client.get("/").text)},
        follow_redirects=True,
    )
    assert again.status_code == 200
    assert "dat kan maar één keer" in again.text
    with app.app_context():
        resends = select(OutboundEmail).where(OutboundEmail.purpose == EmailPurpose.RESEND)
        assert len(list(db.session.scalars(resends))) == 1


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("sanne@a.example", 200), ("coord@a.example", 200), ("joris@a.example", 404)],
)
def test_managers_resend_their_own_coordinators_any(client, log_in, scene, viewer, status):
    log_in(viewer)
    token = csrf_token_in(client.get("/").text)
    answer = client.post(f"/invitations/{scene['id']}/resend", data={"csrf_token": token})
    assert (answer.status_code == 302) if status == 200 else answer.status_code == 404


def test_another_organisation_cannot_resend_and_a_form_token_is_needed(app, client, log_in, scene):
    log_in("admin@b.example")
    token = csrf_token_in(client.get("/").text)
    assert (
        client.post(f"/invitations/{scene['id']}/resend", data={"csrf_token": token}).status_code
        == 404
    )
    client.post("/logout", data={"csrf_token": token})
    log_in("sanne@a.example")
    assert client.post(f"/invitations/{scene['id']}/resend").status_code == 400
    with app.app_context():
        resends = select(OutboundEmail).where(OutboundEmail.purpose == EmailPurpose.RESEND)
        assert list(db.session.scalars(resends)) == []


def _refusal(app, make) -> str:
    with app.app_context():
        org = factories.organisation()
        invitation = make(org)
        with pytest.raises(CannotResend) as refusal:
            resend_invitation(invitation, utcnow())
        db.session.rollback()
        return str(refusal.value)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (InvitationState.ANSWERED, "al geantwoord"),
        (InvitationState.EXPIRED, "verlopen"),
        (InvitationState.SCHEDULED, "niet verstuurd"),
        (InvitationState.SUPPRESSED, "niet verstuurd"),
        (InvitationState.FAILED, "niet verstuurd"),
    ],
)
def test_no_resend_unless_the_invitation_is_open(app, state, reason):
    with app.app_context():
        assert reason in _refusal(app, lambda org: factories.invitation(org, state=state))


def test_no_resend_past_the_expiry_even_before_the_job_marks_it(app):
    def past_expiry(org):
        return factories.invitation(
            org, sent_at=utcnow() - timedelta(days=org.link_expiry_days + 1)
        )

    assert "verlopen" in _refusal(app, past_expiry)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(SuppressionKind.OPTED_OUT, "afgemeld"), (SuppressionKind.BOUNCED, "onbestelbaar")],
)
def test_no_resend_to_an_address_that_opted_out_or_bounced(app, kind, reason):
    def suppressed(org):
        invitation = factories.invitation(org)
        suppress_address(org.id, invitation.recipient_email, kind, utcnow())
        return invitation

    assert reason in _refusal(app, suppressed)


def test_a_reminded_invitation_can_be_sent_again(ctx):
    org = factories.organisation()
    invitation = factories.invitation(org, state=InvitationState.REMINDED)
    resend_invitation(invitation, utcnow())
    assert invitation.state is InvitationState.REMINDED


def test_a_queued_resend_is_not_sent_once_the_survey_is_answered(app, client, scene, mail_server):
    with app.app_context():
        invitation = db.session.get(Invitation, scene["id"])
        resend_invitation(invitation, utcnow())
        token = factories.survey_token(invitation)
        db.session.commit()
    client.post(f"/s/{token}", data={**factories.CONTACT_FORM_ANSWERS, "locale": "en"})
    with app.app_context():
        report = send_outbox(lambda: utcnow())
    assert (report.sent, report.cancelled) == (0, 1)
    assert mail_server.received == []
