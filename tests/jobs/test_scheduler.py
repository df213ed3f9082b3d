"""The ways the jobs run: `flask jobs run-once` (cron, tests), `flask scheduler` (its own
process), and inside the development server (once, not twice under the reloader)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from survey import create_app
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.rules import invite_for_contact
from survey.jobs.scheduler import EXTENSION_KEY, start_in_background
from tests import factories
from tests.mailserver import process_environment

ROOT = Path(__file__).resolve().parents[2]


def _contact_logged_days_ago(app, days: int = 5) -> None:
    with app.app_context():
        org = factories.organisation()
        logged = utcnow() - timedelta(days=days)
        contact = factories.contact(org, factories.user(org), contacted_on=logged.date())
        invite_for_contact(contact, org, logged)
        db.session.commit()


def test_jobs_run_once_sends_what_is_due_and_says_so(app, mail_server):
    _contact_logged_days_ago(app)
    result = app.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert result.exit_code == 0, result.output
    assert "queued 1 invitations" in result.output and "sent 1," in result.output
    assert len(mail_server.received) == 1

    again = app.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert "sent 0," in again.output and len(mail_server.received) == 1
    # Run from cron it is the scheduler: /readyz sees that it ran.
    assert app.test_client().get("/readyz").json["checks"]["scheduler"]["ok"] is True


def test_jobs_run_once_reports_a_mail_server_that_is_down(app, monkeypatch):
    from tests.mailserver import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    _contact_logged_days_ago(app)
    result = app.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert result.exit_code == 0
    assert "retrying 1" in result.output and "Connection refused" in result.output


def test_the_scheduler_process_sends_a_due_invitation(app, database_url, mail_server):
    _contact_logged_days_ago(app)
    environment = process_environment(database_url, mail_server.port)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while not mail_server.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert len(mail_server.received) == 1


def test_the_development_server_runs_one_scheduler_in_the_serving_process(tmp_path, monkeypatch):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    with app.app_context():
        db.create_all()  # its jobs run at once, on an empty database of its own
    # The reloader's watching parent process: no scheduler there.
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert start_in_background(app) is None
    # The serving child: one scheduler, with every job; asking again starts no second.
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    scheduler = start_in_background(app)
    try:
        assert app.extensions[EXTENSION_KEY] is scheduler and scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {
            "expire-invitations",
            "queue-due-invitations",
            "queue-due-reminders",
            "send-outbox",
            "apply-retention",
            "build-exports",
            "remove-expired-exports",
        }
        assert start_in_background(app) is None
    finally:
        scheduler.shutdown(wait=False)
