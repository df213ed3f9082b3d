"""From a logged contact to an email in a real SMTP server (aiosmtpd): timing, one email and one
reminder at most, expiry, and what happens when the server says no, later, or nothing at all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from survey.accounts.models import find_user_by_email
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.invitations.rules import invite_for_contact
from survey.jobs.tasks import run_all
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail, SuppressionKind
from survey.outbox.queue import build_message, claim_next
from survey.outbox.smtp import SmtpTransport
from survey.outbox.suppressions import suppression_of
from tests import factories
from tests.factories import CONTACT_FORM_ANSWERS
from tests.mailserver import MailServer, free_port

LOGGED = datetime(2026, 11, 24, 12, tzinfo=UTC)  # Tuesday noon (13:00 in Amsterdam)
DUE = datetime(2026, 11, 25, 8, tzinfo=UTC)  # Wednesday 09:00 in Amsterdam
REMINDER_DUE = datetime(2026, 11, 30, 8, tzinfo=UTC)  # five days on: Monday 09:00
LINK = re.compile(r"http://localhost(/s/[^\s\"<]+)")


def run(app, at: datetime):
    with app.app_context():
        return run_all(lambda: at)


def log_contact(app, email="eva@bakkerij.example", locale="nl", org_id=None, **contact_fields):
    with app.app_context():
        org = db.session.get(factories.Organisation, org_id) if org_id else None
        org = org or factories.organisation("Gemeente Spiegelstad")
        manager = find_user_by_email(f"sanne@{org.slug}.example") or factories.user(
            org, name="Sanne de Vries", email=f"sanne@{org.slug}.example"
        )
        contact = factories.contact(org, manager, email=email, locale=locale, **contact_fields)
        invitation = invite_for_contact(contact, org, LOGGED)
        db.session.commit()
        return SimpleNamespace(
            org_id=org.id, org_name=org.name, invitation_id=invitation.id, manager=manager.email
        )


def invitation_of(app, scene) -> Invitation:
    with app.app_context():
        invitation = db.session.get(Invitation, scene.invitation_id)
        db.session.expunge(invitation)
        return invitation


def emails(app) -> list[OutboundEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))
        db.session.expunge_all()
        return rows


def survey_path(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def test_a_contact_becomes_one_invitation_email_at_nine_the_next_working_day(
    app, client, mail_server
):
    scene = log_contact(app)
    run(app, DUE - timedelta(minutes=1))
    assert mail_server.received == []

    run(app, DUE)
    run(app, DUE + timedelta(minutes=5))
    run(app, DUE + timedelta(days=1, hours=3))
    assert len(mail_server.received) == 1

    received = mail_server.received[0]
    message = received.message
    assert received.recipients == ["eva@bakkerij.example"]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["Subject"] == f"Hoe was uw contact met Sanne de Vries van {scene.org_name}?"
    assert message["From"].addresses[0].display_name == f"Sanne de Vries – {scene.org_name}"
    assert message["Reply-To"].addresses[0].addr_spec == scene.manager
    text = message.get_body(("plain",)).get_content()
    assert "Beste Eva de Vries," in text
    assert text.rstrip().count("Sanne de Vries") >= 1 and scene.org_name in text
    html = message.get_body(("html",)).get_content()
    assert 'lang="nl"' in html and "Vragenlijst invullen" in html

    invitation = invitation_of(app, scene)
    assert invitation.state is InvitationState.SENT
    assert invitation.sent_at == DUE and invitation.expires_at == DUE + timedelta(days=21)
    [email] = emails(app)
    assert message["Message-ID"] == email.message_id == f"<outbox-{email.id}@localhost>"
    assert email.status is EmailStatus.SENT and email.provider_response.startswith("250")

    page = client.get(survey_path(message))
    assert page.status_code == 200 and 'name="q_overall"' in page.text


def test_an_english_speaking_entrepreneur_gets_the_email_in_english(app, mail_server):
    scene = log_contact(app, locale="en")
    run(app, DUE)
    [message] = mail_server.messages
    assert message["Subject"] == f"How was your contact with Sanne de Vries of {scene.org_name}?"
    assert 'lang="en"' in message.get_body(("html",)).get_content()


def test_every_email_carries_the_rfc_8058_one_click_unsubscribe(app, mail_server):
    scene = log_contact(app)
    run(app, DUE)
    [message] = mail_server.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://localhost/u/[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert url in message.get_body(("plain",)).get_content()

    # What a mail client does on "unsubscribe": a bare POST, no cookie, no CSRF token.
    one_click = app.test_client().post(
        url.removeprefix("http://localhost"), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    with app.app_context():
        blocked = suppression_of(scene.org_id, "eva@bakkerij.example")
        assert blocked is not None and blocked.kind is SuppressionKind.OPTED_OUT


def test_one_reminder_after_five_days_never_a_second(app, mail_server):
    scene = log_contact(app)
    run(app, DUE)
    run(app, REMINDER_DUE - timedelta(hours=1))  # Monday 08:00: not yet
    assert len(mail_server.received) == 1

    run(app, REMINDER_DUE)
    for later in (1, 2, 7, 15):
        run(app, REMINDER_DUE + timedelta(days=later))
    assert len(mail_server.received) == 2
    reminder = mail_server.messages[1]
    assert reminder["Subject"].startswith("Herinnering: ")
    assert survey_path(reminder) == survey_path(mail_server.messages[0])
    invitation = invitation_of(app, scene)
    assert invitation.state is InvitationState.REMINDED and invitation.reminded_at == REMINDER_DUE
    assert [email.purpose for email in emails(app)] == [
        EmailPurpose.INVITATION,
        EmailPurpose.REMINDER,
    ]


def test_no_reminder_after_answering(app, client, mail_server):
    scene = log_contact(app)
    run(app, DUE)
    answered = client.post(survey_path(mail_server.messages[0]), data=CONTACT_FORM_ANSWERS)
    assert answered.status_code == 303
    for day in range(5, 25):
        run(app, DUE + timedelta(days=day))
    assert len(mail_server.received) == 1
    assert invitation_of(app, scene).state is InvitationState.ANSWERED


def test_a_queued_reminder_is_not_sent_once_the_survey_is_answered(app, client, mail_server):
    scene = log_contact(app)
    run(app, DUE)
    with app.app_context():
        from survey.invitations.sending import queue_due_reminders

        assert queue_due_reminders(REMINDER_DUE) == 1
    client.post(survey_path(mail_server.messages[0]), data=CONTACT_FORM_ANSWERS)
    run(app, REMINDER_DUE + timedelta(minutes=1))
    assert len(mail_server.received) == 1
    reminder = emails(app)[1]
    assert reminder.status is EmailStatus.CANCELLED and reminder.last_error
    assert invitation_of(app, scene).state is InvitationState.ANSWERED


def test_the_link_expires_after_21_days(app, client, mail_server):
    scene = log_contact(app)
    run(app, DUE)
    path = survey_path(mail_server.messages[0])
    run(app, DUE + timedelta(days=21) - timedelta(minutes=1))
    assert invitation_of(app, scene).state is InvitationState.REMINDED
    run(app, DUE + timedelta(days=21))
    assert invitation_of(app, scene).state is InvitationState.EXPIRED
    assert client.get(path).status_code == 410
    assert len(mail_server.received) == 2  # the invitation and its one reminder


def test_no_reminder_when_the_organisation_switched_them_off(app, mail_server):
    scene = log_contact(app)
    with app.app_context():
        db.session.get(factories.Organisation, scene.org_id).reminder_after_days = 0
        db.session.commit()
    for day in range(0, 22):
        run(app, DUE + timedelta(days=day))
    assert len(mail_server.received) == 1


def test_a_server_that_says_try_later_gets_the_email_once_it_accepts(app, mail_server):
    scene = log_contact(app)
    mail_server.handler.rcpt_answers.append("451 4.7.1 Greylisted, try again later")
    run(app, DUE)
    [email] = emails(app)
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert email.last_error.startswith("451") and email.next_attempt_at == DUE + timedelta(
        minutes=1
    )
    assert invitation_of(app, scene).state is InvitationState.SCHEDULED

    run(app, DUE + timedelta(seconds=30))  # not due again yet
    assert mail_server.received == []
    run(app, DUE + timedelta(minutes=1))
    run(app, DUE + timedelta(minutes=30))
    assert len(mail_server.received) == 1
    [email] = emails(app)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert invitation_of(app, scene).state is InvitationState.SENT


def test_a_refused_address_fails_for_good_and_is_suppressed_as_bounced(app, mail_server):
    scene = log_contact(app)
    mail_server.handler.rcpt_answers.append("550 5.1.1 <eva@bakkerij.example>: user unknown")
    run(app, DUE)
    run(app, DUE + timedelta(days=1))
    assert mail_server.received == []
    [email] = emails(app)
    assert email.status is EmailStatus.FAILED and email.attempts == 1
    assert email.last_error == "550 5.1.1 <eva@bakkerij.example>: user unknown"
    assert invitation_of(app, scene).state is InvitationState.FAILED
    with app.app_context():
        bounce = suppression_of(scene.org_id, "eva@bakkerij.example")
        assert bounce.kind is SuppressionKind.BOUNCED and "550" in bounce.detail

    # The next contact with that address is not invited, and says why.
    later = log_contact(app, org_id=scene.org_id, contacted_on=LOGGED.date() + timedelta(days=1))
    invitation = invitation_of(app, later)
    assert invitation.state is InvitationState.SUPPRESSED
    assert invitation.suppression_reason is SuppressionReason.BOUNCED


def test_a_rejected_message_body_fails_without_suppressing_the_address(app, mail_server):
    scene = log_contact(app)
    mail_server.handler.data_answers.append("554 5.6.0 Message content rejected")
    run(app, DUE)
    [email] = emails(app)
    assert email.status is EmailStatus.FAILED and email.last_error.startswith("554")
    with app.app_context():
        assert suppression_of(scene.org_id, "eva@bakkerij.example") is None


def test_a_server_that_is_not_listening_loses_nothing(app, monkeypatch):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    first = log_contact(app, email="eva@bakkerij.example")
    log_contact(app, email="jan@garage.example", org_id=first.org_id)

    report = run(app, DUE)
    assert report.outbox.sent == 0 and "Connection refused" in report.outbox.errors[0]
    assert {email.status for email in emails(app)} == {EmailStatus.PENDING}
    assert "Connection refused" in emails(app)[0].last_error

    server = MailServer(port).start()
    try:
        run(app, DUE + timedelta(minutes=1))
        run(app, DUE + timedelta(minutes=2))
    finally:
        server.stop()
    assert sorted(r.recipients[0] for r in server.received) == [
        "eva@bakkerij.example",
        "jan@garage.example",
    ]
    assert {email.status for email in emails(app)} == {EmailStatus.SENT}


def test_an_email_claimed_by_a_worker_that_died_is_sent_once_its_lease_lapses(app, mail_server):
    scene = log_contact(app)
    with app.app_context():
        from survey.invitations.sending import queue_due_invitations

        queue_due_invitations(DUE)
        assert claim_next(DUE) is not None  # ... and that worker is never heard of again

    run(app, DUE + timedelta(minutes=1))
    assert mail_server.received == []
    assert emails(app)[0].status is EmailStatus.SENDING

    run(app, DUE + timedelta(minutes=6))
    run(app, DUE + timedelta(minutes=7))
    assert len(mail_server.received) == 1
    [email] = emails(app)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert invitation_of(app, scene).state is InvitationState.SENT


def test_a_resend_after_a_crash_carries_the_same_message_id(app, mail_server):
    log_contact(app)
    with app.app_context():
        from survey.invitations.sending import queue_due_invitations

        queue_due_invitations(DUE)
        email_id, _ = claim_next(DUE)
        # This worker hands the email to the server, then dies before recording it.
        email = db.session.get(OutboundEmail, email_id)
        transport = SmtpTransport.from_config(app.config)
        transport.send(build_message(email, app.config["MAIL_DEFAULT_SENDER"], DUE))
        transport.close()
        db.session.rollback()

    run(app, DUE + timedelta(minutes=6))
    first, second = mail_server.messages
    assert first["Message-ID"] == second["Message-ID"] == f"<outbox-{email_id}@localhost>"
    assert emails(app)[0].status is EmailStatus.SENT


@pytest.mark.parametrize("kind", [SuppressionKind.OPTED_OUT, SuppressionKind.BOUNCED])
def test_an_address_suppressed_after_queueing_gets_nothing(app, mail_server, kind):
    scene = log_contact(app)
    with app.app_context():
        from survey.invitations.sending import queue_due_invitations
        from survey.outbox.suppressions import suppress_address

        queue_due_invitations(DUE)
        suppress_address(scene.org_id, "eva@bakkerij.example", kind, DUE)
        db.session.commit()
    run(app, DUE + timedelta(minutes=1))
    assert mail_server.received == []
    assert emails(app)[0].status is EmailStatus.CANCELLED
    invitation = invitation_of(app, scene)
    assert invitation.state is InvitationState.SUPPRESSED
    assert invitation.suppression_reason.value == kind.value


def test_the_invitation_page_shows_its_emails_and_their_errors(app, client, log_in, mail_server):
    scene = log_contact(app)
    mail_server.handler.rcpt_answers.append("451 4.7.1 Greylisted, try again later")
    run(app, DUE)
    log_in(scene.manager)
    page = client.get(f"/invitations/{scene.invitation_id}")
    assert page.status_code == 200
    assert "451 4.7.1 Greylisted, try again later" in page.text


def test_a_contact_logged_on_friday_night_before_the_clock_change_is_emailed_monday_at_nine(
    app, mail_server
):
    # Friday 23 October 2026, 23:30 in Amsterdam (summer time, UTC+2); summer time ends on
    # Sunday, so Monday 09:00 is 08:00 UTC.
    friday_night = datetime(2026, 10, 23, 21, 30, tzinfo=UTC)
    monday_nine = datetime(2026, 10, 26, 8, tzinfo=UTC)
    with app.app_context():
        org = factories.organisation()
        contact = factories.contact(org, factories.user(org), contacted_on=friday_night.date())
        invite_for_contact(contact, org, friday_night)
        db.session.commit()
    for moment in (
        friday_night + timedelta(minutes=5),
        datetime(2026, 10, 24, 7, tzinfo=UTC),  # Saturday 09:00
        datetime(2026, 10, 25, 8, tzinfo=UTC),  # Sunday 09:00
        monday_nine - timedelta(minutes=1),  # Monday 08:59 in Amsterdam
    ):
        run(app, moment)
    assert mail_server.received == []
    run(app, monday_nine)
    run(app, monday_nine + timedelta(hours=2))
    assert len(mail_server.received) == 1
    assert emails(app)[0].sent_at == monday_nine


def test_what_staff_typed_is_escaped_in_the_html_email(app):
    with app.app_context():
        org = factories.organisation()
        contact = factories.contact(org, factories.user(org))
        contact.subject = "Terras <script>alert(1)</script> & meer"
        invitation = invite_for_contact(contact, org, LOGGED)
        email = factories.outbound_email(invitation)
        assert "<script>" not in email.html_body
        assert "Terras &lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in email.html_body
        assert "over: Terras <script>alert(1)</script> & meer." in email.text_body
