"""The scheduler's heartbeat: every run of every job of every scheduler process is recorded, so
readiness and the administrators can tell whether anything goes out."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from survey import create_app
from survey.clock import utcnow
from survey.extensions import db
from survey.jobs import scheduler as scheduler_module
from survey.jobs.scheduler import build_scheduler
from survey.jobs.tasks import SCHEDULE
from survey.operations.checks import scheduler_check
from survey.operations.heartbeat import SchedulerHeartbeat, recent_processes
from tests.operations.helpers import heartbeat


def _run_scheduler_until(app, done, seconds: float = 20) -> None:
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
    scheduler.start()
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with app.app_context():
                if done():
                    return
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)


def _beats(app) -> list[SchedulerHeartbeat]:
    with app.app_context():
        beats = list(db.session.scalars(select(SchedulerHeartbeat)))
        db.session.expunge_all()
        return beats


def test_a_scheduler_records_each_job_it_runs_as_its_heartbeat(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'jobs.db'}")
    with app.app_context():
        db.create_all()
    jobs = {name for name, _, _ in SCHEDULE}
    started = utcnow()

    _run_scheduler_until(
        app, lambda: len(db.session.scalars(select(SchedulerHeartbeat)).all()) >= len(jobs)
    )

    beats = _beats(app)
    assert {beat.job for beat in beats} == jobs
    assert {(beat.host, beat.pid) for beat in beats} == {(socket.gethostname(), os.getpid())}
    assert all(beat.last_run_at >= started and not beat.last_run_failed for beat in beats)
    with app.app_context():
        assert scheduler_check(utcnow(), 300).ok
        db.engine.dispose()


def test_a_failing_job_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    def broken(clock):
        raise RuntimeError("the job broke")

    monkeypatch.setattr(
        scheduler_module, "SCHEDULE", [("broken", broken, 60), ("fine", lambda clock: None, 60)]
    )
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'jobs.db'}")
    with app.app_context():
        db.create_all()

    _run_scheduler_until(
        app, lambda: len(db.session.scalars(select(SchedulerHeartbeat)).all()) == 2
    )

    assert {beat.job: beat.last_run_failed for beat in _beats(app)} == {
        "broken": True,
        "fine": False,
    }
    with app.app_context():
        check = scheduler_check(utcnow(), 300)
        assert check.ok and check.facts["failing_jobs"] == ["broken"]
        assert "the last run of broken failed" in check.detail
        db.engine.dispose()


def test_several_schedulers_each_have_their_heartbeat(ctx):
    now = utcnow()
    heartbeat(now - timedelta(seconds=5), "send-outbox", pid=1)
    heartbeat(now - timedelta(seconds=5), "send-outbox", pid=2)
    heartbeat(now - timedelta(seconds=3), "queue-due-invitations", pid=2)
    heartbeat(now - timedelta(hours=1), "send-outbox", pid=3)  # stopped an hour ago

    processes = recent_processes(now - timedelta(minutes=5))
    assert [(each.pid, each.jobs) for each in processes] == [
        (1, ("send-outbox",)),
        (2, ("queue-due-invitations", "send-outbox")),
    ]


def test_a_run_updates_its_row_and_processes_gone_for_a_week_are_forgotten(ctx):
    now = utcnow()
    heartbeat(now - timedelta(days=8), "send-outbox", pid=7)
    heartbeat(now - timedelta(minutes=1), "send-outbox", pid=8)
    heartbeat(now, "send-outbox", pid=8)

    beats = db.session.scalars(select(SchedulerHeartbeat)).all()
    assert [(beat.pid, beat.last_run_at) for beat in beats] == [(8, now)]
