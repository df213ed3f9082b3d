"""APScheduler runs the jobs: inside the development server, or as a process of its own.

APScheduler cannot share a job store between processes; it does not need to, since every job
claims its rows in the database. Several schedulers may therefore run side by side.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from survey.clock import utcnow
from survey.extensions import db
from survey.jobs.tasks import SCHEDULE
from survey.operations.heartbeat import SchedulerProcess, record_run

log = logging.getLogger(__name__)
EXTENSION_KEY = "spiegel.scheduler"


def _in_app_context(app: Flask, name: str, job, process: SchedulerProcess):
    def run() -> None:
        with app.app_context():
            ok = True
            try:
                job(utcnow)
            except Exception:
                ok = False
                log.exception("job %s failed; it runs again at its next turn", name)
                db.session.rollback()
            try:
                record_run(process, name, ok, utcnow())
            except Exception:
                # Without a heartbeat readiness turns red, which is what a database that cannot
                # be written to deserves; the jobs go on.
                log.exception("job %s: its heartbeat could not be recorded", name)
                db.session.rollback()
            finally:
                db.session.remove()

    return run


def build_scheduler(app: Flask, scheduler: BaseScheduler) -> BaseScheduler:
    """Every job of SCHEDULE; each run is recorded as this process's heartbeat
    (survey/operations/heartbeat.py), so /readyz and the administrators see whether one runs."""
    process = SchedulerProcess.this_one(utcnow())
    for name, job, seconds in SCHEDULE:
        scheduler.add_job(
            _in_app_context(app, name, job, process),
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            max_instances=1,  # a slow run is not overtaken by the next one
            coalesce=True,
            next_run_time=utcnow(),
        )
    return scheduler


def is_serving_process() -> bool:
    """Under the reloader (`FLASK_DEBUG=1 flask run`) two processes load the app: a parent that
    watches the files and restarts a child that serves. Only the child runs the jobs."""
    return not get_debug_flag() or is_running_from_reloader()


def start_in_background(app: Flask) -> BackgroundScheduler | None:
    """Run the jobs inside this process (development: `SCHEDULER_ENABLED=1`), once."""
    if EXTENSION_KEY in app.extensions or not is_serving_process():
        return None
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC", daemon=True))
    scheduler.start()
    app.extensions[EXTENSION_KEY] = scheduler
    log.info("scheduler started inside the web process")
    return scheduler


def run_blocking(app: Flask) -> None:
    """`flask scheduler`: run the jobs in this process until it is stopped."""
    build_scheduler(app, BlockingScheduler(timezone="UTC")).start()
