"""Recording audit events, and reading an organisation's trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from survey.accounts.models import Organisation, User
from survey.audit.models import Action, AuditEvent
from survey.extensions import db


def record(
    action: Action,
    now: datetime,
    *,
    actor: User | None = None,
    organisation: Organisation | None = None,
    subject: db.Model | None = None,
    remote_addr: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an event to the session; it is committed with the work it describes."""
    if organisation is None and actor is not None:
        organisation = actor.organisation
    event = AuditEvent(
        action=action,
        at=now,
        actor=actor,
        organisation_id=organisation.id if organisation else None,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=subject.id if subject is not None else None,
        remote_addr=remote_addr,
        detail=detail,
    )
    db.session.add(event)
    return event
