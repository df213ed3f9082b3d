"""`flask doctor` as an operator runs it after installing or upgrading: every check in plain
words, exit status 1 when anything is wrong."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from survey import create_app
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.mailserver import free_port
from tests.operations.helpers import heartbeat, waiting_email


@pytest.fixture
def good_settings(app, monkeypatch, mail_server):
    """What a careful production deployment has (the test profile otherwise)."""
    monkeypatch.setitem(app.config, "SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [secrets.token_urlsafe(48)])
    monkeypatch.setitem(app.config, "BASE_URL", "https://feedback.gemeente.example")
    with app.app_context():
        heartbeat(utcnow() - timedelta(seconds=30), "send-outbox", pid=101)
        heartbeat(utcnow() - timedelta(seconds=50), "queue-due-invitations", pid=101)
        heartbeat(utcnow() - timedelta(seconds=40), "send-outbox", pid=202)


def _doctor(app):
    return app.test_cli_runner().invoke(args=["doctor"])


def test_a_good_deployment_passes_every_check(app, good_settings, mail_server):
    result = _doctor(app)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Checking Spiegel (test profile):"
    assert lines[-1] == "Everything looks right."
    checks = lines[1:-1]
    assert all(line.startswith("  ok  ") for line in checks), result.output
    named = {line.split(":")[0].split("  ")[-1].strip() for line in checks}
    assert named == {
        "secret key",
        "BASE_URL",
        "time zones",
        "translations",
        "mail server",
        "database",
        "migrations",
        "scheduler",
        "outbox",
    }
    assert "1 old key(s) still accepted" in result.output
    assert f"127.0.0.1:{mail_server.port} answers (no encryption)" in result.output
    # Several schedulers may run: each is named, with the jobs it ran.
    assert "web1 pid 101 ran 2 jobs" in result.output and "web1 pid 202 ran 1 jobs" in result.output
    assert mail_server.received == []  # it greets the server; it sends nothing


def test_a_bad_deployment_is_told_what_is_wrong_in_plain_words(app, monkeypatch):
    monkeypatch.setitem(app.config, "SECRET_KEY", "test-secret")
    monkeypatch.setitem(app.config, "BASE_URL", "http://feedback.gemeente.example")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Europe/Atlantis")
    with app.app_context():
        heartbeat(utcnow() - timedelta(hours=2))
        waiting_email(factories.organisation(), utcnow() - timedelta(hours=3))
        db.session.commit()

    result = _doctor(app)
    assert result.exit_code == 1
    output = result.stdout
    for problem in (
        "FAIL  secret key: SECRET_KEY is a publicly known example value",
        "FAIL  BASE_URL: http://feedback.gemeente.example is not https",
        "FAIL  time zones: no time zone data for 'No time zone found with key Europe/Atlantis'",
        f"FAIL  mail server: could not connect to 127.0.0.1:{app.config['MAIL_PORT']}",
        "FAIL  scheduler: no scheduler has run a job for 120 minutes",
        "FAIL  outbox: an email has been due for 180 minutes and is not sent",
    ):
        assert problem in output, output
    assert "ok    database: reachable" in output and "ok    migrations:" in output
    assert "6 problems found." in result.stderr
    assert "Traceback" not in output + result.stderr


def test_a_database_that_cannot_be_reached_is_said_so(tmp_path, monkeypatch):
    url = f"postgresql+psycopg://spiegel@127.0.0.1:{free_port()}/spiegel"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    result = _doctor(app)
    assert result.exit_code == 1
    assert "FAIL  database: the database cannot be reached (" in result.output
    assert "check DATABASE_URL" in result.output
    assert "FAIL  migrations: not checked: the database cannot be reached" in result.output
    assert "Traceback" not in result.output + result.stderr
    with app.app_context():
        db.engine.dispose()


def test_a_database_left_behind_by_an_upgrade_is_named(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    result = _doctor(app)
    assert result.exit_code == 1
    assert (
        "FAIL  migrations: the database has no tables yet: run `flask --app wsgi db upgrade`"
        in result.output
    )
    with app.app_context():
        db.engine.dispose()


def test_development_may_use_plain_http_on_the_own_machine(app, monkeypatch):
    from survey.operations.doctor import base_url_check

    development = {"ENV_NAME": "development", "BASE_URL": "http://127.0.0.1:5000"}
    assert base_url_check(development).ok
    assert not base_url_check({**development, "ENV_NAME": "production"}).ok
    assert not base_url_check({"ENV_NAME": "production", "BASE_URL": "feedback.example"}).ok
