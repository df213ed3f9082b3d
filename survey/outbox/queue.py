"""The outbox queue: enqueue, claim, send, record; every email goes out through here.

Claiming is what keeps any number of senders from sending an email twice:
- on PostgreSQL a sender takes one due row with `FOR UPDATE SKIP LOCKED` and sets a lease;
- on SQLite (which ignores SKIP LOCKED) it takes the database's write lock first with
  `BEGIN IMMEDIATE`, so only one sender claims at a time.
A claimed row is `sending` until its lease ends. A sender that dies while sending leaves the row
`sending`; once the lease has lapsed, the next run claims it again and sends it once more, with
the same Message-ID (derived from the row), so the duplicate is recognisable downstream.
An email that fails for a reason of its own (it cannot be built, or the transport cannot take
it) fails at once and the run goes on: one bad row never holds up the others.

What an email is *for* (an invitation, a reminder) is not known here: the caller passes hooks
that say whether the email is still wanted and what its delivery or failure means.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update

from survey.claims import lock_for_claiming
from survey.extensions import db
from survey.outbox.message import build_message, message_id_for
from survey.outbox.models import EmailStatus, OutboundEmail, SuppressionKind
from survey.outbox.smtp import (
    DeliveryFailure,
    PermanentFailure,
    TemporaryFailure,
    UnsendableMessage,
)
from survey.outbox.suppressions import lift_bounce, suppress_address, suppression_of

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # far longer than one SMTP transaction, with its 30 s timeouts
# Waits before attempt 2, 3, ...: a server that is down for a day loses nothing.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 120, 240, 480, 720)]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ERROR_LENGTH = 1000


class NotRetryable(ValueError):
    """Only a failed email can be sent again by hand."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str: ...

    def close(self) -> None: ...


class DeliveryHooks(Protocol):
    """What the owner of an email's purpose says about it (see invitations/sending.py)."""

    def unwanted_because(self, email: OutboundEmail, now: datetime) -> str | None:
        """Why the email should no longer go out (answered, expired), or None to send it."""

    def delivered(self, email: OutboundEmail, now: datetime) -> None: ...

    def failed(self, email: OutboundEmail, now: datetime) -> None: ...

    def retried(self, email: OutboundEmail, now: datetime) -> None: ...

    def cancelled(self, email: OutboundEmail, now: datetime) -> None: ...


def delivery_hooks() -> DeliveryHooks:
    """The hooks the application registered (see survey/__init__.py)."""
    return current_app.extensions["spiegel.delivery_hooks"]


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def enqueue(email: OutboundEmail, sender: str, now: datetime) -> OutboundEmail:
    """Add an email to the outbox, due now; it gets its Message-ID once it has an id."""
    email.status = EmailStatus.PENDING
    email.created_at = now
    email.next_attempt_at = now
    db.session.add(email)
    db.session.flush()
    email.message_id = message_id_for(email.id, sender)
    return email


def _lapsed(now: datetime):
    return and_(OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.lease_until <= now)


def _due(now: datetime):
    return or_(
        and_(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.next_attempt_at <= now),
        # A lapsed lease is tried again only while attempts are left (see fail_abandoned).
        and_(_lapsed(now), OutboundEmail.attempts < MAX_ATTEMPTS),
    )


def claim_next(now: datetime) -> tuple[int, datetime] | None:
    """Take the next due email for this sender: its id and the lease that proves the claim."""
    lease_until = now + LEASE
    next_due = (
        select(OutboundEmail.id)
        .where(_due(now))
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(OutboundEmail)
        .where(OutboundEmail.id == next_due)
        .values(
            status=EmailStatus.SENDING,
            lease_until=lease_until,
            attempts=OutboundEmail.attempts + 1,
        )
        .returning(OutboundEmail.id)
    )
    with db.engine.connect() as connection:
        lock_for_claiming(connection)
        email_id = connection.execute(statement).scalar()
        connection.commit()
    return None if email_id is None else (email_id, lease_until)


def _held(email_id: int, lease_until: datetime) -> OutboundEmail | None:
    """The claimed row, if this sender still holds it (its lease was not taken over)."""
    email = db.session.get(OutboundEmail, email_id, with_for_update=True, populate_existing=True)
    if email is None or email.status is not EmailStatus.SENDING or email.lease_until != lease_until:
        return None
    return email


def _retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _record_failure(
    email: OutboundEmail, failure: DeliveryFailure, hooks: DeliveryHooks, now: datetime
) -> EmailStatus:
    email.last_error = str(failure)[:ERROR_LENGTH]
    email.lease_until = None
    if isinstance(failure, TemporaryFailure) and email.attempts < MAX_ATTEMPTS:
        email.status = EmailStatus.PENDING
        email.next_attempt_at = now + _retry_delay(email.attempts)
        return EmailStatus.PENDING
    email.status = EmailStatus.FAILED
    if isinstance(failure, PermanentFailure) and failure.recipient_refused:
        suppress_address(
            email.organisation_id, email.recipient, SuppressionKind.BOUNCED, now, str(failure)
        )
    hooks.failed(email, now)
    return EmailStatus.FAILED


def fail_abandoned(now: datetime, hooks: DeliveryHooks) -> int:
    """Fail the emails whose last allowed attempt never finished (its sender stopped halfway);
    the number. Claiming them once more would count an attempt beyond the limit."""
    lock_for_claiming(db.session.connection())
    abandoned = list(
        db.session.scalars(
            select(OutboundEmail)
            .where(_lapsed(now), OutboundEmail.attempts >= MAX_ATTEMPTS)
            .with_for_update(skip_locked=True)
        )
    )
    for email in abandoned:
        reason = _l(
            "Given up after %(number)s attempts: the last one did not finish, so the email may "
            "or may not have arrived.",
            number=email.attempts,
        )
        _record_failure(email, PermanentFailure(str(reason)), hooks, now)
    db.session.commit()
    return len(abandoned)


def _built(email: OutboundEmail, sender: str, now: datetime) -> EmailMessage:
    """The message, written out once as the transport will: whatever fails, fails here."""
    try:
        message = build_message(email, sender, now)
        message.as_bytes()
    except Exception as error:  # anything at all about this row; the others are unaffected
        reason = _l(
            "This email cannot be built (an address, a name or a header is not valid): %(error)s",
            error=f"{type(error).__name__}: {error}",
        )
        raise UnsendableMessage(str(reason)) from error
    return message


def _handed_over(transport: Transport, message: EmailMessage) -> str:
    """The transport's answer; a transport that cannot take this one message says so."""
    try:
        return transport.send(message)
    except DeliveryFailure:
        raise
    except (ValueError, TypeError) as error:
        raise UnsendableMessage(f"{type(error).__name__}: {error}") from error


def _cancel(email: OutboundEmail, reason: str) -> None:
    email.status = EmailStatus.CANCELLED
    email.lease_until = None
    email.last_error = reason[:ERROR_LENGTH]


def _unwanted_because(email: OutboundEmail, hooks: DeliveryHooks, now: datetime) -> str | None:
    blocked = suppression_of(email.organisation_id, email.recipient)
    if blocked is not None:
        return (
            str(_l("The recipient opted out."))
            if blocked.kind is SuppressionKind.OPTED_OUT
            else str(_l("The address bounced earlier."))
        )
    return hooks.unwanted_because(email, now)


def send_one(
    email_id: int,
    lease_until: datetime,
    transport: Transport,
    hooks: DeliveryHooks,
    sender: str,
    clock: Callable[[], datetime],
) -> EmailStatus | None:
    """Send one claimed email and record the outcome; None if the claim was lost meanwhile."""
    email = _held(email_id, lease_until)
    if email is None:
        db.session.rollback()
        return None
    now = clock()
    if reason := _unwanted_because(email, hooks, now):
        _cancel(email, reason)
        hooks.cancelled(email, now)
        db.session.commit()
        return EmailStatus.CANCELLED
    # Release the row lock while talking to the server; the lease keeps others away.
    db.session.commit()
    try:
        answer = _handed_over(transport, _built(email, sender, now))
    except DeliveryFailure as failure:
        email = _held(email_id, lease_until)
        if email is None:
            db.session.rollback()
            raise
        _record_failure(email, failure, hooks, clock())
        db.session.commit()
        raise
    return _record_delivery(email_id, lease_until, answer, hooks, clock())


def _record_delivery(
    email_id: int, lease_until: datetime, answer: str, hooks: DeliveryHooks, now: datetime
) -> EmailStatus | None:
    email = _held(email_id, lease_until)
    if email is None:  # the lease lapsed while sending: another sender owns the row now
        db.session.rollback()
        log.warning("outbox %s: lease lost while sending; it may be sent again", email_id)
        return None
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.lease_until = None
    email.last_error = None
    email.provider_response = answer[:500]
    hooks.delivered(email, now)
    db.session.commit()
    return EmailStatus.SENT


def send_due(
    clock: Callable[[], datetime],
    transport: Transport,
    hooks: DeliveryHooks,
    sender: str,
    limit: int | None = None,
) -> SendReport:
    """Send due emails one claim at a time until none is due, the limit, or a dead connection."""
    report = SendReport()
    try:
        report.failed += fail_abandoned(clock(), hooks)
        while limit is None or report.sent + report.failed + report.retrying < limit:
            claim = claim_next(clock())
            if claim is None:
                break
            try:
                outcome = send_one(*claim, transport, hooks, sender, clock)
            except TemporaryFailure as failure:
                report.retrying += 1
                report.errors.append(str(failure))
                if failure.connection_lost:
                    break  # the next emails would fail alike; they wait for the next run
                continue
            except DeliveryFailure as failure:
                report.failed += 1
                report.errors.append(f"email {claim[0]}: {failure}")
                continue
            if outcome is EmailStatus.SENT:
                report.sent += 1
            elif outcome is EmailStatus.CANCELLED:
                report.cancelled += 1
    finally:
        transport.close()
    return report


def retry_by_hand(email: OutboundEmail, now: datetime, hooks: DeliveryHooks | None = None) -> None:
    """A person asks to send a failed email again: due now, with fresh attempts.

    Asking means the address is worth another try, so a bounce recorded for it is lifted.
    """
    if email.status is not EmailStatus.FAILED:
        raise NotRetryable(_l("Only a failed email can be sent again."))
    lift_bounce(email.organisation_id, email.recipient)
    (hooks or delivery_hooks()).retried(email, now)
    email.status = EmailStatus.PENDING
    email.attempts = 0
    email.next_attempt_at = now
    email.lease_until = None
