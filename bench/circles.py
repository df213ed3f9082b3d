"""The circle pages' benchmark: the benchmark page and the circle report over a circle holding
every generated response, against the bare GROUP BY of the same run.

    .venv/bin/python -m bench.circles
    BENCH_SIZES=20000 BENCH_DATABASES=sqlite .venv/bin/python -m bench.circles

For each database and size (the knobs of bench/__init__.py: BENCH_SIZES, default 100,000 and
1,000,000; BENCH_DATABASES; BENCH_REPEAT; BENCH_POSTGRES_URL; BENCH_SEED) it migrates a fresh
database, generates that many responses with the bulk demo, puts its seven municipalities in one
circle (each sharing, as `flask demo --responses N` does), and measures, as Demodam's
coordinator, each page the median of BENCH_REPEAT runs after a warm-up:

- baseline: one plain GROUP BY of the circle's answers of the period's calendar year by member,
  question and value (what the figures cost from the raw records; the pages read the tallies
  of the period's own months, through the tallies' index per organisation, kind and month);
- GET /circles/<id> for the last ended quarter (the page's default choice);
- GET /circles/<id> for the last ended calendar year, one size class, adjusted for channel mix;
- GET /circles/<id>/report for the last ended quarter: a page per member.

Each time is printed with its ratio to the baseline and the number of SQL statements one request
sends; with more than one size, a closing list says per page whether that number stayed the same
as the data grew (the target) or grew. Then per page both targets of "speed where people wait":
at the largest size at most GROUP_BY_SHARE of the baseline, and at most GROWTH times slower than
at the smallest size.
"""

from __future__ import annotations

import os
import time

from flask_migrate import upgrade
from sqlalchemy import func, select

from bench.databases import Unavailable, size_in_mb
from bench.pages import Timing, logged_in_client, median_ms, time_page
from bench.run import DATABASES, Row, print_query_growth
from survey import create_app
from survey.accounts.models import Organisation
from survey.analysis.fixed_periods import FixedPeriod, PeriodKind, ended_periods
from survey.clock import utcnow
from survey.demo.bulk import generate_responses
from survey.demo.circles import join_bulk_circle
from survey.demo.data import DEMO_STAFF
from survey.extensions import db
from survey.responding.models import Answer, Response

GROUP_BY_SHARE = 0.1  # a page's goal, as a share of the bare GROUP BY
GROWTH = 1.5  # the most a page may slow down from the smallest size to the largest
VIEWER = next((email, password) for email, _n, _r, password, _s in DEMO_STAFF if "coord" in email)


def baseline_query(organisation_ids: list[int], period: FixedPeriod):
    """The circle's answers of the period's year counted by member, question and value."""
    year = FixedPeriod(period.year, PeriodKind.YEAR, 1)
    first, last = year.first_month, year.last_month
    return (
        select(Response.organisation_id, Answer.question_id, Answer.value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.organisation_id.in_(organisation_ids), Response.month.between(first, last))
        .group_by(Response.organisation_id, Answer.question_id, Answer.value)
    )


def _generate(size: int) -> tuple[Timing, int, list[int]]:
    """Bulk data and the circle of its municipalities; the timing, the circle and its members."""
    upgrade()
    started = time.perf_counter()
    seed = int(_setting("BENCH_SEED", "2026"))
    summary = generate_responses(size, utcnow(), seed=seed, progress=_progress)
    circle = join_bulk_circle(summary.organisation_ids, utcnow())
    db.session.commit()
    note = f"{len(summary.organisation_ids)} members, {summary.invitations:,} invitations"
    seconds = time.perf_counter() - started
    return Timing("generate (s)", seconds, note), circle.id, summary.organisation_ids


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _sizes() -> list[int]:
    return [int(size) for size in _setting("BENCH_SIZES", "100000,1000000").split(",")]


def _databases() -> list[str]:
    chosen = _setting("BENCH_DATABASES", "sqlite,postgresql")
    return [name.strip() for name in chosen.split(",") if name.strip()]


def _progress(message: str) -> None:
    print(message, flush=True)


def _periods() -> tuple[FixedPeriod, FixedPeriod]:
    """The last ended quarter and the last ended calendar year."""
    ended = ended_periods(utcnow().date())
    quarter = next(p for p in ended if p.kind is PeriodKind.QUARTER)
    return quarter, next(p for p in ended if p.kind is PeriodKind.YEAR)


def _largest_class(organisation_ids: list[int]) -> str:
    return db.session.scalar(
        select(Organisation.size_class)
        .where(Organisation.id.in_(organisation_ids), Organisation.size_class.is_not(None))
        .group_by(Organisation.size_class)
        .order_by(func.count().desc(), Organisation.size_class)
        .limit(1)
    )


def _pages(app, circle_id: int, size_class: str, repeat: int) -> list[Timing]:
    quarter, year = _periods()
    viewer = logged_in_client(app, *VIEWER)
    page = f"/circles/{circle_id}"
    return [
        time_page(viewer, f"benchmark, {quarter.code}", f"{page}?period={quarter.code}", repeat),
        time_page(
            viewer,
            f"benchmark, {year.code}, class {size_class}, adjusted",
            f"{page}?period={year.code}&group={size_class}&adjust=1",
            repeat,
        ),
        time_page(
            viewer, f"report, {quarter.code}", f"{page}/report?period={quarter.code}", repeat
        ),
    ]


def bench(size: int, url: str) -> list[Timing]:
    """Generate `size` responses in the fresh database at `url` and measure the circle pages."""
    repeat = int(_setting("BENCH_REPEAT", "7"))
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        generated, circle_id, members = _generate(size)
        db.engine.dispose()  # measure on fresh connections, as a newly started server would
        statement = baseline_query(members, _periods()[0])
        baseline = median_ms(lambda: db.session.execute(statement).all(), repeat)
        size_class = _largest_class(members)
        db.session.remove()
    timings = [generated, Timing("database size (MB)", size_in_mb(url))]
    timings.append(Timing("baseline GROUP BY, the circle's year", baseline))
    timings.extend(_pages(app, circle_id, size_class, repeat))
    with app.app_context():
        db.engine.dispose()
    return timings


def print_table(rows: list[Row]) -> None:
    print(
        f"\n{'database':<11}{'size':>10}  {'measurement':<44}{'median':>10}{'ratio':>8}"
        f"{'queries':>9}  note"
    )
    baseline: dict[tuple[str, int], float | None] = {}
    for row in rows:
        timing = row.timing
        measured = timing.measurement.startswith(("baseline", "benchmark", "report"))
        if timing.measurement.startswith("baseline"):
            baseline[row.database, row.size] = timing.median_ms
        value = "-" if timing.median_ms is None else f"{timing.median_ms:,.1f}"
        reference = baseline.get((row.database, row.size))
        ratio = ""
        if measured and reference and timing.median_ms is not None:
            ratio = f"{timing.median_ms / reference:.2f}"
        queries = "" if timing.queries is None else str(timing.queries)
        print(
            f"{row.database:<11}{row.size:>10,}  {timing.measurement:<44}{value:>10}{ratio:>8}"
            f"{queries:>9}  {timing.note}"
        )
    print(
        "\nTimes in ms (generation in s); ratio: to the baseline GROUP BY of the same run; "
        "queries: SQL statements of one request."
    )
    print_query_growth(rows)
    print_targets(rows)


def print_targets(rows: list[Row]) -> None:
    """Per page, at the largest size: its ratio to the baseline and how much slower it is than
    at the smallest size, each against its target."""
    baseline = {
        (row.database, row.size): row.timing.median_ms
        for row in rows
        if row.timing.measurement.startswith("baseline")
    }
    pages: dict[tuple[str, str], dict[int, float]] = {}
    for row in rows:
        if row.timing.measurement.startswith(("benchmark", "report")) and row.timing.median_ms:
            pages.setdefault((row.database, row.timing.measurement), {})[row.size] = (
                row.timing.median_ms
            )
    if not pages:
        return
    print(
        f"\nPer page, at the largest size: ratio to the baseline (target <= {GROUP_BY_SHARE}) "
        f"and slower than at the smallest size (target <= {GROWTH}x):"
    )
    for (database, page), by_size in pages.items():
        small, large = min(by_size), max(by_size)
        reference = baseline.get((database, large))
        ratio = by_size[large] / reference if reference else None
        missed = [] if ratio is not None and ratio <= GROUP_BY_SHARE else ["ratio"]
        growth = "-"
        if len(by_size) > 1:
            slower = by_size[large] / by_size[small]
            growth = f"{slower:.2f}x"
            missed += ["growth"] if slower > GROWTH else []
        verdict = "met" if not missed else "MISSED: " + ", ".join(missed)
        shown = "-" if ratio is None else f"{ratio:.3f}"
        print(f"  {database:<11}{page:<44}{shown:>7}{growth:>8}  {verdict}")


def main() -> None:
    rows = []
    for database in _databases():
        if database not in DATABASES:
            raise SystemExit(f"BENCH_DATABASES: {database!r} is not one of {sorted(DATABASES)}")
        for size in _sizes():
            print(f"\n== circles, {database}, {size:,} responses", flush=True)
            try:
                with DATABASES[database]() as url:
                    timings = bench(size, url)
            except Unavailable as error:
                print(f"{database} skipped: {error}")
                break
            rows.extend(Row(database, size, timing) for timing in timings)
    print_table(rows)


if __name__ == "__main__":
    main()
