"""An event's evaluations as the coordinator runs them: whether they are sent, each participant's
status, sending them now, rescheduling them, and the one manual reminder.

- The evaluations "are sent" once the coordinator sent them by hand, or the event's send time
  has passed, or any of its invitations left the planning (sent, or tried and failed). From then
  on only the event's title and description can change (planning.py).
- Changing the event before that re-plans the planned invitations: the new send time, the
  questionnaire's latest version, the signer, the language and the day.
- The manual reminder goes once per event, to those who were sent the evaluation and have not
  answered, besides the automatic reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, exists, func, literal, select, update
from sqlalchemy.orm import selectinload

from survey.events.models import Event, Participant
from survey.events.participants import staff_member_of
from survey.events.rooms import follow_event_times
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.overview import why_not_invited
from survey.invitations.sending import queue_manual_reminder
from survey.listing import Order, Page, SortColumn, keyset_page
from survey.outbox.models import EmailPurpose, OutboundEmail
from survey.request_input import Cursor
from survey.types import UTCDateTime

# States an invitation reaches only once its email was handed to the outbox.
LEFT_PLANNING = (
    InvitationState.SENT,
    InvitationState.REMINDED,
    InvitationState.ANSWERED,
    InvitationState.EXPIRED,
    InvitationState.FAILED,
)


class CannotSend(Exception):
    """Why an action on the evaluations is refused; `str()` is the message for staff."""


def _of_event(event_id):
    return Invitation.event_id == event_id


def _email_queued(purpose: EmailPurpose):
    return exists().where(
        OutboundEmail.invitation_id == Invitation.id, OutboundEmail.purpose == purpose
    )


def any_left_planning(event: Event) -> bool:
    """Whether any invitation of the event was sent, or its email queued or tried."""
    statement = select(Invitation.id).where(
        _of_event(event.id),
        Invitation.state.in_(LEFT_PLANNING) | _email_queued(EmailPurpose.INVITATION),
    )
    return db.session.scalar(statement.limit(1)) is not None


def evaluations_are_sent(event: Event, now: datetime, left_planning: bool | None = None) -> bool:
    """The one rule for "the evaluations are sent": by hand, by the clock, or by the outbox.

    `left_planning` is any_left_planning(event), when the caller knows it already.
    """
    if event.evaluations_sent_at is not None or event.send_at <= now:
        return True
    return any_left_planning(event) if left_planning is None else left_planning


def _planned(event: Event) -> list[tuple[Invitation, Participant]]:
    """The event's invitations that still wait for their time, with their participants."""
    statement = (
        select(Invitation, Participant)
        .join(Participant, Participant.invitation_id == Invitation.id)
        .where(
            _of_event(event.id),
            Invitation.state == InvitationState.SCHEDULED,
            ~_email_queued(EmailPurpose.INVITATION),
        )
        .order_by(Invitation.id)
        .with_for_update(of=Invitation)
    )
    return list(db.session.execute(statement))


def count_planned(event: Event) -> int:
    """How many of the event's evaluations wait for their time."""
    statement = select(func.count()).where(
        _of_event(event.id),
        Invitation.state == InvitationState.SCHEDULED,
        ~_email_queued(EmailPurpose.INVITATION),
    )
    return db.session.scalar(statement) or 0


def replan_evaluations(event: Event, now: datetime) -> int:
    """Address the planned invitations anew from the (changed) event, and let its room link
    follow; the number re-planned."""
    follow_event_times(event)
    version = event.questionnaire.latest_version
    day = event.starts_at.astimezone(ZoneInfo(event.organisation.timezone)).date()
    planned = _planned(event)
    for invitation, participant in planned:
        invitation.scheduled_at = max(event.send_at, now)
        invitation.questionnaire_version_id = version.id
        invitation.staff_member_id = staff_member_of(event)
        invitation.locale = participant.locale or event.locale
        invitation.occasion_on = day
    db.session.flush()
    return len(planned)


def send_now(event: Event, now: datetime) -> int:
    """Every planned evaluation goes out with the sending job's next run; the number."""
    planned = _planned(event)
    if not planned:
        raise CannotSend(_("There are no planned evaluations to send."))
    for invitation, _participant in planned:
        invitation.scheduled_at = now
    event.send_at = now
    event.evaluations_sent_at = event.evaluations_sent_at or now
    follow_event_times(event)  # the room link closes with the emailed links
    db.session.flush()
    return len(planned)


def reschedule(event: Event, when: datetime, now: datetime) -> int:
    """Plan the evaluations for `when` (in the future); the number of planned ones moved."""
    if when <= now:
        raise CannotSend(_("Choose a moment in the future."))
    planned = _planned(event)
    if not planned and evaluations_are_sent(event, now):
        raise CannotSend(_("The evaluations have been sent; none is left to reschedule."))
    event.send_at = when
    for invitation, _participant in planned:
        invitation.scheduled_at = when
    follow_event_times(event)  # the room link closes with the emailed links
    db.session.flush()
    return len(planned)


def _awaiting_answer(event: Event, now: datetime) -> Select:
    return (
        select(Invitation)
        .where(
            _of_event(event.id),
            Invitation.state.in_((InvitationState.SENT, InvitationState.REMINDED)),
            Invitation.expires_at > now,
            Invitation.wrong_address_at.is_(None),
        )
        .order_by(Invitation.id)
    )


def send_manual_reminder(event: Event, now: datetime) -> int:
    """Queue the one manual reminder to every participant who was sent the evaluation and has
    not answered (opted-out and bounced addresses left out); the number queued.

    Once per event: the claim on `manual_reminder_at` holds that even when two coordinators
    press at the same moment.
    """
    if event.manual_reminder_at is not None:
        raise CannotSend(_("A reminder has been sent by hand already; that is possible once."))
    waiting = list(db.session.scalars(_awaiting_answer(event, now)))
    if not waiting:
        raise CannotSend(_("Nobody is waiting to be reminded: no evaluation awaits an answer."))
    claimed = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.manual_reminder_at.is_(None))
        .values(manual_reminder_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise CannotSend(_("A reminder has been sent by hand already; that is possible once."))
    event.manual_reminder_at = now
    return sum(queue_manual_reminder(invitation, now) for invitation in waiting)


def manual_reminders_queued(event: Event) -> int:
    """How many manual reminders the event's one manual reminder queued."""
    statement = (
        select(func.count())
        .select_from(OutboundEmail)
        .join(Invitation, OutboundEmail.invitation_id == Invitation.id)
        .where(_of_event(event.id), OutboundEmail.purpose == EmailPurpose.MANUAL_REMINDER)
    )
    return db.session.scalar(statement) or 0


@dataclass(frozen=True)
class EvaluationStatus:
    """A participant's evaluation as the coordinator reads it."""

    state: str  # planned, sent, reminded, answered, expired, not_sent, none
    label: str
    at: datetime | None = None
    reason: str = ""
    reminded_by_hand: bool = False


def _not_sent_reason(invitation: Invitation, now: datetime, zone: ZoneInfo) -> str:
    if invitation.state is InvitationState.SUPPRESSED:
        return why_not_invited(invitation, now, zone)
    if invitation.state is InvitationState.FAILED:
        return _("the email could not be delivered")
    return invitation.cancel_reason or _("cancelled")


def evaluation_status(
    invitation: Invitation | None, now: datetime, zone: ZoneInfo, reminded_by_hand=False
) -> EvaluationStatus:
    if invitation is None:
        return EvaluationStatus("none", _("no evaluation"))
    state = invitation.state
    if state is InvitationState.SCHEDULED:
        return EvaluationStatus("planned", _("planned"), invitation.scheduled_at)
    if state in (InvitationState.SUPPRESSED, InvitationState.FAILED, InvitationState.CANCELLED):
        return EvaluationStatus(
            "not_sent", _("not sent"), None, _not_sent_reason(invitation, now, zone)
        )
    wrong = (
        _("wrong address: %(reason)s", reason=invitation.wrong_address_reason)
        if invitation.wrong_address_at
        else ""
    )
    if state is InvitationState.ANSWERED:
        return EvaluationStatus("answered", _("answered"), invitation.answered_at)
    if state is InvitationState.EXPIRED:
        return EvaluationStatus("expired", _("expired"), invitation.expires_at, wrong)
    if state is InvitationState.REMINDED:
        return EvaluationStatus(
            "reminded", _("reminder sent"), invitation.reminded_at, wrong, reminded_by_hand
        )
    return EvaluationStatus("sent", _("sent"), invitation.sent_at, wrong, reminded_by_hand)


# In the order they were added.
PARTICIPANT_ORDER = Order(SortColumn(Participant.id, int))


def participant_rows(
    event: Event, now: datetime, cursor: Cursor | None, per_page: int
) -> Page[tuple[Participant, EvaluationStatus]]:
    """A page of the event's participants with their evaluation's status."""
    reminded = _email_queued(EmailPurpose.MANUAL_REMINDER).correlate(Invitation)
    statement = (
        select(Participant, Invitation, case((reminded, True), else_=False))
        .outerjoin(Invitation, Participant.invitation_id == Invitation.id)
        .where(Participant.event_id == event.id)
    )
    page = keyset_page(statement, PARTICIPANT_ORDER, cursor, per_page)
    zone = ZoneInfo(event.organisation.timezone)
    rows = [
        (participant, evaluation_status(invitation, now, zone, bool(by_hand)))
        for participant, invitation, by_hand in page.items
    ]
    return replace(page, items=rows)


def count_participants(event: Event) -> int:
    statement = select(func.count()).where(Participant.event_id == event.id)
    return db.session.scalar(statement) or 0


@dataclass(frozen=True)
class EventSummary:
    """An event in the list: its participants, answers, and where its evaluations stand."""

    event: Event
    participants: int
    answered: int
    sent: bool
    being_sent: bool  # sent, while some of its evaluations still wait for the sending job


def _counts_per_event(event_ids: list[int]) -> dict[int, tuple[int, int, bool, bool]]:
    """Per event: its participants, its answered evaluations, whether any evaluation left the
    planning, and whether any still waits for its time; in one query.

    The two counts read an index range per event; the two questions stop at the first
    invitation that answers them. Counting every invitation's state through its participant
    instead read every participant of the organisation once the events grew to hundreds of
    participants each. The answered evaluations are counted on the invitations alone: an
    evaluation that was sent keeps its participant (one can only be removed before sending,
    and then its planned or failed invitation is cancelled), so none of them lacks one.
    """
    event = Event.__table__.alias("listed")

    def of_event(*states: InvitationState):
        return and_(Invitation.event_id == event.c.id, Invitation.state.in_(states))

    participants = select(func.count()).where(Participant.event_id == event.c.id)
    answered = select(func.count()).where(of_event(InvitationState.ANSWERED))
    left = exists().where(of_event(*LEFT_PLANNING), Participant.invitation_id == Invitation.id)
    waiting = exists().where(
        of_event(InvitationState.SCHEDULED), Participant.invitation_id == Invitation.id
    )
    statement = select(
        event.c.id,
        participants.scalar_subquery(),
        answered.scalar_subquery(),
        left,
        waiting,
    ).where(event.c.id.in_(event_ids))
    return {
        event_id: (participants, answered, bool(sent), bool(planned))
        for event_id, participants, answered, sent, planned in db.session.execute(statement)
    }


def summaries(events: list[Event], now: datetime) -> list[EventSummary]:
    """The list's events with their counts, in one query whatever the page's length."""
    counts = _counts_per_event([event.id for event in events])
    result = []
    for event in events:
        participants, answered, left_planning, planned = counts.get(event.id, (0, 0, False, False))
        sent = evaluations_are_sent(event, now, left_planning=left_planning)
        result.append(EventSummary(event, participants, answered, sent, sent and planned))
    return result


# What stands in for "no time" in the list's order, so no sort value is ever NULL.
_NO_TIME = literal(datetime(2000, 1, 1, tzinfo=UTC), UTCDateTime())


def event_order(now: datetime) -> Order:
    """Upcoming events first (the soonest first), then past ones (the latest first)."""
    past = Event.ends_at < now
    return Order(
        SortColumn(case((past, 1), else_=0), int),
        SortColumn(case((past, _NO_TIME), else_=Event.starts_at), datetime),
        SortColumn(case((past, Event.starts_at), else_=_NO_TIME), datetime, descending=True),
        SortColumn(Event.id, int, descending=True),
    )


def event_list(scope: Select, now: datetime, cursor: Cursor | None, per_page: int) -> Page[Event]:
    # The series the list names, in one query with the page rather than one per series.
    statement = scope.options(selectinload(Event.series))
    return keyset_page(statement, event_order(now), cursor, per_page)
