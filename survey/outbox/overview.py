"""What admins see of the outbox: the emails newest first, filtered, and how many per status."""

from __future__ import annotations

from sqlalchemy import Select, func

from survey.extensions import db
from survey.listing import count_per_value
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail


def matching(
    scope: Select, purpose: EmailPurpose | None = None, recipient: str | None = None
) -> Select:
    """The emails of `scope` for this purpose whose address contains `recipient` (any case)."""
    if purpose is not None:
        scope = scope.where(OutboundEmail.purpose == purpose)
    if recipient:
        scope = scope.where(
            func.lower(OutboundEmail.recipient).contains(recipient.strip().lower(), autoescape=True)
        )
    return scope


def newest_emails(
    scope: Select, status: EmailStatus | None = None, limit: int = 50, offset: int = 0
) -> list[OutboundEmail]:
    """Newest first, from a statement already scoped to the viewer's organisation."""
    statement = scope.order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    if status is not None:
        statement = statement.where(OutboundEmail.status == status)
    return list(db.session.scalars(statement.limit(limit).offset(offset)))


def count_by_status(scope: Select) -> dict[EmailStatus, int]:
    return count_per_value(scope, OutboundEmail.status, EmailStatus)
