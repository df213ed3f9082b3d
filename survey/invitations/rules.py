"""The rules that turn a contact into (at most) one well-timed invitation.

- Timing: `send_delay_days` working days after the contact (see calendar.py), at `send_hour`
  in the organisation's time zone; never at night or at the weekend, whenever it was logged.
- Fatigue: nobody invited (by address, or by company registry number where known) in the last
  `fatigue_days` for the same kind of occasion is invited again; the invitation is kept,
  suppressed, with the reason. A contact survey does not hold back a workshop evaluation.
  Events count per event: a participant gets at most one evaluation of an event, and one of
  every session of a series (people who come to six sessions want to judge each).
- Opted-out and bounced addresses are suppressed for the organisation that recorded them, for
  every kind of occasion.

Each rule is a plain function of its inputs, so it is tested without HTTP or a clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from survey.accounts.models import Organisation
from survey.contacts.models import Contact
from survey.extensions import db
from survey.invitations.calendar import next_working_day
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppression_of
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import QuestionnaireVersion

CONTACT_QUESTIONNAIRE = "contact-survey"


def send_time(contacted_on: date, logged_at: datetime, organisation: Organisation) -> datetime:
    """When the invitation for a contact goes out, in UTC.

    Counted from the contact's day, or from the day it was logged when that is later (a contact
    logged a week late still waits the delay, never goes out at once at night).
    """
    zone = ZoneInfo(organisation.timezone)
    logged_day = logged_at.astimezone(zone).date()
    day = max(contacted_on, logged_day)
    for _ in range(max(organisation.send_delay_days, 1)):
        day = next_working_day(day, organisation.timezone)
    local = datetime.combine(day, time(hour=organisation.send_hour), tzinfo=zone)
    return local.astimezone(UTC)


def _recipient_filter(invitation: Invitation):
    same_address = Invitation.recipient_email == invitation.recipient_email
    if not invitation.registry_number:
        return same_address
    return or_(same_address, Invitation.registry_number == invitation.registry_number)


def last_invited_at(invitation: Invitation, since: datetime) -> datetime | None:
    """When this recipient was last invited (or is already planned to be) for the same kind of
    occasion, if after `since`.

    Counts the organisation's other invitations that were sent or are on their way; suppressed
    and failed ones never reached anybody and do not count.
    """
    counted = (
        InvitationState.SCHEDULED,
        InvitationState.SENT,
        InvitationState.REMINDED,
        InvitationState.ANSWERED,
        InvitationState.EXPIRED,
    )
    moment = func.coalesce(Invitation.sent_at, Invitation.scheduled_at)
    statement = select(func.max(moment)).where(
        Invitation.organisation_id == invitation.organisation_id,
        Invitation.occasion_kind == invitation.occasion_kind,
        Invitation.state.in_(counted),
        moment >= since,
        _recipient_filter(invitation),
    )
    if invitation.event_id is not None:
        statement = statement.where(Invitation.event_id == invitation.event_id)
    if invitation.id is not None:
        statement = statement.where(Invitation.id != invitation.id)
    return db.session.scalar(statement)


def apply_suppression_rules(invitation: Invitation, now: datetime) -> bool:
    """Suppress a scheduled invitation that must not be sent; True if it was suppressed.

    Run when the invitation is made (so the account manager sees the reason at once) and again
    just before it is sent (an opt-out or a bounce may have come in between).
    """
    organisation = invitation.organisation or db.session.get(
        Organisation, invitation.organisation_id
    )
    blocked = suppression_of(invitation.organisation_id, invitation.recipient_email)
    if blocked is not None:
        reason = (
            SuppressionReason.OPTED_OUT
            if blocked.kind is SuppressionKind.OPTED_OUT
            else SuppressionReason.BOUNCED
        )
        invitation.suppress(reason)
        return True
    if organisation.fatigue_days <= 0:
        return False
    earlier = last_invited_at(invitation, since=now - timedelta(days=organisation.fatigue_days))
    if earlier is not None and earlier <= max(now, invitation.scheduled_at):
        invitation.suppress(SuppressionReason.RECENTLY_INVITED, previously_invited_at=earlier)
        return True
    return False


def contact_questionnaire_version() -> QuestionnaireVersion:
    """The questionnaire contacts are surveyed with: the catalogue's contact survey."""
    questionnaire = catalogue_questionnaire(CONTACT_QUESTIONNAIRE)
    if questionnaire is None:
        load_catalogue()
        questionnaire = catalogue_questionnaire(CONTACT_QUESTIONNAIRE)
    return questionnaire.latest_version


def invite_for_contact(contact: Contact, organisation: Organisation, now: datetime) -> Invitation:
    """The invitation a newly logged contact leads to: scheduled, or suppressed with a reason."""
    invitation = Invitation.for_contact(
        contact,
        contact_questionnaire_version(),
        scheduled_at=send_time(contact.contacted_on, now, organisation),
    )
    invitation.organisation = organisation
    invitation.created_at = now
    db.session.add(invitation)
    apply_suppression_rules(invitation, now)
    db.session.flush()
    return invitation
