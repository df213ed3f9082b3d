"""The invitation's side of sending: which emails are due, and what their delivery means.

- Due invitations are checked against the rules once more (an opt-out or bounce may have come
  in since they were planned) and their email is queued in the outbox.
- One reminder, when the invitation is still open `reminder_after_days` after it was sent, on a
  working day at the organisation's sending hour; the outbox's unique (invitation, purpose)
  makes a second one impossible.
- Open invitations past their expiry become expired.
- Staff may have the invitation email sent once more, while the invitation is open: for a
  recipient who lost it. Staff never get the recipient's link itself (no self-rating).
- An event's coordinator may send one reminder by hand, besides the automatic one: to every
  open invitation of the event (the event's module chooses them; the outbox's unique
  (invitation, purpose) keeps it to one per invitation).
- An address reported as wrong (corrections.py) gets no reminder and no second email.
- `InvitationDelivery` tells the outbox whether an email is still wanted and moves the
  invitation on when its email was delivered or failed.

Every function here may run in several processes at once: rows are claimed, not just read.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from survey.accounts.models import Organisation
from survey.claims import lock_for_claiming
from survey.extensions import db
from survey.invitations.calendar import is_working_day, next_working_day
from survey.invitations.emails import compose_email, sender_address
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.rules import apply_suppression_rules
from survey.outbox.models import EmailPurpose, OutboundEmail, SuppressionKind
from survey.outbox.queue import enqueue
from survey.outbox.suppressions import suppression_of

BATCH = 500


def _without_email(purpose: EmailPurpose):
    return ~exists().where(
        OutboundEmail.invitation_id == Invitation.id, OutboundEmail.purpose == purpose
    )


def _claimed(statement) -> list[Invitation]:
    lock_for_claiming(db.session.connection())
    statement = statement.limit(BATCH).with_for_update(skip_locked=True, of=Invitation)
    return list(db.session.scalars(statement))


def _queue(invitation: Invitation, purpose: EmailPurpose, now: datetime) -> bool:
    email = compose_email(invitation, purpose)
    try:
        with db.session.begin_nested():
            enqueue(email, sender_address(), now)
    except IntegrityError:  # another run queued it first
        return False
    return True


def queue_due_invitations(now: datetime) -> int:
    """Queue the email of every invitation whose time has come; the number queued."""
    due = _claimed(
        select(Invitation)
        .where(
            Invitation.state == InvitationState.SCHEDULED,
            Invitation.scheduled_at <= now,
            _without_email(EmailPurpose.INVITATION),
        )
        .order_by(Invitation.scheduled_at, Invitation.id)
    )
    queued = 0
    for invitation in due:
        if apply_suppression_rules(invitation, now):
            continue
        queued += _queue(invitation, EmailPurpose.INVITATION, now)
    db.session.commit()
    return queued


def reminder_due_at(sent_at: datetime, organisation: Organisation) -> datetime:
    """`reminder_after_days` after sending, moved to a working day, at the sending hour."""
    zone = ZoneInfo(organisation.timezone)
    day = sent_at.astimezone(zone).date() + timedelta(days=organisation.reminder_after_days)
    if not is_working_day(day, organisation.timezone):
        day = next_working_day(day, organisation.timezone)
    return datetime.combine(day, time(hour=organisation.send_hour), tzinfo=zone).astimezone(UTC)


def queue_due_reminders(now: datetime) -> int:
    """Queue the one reminder of every open invitation that is due for it; the number queued."""
    candidates = _claimed(
        select(Invitation)
        .join(Organisation, Invitation.organisation_id == Organisation.id)
        .where(
            Invitation.state == InvitationState.SENT,
            Organisation.reminder_after_days > 0,
            Invitation.sent_at <= now - timedelta(days=1),
            Invitation.expires_at > now,
            Invitation.wrong_address_at.is_(None),
            _without_email(EmailPurpose.REMINDER),
        )
        .options(joinedload(Invitation.organisation))
        .order_by(Invitation.sent_at, Invitation.id)
    )
    queued = 0
    for invitation in candidates:
        if reminder_due_at(invitation.sent_at, invitation.organisation) <= now:
            queued += _queue(invitation, EmailPurpose.REMINDER, now)
    db.session.commit()
    return queued


def expire_invitations(now: datetime) -> int:
    """Open invitations whose link has expired become expired; the number."""
    expired = _claimed(
        select(Invitation)
        .where(
            Invitation.state.in_((InvitationState.SENT, InvitationState.REMINDED)),
            Invitation.expires_at <= now,
        )
        .order_by(Invitation.expires_at, Invitation.id)
    )
    for invitation in expired:
        invitation.mark_expired()
    db.session.commit()
    return len(expired)


class CannotResend(Exception):
    """Why an invitation's email is not sent again; `str()` is the message for staff."""


def _why_not_open(invitation: Invitation, now: datetime) -> str | None:
    """Why nothing more goes to the recipient now (answered, expired, not sent, a wrong or
    suppressed address), or None while the invitation awaits an answer."""
    if invitation.state is InvitationState.ANSWERED:
        return str(_l("The recipient has answered already."))
    if invitation.is_expired_at(now):
        return str(_l("The link has expired; the recipient can no longer answer."))
    if not invitation.state.awaits_answer:
        return str(_l("The invitation has not been sent, so it cannot be sent again."))
    if invitation.wrong_address_at is not None:
        return str(_l("The address was reported as wrong."))
    blocked = suppression_of(invitation.organisation_id, invitation.recipient_email)
    if blocked is not None and blocked.kind is SuppressionKind.OPTED_OUT:
        return str(_l("The recipient opted out of these emails."))
    if blocked is not None:
        return str(_l("The address bounced earlier."))
    return None


def why_no_resend(invitation: Invitation, now: datetime) -> str | None:
    """The reason the invitation email cannot be sent again now, or None when it can."""
    if reason := _why_not_open(invitation, now):
        return reason
    resent = select(Invitation.id).where(
        Invitation.id == invitation.id, ~_without_email(EmailPurpose.RESEND)
    )
    if db.session.scalar(resent) is not None:
        return str(_l("The email has been sent again already; it is sent again only once."))
    return None


def resend_invitation(invitation: Invitation, now: datetime) -> None:
    """Queue the invitation email once more, as it was (its link and expiry stay the same).

    Raises CannotResend with the reason. Once per invitation: the outbox's unique (invitation,
    purpose) holds that even when two people ask at the same moment.
    """
    if reason := why_no_resend(invitation, now):
        raise CannotResend(reason)
    if not _queue(invitation, EmailPurpose.RESEND, now):
        raise CannotResend(
            str(_l("The email has been sent again already; it is sent again only once."))
        )


def queue_manual_reminder(invitation: Invitation, now: datetime) -> bool:
    """Queue the reminder a coordinator sends by hand, if the invitation still awaits an answer
    and may be written to; whether it was queued (once per invitation, by the outbox)."""
    if _why_not_open(invitation, now):
        return False
    return _queue(invitation, EmailPurpose.MANUAL_REMINDER, now)


class InvitationDelivery:
    """The outbox's hooks for invitation and reminder emails (see outbox.queue.DeliveryHooks)."""

    @staticmethod
    def _invitation(email: OutboundEmail) -> Invitation | None:
        if email.invitation_id is None:
            return None
        return db.session.get(Invitation, email.invitation_id)

    def unwanted_because(self, email: OutboundEmail, now: datetime) -> str | None:
        invitation = self._invitation(email)
        if invitation is None:
            return None
        if email.purpose is EmailPurpose.INVITATION:
            if invitation.state is not InvitationState.SCHEDULED:
                return str(_l("The invitation is no longer planned."))
            return None
        # The automatic reminder goes only to who was not reminded yet; a resend and a reminder
        # sent by hand to any open invitation.
        still_open = (
            invitation.state.awaits_answer
            if email.purpose in (EmailPurpose.RESEND, EmailPurpose.MANUAL_REMINDER)
            else invitation.state is InvitationState.SENT
        )
        if not still_open or invitation.is_expired_at(now):
            return str(_l("The invitation was answered or has expired."))
        if invitation.wrong_address_at is not None:
            return str(_l("The address was reported as wrong."))
        return None

    def delivered(self, email: OutboundEmail, now: datetime) -> None:
        invitation = self._invitation(email)
        if invitation is None:
            return
        # The invitation may have moved on while the server took the email (an opt-out came in,
        # the survey was answered): the email went out all the same, and that is recorded.
        # A resend and a reminder sent by hand change nothing: the invitation stays open until
        # the same expiry, and the automatic reminder still goes when it is due.
        if email.purpose is EmailPurpose.INVITATION:
            if invitation.state is InvitationState.SCHEDULED:
                invitation.mark_sent(now, invitation.organisation.link_expiry_days)
        elif email.purpose is EmailPurpose.REMINDER and invitation.state is InvitationState.SENT:
            invitation.mark_reminded(now)

    def failed(self, email: OutboundEmail, now: datetime) -> None:
        invitation = self._invitation(email)
        # A failed reminder leaves the invitation as it was: the first email did arrive.
        if (
            invitation is not None
            and email.purpose is EmailPurpose.INVITATION
            and invitation.state is InvitationState.SCHEDULED
        ):
            invitation.mark_failed()

    def cancelled(self, email: OutboundEmail, now: datetime) -> None:
        invitation = self._invitation(email)
        # Its address was suppressed after it was queued: say so on the invitation too.
        if invitation is not None and invitation.state is InvitationState.SCHEDULED:
            apply_suppression_rules(invitation, now)

    def retried(self, email: OutboundEmail, now: datetime) -> None:
        invitation = self._invitation(email)
        if invitation is not None and invitation.state is InvitationState.FAILED:
            invitation.reschedule(now)
