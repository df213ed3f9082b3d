"""An email that cannot go out for a reason of its own fails once, visibly, and holds up nothing:
the emails around it arrive through a real SMTP server, and the run ends normally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailStatus, OutboundEmail
from survey.outbox.queue import LEASE, MAX_ATTEMPTS
from tests import factories

NOW = datetime(2026, 11, 25, 8, tzinfo=UTC)

# Each spoils one email, as it could be stored by an import, an old form or a hand in the database.
POISONS = {
    "a recipient with a line break": {"recipient": "eva@bakkerij.example\r\nBcc: x@elders.example"},
    "a recipient no server can be given": {"recipient": "eva@bäkkerij.example"},
    "a recipient with a non-ASCII name": {"recipient": "ëva@bakkerij.example"},
    "two recipients in one": {"recipient": "eva@bakkerij.example, x@elders.example"},
    "an extra header with a line break": {"headers": {"List-Unsubscribe": "<x>\nBcc: x@y.example"}},
}


def queue_three(app, poison: dict, *, now=NOW) -> list[int]:
    """Three queued invitation emails, the middle one spoiled; the last one signed by a name
    saved with a line break (before forms refused them), which must still go out."""
    with app.app_context():
        org = factories.organisation("Gemeente Demodam")
        piet = factories.user(org, name="Piet Jansen")
        ids = []
        for number in range(3):
            invitation = factories.invitation(
                org,
                piet,
                state=InvitationState.SCHEDULED,
                email=f"ondernemer{number}@bedrijf.example",
            )
            ids.append(factories.outbound_email(invitation, now=now).id)
        middle, last = db.session.get(OutboundEmail, ids[1]), db.session.get(OutboundEmail, ids[2])
        for name, value in poison.items():
            setattr(middle, name, value)
        last.sender_name = "Piet\nJansen – Gemeente Demodam"
        db.session.commit()
        return ids


def email_and_invitation(app, email_id: int) -> tuple[OutboundEmail, Invitation]:
    with app.app_context():
        email = db.session.get(OutboundEmail, email_id)
        invitation = db.session.get(Invitation, email.invitation_id)
        db.session.expunge_all()
        return email, invitation


@pytest.mark.parametrize("poison", POISONS.values(), ids=POISONS.keys())
def test_a_poisoned_email_fails_once_and_the_others_arrive(app, mail_server, poison):
    first, poisoned, last = queue_three(app, poison)
    with app.app_context():
        report = send_outbox(lambda: NOW)

    assert (report.sent, report.failed, report.retrying) == (2, 1, 0)
    assert sorted(r.recipients[0] for r in mail_server.received) == [
        "ondernemer0@bedrijf.example",
        "ondernemer2@bedrijf.example",
    ]
    email, invitation = email_and_invitation(app, poisoned)
    assert email.status is EmailStatus.FAILED
    assert email.attempts == 1
    assert email.lease_until is None
    assert email.last_error and f"email {poisoned}" in report.errors[0]
    assert invitation.state is InvitationState.FAILED
    for delivered in (first, last):
        email, invitation = email_and_invitation(app, delivered)
        assert email.status is EmailStatus.SENT
        assert invitation.state is InvitationState.SENT

    with app.app_context():  # a later run leaves the failed email alone
        assert send_outbox(lambda: NOW + timedelta(days=1)).failed == 0
    assert email_and_invitation(app, poisoned)[0].attempts == 1


def test_the_reason_is_readable_and_shown_on_the_outbox_page(app, client, log_in, mail_server):
    poisoned = queue_three(app, {"recipient": "eva@bakkerij.example\nBcc: x@elders.example"})[1]
    with app.app_context():
        send_outbox(lambda: NOW)
        org = db.session.get(OutboundEmail, poisoned).organisation_id
        admin = factories.user(db.session.get(factories.Organisation, org), factories.Role.ADMIN)
        db.session.commit()
        admin_email = admin.email
    email, _ = email_and_invitation(app, poisoned)
    assert "cannot be built" in email.last_error or "kan niet worden opgebouwd" in email.last_error

    log_in(admin_email)
    page = client.get(f"/outbox/{poisoned}")
    assert page.status_code == 200
    assert "CR or LF" in page.text
    listing = client.get("/outbox?status=failed")
    assert f"/outbox/{poisoned}" in listing.text


def test_jobs_run_once_reports_the_poisoned_email_and_exits_normally(app, mail_server):
    poisoned = queue_three(app, POISONS["a recipient no server can be given"], now=None)[1]

    result = app.test_cli_runner().invoke(args=["jobs", "run-once"])

    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output and "failed 1" in result.output
    assert f"email {poisoned}:" in result.output
    assert len(mail_server.received) == 2


def test_an_email_whose_last_attempt_never_finished_fails_instead_of_an_eleventh(app, mail_server):
    email_id = queue_three(app, {})[0]
    with app.app_context():  # a sender died during the tenth attempt
        email = db.session.get(OutboundEmail, email_id)
        email.status, email.attempts = EmailStatus.SENDING, MAX_ATTEMPTS
        email.lease_until = NOW - timedelta(seconds=1)
        db.session.commit()

    with app.app_context():
        report = send_outbox(lambda: NOW)
        send_outbox(lambda: NOW + LEASE * 3)

    assert report.failed == 1 and report.sent == 2
    assert all(r.recipients[0] != "ondernemer0@bedrijf.example" for r in mail_server.received)
    email, invitation = email_and_invitation(app, email_id)
    assert email.status is EmailStatus.FAILED
    assert email.attempts == MAX_ATTEMPTS
    assert str(MAX_ATTEMPTS) in email.last_error
    assert invitation.state is InvitationState.FAILED
    with app.app_context():
        assert max(db.session.scalars(select(OutboundEmail.attempts))) <= MAX_ATTEMPTS
