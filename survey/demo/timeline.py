"""When things happen in the bulk demo: the working days contacts fall on, when their invitations
(and events' evaluations) go out by the organisation's rules, and how each invitation's life
goes from there.

Moments are naive UTC, as the database stores them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from survey.accounts.models import Organisation
from survey.analysis.periods import add_months
from survey.invitations.calendar import is_working_day
from survey.invitations.rules import send_time
from survey.invitations.sending import reminder_due_at

# An invitation's life: (state, suppression reason, previously invited at, sent at, reminded at,
# expires at, answered at), in the order of writing.INVITATION.
Life = tuple


@dataclass(frozen=True)
class Day:
    """A working day contacts are logged on, and what follows from it for their invitations."""

    contacted_on: date
    logged_at: datetime  # the start of the working day
    sent_at: datetime
    reminded_at: datetime | None
    expires_at: datetime


@dataclass
class Month:
    """One month of an organisation: the days contacts can fall on."""

    days: list[Day]  # working days up to today
    answerable: list[Day]  # those whose invitation went out long enough ago to be answered
    share: float  # how much of the month's working days lie in the past


def stored(moment: datetime) -> datetime:
    """An aware moment as the database stores it: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def months_up_to(now: datetime, count: int, organisation: Organisation) -> list[Month]:
    """The organisation's last `count` months up to `now`, with their working days."""
    zone = ZoneInfo(organisation.timezone)
    today = now.astimezone(zone).date()
    months = []
    for index in range(count):
        first = add_months(today.replace(day=1), index - count + 1)
        working = [
            first + timedelta(days=offset)
            for offset in range((add_months(first, 1) - first).days)
            if is_working_day(first + timedelta(days=offset), organisation.timezone)
        ]
        days = [_day(day, organisation, zone) for day in working if day <= today]
        answerable = [day for day in days if day.sent_at <= stored(now) - timedelta(hours=1)]
        months.append(Month(days, answerable, len(answerable) / len(working)))
    return months


def _day(contacted_on: date, organisation: Organisation, zone: ZoneInfo) -> Day:
    logged_at = datetime.combine(contacted_on, clock(8), tzinfo=zone)
    sent_at = send_time(contacted_on, logged_at, organisation)
    reminded_at = None
    if organisation.reminder_after_days:
        reminded_at = stored(reminder_due_at(sent_at, organisation))
    expires_at = sent_at + timedelta(days=organisation.link_expiry_days)
    return Day(contacted_on, stored(logged_at), stored(sent_at), reminded_at, stored(expires_at))


def after_event(starts_at: datetime, send_at: datetime, organisation: Organisation) -> Day:
    """The life of an event's evaluations: sent at the event's send time, reminded and expired by
    the organisation's rules, like a contact's invitation."""
    zone = ZoneInfo(organisation.timezone)
    reminded_at = None
    if organisation.reminder_after_days:
        reminded_at = stored(reminder_due_at(send_at, organisation))
    expires_at = send_at + timedelta(days=organisation.link_expiry_days)
    logged_at = stored(starts_at) - timedelta(days=14)  # the participants were listed before
    day = starts_at.astimezone(zone).date()
    return Day(day, logged_at, stored(send_at), reminded_at, stored(expires_at))


def answered(day: Day, now: datetime, rng: random.Random) -> tuple[Life, datetime]:
    """Answered within the day mostly, within the week often, after the reminder sometimes."""
    latest = min(now, day.expires_at) - timedelta(minutes=5)
    roll = rng.random()
    if roll < 0.5:
        answered_at = day.sent_at + timedelta(minutes=rng.uniform(3, 24 * 60))
    elif roll < 0.8 or day.reminded_at is None:
        answered_at = day.sent_at + timedelta(days=rng.uniform(1, 5))
    else:
        answered_at = day.reminded_at + timedelta(days=rng.uniform(0.01, 10))
    if answered_at > latest:
        answered_at = day.sent_at + (latest - day.sent_at) * rng.random()
    reminded_at = day.reminded_at if day.reminded_at and day.reminded_at < answered_at else None
    life = ("answered", None, None, day.sent_at, reminded_at, day.expires_at, answered_at)
    return life, answered_at


def unanswered(day: Day, now: datetime) -> Life:
    """Still planned, open (reminded after a few days), or expired, by its age."""
    if day.sent_at > now:
        return ("scheduled", None, None, None, None, None, None)
    reminded_at = day.reminded_at if day.reminded_at and day.reminded_at <= now else None
    state = "reminded" if reminded_at else "sent"
    if day.expires_at <= now:
        state = "expired"
    return (state, None, None, day.sent_at, reminded_at, day.expires_at, None)


def suppressed(day: Day, rng: random.Random) -> Life:
    """Not sent: mostly someone invited recently, sometimes an opt-out or a bounced address."""
    roll = rng.random()
    if roll < 0.7:
        earlier = day.sent_at - timedelta(days=rng.uniform(3, 85))
        return ("suppressed", "recently_invited", earlier, None, None, None, None)
    reason = "opted_out" if roll < 0.9 else "bounced"
    return ("suppressed", reason, None, None, None, None, None)
