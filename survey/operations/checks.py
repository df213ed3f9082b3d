"""The checks behind /readyz and `flask doctor`: is the database there and up to date, does a
scheduler run, does the outbox move.

Each gives a `Check`: whether it passed, the facts a load balancer or monitor may see (numbers
only: no names, hosts or addresses), and a sentence in plain words for the operator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.operations.heartbeat import failing_jobs, last_run
from survey.outbox.models import EmailStatus, OutboundEmail

HEADS_KEY = "spiegel.migration_heads"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # for the operator (`flask doctor`): what is wrong and what to do
    facts: dict = field(default_factory=dict)  # for /readyz: numbers, nothing personal

    def public(self) -> dict:
        return {"ok": self.ok, **self.facts}


def _seconds(age: timedelta) -> int:
    return max(0, int(age.total_seconds()))


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"


def _reason(error: Exception) -> str:
    """The driver's first line about a database error (the operator's, never a page's)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines() or [repr(error)]
    return lines[0][:300]


def database_check() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return Check(
            "database",
            False,
            f"the database cannot be reached ({_reason(error)}); check DATABASE_URL and that the "
            "database server runs",
        )
    return Check("database", True, f"reachable ({db.engine.dialect.name})")


def migration_heads(app: Flask) -> set[str]:
    """The newest migrations in this code, read once per process (they change with a deploy)."""
    if HEADS_KEY not in app.extensions:
        config = AlembicConfig()
        config.set_main_option("script_location", app.extensions["migrate"].directory)
        app.extensions[HEADS_KEY] = set(ScriptDirectory.from_config(config).get_heads())
    return app.extensions[HEADS_KEY]


def migrations_check(app: Flask) -> Check:
    heads = migration_heads(app)
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    db.session.rollback()
    if current == heads:
        return Check("migrations", True, f"at the newest migration ({', '.join(sorted(heads))})")
    if not current:
        detail = "the database has no tables yet: run `flask --app wsgi db upgrade`"
    elif current - heads:
        detail = (
            f"the database is at {', '.join(sorted(current))}, which this code does not know: "
            "it was upgraded by a newer version of Spiegel"
        )
    else:
        detail = (
            f"the database is at {', '.join(sorted(current))}, not at the newest migration "
            f"({', '.join(sorted(heads))}): run `flask --app wsgi db upgrade`"
        )
    return Check("migrations", False, detail)


def scheduler_check(now: datetime, max_age_seconds: int) -> Check:
    newest = last_run()
    if newest is None:
        return Check(
            "scheduler",
            False,
            "no scheduler has ever run: start `flask --app wsgi scheduler` (or run "
            "`flask --app wsgi jobs run-once` from cron every minute)",
            {"last_run_seconds_ago": None},
        )
    age = _seconds(now - newest)
    failing = failing_jobs(now - timedelta(seconds=max_age_seconds))
    facts = {"last_run_seconds_ago": age, "failing_jobs": failing}
    if age > max_age_seconds:
        return Check(
            "scheduler",
            False,
            f"no scheduler has run a job for {_minutes(age)}: no invitations, reminders or "
            "emails go out; start `flask --app wsgi scheduler`",
            facts,
        )
    detail = f"a scheduler ran a job {_minutes(age)} ago"
    if failing:
        detail += f"; the last run of {', '.join(failing)} failed (see the scheduler's log)"
    return Check("scheduler", True, detail, facts)


def oldest_due_email(now: datetime) -> datetime | None:
    """Since when the longest-waiting due email has been due: a pending email from its planned
    attempt, one whose sender died from the end of its lease. Two index lookups."""
    pending = db.session.scalar(
        select(func.min(OutboundEmail.next_attempt_at)).where(
            OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.next_attempt_at <= now
        )
    )
    abandoned = db.session.scalar(
        select(func.min(OutboundEmail.lease_until)).where(
            OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.lease_until <= now
        )
    )
    return min((each for each in (pending, abandoned) if each is not None), default=None)


def outbox_check(now: datetime, max_age_seconds: int) -> Check:
    oldest = oldest_due_email(now)
    age = 0 if oldest is None else _seconds(now - oldest)
    facts = {"oldest_due_email_seconds": age}
    if age > max_age_seconds:
        return Check(
            "outbox",
            False,
            f"an email has been due for {_minutes(age)} and is not sent: is the scheduler "
            "running, and can it reach the mail server? The Outbox page shows the last error",
            facts,
        )
    if oldest is None:
        return Check("outbox", True, "no email is waiting", facts)
    return Check("outbox", True, f"the oldest due email has waited {_minutes(age)}", facts)


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """A check that could not read its table (an old schema, a dropped connection) failed."""
    try:
        return check()
    except SQLAlchemyError as error:
        db.session.rollback()
        return Check(name, False, f"could not be read ({_reason(error)})")


def readiness(app: Flask, now: datetime) -> list[Check]:
    """Every check of /readyz; without a database, the others cannot be asked."""
    database = database_check()
    if not database.ok:
        unknown = "not checked: the database cannot be reached"
        return [database] + [
            Check(name, False, unknown) for name in ("migrations", "scheduler", "outbox")
        ]
    config = app.config
    return [
        database,
        _guarded("migrations", lambda: migrations_check(app)),
        _guarded(
            "scheduler", lambda: scheduler_check(now, config["READY_HEARTBEAT_MAX_AGE_SECONDS"])
        ),
        _guarded("outbox", lambda: outbox_check(now, config["READY_DUE_EMAIL_MAX_AGE_SECONDS"])),
    ]
