"""`flask scheduler` (a long-running job process) and `flask jobs run-once` (cron, tests)."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from survey.clock import utcnow
from survey.jobs.scheduler import EXTENSION_KEY, run_blocking
from survey.jobs.tasks import run_all
from survey.operations.heartbeat import SchedulerProcess, record_run

jobs_cli = AppGroup("jobs", help="Run the background jobs.")


@jobs_cli.command("run-once")
def run_once_command() -> None:
    """Run every job once (expire, queue invitations and reminders, send the outbox, make the
    waiting exports), then exit. Run from cron, it is the installation's scheduler: its run is
    recorded as a heartbeat, which /readyz and the administrators' warnings read."""
    report = run_all()
    record_run(SchedulerProcess.this_one(utcnow()), "run-once", True, utcnow())
    outbox = report.outbox
    click.echo(
        f"expired {report.expired} invitations; queued {report.invitations_queued} invitations "
        f"and {report.reminders_queued} reminders; sent {outbox.sent}, retrying {outbox.retrying}, "
        f"failed {outbox.failed}, cancelled {outbox.cancelled} emails; "
        f"made {report.exports_made} exports"
    )
    for error in outbox.errors:
        click.echo(f"  {error}", err=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in this process until stopped (any number may run at once)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()
    if EXTENSION_KEY in app.extensions:
        raise click.UsageError("SCHEDULER_ENABLED runs one in this process already; unset it.")
    click.echo("Scheduler running; stop with Ctrl-C.")
    try:
        run_blocking(app)
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")
