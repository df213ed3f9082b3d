"""Circle meetings: events that name a circle. A member organises one and evaluates it like any
event; the circle's page shows each meeting's figures and the year's, aggregates only.

A meeting can name only a circle its organisation shares its figures with, and the circle's
page lists only the meetings of members that share now (the membership rule of every circle
figure: revoking consent hides them from then on).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.analysis.report import FeedbackReport, event_min_group_size, feedback_report
from survey.circles.membership import ConsentState, memberships_of, sharing_organisation_ids
from survey.circles.models import Circle
from survey.events.models import Event
from survey.events.reporting import event_population
from survey.extensions import db


def circles_to_choose(organisation_id: int) -> list[Circle]:
    """The circles an event of this organisation may name: those it shares its figures with."""
    return [
        state.member.circle
        for state in memberships_of(organisation_id)
        if state.state is ConsentState.SHARING
    ]


def circle_name(circle_id: int | None) -> str:
    """The circle's name, for an event's facts ("" when it names none)."""
    circle = db.session.get(Circle, circle_id) if circle_id else None
    return circle.name if circle else ""


@dataclass(frozen=True)
class Mean:
    """A rated question's mean over a meeting or a year."""

    code: str
    text: str
    n: int
    mean: float


@dataclass(frozen=True)
class Meeting:
    event: Event
    organisation_name: str
    responses: int
    minimum: int
    means: list[Mean]  # empty when too few responses; the overall question first

    @property
    def shown(self) -> bool:
        return self.responses >= self.minimum

    @property
    def year(self) -> int:
        return self.event.starts_at.astimezone(ZoneInfo(self.event.organisation.timezone)).year


@dataclass(frozen=True)
class Year:
    """The year's meetings pooled. Only the meetings shown are pooled, so that the year minus
    the meetings shown never gives away a meeting withheld."""

    year: int
    meetings: int
    responses: int  # of the meetings pooled
    minimum: int  # the strictest of the pooled meetings' minimums
    means: list[Mean]

    @property
    def shown(self) -> bool:
        return self.responses >= self.minimum and bool(self.means)


@dataclass(frozen=True)
class CircleMeetings:
    meetings: list[Meeting]  # newest first
    years: list[Year]  # newest first


def _means(report: FeedbackReport) -> list[Mean]:
    rated = [q for q in report.rated if q.mean is not None]
    rated.sort(key=lambda q: not q.is_overall)  # stable: the questionnaire's order otherwise
    return [Mean(q.code, q.text, q.n, q.mean) for q in rated]


def _meeting(event: Event, locale: str) -> Meeting:
    minimum = event_min_group_size(event.organisation)
    report = feedback_report(db.session, event_population(event), minimum, locale)
    means = _means(report) if report.shown else []
    return Meeting(event, event.organisation.name, report.responses, minimum, means)


def _pooled(year: int, meetings: list[Meeting]) -> Year:
    shown = [meeting for meeting in meetings if meeting.shown]
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    texts: dict[str, str] = {}
    for meeting in shown:
        for mean in meeting.means:
            totals[mean.code][0] += mean.n
            totals[mean.code][1] += mean.n * mean.mean
            texts.setdefault(mean.code, mean.text)
    means = [Mean(code, texts[code], int(n), total / n) for code, (n, total) in totals.items()]
    minimum = max((meeting.minimum for meeting in shown), default=0)
    responses = sum(meeting.responses for meeting in shown)
    return Year(year, len(meetings), responses, minimum, means)


def circle_meetings(circle: Circle, now: datetime, locale: str) -> CircleMeetings:
    """The circle's meetings organised by members that share now, newest first, with their
    figures when the organiser's event minimum is reached, and each year's pooled."""
    sharing = sharing_organisation_ids(circle.id, now)
    events = db.session.scalars(
        select(Event)
        .join(Organisation, Organisation.id == Event.organisation_id)
        .where(Event.circle_id == circle.id, Event.organisation_id.in_(sharing))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    meetings = [_meeting(event, locale) for event in events]
    by_year: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_year[meeting.year].append(meeting)
    years = [_pooled(year, by_year[year]) for year in sorted(by_year, reverse=True)]
    return CircleMeetings(meetings, years)
