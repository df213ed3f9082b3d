"""The benchmark's run: for each database and size, generate, measure, and print a table (the
knobs are described in bench/__init__.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench.databases import Unavailable, postgresql_database, size_in_mb, sqlite_database
from bench.pages import Timing, logged_in_client, median_ms, time_page
from survey import create_app
from survey.accounts.models import Role, User
from survey.analysis.periods import add_months
from survey.clock import utcnow
from survey.demo.bulk import generate_responses
from survey.demo.data import DEMO_STAFF
from survey.events.models import Event
from survey.extensions import db
from survey.questionnaires.catalogue import catalogue_questionnaire
from survey.responding.models import Response

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD_GOAL_MS = 300
MEMORY_GOAL_MB = 150
BASELINE = text(
    "SELECT answer.question_id, answer.value, count(*) FROM answer "
    "JOIN response ON response.id = answer.response_id "
    "WHERE response.organisation_id = :org GROUP BY answer.question_id, answer.value"
)
DATABASES = {"sqlite": sqlite_database, "postgresql": postgresql_database}


@dataclass
class Subject:
    """Whom the pages are measured for: the organisation with the most responses."""

    organisation_id: int
    coordinator: tuple[str, str]  # email, password
    manager: tuple[str, str]
    manager_id: int
    filters: str  # every dashboard filter set, as a query string
    all_months: str  # the query string of the whole period
    event_id: int | None  # its event with the most answers
    series_id: int | None  # its series with the most answers


@dataclass
class Row:
    database: str
    size: int
    timing: Timing


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _subject(bulk_password: str) -> Subject:
    passwords = {staff[0]: staff[3] for staff in DEMO_STAFF}
    responses = func.count(Response.id)
    organisation_id = db.session.scalar(
        select(Response.organisation_id)
        .group_by(Response.organisation_id)
        .order_by(responses.desc())
        .limit(1)
    )
    coordinator = db.session.scalar(
        select(User.email).where(
            User.organisation_id == organisation_id, User.role == Role.COORDINATOR
        )
    )
    manager_id, manager = db.session.execute(
        select(User.id, User.email)
        .join(Response, Response.account_manager_id == User.id)
        .where(User.organisation_id == organisation_id)
        .group_by(User.id, User.email)
        .order_by(responses.desc())
        .limit(1)
    ).one()
    this_month = utcnow().date().replace(day=1)
    first, last = f"{add_months(this_month, -23):%Y-%m}", f"{this_month:%Y-%m}"
    questionnaire = catalogue_questionnaire("contact-survey").id
    all_months = f"questionnaire={questionnaire}&first={first}&last={last}"
    filters = f"{all_months}&manager={manager_id}&channel=visit"
    return Subject(
        organisation_id,
        (coordinator, passwords.get(coordinator, bulk_password)),
        (manager, passwords.get(manager, bulk_password)),
        manager_id,
        filters,
        all_months,
        *_largest_event_and_series(organisation_id),
    )


def _largest_event_and_series(organisation_id: int) -> tuple[int | None, int | None]:
    """The organisation's event and series with the most answers: the heaviest result pages."""
    responses = func.count(Response.id)
    evaluated = select(Response.event_id).where(
        Response.organisation_id == organisation_id, Response.event_id.is_not(None)
    )
    event_id = db.session.scalar(
        evaluated.group_by(Response.event_id).order_by(responses.desc()).limit(1)
    )
    series_id = db.session.scalar(
        select(Event.series_id)
        .join(Response, Response.event_id == Event.id)
        .where(Event.organisation_id == organisation_id, Event.series_id.is_not(None))
        .group_by(Event.series_id)
        .order_by(responses.desc())
        .limit(1)
    )
    return event_id, series_id


def _export_memory(url: str, subject: Subject) -> Timing:
    """What exporting every month of the organisation adds to a fresh process's memory."""
    email, password = subject.coordinator
    path = f"/dashboard/export.csv?{subject.all_months}"
    command = [sys.executable, "-m", "bench.memory", url, email, password, path]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    lines = finished.stdout.strip().splitlines()
    name = "export.csv memory, all months (MB)"
    if finished.returncode or not lines:
        return Timing(name, None, f"failed: {finished.stderr[-200:]}")
    result = json.loads(lines[-1])
    if result["status"] != 200:
        missing = " (404)" if result["status"] == 404 else ""
        return Timing(name, None, f"page missing{missing}, answered {result['status']}")
    added = result["rss_peak_mb"] - result["rss_before_mb"]
    verdict = "met" if added <= MEMORY_GOAL_MB else "missed"
    note = (
        f"peak RSS {result['rss_peak_mb']} MB = {result['rss_before_mb']} before + {added:.1f} "
        f"for {result['responses']:,} responses ({result['megabytes']} MB of CSV); "
        f"goal {MEMORY_GOAL_MB} MB {verdict}"
    )
    return Timing(name, added, note)


def _generate(size: int) -> tuple[Timing, str]:
    upgrade()
    seed = int(_setting("BENCH_SEED", "2026"))
    started = time.perf_counter()
    summary = generate_responses(size, utcnow(), seed=seed, progress=_progress)
    seconds = time.perf_counter() - started
    note = f"{summary.invitations:,} invitations, {len(summary.organisations)} organisations"
    return Timing("generate (s)", seconds, note), summary.password


def _progress(message: str) -> None:
    print(message, flush=True)


def _pages(app, subject: Subject, repeat: int) -> list[Timing]:
    coordinator = logged_in_client(app, *subject.coordinator)
    manager = logged_in_client(app, *subject.manager)
    export_repeat = int(_setting("BENCH_EXPORT_REPEAT", "3"))
    return [
        time_page(coordinator, "dashboard, coordinator", "/dashboard", repeat),
        time_page(
            coordinator,
            "dashboard, coordinator, all filters",
            f"/dashboard?{subject.filters}",
            repeat,
        ),
        time_page(manager, "dashboard, account manager", "/dashboard", repeat),
        time_page(
            coordinator,
            "dashboard, event evaluations",
            "/dashboard?occasion=event_participant",
            repeat,
        ),
        time_page(coordinator, "export.csv, coordinator", "/dashboard/export.csv", export_repeat),
        *_event_pages(coordinator, subject, repeat),
    ]


def _event_pages(coordinator, subject: Subject, repeat: int) -> list[Timing]:
    """An event's results and a series' page, where the data has events (and the pages exist:
    a missing one is reported as such)."""
    if subject.event_id is None:
        return [Timing("event results", None, "no event with answers")]
    timings = [
        time_page(
            coordinator,
            "event results, largest event",
            f"/events/{subject.event_id}/results",
            repeat,
        )
    ]
    if subject.series_id is not None:
        url = f"/events/series/{subject.series_id}"
        timings.append(time_page(coordinator, "series, largest series", url, repeat))
    return timings


def bench(database: str, size: int, url: str) -> list[Timing]:
    """Generate `size` responses in the fresh database at `url` and measure."""
    repeat = int(_setting("BENCH_REPEAT", "7"))
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        generated, password = _generate(size)
        db.engine.dispose()  # measure on fresh connections, as a newly started server would
        subject = _subject(password)
        org = {"org": subject.organisation_id}
        baseline = median_ms(lambda: db.session.execute(BASELINE, org).all(), repeat)
        db.session.remove()
    timings = [generated, Timing("database size (MB)", size_in_mb(url))]
    timings.append(Timing("baseline GROUP BY over answers", baseline))
    timings.extend(_pages(app, subject, repeat))
    timings.append(_export_memory(url, subject))
    with app.app_context():
        db.engine.dispose()
    return timings


def _databases() -> list[str]:
    chosen = _setting("BENCH_DATABASES", "sqlite,postgresql")
    return [name.strip() for name in chosen.split(",") if name.strip()]


def _sizes() -> list[int]:
    return [int(size) for size in _setting("BENCH_SIZES", "100000,1000000").split(",")]


def _fresh(database: str) -> AbstractContextManager[str]:
    if database not in DATABASES:
        raise SystemExit(f"BENCH_DATABASES: {database!r} is not one of {sorted(DATABASES)}")
    return DATABASES[database]()


# Pages held to the dashboards' budget: the dashboards themselves and the event result pages.
BUDGETED = ("dashboard", "event results", "series")
PAGES = (*BUDGETED, "export.csv,")


def _verdict(timing: Timing) -> str:
    if timing.measurement.startswith(BUDGETED) and timing.median_ms is not None:
        met = "met" if timing.median_ms <= DASHBOARD_GOAL_MS else "missed"
        return f"goal {DASHBOARD_GOAL_MS} ms {met}"
    return timing.note


def print_table(rows: list[Row]) -> None:
    print(
        f"\n{'database':<11}{'size':>10}  {'measurement':<38}{'median':>10}{'ratio':>8}"
        f"{'queries':>9}  note"
    )
    baseline = {}
    for row in rows:
        timing = row.timing
        if timing.measurement.startswith("baseline"):
            baseline[row.database, row.size] = timing.median_ms
        value = "-" if timing.median_ms is None else f"{timing.median_ms:,.1f}"
        ratio = ""
        reference = baseline.get((row.database, row.size))
        measured_in_ms = timing.measurement.startswith(("baseline", *PAGES))
        if reference and timing.median_ms is not None and measured_in_ms:
            ratio = f"{timing.median_ms / reference:.2f}"
        queries = "" if timing.queries is None else str(timing.queries)
        print(
            f"{row.database:<11}{row.size:>10,}  {timing.measurement:<38}{value:>10}{ratio:>8}"
            f"{queries:>9}  {_verdict(timing)}"
        )
    print(
        "\nTimes in ms (generation in s); ratio: to the baseline GROUP BY of the same run; "
        "queries: SQL statements of one request."
    )
    print_query_growth(rows)


def print_query_growth(rows: list[Row]) -> None:
    """Whether each page sends as many queries at every data size (the target), flagged where
    it sends more as the data grows."""
    counts: dict[tuple[str, str], dict[int, int]] = {}
    for row in rows:
        if row.timing.queries is not None:
            counts.setdefault((row.database, row.timing.measurement), {})[row.size] = (
                row.timing.queries
            )
    compared = {key: by_size for key, by_size in counts.items() if len(by_size) > 1}
    if not compared:
        return
    print("\nQueries per page against the data size (target: constant):")
    for (database, measurement), by_size in compared.items():
        sizes = sorted(by_size)
        seen = " -> ".join(f"{by_size[size]} at {size:,}" for size in sizes)
        verdict = "constant" if len(set(by_size.values())) == 1 else "GROWS WITH THE DATA"
        print(f"  {database:<11}{measurement:<38}{verdict:<21}{seen}")


def main() -> None:
    rows = []
    for database in _databases():
        for size in _sizes():
            print(f"\n== {database}, {size:,} responses", flush=True)
            try:
                with _fresh(database) as url:
                    timings = bench(database, size, url)
            except Unavailable as error:
                print(f"{database} skipped: {error}")
                break
            rows.extend(Row(database, size, timing) for timing in timings)
    print_table(rows)
