"""Which responses the results of an event, a series or a speaker cover, handed to the analysis
as a Population (the analysis knows events only by their ids), with the minimum that applies.

The figures themselves come from the same analysis functions as the dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import format_date
from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.analysis.comparisons import SessionComparison, compare_sessions
from survey.analysis.open_answers import OpenAnswersPage, open_answers
from survey.analysis.population import Population, version_ids
from survey.analysis.report import FeedbackReport, event_min_group_size, feedback_report
from survey.events.models import Event, EventSeries, EventSpeaker
from survey.extensions import db
from survey.invitations.dimensions import OccasionKind

REMARKS_SHOWN = 100  # an event has tens of participants: all remarks fit one page


def events_population(organisation_id: int, events: list[Event]) -> Population:
    """The evaluations of these events, by any questionnaire they were evaluated with."""
    versions: set[int] = set()
    for questionnaire in {event.questionnaire for event in events}:
        versions.update(version_ids(db.session, questionnaire))
    return Population(
        organisation_id,
        tuple(sorted(versions)),
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_ids=tuple(event.id for event in events) or (0,),  # no events: no responses
    )


def event_population(event: Event) -> Population:
    return events_population(event.organisation_id, [event])


@dataclass(frozen=True)
class EventResults:
    event: Event
    report: FeedbackReport
    remarks: OpenAnswersPage

    @property
    def minimum(self) -> int:
        return self.report.min_group_size


def event_results(event: Event, locale: str, without_names: bool) -> EventResults:
    """Every figure of one event, and its remarks (without names: only text and month, and only
    from months with at least the minimum number of responses)."""
    population = event_population(event)
    minimum = event_min_group_size(event.organisation)
    report = feedback_report(db.session, population, minimum, locale)
    remarks = open_answers(
        db.session,
        population,
        None,
        None,
        REMARKS_SHOWN,
        locale=locale,
        without_names=without_names,
        minimum=minimum,
    )
    return EventResults(event, report, remarks)


def session_label(event: Event) -> str:
    """ "12 mrt. 2027 · Sessie 3": a session as a chart's axis and a table's column name it."""
    day = event.starts_at.astimezone(ZoneInfo(event.organisation.timezone)).date()
    return f"{format_date(day, 'medium')} · {event.title}"


def speakers_of(events: list[Event]) -> dict[str, tuple[int, ...]]:
    """Each speaker named at these events (as first spelled; case and spacing aside the same
    name is the same person), with the events they spoke at, in the order of `events`."""
    ids = [event.id for event in events]
    named = db.session.execute(
        select(EventSpeaker.event_id, EventSpeaker.name).where(EventSpeaker.event_id.in_(ids))
    ).all()
    order = {event_id: index for index, event_id in enumerate(ids)}
    spelled: dict[str, str] = {}
    spoke_at: dict[str, list[int]] = {}
    for event_id, name in sorted(named, key=lambda row: (order[row[0]], row[1])):
        key = " ".join(name.split()).casefold()
        spelled.setdefault(key, " ".join(name.split()))
        spoke_at.setdefault(key, []).append(event_id)
    return {spelled[key]: tuple(spoke_at[key]) for key in sorted(spelled, key=spelled.get)}


@dataclass(frozen=True)
class SeriesResults:
    series: EventSeries
    sessions: list[Event]
    comparison: SessionComparison
    minimum: int

    @property
    def shown_sessions(self) -> int:
        return sum(1 for column in self.comparison.sessions if column.shown(self.minimum))


def series_results(series: EventSeries, locale: str) -> SeriesResults:
    """The sessions of a series side by side, over time, and each speaker's sessions pooled."""
    sessions = list(series.events)  # by start
    population = events_population(series.organisation_id, sessions)
    minimum = event_min_group_size(db.session.get(Organisation, series.organisation_id))
    comparison = compare_sessions(
        db.session,
        population,
        {event.id: session_label(event) for event in sessions},
        speakers_of(sessions),
        minimum,
        locale,
    )
    return SeriesResults(series, sessions, comparison, minimum)
