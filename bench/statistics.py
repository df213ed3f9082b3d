"""The statistics' share of a dashboard: `python -m bench.statistics`.

Generates demo data in a fresh database (survey.demo.bulk), opens the organisation dashboard as
its coordinator through the test client (without filters, and with a before/after month, which
adds Welch's tests), records every call the report makes to survey.analysis.statistics while
the page is built, and replays those calls on their own. It prints the page's time, the
statistics' time (cold: every t quantile computed afresh, as after new responses; remembered:
as the next view of the same figures) and their share of the page; the target (issue 13) is
under 5%.

Knobs (environment variables):

    BENCH_STATISTICS_SIZE      responses generated                    (default 10000)
    BENCH_STATISTICS_DATABASE  sqlite or postgresql                   (default sqlite)
    BENCH_REPEAT               timed runs of each page and replay     (default 7)
"""

from __future__ import annotations

import os
import statistics as stdlib_statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from flask_migrate import upgrade

from bench.databases import postgresql_database, sqlite_database
from bench.pages import logged_in_client
from survey import create_app
from survey.analysis import drivers, report
from survey.analysis import statistics as dashboard_statistics
from survey.clock import utcnow
from survey.demo.bulk import generate_responses
from survey.demo.data import DEMO_STAFF
from survey.extensions import db

TARGET_SHARE = 0.05
# What the report and the driver analysis call; nested calls inside these are part of them.
RECORDED = (
    "summarise",
    "mean_interval",
    "wilson_interval",
    "top_box_share",
    "net_promoter_score",
    "welch_test",
    "pearson_from_sums",
)


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass
class Recording:
    calls: list[tuple[Callable, tuple, dict]] = field(default_factory=list)
    t_quantiles: int = 0


@contextmanager
def recording_statistics() -> Iterator[Recording]:
    """Every statistics call the report modules make while the block runs, with its arguments."""
    recording = Recording()
    originals = []

    def recorder(original):
        def record(*args, **kwargs):
            recording.calls.append((original, args, kwargs))
            return original(*args, **kwargs)

        return record

    def counter(original):
        def count(*args, **kwargs):
            recording.t_quantiles += 1
            return original(*args, **kwargs)

        return count

    for module in (report, drivers):
        for name in RECORDED:
            if hasattr(module, name):
                originals.append((module, name, getattr(module, name)))
                setattr(module, name, recorder(getattr(module, name)))
    originals.append((dashboard_statistics, "t_quantile", dashboard_statistics.t_quantile))
    dashboard_statistics.t_quantile = counter(dashboard_statistics.t_quantile)
    try:
        yield recording
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)


def _forget_quantiles() -> None:
    # The module's own memory of (p, df); absent in a version without one.
    solve = getattr(dashboard_statistics, "_solve_upper_tail", None)
    if hasattr(solve, "cache_clear"):
        solve.cache_clear()


def replay_ms(recording: Recording, cold: bool) -> float:
    if cold:
        _forget_quantiles()
    started = time.perf_counter()
    for function, args, kwargs in recording.calls:
        function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def median_of(run: Callable[[], float], repeat: int) -> float:
    return stdlib_statistics.median(run() for _ in range(repeat))


@dataclass
class Measurement:
    page: str
    page_ms: float
    calls: int
    t_quantiles: int
    cold_ms: float
    remembered_ms: float


def measure_page(client, url: str, repeat: int) -> Measurement:
    answer = client.get(url)  # warm-up: templates, compiled queries
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}")

    def page_ms() -> float:
        _forget_quantiles()  # each view computes its quantiles, as after new responses
        started = time.perf_counter()
        client.get(url)
        return (time.perf_counter() - started) * 1000

    timed = median_of(page_ms, repeat)
    _forget_quantiles()
    with recording_statistics() as recording:
        client.get(url)
    return Measurement(
        url,
        timed,
        len(recording.calls),
        recording.t_quantiles,
        median_of(lambda: replay_ms(recording, cold=True), repeat),
        median_of(lambda: replay_ms(recording, cold=False), repeat),
    )


def _database() -> AbstractContextManager[str]:
    if _setting("BENCH_STATISTICS_DATABASE", "sqlite") == "postgresql":
        return postgresql_database()
    return sqlite_database()


def _coordinator() -> tuple[str, str]:
    return next((email, password) for email, _, role, password, _ in DEMO_STAFF if "coord" in email)


def run(url: str, size: int, repeat: int) -> list[Measurement]:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        upgrade()
        generate_responses(size, utcnow())
        db.engine.dispose()
    client = logged_in_client(app, *_coordinator())
    since = f"{(utcnow() - timedelta(days=183)).date():%Y-%m}"
    pages = ["/dashboard", f"/dashboard?since={since}"]
    measurements = [measure_page(client, page, repeat) for page in pages]
    with app.app_context():
        db.engine.dispose()
    return measurements


def print_table(measurements: list[Measurement], size: int) -> bool:
    print(f"\nThe statistics' share of a dashboard ({size:,} responses; times in ms)")
    print(
        f"{'page':<28}{'page':>8}{'calls':>7}{'t quantiles':>13}{'cold':>8}{'remembered':>12}"
        f"{'share':>8}  target < {TARGET_SHARE:.0%}"
    )
    met = True
    for m in measurements:
        share = m.cold_ms / m.page_ms
        ok = share < TARGET_SHARE
        met = met and ok
        print(
            f"{m.page:<28}{m.page_ms:>8.1f}{m.calls:>7}{m.t_quantiles:>13}{m.cold_ms:>8.2f}"
            f"{m.remembered_ms:>12.2f}{share:>8.1%}  {'met' if ok else 'MISSED'}"
        )
    print("share: the statistics computed cold (no quantile remembered) over the page's time.")
    return met


def main() -> None:
    size = int(_setting("BENCH_STATISTICS_SIZE", "10000"))
    repeat = int(_setting("BENCH_REPEAT", "7"))
    with _database() as url:
        measurements = run(url, size, repeat)
    met = print_table(measurements, size)
    print("\nTarget met." if met else "\nTarget missed (MISSED above).")


if __name__ == "__main__":
    main()
