"""The export's benchmark: how long a person waits for the first byte of a CSV and of a large
XLSX (now a job: the request only starts it), how long the XLSX job takes to build the file,
and the bulk generator's peak memory at each size (flat, not growing with N, is the target).

    .venv/bin/python -m bench.exports
    BENCH_SIZES=20000,40000 BENCH_DATABASES=sqlite .venv/bin/python -m bench.exports

For each database and size (BENCH_SIZES, BENCH_DATABASES, BENCH_POSTGRES_URL, BENCH_SEED as in
bench/__init__.py) a fresh process migrates a fresh database and generates the responses,
reporting its resident memory's high-water mark (`bulk-memory`, below). Then, as the
coordinator of the organisation with the most responses, over all its months:

- first byte of GET /dashboard/export.csv (streamed; the whole body is read too);
- first byte of GET /dashboard/export.xlsx: a redirect to the job's progress page when the
  export is above EXPORT_DIRECT_ROWS, else the whole workbook built before its first byte;
- the XLSX job for the same export (asked for at any size here): claimed and built as the
  scheduler does, its time and rows per second.

    python -m bench.exports bulk-memory SIZE DATABASE_URL

prints one JSON line: responses generated, seconds, RSS before and at its peak (MB).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.databases import Unavailable
from bench.pages import logged_in_client
from bench.run import DATABASES, ROOT, _subject
from survey import create_app
from survey.clock import utcnow
from survey.demo.municipalities import BULK_PASSWORD
from survey.exports.jobs import build_due_exports
from survey.exports.models import ExportJob
from survey.extensions import db

STATUS = Path("/proc/self/status")


def _status_mb(field: str) -> float:
    return int(re.search(rf"{field}:\s+(\d+) kB", STATUS.read_text()).group(1)) / 1024


def bulk_memory(size: int, url: str) -> dict:
    """Generate `size` responses into the fresh database at `url`, in this process."""
    from flask_migrate import upgrade

    from survey.demo.bulk import generate_responses

    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        upgrade()
        Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again here
        before = _status_mb("VmRSS")
        started = time.perf_counter()
        seed = int(os.environ.get("BENCH_SEED", "2026"))
        generate_responses(size, utcnow(), seed=seed)
        seconds = time.perf_counter() - started
    return {
        "responses": size,
        "seconds": round(seconds, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(_status_mb("VmHWM"), 1),
    }


def generate_in_fresh_process(size: int, url: str) -> dict:
    command = [sys.executable, "-m", "bench.exports", "bulk-memory", str(size), url]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=7200)
    lines = finished.stdout.strip().splitlines()
    if finished.returncode or not lines:
        raise RuntimeError(f"generating {size:,} responses failed: {finished.stderr[-500:]}")
    return json.loads(lines[-1])


def _first_byte_ms(client, path: str) -> tuple[float, float, int]:
    """(ms to the first byte, ms to the last, status)."""
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    chunks = response.iter_encoded()
    next(chunks, None)
    first = time.perf_counter() - started
    for _ in chunks:
        pass
    response.close()
    return first * 1000, (time.perf_counter() - started) * 1000, response.status_code


def measure_exports(url: str, export_dir: str) -> list[tuple[str, float, str]]:
    app = create_app(
        "test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False, EXPORT_DIR=export_dir
    )
    with app.app_context():
        subject = _subject(BULK_PASSWORD)
        db.session.remove()
    client = logged_in_client(app, *subject.coordinator)
    query = subject.all_months
    results = []
    first, whole, status = _first_byte_ms(client, f"/dashboard/export.csv?{query}")
    results.append(("export.csv first byte (ms)", first, f"whole body {whole:,.0f} ms, {status}"))
    first, whole, status = _first_byte_ms(client, f"/dashboard/export.xlsx?{query}")
    how = "a redirect to the job's page" if status == 303 else f"the workbook itself ({status})"
    results.append(("export.xlsx first byte (ms)", first, how))
    # The job for the same export, whatever its size, to time the file's making.
    app.config["EXPORT_DIRECT_ROWS"] = 0
    _first_byte_ms(client, f"/dashboard/export.xlsx?{query}")
    with app.app_context():
        started = time.perf_counter()
        made = build_due_exports(utcnow)
        seconds = time.perf_counter() - started
        rows = db.session.query(ExportJob.rows_done).order_by(ExportJob.id.desc()).limit(1)
        rows = rows.scalar() or 0
        db.engine.dispose()
    note = f"{made} file(s), {rows:,} rows, {rows / seconds:,.0f} rows/s" if made else "no job"
    results.append(("XLSX job, whole file (s)", seconds, note))
    return results


def main() -> None:
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
    chosen = os.environ.get("BENCH_DATABASES", "sqlite,postgresql")
    lines = []
    for database in [name.strip() for name in chosen.split(",") if name.strip()]:
        if database not in DATABASES:
            raise SystemExit(f"BENCH_DATABASES: {database!r} is not one of {sorted(DATABASES)}")
        for size in sizes:
            print(f"\n== exports, {database}, {size:,} responses", flush=True)
            try:
                with DATABASES[database]() as url, tempfile.TemporaryDirectory() as exports:
                    generated = generate_in_fresh_process(size, url)
                    added = generated["rss_peak_mb"] - generated["rss_before_mb"]
                    note = f"peak {generated['rss_peak_mb']} MB, {generated['seconds']} s"
                    lines.append((database, size, "bulk generator memory added (MB)", added, note))
                    for name, value, note in measure_exports(url, exports):
                        lines.append((database, size, name, value, note))
            except Unavailable as error:
                print(f"{database} skipped: {error}")
                break
    print(f"\n{'database':<11}{'size':>10}  {'measurement':<36}{'value':>10}  note")
    for database, size, name, value, note in lines:
        print(f"{database:<11}{size:>10,}  {name:<36}{value:>10,.1f}  {note}")
    _print_memory_growth(lines)


def _print_memory_growth(lines) -> None:
    """The generator's memory at the largest size over the smallest, per database."""
    memory = {}
    for database, size, name, value, _note in lines:
        if name.startswith("bulk generator"):
            memory.setdefault(database, []).append((size, value))
    for database, points in memory.items():
        if len(points) > 1:
            (small, low), (large, high) = min(points), max(points)
            print(
                f"{database}: the generator's memory for {large:,} responses is "
                f"{high / low:.2f}x that for {small:,} ({large / small:.0f}x the responses)"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["bulk-memory"]:
        print(json.dumps(bulk_memory(int(sys.argv[2]), sys.argv[3])))
    else:
        main()
