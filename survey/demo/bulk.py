"""`flask demo --responses N`: two years of feedback for several municipalities, made in bulk.

Contacts, invitations, responses and answers are made in Python and written a chunk at a time
(see writing.py), with a commit after each chunk. Bulk writes pass by the ORM listener that
keeps the tallies, so the tallies of the organisations written to are rebuilt at the end.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from survey.accounts.passwords import hash_password
from survey.analysis.periods import add_months, reporting_month
from survey.analysis.recount import rebuild_tallies
from survey.contacts.models import Contact
from survey.demo.bulk_events import (
    EVENT_SHARE,
    EvaluationForm,
    PlannedEvent,
    fill_event,
    known_events,
    plan_events,
)
from survey.demo.counts import apportion, rounded
from survey.demo.data import DEMO_SLUG, DEMO_STAFF, load_demo
from survey.demo.evaluations import evaluation_questions
from survey.demo.municipalities import (
    BULK_PASSWORD,
    DEMODAM,
    MUNICIPALITIES,
    SUBJECTS,
    Team,
    set_up_team,
)
from survey.demo.respondents import (
    LOADINGS,
    Improvement,
    Profile,
    answers,
    profile_for,
    questions_of,
)
from survey.demo.timeline import (
    Day,
    Life,
    Month,
    answered,
    months_up_to,
    stored,
    suppressed,
    unanswered,
)
from survey.demo.versions import contact_survey_versions
from survey.demo.writing import ChunkWriter, Rows, analyse, first_free_ids
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.catalogue import catalogue_questionnaire
from survey.responding.models import Response

MONTHS = 24
SECOND_VERSION_FROM = 12  # month index from which invitations use the revised questionnaire
IMPROVEMENT_FROM = 18
CHUNK = 2_500  # responses per commit
SUPPRESSED = 0.06  # share of invitations not sent (recently invited, opted out, bounced)
SEASON = (0.9, 1.0, 1.1, 1.0, 0.95, 1.05, 0.7, 0.6, 1.15, 1.1, 1.1, 0.75)  # January..December
CHANNEL_MIX = {"visit": 0.3, "phone": 0.3, "email": 0.2, "counter": 0.12, "event": 0.08}
ANSWER_RATES = {"visit": 0.46, "phone": 0.4, "email": 0.3, "counter": 0.37, "event": 0.27}
# Account managers with a weak point that an improvement action lifts from IMPROVEMENT_FROM on:
# (organisation slug, position in the team) -> question code.
IMPROVING = {(DEMO_SLUG, 1): "speed", ("zeewolde-aan-zee", 0): "agreements"}


@dataclass
class Seat:
    """An account manager as the generator plans their contacts and answers."""

    user_id: int
    organisation_id: int
    timezone: str
    team: Team
    months: list[Month]
    activity: float
    first_month: int
    channels: list[str]
    answered_weights: list[float]
    unanswered_per_answer: dict[str, float]
    profile: Profile


@dataclass
class BulkSummary:
    responses: int
    event_responses: int  # of `responses`, evaluations of events
    events: int
    invitations: int
    suppressed: int
    organisation_ids: list[int]
    organisations: list[str]
    account_managers: int
    versions: tuple[int, int]  # the two questionnaire versions' ids
    improvements: list[str]  # "name: question code" of the managers with an improvement action
    password: str
    seconds: float

    def describe(self) -> str:
        return (
            f"Generated {self.responses:,} responses to {self.invitations:,} invitations "
            f"({self.suppressed:,} not sent) over {MONTHS} months, "
            f"{self.event_responses:,} of them evaluations of {self.events:,} events, for "
            f"{len(self.organisations)} municipalities with {self.account_managers} account "
            f"managers in {self.seconds:.1f} s. Their staff (e.g. coordinator@<slug>.example) "
            f"log in with {self.password}."
        )


Progress = Callable[[str], None]


def generate_responses(
    count: int, now: datetime, seed: int = 2026, progress: Progress | None = None
) -> BulkSummary:
    """`count` responses over the MONTHS months up to `now`, with their invitations; commits."""
    if count < 1:
        raise ValueError("count must be at least 1")
    started = time.perf_counter()
    rng = random.Random(seed)
    load_demo(now)
    versions = contact_survey_versions()
    password_hash = hash_password(BULK_PASSWORD)
    teams = [set_up_team(m, password_hash, rng) for m in (DEMODAM, *MUNICIPALITIES)]
    seats = [seat for team in teams for seat in _seats(team, now, rng)]
    asked = [(version.id, questions_of(version)) for version in versions]
    ids = [team.organisation.id for team in teams]
    events = _events(teams, count, now)
    evaluated = sum(plan.responses for plan in events)
    form, known = _evaluation_form(), known_events(ids)
    rows = Rows(first_free_ids(db.session))
    first_invitation = rows.next_ids[Invitation]
    db.session.commit()  # nothing of this session may hold SQLite's lock while the writer writes
    cells = _cells(seats, count - evaluated, now, rng)
    report = _Report(count, started, progress or (lambda message: None))
    with _writing_engine() as engine:
        not_sent = _write(engine, cells, rows, asked, stored(now), rng, report)
        rows = rows.following()
        not_sent += _write_events(engine, events, rows, form, known, stored(now), rng, report)
    report.say("  recounting the tallies...")
    rebuild_tallies(db.session, ids)
    analyse(db.session)
    db.session.commit()
    return BulkSummary(
        responses=count,
        event_responses=evaluated,
        events=len(events),
        invitations=rows.next_ids[Invitation] - first_invitation,
        suppressed=not_sent,
        organisation_ids=ids,
        organisations=[team.organisation.name for team in teams],
        account_managers=len(seats),
        versions=(versions[0].id, versions[1].id),
        improvements=[f"{name}: {code}" for name, code in _improving(teams)],
        password=BULK_PASSWORD,
        seconds=time.perf_counter() - started,
    )


@dataclass
class _Report:
    count: int
    started: float
    say: Progress
    done: int = 0

    def written(self, responses: int) -> None:
        if responses:
            self.done += responses
            seconds = time.perf_counter() - self.started
            self.say(f"  {self.done:,} of {self.count:,} responses written ({seconds:.0f} s)")


@contextmanager
def _writing_engine() -> Iterator[Engine]:
    """On SQLite, a connection per chunk, closed after it: the writer's large page cache
    (writing.py) is given back after every chunk instead of growing with the database, which
    kept the generator's memory growing with N. A server database keeps its own cache."""
    if db.engine.dialect.name != "sqlite":
        yield db.engine
        return
    engine = create_engine(db.engine.url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _write(
    engine: Engine, cells, rows: Rows, asked, now: datetime, rng: random.Random, report: _Report
) -> int:
    """Make the cells' rows a chunk at a time and write them; returns how many were not sent."""
    not_sent = 0
    with ChunkWriter(engine) as writer:
        for number, (seat, month, responses) in enumerate(cells, start=1):
            not_sent += _fill(rows, seat, month, responses, asked, now, rng)
            if len(rows.responses) >= CHUNK or number == len(cells):
                report.written(writer.write(rows))
                rows = rows.following()
        report.written(writer.wait())
    return not_sent


def _write_events(
    engine: Engine, events, rows: Rows, form, known, now: datetime, rng, report: _Report
) -> int:
    """The events' rows, a chunk at a time; returns how many evaluations were not sent."""
    not_sent = 0
    with ChunkWriter(engine) as writer:
        for number, plan in enumerate(events, start=1):
            not_sent += fill_event(rows, plan, form, known, now, rng)
            if len(rows.responses) >= CHUNK or number == len(events):
                report.written(writer.write(rows))
                rows = rows.following()
        report.written(writer.wait())
    return not_sent


def _events(teams: list[Team], count: int, now: datetime) -> list[PlannedEvent]:
    """The teams' programmes, with about EVENT_SHARE of `count` answers shared out over the
    events whose evaluations went out."""
    events = plan_events(teams, now, MONTHS)
    answerable = [plan for plan in events if plan.answerable]
    shares = apportion(round(count * EVENT_SHARE), [plan.weight for plan in answerable])
    for plan, responses in zip(answerable, shares, strict=True):
        plan.responses = responses
    return events


def _evaluation_form() -> EvaluationForm:
    questionnaire = catalogue_questionnaire("workshop-evaluation")
    version = questionnaire.latest_version
    return EvaluationForm(questionnaire.id, version.id, evaluation_questions(version))


def _improving(teams: list[Team]) -> list[tuple[str, str]]:
    return [
        (team.managers[position].name, code)
        for team in teams
        for (slug, position), code in IMPROVING.items()
        if team.organisation.slug == slug and position < len(team.managers)
    ]


def _seats(team: Team, now: datetime, rng: random.Random) -> list[Seat]:
    months = months_up_to(now, MONTHS, team.organisation)
    seats = []
    for position, manager in enumerate(team.managers):
        mix = {channel: share * rng.uniform(0.5, 1.5) for channel, share in CHANNEL_MIX.items()}
        responsive = rng.uniform(0.85, 1.12)
        rates = {channel: min(0.9, rate * responsive) for channel, rate in ANSWER_RATES.items()}
        joined_late = position == len(team.managers) - 1 and position >= 4
        seats.append(
            Seat(
                user_id=manager.id,
                organisation_id=team.organisation.id,
                timezone=team.organisation.timezone,
                team=team,
                months=months,
                activity=rng.uniform(0.6, 1.4),
                first_month=rng.randrange(4, 14) if joined_late else 0,
                channels=list(mix),
                answered_weights=[mix[channel] * rates[channel] for channel in mix],
                unanswered_per_answer={c: (1 - rate) / rate for c, rate in rates.items()},
                profile=_profile(team, position, manager.email, rng),
            )
        )
    return seats


def _profile(team: Team, position: int, email: str, rng: random.Random) -> Profile:
    improving = IMPROVING.get((team.organisation.slug, position))
    improvement = Improvement(improving, IMPROVEMENT_FROM) if improving else None
    demo_strengths = {staff[0]: staff[4] for staff in DEMO_STAFF}
    if email in demo_strengths:
        return profile_for(rng, demo_strengths[email], improving, improvement)
    codes = sorted(LOADINGS)
    strengths = rng.sample(codes, 2)
    weakness = improving or rng.choice([code for code in codes if code not in strengths])
    return profile_for(rng, strengths, weakness, improvement)


def _cells(seats: list[Seat], count: int, now: datetime, rng: random.Random):
    """(seat, month index, responses) for every manager and month, adding up to `count`."""
    cells, weights = [], []
    for index in range(MONTHS):
        calendar_month = add_months(now.date().replace(day=1), index - MONTHS + 1).month
        season = SEASON[calendar_month - 1] * (1 + 0.02 * index)  # the service grows
        for seat in seats:
            month = seat.months[index]
            if index < seat.first_month or not month.answerable:
                continue
            cells.append((seat, index))
            weight = seat.team.size * seat.activity * season * month.share
            weights.append(weight * rng.uniform(0.85, 1.15))
    counts = apportion(count, weights)
    return [(*cell, n) for cell, n in zip(cells, counts, strict=True) if n]


def _fill(rows: Rows, seat: Seat, index: int, responses: int, asked, now, rng) -> int:
    """One manager's answered invitations of a month, each with some that were not answered
    or not sent; returns how many were not sent."""
    month = seat.months[index]
    version_id, questions = asked[index >= SECOND_VERSION_FROM]
    offsets = seat.profile.in_month(index)
    not_sent = 0
    for channel in rng.choices(seat.channels, seat.answered_weights, k=responses):
        day = rng.choice(month.answerable)
        life, submitted_at = answered(day, now, rng)
        invitation_id, locale = _invite(rows, seat, day, channel, version_id, life, now, rng)
        response_id = rows.new_id(Response)
        month_of = reporting_month(submitted_at.replace(tzinfo=UTC), seat.timezone)
        rows.responses.append(
            (response_id, invitation_id, seat.organisation_id, version_id, submitted_at, locale,
             seat.user_id, channel, month_of, "contact", None, None)
        )  # fmt: skip
        for question_id, value, text in answers(questions, offsets, locale == "en", rng):
            rows.answers.append((response_id, question_id, value, None, text))
        others = seat.unanswered_per_answer[channel]
        for _ in range(rounded(others, rng)):
            day = rng.choice(month.days)
            _invite(rows, seat, day, channel, version_id, unanswered(day, now), now, rng)
        for _ in range(rounded((1 + others) * SUPPRESSED / (1 - SUPPRESSED), rng)):
            day = rng.choice(month.days)
            _invite(rows, seat, day, channel, version_id, suppressed(day, rng), now, rng)
            not_sent += 1
    return not_sent


def _invite(rows, seat: Seat, day: Day, channel: str, version_id: int, life: Life, now, rng):
    """A contact logged on `day` and its invitation; returns the invitation's id and language."""
    team = seat.team
    contact_id = rows.new_id(Contact)
    company = rng.choice(team.companies)
    name, local_part = rng.choice(team.people)
    email = f"{local_part}.{contact_id}@{company.domain}"
    locale = "en" if rng.random() < 0.05 else "nl"
    logged_at = min(now, day.logged_at + timedelta(minutes=rng.randrange(540)))
    organisation_id = seat.organisation_id
    rows.contacts.append(
        (contact_id, organisation_id, seat.user_id, company.name, company.registry_number, name,
         email, locale, day.contacted_on, channel, rng.choice(SUBJECTS), "demo", logged_at)
    )  # fmt: skip
    invitation_id = rows.new_id(Invitation)
    state, reason, previously, *moments = life
    rows.invitations.append(
        (invitation_id, organisation_id, contact_id, version_id, seat.user_id, email, name,
         locale, state, secrets.token_urlsafe(12), reason, previously, day.sent_at, *moments,
         logged_at, "contact", channel, day.contacted_on, company.name, company.registry_number,
         None)
    )  # fmt: skip
    return invitation_id, locale
