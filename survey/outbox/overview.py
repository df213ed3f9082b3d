"""What admins see of the outbox: the emails newest first, filtered, and how many per status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func

from survey.listing import Count, Order, Page, SortColumn, count_per_value, keyset_page
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail, Suppression
from survey.request_input import Cursor


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


# Newest first, on the index of the organisation's emails by time.
NEWEST_FIRST = Order(
    SortColumn(OutboundEmail.created_at, datetime, descending=True),
    SortColumn(OutboundEmail.id, int, descending=True),
)
# The addresses not emailed, the latest first.
NEWEST_SUPPRESSIONS_FIRST = Order(
    SortColumn(Suppression.created_at, datetime, descending=True),
    SortColumn(Suppression.id, int, descending=True),
)


def newest_emails(
    scope: Select,
    status: EmailStatus | None = None,
    cursor: Cursor | None = None,
    per_page: int = 50,
) -> Page[OutboundEmail]:
    """A page of emails, newest first, from a statement already scoped to the viewer's
    organisation."""
    if status is not None:
        scope = scope.where(OutboundEmail.status == status)
    return keyset_page(scope, NEWEST_FIRST, cursor, per_page)


def count_by_status(scope: Select) -> dict[EmailStatus, Count]:
    return count_per_value(scope, OutboundEmail.status, EmailStatus)
