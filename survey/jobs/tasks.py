"""The background jobs, each safe to run in several processes at once (the database's claims,
not the scheduler, prevent double work)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from survey.clock import utcnow
from survey.exports.jobs import build_due_exports, remove_expired_exports
from survey.invitations.emails import sender_address
from survey.invitations.sending import (
    expire_invitations,
    queue_due_invitations,
    queue_due_reminders,
)
from survey.outbox.queue import SendReport, Transport, delivery_hooks, send_due
from survey.outbox.smtp import SmtpTransport
from survey.privacy.retention import apply_retention

log = logging.getLogger(__name__)


def send_outbox(clock: Callable[[], datetime] = utcnow, transport: Transport | None = None):
    """Send every due email in the outbox over SMTP (the `MAIL_*` settings)."""
    transport = transport or SmtpTransport.from_config(current_app.config)
    return send_due(clock, transport, delivery_hooks(), sender_address())


@dataclass
class RunReport:
    expired: int
    invitations_queued: int
    reminders_queued: int
    outbox: SendReport
    exports_made: int = 0


def run_all(clock: Callable[[], datetime] = utcnow, transport: Transport | None = None):
    """Every job once, in the order that lets one run carry a contact all the way to an email."""
    expired = expire_invitations(clock())
    invitations = queue_due_invitations(clock())
    reminders = queue_due_reminders(clock())
    outbox = send_outbox(clock, transport)
    remove_expired_exports(clock())
    return RunReport(expired, invitations, reminders, outbox, build_due_exports(clock))


# The scheduler's jobs: (name, function of a clock, seconds between runs).
SCHEDULE: list[tuple[str, Callable[[Callable[[], datetime]], object], int]] = [
    ("expire-invitations", lambda clock: expire_invitations(clock()), 15 * 60),
    ("queue-due-invitations", lambda clock: queue_due_invitations(clock()), 60),
    ("queue-due-reminders", lambda clock: queue_due_reminders(clock()), 5 * 60),
    ("send-outbox", lambda clock: send_outbox(clock), 10),
    # Daily, and at each start of a scheduler: a run finds nothing left once it is done.
    ("apply-retention", lambda clock: apply_retention(clock()), 24 * 60 * 60),
    # Often: the person waits on the progress page. A run builds every waiting export in turn.
    ("build-exports", build_due_exports, 10),
    ("remove-expired-exports", lambda clock: remove_expired_exports(clock()), 15 * 60),
]
