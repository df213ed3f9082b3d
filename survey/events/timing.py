"""When an event's evaluations go out, and whether the event can still be changed.

Default: two hours after the end, so the meeting is fresh but people are home; the next working
morning at 09:00 when the event ends after 17:00, so nobody gets it late in the evening.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from survey.accounts.models import Organisation
from survey.invitations.calendar import next_working_day

AFTER_THE_END = timedelta(hours=2)
EVENING = time(17, 0)
MORNING = time(9, 0)


def default_send_at(ends_at: datetime, organisation: Organisation) -> datetime:
    """When the evaluations of an event ending at `ends_at` go out by default, in UTC."""
    zone = ZoneInfo(organisation.timezone)
    local_end = ends_at.astimezone(zone)
    if local_end.time() <= EVENING:
        return (ends_at + AFTER_THE_END).astimezone(UTC)
    day = next_working_day(local_end.date(), organisation.timezone)
    return datetime.combine(day, MORNING, tzinfo=zone).astimezone(UTC)


def at_local(day: date, clock: time, timezone: str) -> datetime:
    """A day and a time as people in the organisation's zone read them, in UTC.

    Staff enter an event's times as the clock on the wall shows them; a time that a change to
    summer time skips is read as the same time on the old clock (zoneinfo's fold 0).
    """
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_parts(moment: datetime, timezone: str) -> tuple[date, time]:
    """The day and the time (hours and minutes) of a UTC moment in the organisation's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.date(), local.time().replace(second=0, microsecond=0, tzinfo=None)
