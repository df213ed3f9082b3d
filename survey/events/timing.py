"""When an event's evaluations go out, and whether the event can still be changed.

Default: two hours after the end, so the meeting is fresh but people are home; the next working
morning at 09:00 when the event ends after 17:00, so nobody gets it late in the evening.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
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
