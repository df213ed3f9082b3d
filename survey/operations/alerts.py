"""What an administrator is warned of on their pages: no scheduler has run lately (nothing goes
out), or their organisation's emails are stuck or failing.

The scheduler is the whole deployment's; the emails counted are the administrator's own
organisation's only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from survey.operations.heartbeat import last_run
from survey.outbox.models import EmailStatus, OutboundEmail

# A failed email is news for a week; after that the Outbox page still lists it.
FAILED_RECENTLY = timedelta(days=7)


@dataclass(frozen=True)
class ServiceAlerts:
    scheduler_never_ran: bool
    scheduler_silent_minutes: int | None  # None while a scheduler runs
    stuck_emails: int  # due for longer than the threshold, not sent
    stuck_minutes: int
    failed_emails: int  # failed in the last week
    retrying_emails: int  # waiting for another attempt after an error

    @property
    def any(self) -> bool:
        return bool(
            self.scheduler_never_ran
            or self.scheduler_silent_minutes is not None
            or self.stuck_emails
            or self.failed_emails
            or self.retrying_emails
        )


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundEmail).where(*conditions))


def service_alerts(
    organisation_id: int, now: datetime, heartbeat_max_age: timedelta, due_max_age: timedelta
) -> ServiceAlerts:
    newest = last_run()
    silent = None
    if newest is not None and now - newest > heartbeat_max_age:
        silent = int((now - newest).total_seconds() // 60)
    stuck_since = now - due_max_age
    ours = OutboundEmail.organisation_id == organisation_id
    return ServiceAlerts(
        scheduler_never_ran=newest is None,
        scheduler_silent_minutes=silent,
        stuck_emails=_count(
            ours,
            or_(
                and_(
                    OutboundEmail.status == EmailStatus.PENDING,
                    OutboundEmail.next_attempt_at <= stuck_since,
                ),
                and_(
                    OutboundEmail.status == EmailStatus.SENDING,
                    OutboundEmail.lease_until <= stuck_since,
                ),
            ),
        ),
        stuck_minutes=int(due_max_age.total_seconds() // 60),
        failed_emails=_count(
            ours,
            OutboundEmail.status == EmailStatus.FAILED,
            OutboundEmail.created_at >= now - FAILED_RECENTLY,
        ),
        retrying_emails=_count(
            ours, OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.attempts > 0
        ),
    )


def alerts_for_current_admin() -> ServiceAlerts | None:
    """The alerts for the administrator viewing the page (asked once per request); None for
    anyone else."""
    if not current_user.is_authenticated or current_user.role is not Role.ADMIN:
        return None
    if "service_alerts" not in g:
        config = current_app.config
        g.service_alerts = service_alerts(
            current_user.organisation_id,
            utcnow(),
            timedelta(seconds=config["READY_HEARTBEAT_MAX_AGE_SECONDS"]),
            timedelta(seconds=config["READY_DUE_EMAIL_MAX_AGE_SECONDS"]),
        )
    return g.service_alerts


def register_alerts(app: Flask) -> None:
    """Templates call `service_alerts()` where they show them (templates/operations/
    _service_alerts.html): pages without the partial run no query."""
    app.jinja_env.globals["service_alerts"] = alerts_for_current_admin
