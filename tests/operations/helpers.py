"""What the operations tests share: a heartbeat at a given time, an email waiting in the outbox."""

from __future__ import annotations

from datetime import datetime

from survey.extensions import db
from survey.operations.heartbeat import SchedulerProcess, record_run
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail


def heartbeat(at: datetime, job: str = "send-outbox", *, pid: int = 4242, ok: bool = True):
    """A scheduler process on "web1" ran `job` at `at` (commits, as the scheduler does)."""
    record_run(SchedulerProcess("web1", pid, at), job, ok, at)


def waiting_email(org, due_at: datetime, status=EmailStatus.PENDING, **fields) -> OutboundEmail:
    """An email to an entrepreneur, due since `due_at` and not sent."""
    fields.setdefault("created_at", due_at)
    email = OutboundEmail(
        organisation_id=org.id,
        purpose=EmailPurpose.INVITATION,
        recipient=fields.pop("recipient", "eva@bakkerij.example"),
        subject="Hoe was uw contact?",
        text_body="Beste ondernemer",
        html_body="<p>Beste ondernemer</p>",
        status=status,
        next_attempt_at=due_at,
        **fields,
    )
    db.session.add(email)
    db.session.flush()
    return email
