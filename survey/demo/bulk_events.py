"""The bulk demo's events: each municipality's programme over the demo's months (a learning
network, an entrepreneurs' breakfast and a klantarena in yearly series, workshops, the circle's
meetings), with participants, their evaluations and the answers: about one response in ten of
the whole demo (EVENT_SHARE), some of a klantarena's through its room link.

The programme is the same on every run (it is drawn from the municipality's name), so a second
run finds its series and events again and adds participants and answers to them. Rows are made
as bulk.py makes a contact's, and written by writing.py.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from survey.analysis.periods import add_months, reporting_month
from survey.demo.counts import rounded
from survey.demo.evaluations import EVENT_LOADINGS, evaluation
from survey.demo.municipalities import FIRST_NAMES, LAST_NAMES, MUNICIPALITIES, Team
from survey.demo.respondents import Asked
from survey.demo.timeline import Day, after_event, answered, stored, unanswered
from survey.demo.writing import Rows
from survey.events.models import Event, EventKind, EventSeries, Participant
from survey.events.timing import default_send_at
from survey.extensions import db
from survey.invitations.calendar import is_working_day
from survey.invitations.models import Invitation
from survey.responding.models import Response
from survey.responding.room_links import RoomLink, new_room_code

EVENT_SHARE = 0.1  # of the demo's responses, event evaluations
SUPPRESSED = 0.02  # participants who opted out before, or whose address bounced
ENGLISH = 0.05  # participants who read English
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = 1, 2, 3, 4
EVERY_MONTH = (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)  # not in the summer holidays


@dataclass(frozen=True)
class Format:
    """A kind of event in a municipality's programme, and how it goes."""

    kind: EventKind
    title: str  # with {n}, the session's number in its series, and {topic}
    series: str  # with {year}; empty: the events stand alone
    months: tuple[int, ...]  # the calendar months it takes place in (twice: twice that month)
    weekday: int
    start: time
    minutes: int
    place: str
    size: float  # how many answer, against the other formats
    answering: float  # the share of the emailed participants who answer
    topics: tuple[str, ...] = ("",)
    room_share: float = 0.0  # the share of the answers given through the room link
    colleagues: bool = False  # for civil servants of the region, not entrepreneurs


PROGRAMME = (
    Format(
        EventKind.LEARNING_NETWORK, "Sessie {n}: {topic}", "Lerend netwerk {year}",
        (2, 3, 5, 6, 10, 11), TUESDAY, time(13, 30), 180, "Stadhuis, zaal De Linde", 0.8, 0.7,
        ("De ondernemer centraal", "Samenwerken met de omgevingsdienst",
         "Van klacht naar verbetering", "Accountmanagement in de praktijk",
         "Cijfers over de lokale economie", "Terugblik en vooruitblik"),
        colleagues=True,
    ),
    Format(
        EventKind.INFORMATION_MEETING, "Ondernemersontbijt: {topic}", "Ondernemersontbijt {year}",
        EVERY_MONTH, WEDNESDAY, time(7, 30), 90, "Ondernemershuis", 2.5, 0.4,
        ("Netcongestie", "Personeel vinden en houden", "Verduurzaming van uw pand",
         "Digitale veiligheid", "Aanbestedingen van de gemeente", "Financiering voor groei",
         "De Omgevingswet", "Bereikbaarheid van het centrum", "Internationaal ondernemen"),
    ),
    Format(
        EventKind.KLANTARENA, "Klantarena: {topic}", "Klantarena {year}", (3, 6, 9, 12),
        THURSDAY, time(19, 0), 150, "Bibliotheek, Forum", 1.5, 0.45,
        ("ondernemen in de binnenstad", "het bedrijventerrein", "vergunningen en regels",
         "de dienstverlening van het loket"),
        room_share=0.4,
    ),
    Format(
        EventKind.WORKSHOP, "Workshop {topic}", "", EVERY_MONTH + EVERY_MONTH, TUESDAY,
        time(14, 0), 150, "Ondernemershuis", 1.0, 0.5,
        ("Subsidies aanvragen", "Sociale media voor ondernemers", "Een bedrijfsplan schrijven",
         "Energie besparen", "Personeelsbeleid voor kleine bedrijven", "Starten als ondernemer",
         "Online verkopen", "Inclusief ondernemen"),
    ),
    Format(
        EventKind.CIRCLE_MEETING, "Kringbijeenkomst {n}", "Vergelijkingskring {year}",
        (3, 6, 10), FRIDAY, time(10, 0), 150, "Stadhuis, raadzaal", 0.4, 0.75, colleagues=True,
    ),
)  # fmt: skip


@dataclass
class PlannedEvent:
    """One event of the programme, and how many answers it gets (set by the caller)."""

    team: Team
    format: Format
    title: str
    series_title: str
    starts_at: datetime
    ends_at: datetime
    send_at: datetime
    day: Day
    organisers: list[int]
    speakers: list[str]
    offsets: dict[str, float]
    answerable: bool
    weight: float
    responses: int = 0
    upcoming_participants: int = 0


@dataclass(frozen=True)
class EvaluationForm:
    """The questionnaire the events are evaluated with: the catalogue's workshop evaluation."""

    questionnaire_id: int
    version_id: int
    questions: list[Asked]


@dataclass
class Known:
    """Series, events and room links already in the database (or written in this run)."""

    series: dict[tuple[int, str], int] = field(default_factory=dict)
    events: dict[tuple[int, str, datetime], int] = field(default_factory=dict)
    room_links: dict[int, int] = field(default_factory=dict)  # event id -> room link id


def plan_events(teams: list[Team], now: datetime, months: int) -> list[PlannedEvent]:
    """Every team's programme over the `months` months up to now, in order of time."""
    planned = []
    for team in teams:
        if team.coordinator is None:
            continue
        rng = random.Random(f"{team.organisation.slug}/events")  # the same on every run
        speakers = _speakers(rng)
        numbers: dict[tuple[str, int], int] = {}
        zone = ZoneInfo(team.organisation.timezone)
        this_month = now.astimezone(zone).date().replace(day=1)
        for index in range(months):
            first = add_months(this_month, index - months + 1)
            for fmt in PROGRAMME:
                for day in _days_in(first, fmt, team.organisation.timezone, rng):
                    key = (fmt.title, day.year)
                    number = numbers[key] = numbers.get(key, 0) + 1
                    planned.append(_plan(team, fmt, day, number, speakers, now, rng))
    return sorted(planned, key=lambda plan: plan.starts_at)


def _speakers(rng: random.Random) -> dict[str, float]:
    """The municipality's speakers, and how well each gets a subject across."""
    names = {f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(8)}
    return {name: rng.gauss(0, 0.35) for name in sorted(names)}


def _days_in(first: date, fmt: Format, timezone: str, rng: random.Random) -> list[date]:
    """The days of the month from `first` that the format takes place on: different days when
    it is held more than once, so that no two of its events start together."""
    days = [first + timedelta(days=offset) for offset in range(28)]
    fitting = [day for day in days if day.weekday() == fmt.weekday]
    fitting = [day for day in fitting if is_working_day(day, timezone)]
    return sorted(rng.sample(fitting, min(len(fitting), fmt.months.count(first.month))))


def _plan(team, fmt: Format, day: date, number: int, speakers, now, rng) -> PlannedEvent:
    organisation = team.organisation
    zone = ZoneInfo(organisation.timezone)
    starts_at = datetime.combine(day, fmt.start, tzinfo=zone).astimezone(UTC)
    ends_at = starts_at + timedelta(minutes=fmt.minutes)
    send_at = default_send_at(ends_at, organisation)
    topic = fmt.topics[(number - 1) % len(fmt.topics)] if fmt.series else rng.choice(fmt.topics)
    coordinator = team.coordinator.id
    organisers = [coordinator]
    if fmt.kind is EventKind.WORKSHOP and team.managers:
        organisers.insert(0, rng.choice(team.managers).id)  # the account manager signs
    elif fmt.kind is EventKind.KLANTARENA and team.managers:
        organisers.append(rng.choice(team.managers).id)
    chosen = [] if fmt.kind is EventKind.CIRCLE_MEETING else rng.sample(sorted(speakers), 2)
    chosen = chosen[: rng.choice((1, 2))]
    offsets = {code: rng.gauss(0, 0.25) for code in EVENT_LOADINGS}
    if fmt.series:  # a series learns from its evaluations: later sessions go better
        offsets["relevance"] += 0.06 * (number - 3)
        offsets["usefulness"] += 0.08 * (number - 3)
    if chosen:
        offsets["speakers"] += sum(speakers[name] for name in chosen) / len(chosen)
    return PlannedEvent(
        team=team,
        format=fmt,
        title=fmt.title.format(n=number, topic=topic),
        series_title=fmt.series.format(year=day.year),
        starts_at=starts_at,
        ends_at=ends_at,
        send_at=send_at,
        day=after_event(starts_at, send_at, organisation),
        organisers=organisers,
        speakers=chosen,
        offsets=offsets,
        answerable=stored(send_at) <= stored(now) - timedelta(hours=1),
        weight=fmt.size * team.size * len(team.managers) * rng.uniform(0.6, 1.4),
        upcoming_participants=rng.randrange(8, 30),
    )


def known_events(organisation_ids: list[int]) -> Known:
    known = Known()
    for series_id, organisation_id, title in db.session.execute(
        select(EventSeries.id, EventSeries.organisation_id, EventSeries.title).where(
            EventSeries.organisation_id.in_(organisation_ids)
        )
    ):
        known.series[organisation_id, title] = series_id
    for event_id, organisation_id, title, starts_at in db.session.execute(
        select(Event.id, Event.organisation_id, Event.title, Event.starts_at).where(
            Event.organisation_id.in_(organisation_ids)
        )
    ):
        known.events[organisation_id, title, stored(starts_at)] = event_id
    for link_id, event_id in db.session.execute(
        select(RoomLink.id, RoomLink.event_id)
        .join(Event, Event.id == RoomLink.event_id)
        .where(Event.organisation_id.in_(organisation_ids))
    ):
        known.room_links[event_id] = link_id
    return known


def fill_event(
    rows: Rows, plan: PlannedEvent, form: EvaluationForm, known: Known, now: datetime, rng
) -> int:
    """The event (once), its participants with their evaluations, and its answers by email and
    in the room; returns how many evaluations were not sent. `now` is naive UTC."""
    event_id = _event_rows(rows, plan, known, form, now)
    version_id = form.version_id
    room = min(plan.responses, rounded(plan.responses * plan.format.room_share, rng))
    emailed = plan.responses - room
    for _ in range(emailed):
        life, submitted_at = answered(plan.day, now, rng)
        invitation_id, locale = _participant(rows, plan, event_id, version_id, life, rng)
        _response(rows, plan, event_id, form, (invitation_id, None), submitted_at, locale, rng)
    if not plan.answerable:
        others = plan.upcoming_participants
    elif emailed:
        others = rounded(emailed * (1 - plan.format.answering) / plan.format.answering, rng)
    else:
        others = rng.randrange(1, 5)  # a small meeting that nobody evaluated
    for _ in range(others):
        _participant(rows, plan, event_id, version_id, unanswered(plan.day, now), rng)
    not_sent = rounded((emailed + others) * SUPPRESSED / (1 - SUPPRESSED), rng)
    for _ in range(not_sent):
        reason = "opted_out" if rng.random() < 0.7 else "bounced"
        life = ("suppressed", reason, None, None, None, None, None)
        _participant(rows, plan, event_id, version_id, life, rng)
    if room:
        _answered_in_the_room(rows, plan, event_id, form, room, known, rng)
    return not_sent


def _event_rows(rows: Rows, plan: PlannedEvent, known: Known, form: EvaluationForm, now) -> int:
    organisation_id = plan.team.organisation.id
    key = (organisation_id, plan.title, stored(plan.starts_at))
    if key in known.events:
        return known.events[key]
    series_id = None
    if plan.series_title:
        series_id = known.series.get((organisation_id, plan.series_title))
        if series_id is None:
            series_id = known.series[organisation_id, plan.series_title] = rows.new_id(EventSeries)
            created_at = stored(plan.starts_at) - timedelta(days=60)
            rows.series.append((series_id, organisation_id, plan.series_title, created_at))
    event_id = known.events[key] = rows.new_id(Event)
    sent_at = plan.day.sent_at if plan.day.sent_at <= now else None
    rows.events.append(
        (event_id, organisation_id, series_id, plan.title, "", plan.format.kind.value,
         stored(plan.starts_at), stored(plan.ends_at), plan.format.place, False,
         form.questionnaire_id, "nl", plan.day.sent_at, sent_at,
         stored(plan.starts_at) - timedelta(days=30), plan.team.coordinator.id)
    )  # fmt: skip
    rows.organisers.extend((event_id, user_id, n) for n, user_id in enumerate(plan.organisers))
    rows.speakers.extend((event_id, name, n) for n, name in enumerate(plan.speakers))
    return event_id


def _participant(rows: Rows, plan: PlannedEvent, event_id: int, version_id: int, life, rng):
    """A participant and their evaluation; returns the invitation's id and language."""
    team, organisation = plan.team, plan.team.organisation
    participant_id = rows.new_id(Participant)
    name, local_part = rng.choice(team.people)
    if plan.format.colleagues:
        municipality = rng.choice(MUNICIPALITIES)
        company, domain = municipality.name, f"{municipality.slug}.example"
    else:
        chosen = rng.choice(team.companies)
        company, domain = chosen.name, chosen.domain
    email = f"{local_part}.{participant_id}@{domain}"
    locale = "en" if rng.random() < ENGLISH else None
    added_at = plan.day.logged_at + timedelta(minutes=rng.randrange(7 * 24 * 60))
    invitation_id = rows.new_id(Invitation)
    state, reason, previously, *moments = life
    rows.invitations.append(
        (invitation_id, organisation.id, None, version_id, plan.organisers[0], email, name,
         locale or "nl", state, secrets.token_urlsafe(12), reason, previously, plan.day.sent_at,
         *moments, added_at, "event_participant", "event", plan.day.contacted_on, company, None,
         event_id)
    )  # fmt: skip
    rows.participants.append(
        (participant_id, event_id, organisation.id, name, email, company, locale, invitation_id,
         added_at, team.coordinator.id)
    )  # fmt: skip
    return invitation_id, locale or "nl"


def _response(rows, plan, event_id, form, came_through, submitted_at, locale, rng) -> None:
    """One answered evaluation, by email (an invitation) or in the room (a room link)."""
    organisation = plan.team.organisation
    invitation_id, room_link_id = came_through
    response_id = rows.new_id(Response)
    month = reporting_month(submitted_at.replace(tzinfo=UTC), organisation.timezone)
    rows.responses.append(
        (response_id, invitation_id, organisation.id, form.version_id, submitted_at, locale,
         plan.organisers[0], "event", month, "event_participant", event_id, room_link_id)
    )  # fmt: skip
    for question_id, value, option, text in evaluation(
        form.questions, plan.offsets, locale == "en", rng
    ):
        rows.answers.append((response_id, question_id, value, option, text))


def _answered_in_the_room(rows, plan, event_id, form, count: int, known: Known, rng) -> None:
    """The room link shown at the end of the evening, and `count` answers through it, one per
    phone, on the spot."""
    organisation = plan.team.organisation
    link_id = known.room_links.get(event_id)
    if link_id is None:
        link_id = known.room_links[event_id] = rows.new_id(RoomLink)
        rows.room_links.append(
            (link_id, organisation.id, event_id, form.version_id, "event_participant",
             plan.organisers[0], "event", plan.day.contacted_on, "nl", secrets.token_urlsafe(12),
             new_room_code(), stored(plan.starts_at), plan.day.expires_at,
             stored(plan.starts_at) - timedelta(days=1))
        )  # fmt: skip
    ends_at = stored(plan.ends_at)
    for _ in range(count):
        submitted_at = ends_at + timedelta(minutes=rng.uniform(-10, 25))
        _response(rows, plan, event_id, form, (None, link_id), submitted_at, "nl", rng)
        browser = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
        rows.room_answer_marks.append((link_id, browser, plan.day.contacted_on))
