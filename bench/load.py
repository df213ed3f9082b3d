"""The survey page under load: `python -m bench.load`.

GET of an open survey link and POST of a complete answer, each by a real HTTP load generator
against gunicorn as production runs it (gunicorn.conf.py, sync workers, the production profile;
only the restart after max_requests is left out), next to a bare Flask app ("hello") on the same
gunicorn settings in the same run, and a floor for the POST: a bare app that stores each POST as
one row and commits. The machine is shared, so what counts is the ratio to the
bare app; the targets (issue 13) are GET at least 25% and POST at least 15% of the bare app's
requests per second, and a POST p99 under 250 ms. The version asked about already has a
response, as every version in use has, so its form is the one each worker keeps.

The load generator is `wrk` (installed with apt-get when missing and possible), else a Python one
(threads, one connection each). The database is PostgreSQL, made for this run and dropped after
(BENCH_POSTGRES_URL, as `make bench`), or an SQLite file when PostgreSQL does not answer.

Knobs (environment variables):

    BENCH_LOAD_SECONDS      seconds per measurement                        (default 10)
    BENCH_LOAD_CONNECTIONS  concurrent connections                         (default 8)
    BENCH_LOAD_WORKERS      gunicorn sync workers                          (default 2)
    BENCH_LOAD_POSTS        open invitations made for the POSTs            (default 8000)
    BENCH_LOAD_DATABASE     postgresql or sqlite                           (default postgresql)
    BENCH_LOAD_GENERATOR    wrk or python                                  (default wrk if any)
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, redirect, request
from flask_migrate import upgrade
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    func,
    select,
    text,
)

from bench.databases import Unavailable, postgresql_database, sqlite_database
from survey import create_app
from survey.accounts.models import Role
from survey.accounts.staff import create_organisation, create_user
from survey.clock import utcnow
from survey.contacts.models import Channel, Contact
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.forms import answers_from_form, build_survey_form
from survey.responding.models import Response
from survey.responding.submission import submit_response
from survey.responding.tokens import Purpose, make_token

ROOT = Path(__file__).resolve().parent.parent
GET_TARGET, POST_TARGET, POST_P99_TARGET_MS = 0.25, 0.15, 250.0
# A complete answer to the contact survey, as the browser posts it.
ANSWERS = {
    "locale": "nl",
    "q_reachability": "4",
    "q_expertise": "5",
    "q_speed": "3",
    "q_agreements": "4",
    "q_thinking_along": "5",
    "q_clarity": "4",
    "q_overall": "8",
    "q_recommend": "9",
    "q_improve": "Sneller terugbellen graag.",
}
BODY = urlencode(ANSWERS)
FORM = "application/x-www-form-urlencoded"


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


# --- the bare app -----------------------------------------------------------------------------


def hello_app() -> Flask:
    """The bare app: what gunicorn and Flask cost with no work at all (`bench.load:hello_app()`)."""
    app = Flask("hello")

    @app.get("/")
    def hello():
        return "hello"

    @app.post("/")
    def thanks():
        return redirect(f"/?answers={len(request.form)}", 303)

    return app


FLOOR_TABLE = "bench_floor"


def floor_app() -> Flask:
    """The floor: a bare app that stores each POST as one row of the bench's database and
    commits (`bench.load:floor_app()`), the least any stored answer can cost on this stack; how
    far the survey's POST is above it is what its own work costs (the link, the form, the
    response, its answers and tallies)."""
    app = Flask("floor")
    engine = create_engine(os.environ["DATABASE_URL"])
    store = text(f"INSERT INTO {FLOOR_TABLE} (answers, stored_at) VALUES (:answers, :stored_at)")

    @app.get("/")
    def hello():
        return "hello"

    @app.post("/")
    def store_answers():
        with engine.begin() as connection:
            connection.execute(store, {"answers": len(request.form), "stored_at": utcnow()})
        return redirect(f"/?answers={len(request.form)}", 303)

    return app


def _make_floor_table(url: str) -> None:
    table = Table(
        FLOOR_TABLE,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("answers", Integer, nullable=False),
        Column("stored_at", DateTime, nullable=False),
    )
    engine = create_engine(url)
    try:
        table.create(engine, checkfirst=True)
    finally:
        engine.dispose()


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Links:
    get_path: str  # one open link, opened again and again (a GET changes nothing)
    post_paths: list[str]  # one open link per POST: each can be answered once


def prepare(url: str, secret_key: str, posts: int) -> Links:
    """A migrated database with one organisation, and `posts + 1` sent, open invitations to the
    contact survey, whose version already has a response (as every version in use has)."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        upgrade()
        load_catalogue()
        version = catalogue_questionnaire("contact-survey").latest_version
        organisation = create_organisation("Gemeente Lastdorp", "lastdorp")
        manager = create_user(
            organisation,
            email="manager@lastdorp.example",
            name="Mira Manager",
            role=Role.ACCOUNT_MANAGER,
            password=secrets.token_urlsafe(16),
            now=utcnow(),
        )
        invitations = [
            _open_invitation(organisation, manager, version, n) for n in range(posts + 2)
        ]
        db.session.flush()
        _answer(invitations.pop(), "nl")
        db.session.commit()
        paths = [f"/s/{make_token(i, Purpose.SURVEY, secret_key)}" for i in invitations]
        db.session.remove()
        db.engine.dispose()
    return Links(get_path=paths[0], post_paths=paths[1:])


def _open_invitation(organisation, manager, version, number: int) -> Invitation:
    contact = Contact(
        organisation_id=organisation.id,
        account_manager_id=manager.id,
        company_name=f"Bedrijf {number} BV",
        person_name=f"Ondernemer {number}",
        email=f"ondernemer{number}@bedrijf.example",
        locale="nl",
        contacted_on=date.today() - timedelta(days=2),
        channel=Channel.VISIT,
        subject="Kennismaking",
    )
    invitation = Invitation.for_contact(contact, version, scheduled_at=utcnow())
    invitation.mark_sent(utcnow() - timedelta(days=1), organisation.link_expiry_days)
    db.session.add_all([contact, invitation])
    return invitation


def _answer(invitation: Invitation, locale: str) -> None:
    from werkzeug.datastructures import MultiDict

    form = build_survey_form(invitation.questionnaire_version, locale)(formdata=MultiDict(ANSWERS))
    if not form.validate():
        raise RuntimeError(f"the benchmark's answers do not validate: {form.errors}")
    submit_response(invitation, answers_from_form(form), locale, utcnow())


def responses_stored(url: str) -> int:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SCHEDULER_ENABLED=False)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Response))
        db.engine.dispose()
    return count


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn with gunicorn.conf.py serving `app_spec`, until the block ends."""
    port = _free_port()
    workers = _setting("BENCH_LOAD_WORKERS", "2")
    # Without production's restart after max_requests: the bare app would reach it within
    # seconds, and both workers starting afresh at once would stall the measurement.
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--max-requests", "0"]
    command.append(app_spec)
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": workers}
    with open(log, "ab") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=output, stderr=output)
    try:
        _wait_until_answering(port, server, log)
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_until_answering(port: int, server: subprocess.Popen, log: Path) -> None:
    """Until a worker answers over HTTP (any status): listening comes before the app is loaded."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text()[-2000:]}")
        try:
            _fetch(("127.0.0.1", port), "GET", "/")
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _fetch(address: tuple[str, int], method: str, path: str, body: str | None = None):
    connection = http.client.HTTPConnection(*address, timeout=30)
    headers = {"Content-Type": FORM} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    return answer.status, text


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int  # connection errors, timeouts and statuses other than the expected one

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# wrk's script: the method and body come from the lines put before it; with a file of paths,
# each thread takes every `step`-th path from its own offset and stops when they run out.
WRK_SCRIPT = r"""
local paths, step, index = {}, 1, 1
made = 0
function setup(thread)
  thread:set("offset", made)
  made = made + 1
end
function init(args)
  if args[1] then for line in io.lines(args[1]) do table.insert(paths, line) end end
  step = tonumber(args[2]) or 1
  index = (tonumber(wrk.thread:get("offset")) or 0) + 1
end
function request()
  if #paths == 0 then return wrk.format() end
  if index > #paths then wrk.thread:stop() end
  local path = paths[math.min(index, #paths)]
  index = index + step
  return wrk.format(nil, path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "us": %d, "p50": %f, "p99": %f, "failures": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass
class Load:
    """What to ask: GET of one path, or POST of the answers to one path or to each of `paths`."""

    method: str
    path: str
    paths: list[str] | None = None

    @property
    def expected_status(self) -> int:
        return 303 if self.method == "POST" else 200


def _wrk() -> str | None:
    if not shutil.which("wrk") and shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is not installed: trying apt-get install wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
    return shutil.which("wrk")


def run_wrk(wrk: str, address, load: Load, seconds: float) -> Result:
    connections = int(_setting("BENCH_LOAD_CONNECTIONS", "8"))
    threads = min(2, connections)
    with tempfile.TemporaryDirectory(prefix="spiegel-load-") as folder:
        script = Path(folder) / "load.lua"
        prelude = f"wrk.method = {json.dumps(load.method)}\n"
        if load.method == "POST":
            prelude += f"wrk.body = {json.dumps(BODY)}\n"
            prelude += f'wrk.headers["Content-Type"] = "{FORM}"\n'
        script.write_text(prelude + WRK_SCRIPT)
        command = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
        ]
        command += ["-s", str(script), f"http://{address[0]}:{address[1]}{load.path}"]
        if load.paths is not None:
            listing = Path(folder) / "paths.txt"
            listing.write_text("\n".join(load.paths) + "\n")
            command += ["--", str(listing), str(threads)]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode or not lines:
        raise RuntimeError(f"wrk failed: {finished.stdout[-500:]} {finished.stderr[-500:]}")
    report = json.loads(lines[-1])
    return Result(
        report["requests"],
        report["us"] / 1e6,
        report["p50"] / 1000,
        report["p99"] / 1000,
        report["failures"],
    )


def run_python(address, load: Load, seconds: float) -> Result:
    """One thread per connection, each asking again as soon as it has its answer."""
    connections = int(_setting("BENCH_LOAD_CONNECTIONS", "8"))
    pending = iter(load.paths) if load.paths is not None else None
    headers = {"Content-Type": FORM} if load.method == "POST" else {}
    body = BODY if load.method == "POST" else None
    lock = threading.Lock()
    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def next_path() -> str | None:
        if pending is None:
            return load.path
        with lock:
            return next(pending, None)

    def ask() -> None:
        connection = http.client.HTTPConnection(*address, timeout=10)
        mine, failed = [], 0
        while time.perf_counter() < deadline and (target := next_path()):
            started = time.perf_counter()
            try:
                connection.request(load.method, target, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                failed += answer.status != load.expected_status
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    started = time.perf_counter()
    askers = [threading.Thread(target=ask) for _ in range(connections)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return Result(len(latencies), elapsed, percentile(0.5), percentile(0.99), failures[0])


# --- the run ----------------------------------------------------------------------------------


@contextmanager
def _database() -> Iterator[tuple[str, str]]:
    if _setting("BENCH_LOAD_DATABASE", "postgresql") == "postgresql":
        try:
            with postgresql_database() as url:
                yield "postgresql", url
            return
        except Unavailable as error:
            print(f"{error}\nFalling back to SQLite: its figures are not production's.")
    with sqlite_database() as url:
        yield "sqlite", url


def _load(generator: str, address, load: Load, seconds: float) -> Result:
    if generator == "python":
        return run_python(address, load, seconds)
    return run_wrk(generator, address, load, seconds)


def _server_env(url: str, secret_key: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPIEGEL_ENV": "production",
        "SECRET_KEY": secret_key,
        "SECRET_KEY_FALLBACKS": "",
        "DATABASE_URL": url,
        "SCHEDULER_ENABLED": "0",
    }


def measure(generator, url: str, links: Links, secret_key: str, folder: Path) -> dict:
    seconds = float(_setting("BENCH_LOAD_SECONDS", "10"))
    env = _server_env(url, secret_key)
    results = {}
    with gunicorn("bench.load:hello_app()", env, folder / "hello.log") as address:
        _load(generator, address, Load("GET", "/"), 1.0)  # warm-up
        results["bare GET"] = _load(generator, address, Load("GET", "/"), seconds)
        results["bare POST"] = _load(generator, address, Load("POST", "/"), seconds)
    _make_floor_table(url)
    with gunicorn("bench.load:floor_app()", env, folder / "floor.log") as address:
        _load(generator, address, Load("POST", "/"), 1.0)  # warm-up: the pool's connections
        results["floor POST"] = _load(generator, address, Load("POST", "/"), seconds)
    with gunicorn("wsgi:app", env, folder / "spiegel.log") as address:
        status, page = _fetch(address, "GET", links.get_path)
        if status != 200 or 'id="survey-form"' not in page:
            log = (folder / "spiegel.log").read_text()[-3000:]
            raise RuntimeError(f"the open survey link answered {status}, not the page:\n{log}")
        opening = Load("GET", links.get_path)
        _load(generator, address, opening, 1.0)  # warm-up: templates, built forms
        results["survey GET"] = _load(generator, address, opening, seconds)
        warm, posts = links.post_paths[:40], links.post_paths[40:]
        for path in warm:
            _fetch(address, "POST", path, BODY)
        answering = Load("POST", posts[0], posts)
        results["survey POST"] = _load(generator, address, answering, seconds)
    return results


def report(database: str, generator: str, results: dict, stored: int, expected: int) -> bool:
    print(
        f"\nThe survey page under load ({database}, {generator}, gunicorn "
        f"{_setting('BENCH_LOAD_WORKERS', '2')} sync workers, "
        f"{_setting('BENCH_LOAD_CONNECTIONS', '8')} connections)"
    )
    print(
        f"{'measurement':<14}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'failed':>8}{'ratio':>8}  target"
    )
    met = True
    for name, result in results.items():
        bare = results["bare " + name.split()[-1]]
        ratio = result.per_second / bare.per_second if bare.per_second else 0.0
        verdict = (
            "one row stored per POST: the least an answer costs" if name == "floor POST" else ""
        )
        if name.startswith("survey"):
            target = GET_TARGET if name.endswith("GET") else POST_TARGET
            ok = ratio >= target and not result.failures
            verdict = f">= {target:.2f} of bare: {'met' if ok else 'MISSED'}"
            if name.endswith("POST"):
                fast = result.p99_ms < POST_P99_TARGET_MS
                verdict += f"; p99 < {POST_P99_TARGET_MS:.0f} ms: {'met' if fast else 'MISSED'}"
                ok = ok and fast
            met = met and ok
        print(
            f"{name:<14}{result.requests:>10,}{result.per_second:>10,.0f}{result.p50_ms:>9.1f}"
            f"{result.p99_ms:>9.1f}{result.failures:>8}{ratio:>8.2f}  {verdict}"
        )
    floor, answered = results.get("floor POST"), results["survey POST"]
    if floor and answered.per_second:
        print(
            f"A survey POST takes {floor.per_second / answered.per_second:.1f}x what the floor's "
            "takes: the link's check, the form, the response, its answers and tallies."
        )
    # wrk does not count the requests still under way when its time is up; the server may
    # finish them, one per connection at most.
    connections = int(_setting("BENCH_LOAD_CONNECTIONS", "8"))
    if not expected <= stored <= expected + connections:
        print(f"MISMATCH: {stored} responses stored for {expected} answers posted")
        met = False
    return met


def main() -> None:
    generator = _setting("BENCH_LOAD_GENERATOR", "wrk")
    generator = (_wrk() if generator == "wrk" else None) or "python"
    if generator == "python":
        print("Using the Python load generator (it shares the CPU with the servers).")
    secret_key = secrets.token_urlsafe(48)
    posts = int(_setting("BENCH_LOAD_POSTS", "8000"))
    with _database() as (database, url), tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        links = prepare(url, secret_key, posts)
        print(f"{posts:,} open invitations on {database} in {time.perf_counter() - started:.0f} s")
        results = measure(generator, url, links, secret_key, Path(folder))
        posted = results["survey POST"].requests - results["survey POST"].failures
        met = report(database, generator, results, responses_stored(url), posted + 41)
    print("\nAll targets met." if met else "\nA target was missed (MISSED above).")


if __name__ == "__main__":
    main()
