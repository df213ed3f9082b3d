"""Participants of an event and the one evaluation each gets.

Every way in (one by one, a pasted or uploaded list, the demo) goes through `add_participant`,
so a participant is checked by the same rules and leads to an invitation in the same way:
- the invitation records what it is reported by (kind of occasion "event participant", the
  event, the first organiser as the staff member the participant knows, channel "event", the
  event's day), so nothing after it reads the event again;
- it is planned for the event's send time, or at once when that has passed (a participant added
  late gets the evaluation straight away);
- one address per event, by constraint: nobody gets two evaluations of the same event.
A participant removed before the evaluation went out gets nothing: the invitation is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import User
from survey.events.models import EMAIL_MAX, NAME_MAX, Event, Participant
from survey.extensions import db
from survey.invitations.corrections import CannotCorrect, cancel_invitation
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.rules import apply_suppression_rules
from survey.languages import supported


class ParticipantError(ValueError):
    """A participant that cannot be added or removed; `problems` maps each field to what is
    wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.problems.values())


@dataclass(frozen=True)
class ParticipantDetails:
    """A participant's values, checked and normalised, ready to be stored."""

    name: str
    email: str
    organisation_name: str
    locale: str | None  # None: the event's language


def _text(problems: dict, field: str, value: str | None) -> str:
    value = " ".join((value or "").split())
    if len(value) > NAME_MAX:
        problems[field] = _l("Use at most %(limit)s characters.", limit=NAME_MAX)
    return value


def check_participant(
    name: str | None, email: str | None, organisation_name: str | None, locale: str | None
) -> ParticipantDetails:
    """The participant's values, normalised; raises ParticipantError with every problem."""
    problems: dict[str, str] = {}
    name = _text(problems, "name", name)
    organisation_name = _text(problems, "organisation_name", organisation_name)
    address = (email or "").strip()
    if not address:
        problems["email"] = _l("Please fill in the participant's email address.")
    elif len(address) > EMAIL_MAX:
        problems["email"] = _l("Use at most %(limit)s characters.", limit=EMAIL_MAX)
    else:
        try:
            address = validate_email(address, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems["email"] = _l("%(email)s is not a valid email address.", email=address)
    locale = (locale or "").strip().lower() or None
    if locale is not None and not supported(locale):
        problems["locale"] = _l("Choose Dutch (nl) or English (en).")
    if problems:
        raise ParticipantError(problems)
    return ParticipantDetails(name, address, organisation_name, locale)


def is_participant(event: Event, email: str) -> bool:
    found = select(Participant.id).where(
        Participant.event_id == event.id, Participant.email == email
    )
    return db.session.scalar(found) is not None


def staff_member_of(event: Event) -> int | None:
    """Who the participants know and who signs the email: the first organiser, else whoever
    made the event."""
    signer = event.signer
    return signer.id if signer is not None else event.created_by_id


def invite_participant(participant: Participant, event: Event, now: datetime) -> Invitation:
    """The participant's evaluation: planned for the event's send time (or now, when that has
    passed), or suppressed with the reason (an opt-out or a bounce)."""
    version = event.questionnaire.latest_version
    invitation = Invitation(
        organisation_id=event.organisation_id,
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=event.id,
        questionnaire_version_id=version.id,
        staff_member_id=staff_member_of(event),
        channel=Channel.EVENT,
        occasion_on=event.starts_at.astimezone(ZoneInfo(event.organisation.timezone)).date(),
        company_name=participant.organisation_name or None,
        recipient_email=participant.email,
        recipient_name=participant.name,
        locale=participant.locale or event.locale,
        scheduled_at=max(event.send_at, now),
        created_at=now,
    )
    invitation.organisation = event.organisation
    db.session.add(invitation)
    apply_suppression_rules(invitation, now)
    db.session.flush()
    participant.invitation_id = invitation.id
    return invitation


def add_participant(
    event: Event, details: ParticipantDetails, now: datetime, added_by: User | None
) -> Participant:
    """Add a checked participant with their evaluation; flushes, the caller commits.

    Raises ParticipantError when the address takes part already (the unique constraint decides,
    so a double submit or a list imported twice adds nobody twice).
    """
    participant = Participant(
        event_id=event.id,
        organisation_id=event.organisation_id,
        name=details.name,
        email=details.email,
        organisation_name=details.organisation_name,
        locale=details.locale,
        added_at=now,
        added_by_id=added_by.id if added_by is not None else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(participant)
            db.session.flush()
    except IntegrityError:
        raise ParticipantError(
            {"email": _l("%(email)s is a participant of this event already.", email=details.email)}
        ) from None
    invite_participant(participant, event, now)
    return participant


# An invitation in these states never reached the participant.
NEVER_SENT = (
    InvitationState.SCHEDULED,
    InvitationState.SUPPRESSED,
    InvitationState.FAILED,
    InvitationState.CANCELLED,
)
SENT_ALREADY = _l("The evaluation was sent already; the participant stays on the list.")


def is_removable(participant: Participant) -> bool:
    """Whether the participant can still leave the list: their evaluation was not sent."""
    invitation = participant.invitation
    return invitation is None or invitation.state in NEVER_SENT


def remove_participant(participant: Participant, now: datetime) -> None:
    """Take a participant off the list before their evaluation went out: it is never sent.

    Raises ParticipantError once the evaluation was sent: what was sent is part of the figures.
    """
    invitation = participant.invitation
    if not is_removable(participant):
        raise ParticipantError({"participant": SENT_ALREADY})
    if invitation is not None and invitation.state in (
        InvitationState.SCHEDULED,
        InvitationState.FAILED,
    ):
        # Its email may be queued already: cancelled with it; refused while it is going out.
        try:
            cancel_invitation(invitation, str(_l("Removed from the event's participants.")), now)
        except CannotCorrect as refusal:
            raise ParticipantError({"participant": str(refusal)}) from None
    participant.invitation_id = None
    db.session.delete(participant)
    db.session.flush()
