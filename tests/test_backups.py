"""Backups taken while entrepreneurs answer surveys restore to a working app whose figures are
right: SQLite through `flask backup` (the online backup API), PostgreSQL through `flask backup`
(pg_dump) and pg_restore into an empty database, as docs/operations.md, "Backups", says."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from survey import create_app
from survey.accounts.models import Role
from survey.backups import BackupError, back_up, pg_dump_command
from survey.extensions import db
from survey.responding.models import Answer, Response
from tests import factories
from tests.conftest import csrf_token_in

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
COORDINATOR = "coordinator@backup.example"
INVITATIONS = 80


# Helpers shared with tests/test_upgrades.py ------------------------------------------------


def every_tally(app) -> dict:
    from survey.analysis.models import TALLIES

    with app.app_context():
        return {
            tally.__tablename__: sorted(db.session.execute(db.select(tally.__table__)).all())
            for tally in TALLIES
        }


def tallies_equal_a_recount(app) -> bool:
    """The tallies as the database holds them are exactly what `flask analysis recount` makes;
    the recount is rolled back, so the database stays as it was."""
    from survey.analysis.recount import rebuild_tallies

    held = every_tally(app)
    with app.app_context():
        rebuild_tallies(db.session)
        db.session.flush()
        recounted = {name: sorted(rows) for name, rows in _tally_rows_in_session().items()}
        db.session.rollback()
    return held == recounted and bool(held["response_tally"])


def _tally_rows_in_session() -> dict:
    from survey.analysis.models import TALLIES

    return {
        tally.__tablename__: db.session.execute(db.select(tally.__table__)).all()
        for tally in TALLIES
    }


def at_head(app) -> bool:
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        return current in script.get_heads()


def dashboard_text(app, email: str, password: str = factories.PASSWORD) -> str:
    """The dashboard as this user sees it after logging in through the login form."""
    client = app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token_in(page.text)},
    )
    page = client.get("/dashboard")
    assert page.status_code == 200, page.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# The app at work ---------------------------------------------------------------------------


def working_app(url: str, invitations: int = INVITATIONS):
    """The app on its own database at `url`: migrated, an organisation with a coordinator,
    a few responses, and sent invitations waiting for an answer (their survey links)."""
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        org = factories.organisation()
        manager = factories.user(org, name="Sanne de Vries")
        factories.user(org, Role.COORDINATOR, email=COORDINATOR, locale="en")
        for grade in (6, 7, 8, 9, 10):
            answers = factories.rated_answers(grade) | {"improve": "Sneller terugbellen."}
            factories.response(org, manager, answers)
        links = [
            factories.survey_token(factories.invitation(org, manager)) for _ in range(invitations)
        ]
        db.session.commit()
    return app, links


class Respondents(threading.Thread):
    """Entrepreneurs answering their surveys through the app, one after another."""

    def __init__(self, app, links: list[str]) -> None:
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.links = links
        self.answered = 0
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        for token in self.links:
            if self.stop.is_set():
                return
            page = self.client.post(f"/s/{token}", data=factories.CONTACT_FORM_ANSWERS)
            if page.status_code == 303 and f"/s/{token}/thanks" in page.location:
                self.answered += 1
            else:
                self.failures.append(f"{page.status_code}: {page.text[:200]}")

    def wait_for(self, answered: int) -> None:
        deadline = time.monotonic() + 60
        while self.answered < answered and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.answered >= answered, self.failures


def back_up_while_answering(app, links: list[str], path: Path) -> tuple[int, int, str]:
    """`flask backup PATH` in the middle of a stream of answers: the number answered before
    it started and after it ended (the copy holds one moment in between), and its output."""
    respondents = Respondents(app, links)
    respondents.start()
    try:
        respondents.wait_for(10)
        before = respondents.answered
        result = app.test_cli_runner().invoke(args=["backup", str(path)])
        after = respondents.answered
        respondents.wait_for(after + 5)  # and the app goes on answering afterwards
    finally:
        respondents.stop.set()
        respondents.join(60)
    assert respondents.failures == []
    assert result.exit_code == 0, result.output
    return before, after, result.output


def responses_in(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def every_response_is_whole(app) -> bool:
    """Every response has all nine answers: none was copied halfway."""
    with app.app_context():
        counts = db.session.scalars(
            select(func.count(Answer.id)).select_from(Response).join(Answer).group_by(Response.id)
        ).all()
    return len(counts) > 0 and set(counts) == {9}


# SQLite ------------------------------------------------------------------------------------


def test_a_sqlite_backup_during_answers_is_whole_and_counts_right(tmp_path):
    app, links = working_app(f"sqlite:///{tmp_path / 'spiegel.db'}")
    copy = tmp_path / "backups" / "tuesday.sqlite3"
    copy.parent.mkdir()
    before, after, output = back_up_while_answering(app, links, copy)
    assert f"Backup written to {copy}" in output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # names and addresses: owner only
    assert list(copy.parent.iterdir()) == [copy]  # no partial file left behind

    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    restored = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{copy}")
    try:
        assert 5 + before <= responses_in(restored) <= 5 + after
        assert every_response_is_whole(restored)
        assert at_head(restored)
        assert tallies_equal_a_recount(restored)
        shown = dashboard_text(restored, COORDINATOR)
        assert f"Based on {responses_in(restored)} responses." in shown
    finally:
        dispose(restored)
        dispose(app)


def test_a_backup_into_a_folder_gets_a_new_dated_name_and_never_replaces_one(tmp_path):
    app, _ = working_app(f"sqlite:///{tmp_path / 'spiegel.db'}", invitations=0)
    folder = tmp_path / "backups"
    folder.mkdir()
    runner = app.test_cli_runner()
    try:
        made = runner.invoke(args=["backup", str(folder)])
        assert made.exit_code == 0, made.output
        (written,) = folder.iterdir()
        assert re.fullmatch(r"spiegel-\d{8}T\d{6}Z\.sqlite3", written.name)

        again = runner.invoke(args=["backup", str(written)])
        assert again.exit_code != 0
        assert f"{written} exists already" in again.output
        nowhere = runner.invoke(args=["backup", str(tmp_path / "missing" / "x.sqlite3")])
        assert nowhere.exit_code != 0 and "does not exist" in nowhere.output
    finally:
        dispose(app)


def test_a_missing_sqlite_database_is_said_plainly(tmp_path):
    with pytest.raises(BackupError, match="does not exist"):
        back_up(f"sqlite:///{tmp_path / 'nothing.db'}", tmp_path, datetime.now(UTC))
    assert list(tmp_path.iterdir()) == []


# PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def postgres_databases():
    """Make empty PostgreSQL databases of their own on request; all dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new_database() -> str:
        name = f"spiegel_backup_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"

    try:
        with admin.connect():
            pass
    except OperationalError as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: PostgreSQL tests skipped")
    yield new_database
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_restore(dump: Path, url: str) -> None:
    """docs/operations.md's restore command, into an empty database."""
    connection = make_url(url).set(drivername="postgresql")
    done = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={connection.render_as_string(hide_password=False)}",
            str(dump),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.postgres
def test_a_postgres_dump_during_answers_restores_into_an_empty_database(
    tmp_path, postgres_databases
):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required, but pg_dump or pg_restore is not installed")
        pytest.skip("pg_dump or pg_restore is not installed here")
    app, links = working_app(postgres_databases())
    dump = tmp_path / "tuesday.pgdump"
    before, after, output = back_up_while_answering(app, links, dump)
    assert f"Backup written to {dump}" in output
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600

    restored = create_app("test", SQLALCHEMY_DATABASE_URI=postgres_databases())
    pg_restore(dump, restored.config["SQLALCHEMY_DATABASE_URI"])
    try:
        assert 5 + before <= responses_in(restored) <= 5 + after
        assert every_response_is_whole(restored)
        assert at_head(restored)
        assert tallies_equal_a_recount(restored)
        shown = dashboard_text(restored, COORDINATOR)
        assert f"Based on {responses_in(restored)} responses." in shown
        # The restored database goes on working: a survey link from before is answered.
        answered = restored.test_client().post(
            f"/s/{links[-1]}", data=factories.CONTACT_FORM_ANSWERS
        )
        assert answered.status_code == 303
        assert tallies_equal_a_recount(restored)
    finally:
        dispose(restored)
        dispose(app)


def test_the_pg_dump_command_keeps_the_password_off_the_command_line(tmp_path):
    url = make_url("postgresql+psycopg://spiegel:s3cret-Pa55@db.example:5433/spiegel")
    command, secret = pg_dump_command(url, tmp_path / "x.pgdump")
    assert "s3cret-Pa55" not in " ".join(command)
    assert secret == {"PGPASSWORD": "s3cret-Pa55"}
    assert "--dbname=postgresql://spiegel@db.example:5433/spiegel" in command
    assert "--format=custom" in command


def test_without_pg_dump_the_command_to_run_is_printed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without the PostgreSQL client
    url = "postgresql+psycopg://spiegel:s3cret-Pa55@db.example/spiegel"
    with pytest.raises(BackupError) as refused:
        back_up(url, tmp_path, datetime(2026, 12, 1, 2, 30, tzinfo=UTC))
    message = str(refused.value)
    assert "pg_dump is not installed here" in message
    assert "PGPASSWORD=… pg_dump --format=custom" in message
    assert "spiegel-20261201T023000Z.pgdump" in message
    assert "s3cret-Pa55" not in message
    assert list(tmp_path.iterdir()) == []  # no empty file left behind
