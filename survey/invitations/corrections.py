"""Staff correcting an invitation: plan it again after its contact was corrected, cancel it
before it is sent, or report after sending that it went to a wrong address.

- Before sending (planned, or failed): the contact may be corrected, which plans the invitation
  again by the rules of a new one (rules.py), or the invitation may be cancelled with a reason.
  An email already queued for it is cancelled; one that a sender holds right now cannot be
  stopped, so then both are refused.
- After sending: "wrong address" stops what would still follow (the reminder, an email sent
  again) and records why. The invitation keeps its state: the email did go out.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.contacts.models import Contact
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.rules import apply_suppression_rules, send_time
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail

NOT_SENT = (InvitationState.SCHEDULED, InvitationState.FAILED)
SENDING_NOW = _l(
    "The invitation email is being sent right now, so it can no longer be changed. If it goes to "
    "a wrong address, report that on the invitation page once it has been sent."
)
# What a corrected contact changes in the timing or the rules of its invitation.
PLANNING_FIELDS = ("email", "contacted_on", "registry_number", "account_manager")


class CannotCorrect(Exception):
    """Why a contact or an invitation cannot be corrected now; `str()` is the message for staff."""


def why_not_correctable(invitation: Invitation | None) -> str | None:
    """Why a contact can no longer be changed nor its invitation cancelled; None while it can."""
    if invitation is None:
        return str(_l("This contact has no survey invitation that could be planned again."))
    if invitation.state is InvitationState.CANCELLED:
        return str(_l("The invitation has been cancelled; the contact stays as it was logged."))
    if invitation.state is InvitationState.SUPPRESSED:
        return str(_l("No invitation is sent for this contact, so there is nothing to plan again."))
    if invitation.state not in NOT_SENT:
        return str(
            _l(
                "The invitation has been sent already, so the contact can no longer be changed "
                "nor the invitation cancelled. If it went to a wrong address, report that on "
                "the invitation page: then no reminder follows."
            )
        )
    return None


def _queued(invitation: Invitation, purposes: tuple[EmailPurpose, ...]) -> list[OutboundEmail]:
    """The invitation's emails of these purposes, locked against a sender claiming them."""
    statement = (
        select(OutboundEmail)
        .where(OutboundEmail.invitation_id == invitation.id, OutboundEmail.purpose.in_(purposes))
        .with_for_update()
    )
    return list(db.session.scalars(statement))


def _withdraw(email: OutboundEmail, reason: str) -> None:
    email.status = EmailStatus.CANCELLED
    email.lease_until = None
    email.last_error = reason


def _withdraw_invitation_email(invitation: Invitation, reason: str) -> list[OutboundEmail]:
    """Cancel the invitation's email that has not gone out yet; refused while it is going."""
    if why := why_not_correctable(invitation):
        raise CannotCorrect(why)
    emails = _queued(invitation, (EmailPurpose.INVITATION,))
    if any(email.status is EmailStatus.SENDING for email in emails):
        raise CannotCorrect(str(SENDING_NOW))
    withdrawn = [e for e in emails if e.status in (EmailStatus.PENDING, EmailStatus.FAILED)]
    for email in withdrawn:
        _withdraw(email, reason)
    return withdrawn


def plan_again(invitation: Invitation, contact: Contact, changed: set[str], now: datetime) -> None:
    """The invitation of a corrected contact, planned again by the rules of a new one.

    A new time only when what it is counted from changed (the date, the address, the company,
    the account manager); the suppression rules always run again, for the new address.
    """
    withdrawn = _withdraw_invitation_email(
        invitation, str(_l("The contact was corrected; its invitation was planned again."))
    )
    for email in withdrawn:
        # Let go, so the corrected invitation gets an email of its own (one per invitation).
        email.invitation_id = None
    organisation = invitation.organisation
    scheduled_at = invitation.scheduled_at
    if changed.intersection(PLANNING_FIELDS) or invitation.state is InvitationState.FAILED:
        scheduled_at = send_time(contact.contacted_on, now, organisation)
    invitation.plan_again(contact, scheduled_at)
    apply_suppression_rules(invitation, now)
    db.session.flush()


def cancel_invitation(invitation: Invitation, reason: str, now: datetime) -> None:
    """Staff call off an invitation that has not been sent; its queued email is cancelled."""
    _withdraw_invitation_email(invitation, str(_l("The invitation was cancelled.")))
    invitation.cancel(now, reason)
    db.session.flush()


def why_no_wrong_address(invitation: Invitation) -> str | None:
    """Why "wrong address" cannot be reported for this invitation; None when it can."""
    if invitation.wrong_address_at is not None:
        return str(_l("The address has been reported as wrong already."))
    if invitation.state is InvitationState.ANSWERED:
        return str(_l("The recipient has answered already."))
    if invitation.state is InvitationState.EXPIRED:
        return str(_l("The link has expired; nothing more is sent to this address."))
    if not invitation.state.awaits_answer:
        return str(_l("The invitation has not been sent."))
    return None


def report_wrong_address(invitation: Invitation, reason: str, now: datetime) -> None:
    """The email went to a wrong address: the reminder and a queued resend are called off."""
    if why := why_no_wrong_address(invitation):
        raise CannotCorrect(why)
    for email in _queued(invitation, (EmailPurpose.REMINDER, EmailPurpose.RESEND)):
        if email.status is EmailStatus.PENDING:
            _withdraw(email, str(_l("The address was reported as wrong.")))
    invitation.report_wrong_address(now, reason)
    db.session.flush()
