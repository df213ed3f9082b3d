"""The rules of correcting an invitation, without HTTP: what may be cancelled or planned again,
what happens to its emails, and what "wrong address" stops."""

from datetime import timedelta

import pytest

from survey.clock import utcnow
from survey.contacts.corrections import correct_contact
from survey.extensions import db
from survey.invitations.corrections import (
    CannotCorrect,
    cancel_invitation,
    plan_again,
    report_wrong_address,
    why_no_wrong_address,
)
from survey.invitations.models import InvalidTransition, InvitationState, SuppressionReason
from survey.invitations.sending import queue_due_reminders, why_no_resend
from survey.outbox.models import EmailPurpose, EmailStatus, SuppressionKind
from survey.outbox.queue import NotRetryable, retry_by_hand
from survey.outbox.suppressions import suppress_address
from tests import factories


@pytest.fixture
def org(ctx):
    return factories.organisation()


def values_of(contact, **changes) -> dict:
    return {
        "company_name": contact.company_name,
        "registry_number": contact.registry_number,
        "person_name": contact.person_name,
        "email": contact.email,
        "locale": contact.locale,
        "contacted_on": contact.contacted_on,
        "channel": contact.channel,
        "subject": contact.subject,
    } | changes


def test_an_invitation_being_sent_right_now_cannot_be_cancelled(org):
    invitation = factories.invitation(org, state=InvitationState.SCHEDULED)
    email = factories.outbound_email(invitation)
    email.status = EmailStatus.SENDING
    with pytest.raises(CannotCorrect, match="op dit moment verstuurd"):
        cancel_invitation(invitation, "Double entry", utcnow())
    assert invitation.state is InvitationState.SCHEDULED


def test_a_failed_invitation_cancelled_cannot_be_retried_by_hand(org):
    invitation = factories.invitation(org, state=InvitationState.FAILED)
    email = factories.outbound_email(invitation)
    email.status = EmailStatus.FAILED
    cancel_invitation(invitation, "Company closed", utcnow())
    assert invitation.state is InvitationState.CANCELLED
    assert invitation.cancel_reason == "Company closed"
    assert email.status is EmailStatus.CANCELLED
    with pytest.raises(NotRetryable):
        retry_by_hand(email, utcnow())


def test_a_sent_invitation_cannot_be_cancelled_or_planned_again(org):
    invitation = factories.invitation(org)
    with pytest.raises(CannotCorrect, match="al verstuurd"):
        cancel_invitation(invitation, "Too late", utcnow())
    with pytest.raises(CannotCorrect):
        plan_again(invitation, invitation.contact, {"email"}, utcnow())
    with pytest.raises(InvalidTransition):
        invitation.cancel(utcnow(), "Too late")


def test_a_failed_invitation_corrected_is_planned_again_and_its_failed_email_let_go(org):
    invitation = factories.invitation(org, state=InvitationState.FAILED)
    email = factories.outbound_email(invitation)
    email.status = EmailStatus.FAILED
    contact = invitation.contact
    correct_contact(
        contact, org, contact.account_manager, now=utcnow(), **values_of(contact, email="a@b.nl")
    )
    assert invitation.state is InvitationState.SCHEDULED
    assert invitation.recipient_email == "a@b.nl" and invitation.scheduled_at > utcnow()
    assert email.status is EmailStatus.CANCELLED and email.invitation_id is None


def test_a_new_subject_keeps_the_planned_time_and_a_new_date_plans_anew(org):
    invitation = factories.invitation(org, state=InvitationState.SCHEDULED)
    contact, planned = invitation.contact, invitation.scheduled_at
    manager, now = contact.account_manager, utcnow()
    changes = correct_contact(
        contact, org, manager, now=now, **values_of(contact, subject="Nieuwe winkel")
    )
    assert changes == {"subject": ["Kennismaking", "Nieuwe winkel"]}
    assert invitation.scheduled_at == planned
    yesterday = contact.contacted_on + timedelta(days=1)
    changes = correct_contact(
        contact, org, manager, now=now, **values_of(contact, contacted_on=yesterday)
    )
    assert changes["contacted_on"] == [str(yesterday - timedelta(days=1)), str(yesterday)]
    assert invitation.scheduled_at > now


def test_a_correction_to_an_opted_out_address_is_suppressed(org):
    invitation = factories.invitation(org, state=InvitationState.SCHEDULED)
    suppress_address(org.id, "weg@x.nl", SuppressionKind.OPTED_OUT, utcnow())
    contact = invitation.contact
    correct_contact(
        contact, org, contact.account_manager, now=utcnow(), **values_of(contact, email="weg@x.nl")
    )
    assert invitation.state is InvitationState.SUPPRESSED
    assert invitation.suppression_reason is SuppressionReason.OPTED_OUT


def test_wrong_address_stops_the_reminder_and_a_resend(org):
    org.reminder_after_days = 3
    invitation = factories.invitation(org, sent_at=utcnow() - timedelta(days=10))
    resend = factories.outbound_email(invitation, EmailPurpose.RESEND)
    report_wrong_address(invitation, "Typo", utcnow())
    db.session.commit()
    assert resend.status is EmailStatus.CANCELLED
    assert queue_due_reminders(utcnow()) == 0
    assert why_no_resend(invitation, utcnow()) == "Het adres is gemeld als verkeerd."
    assert why_no_wrong_address(invitation) == "Het adres is al gemeld als verkeerd."


@pytest.mark.parametrize(
    "state", [InvitationState.SCHEDULED, InvitationState.ANSWERED, InvitationState.EXPIRED]
)
def test_wrong_address_is_only_for_an_open_invitation(org, state):
    invitation = factories.invitation(org, state=state)
    with pytest.raises(CannotCorrect):
        report_wrong_address(invitation, "Typo", utcnow())
    assert invitation.wrong_address_at is None
