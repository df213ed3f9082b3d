"""Addresses an organisation must not email: opted out by their owner, or bounced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.outbox.models import Suppression, SuppressionKind


def normalise_address(email: str) -> str:
    """Addresses are compared in lower case: mail systems treat them so in practice."""
    return email.strip().lower()


def suppression_of(organisation_id: int, email: str) -> Suppression | None:
    return db.session.scalar(
        select(Suppression).where(
            Suppression.organisation_id == organisation_id,
            Suppression.email == normalise_address(email),
        )
    )


def suppress_address(
    organisation_id: int,
    email: str,
    kind: SuppressionKind,
    now: datetime,
    detail: str | None = None,
) -> Suppression:
    """Record (or update) a suppression; an opt-out is never downgraded to a bounce."""
    existing = suppression_of(organisation_id, email)
    if existing is not None:
        if kind is SuppressionKind.OPTED_OUT or existing.kind is SuppressionKind.BOUNCED:
            existing.kind, existing.detail = kind, detail
        return existing
    suppression = Suppression(
        organisation_id=organisation_id,
        email=normalise_address(email),
        kind=kind,
        detail=detail,
        created_at=now,
    )
    # A savepoint, so two workers recording the same address at once leave one row.
    try:
        with db.session.begin_nested():
            db.session.add(suppression)
    except IntegrityError:  # the other worker's row won; use it
        existing = suppression_of(organisation_id, email)
        if existing is None:
            raise
        return existing
    return suppression


def lift_bounce(organisation_id: int, email: str) -> None:
    """Forget a bounce (an admin retries by hand); an opt-out is the recipient's to lift."""
    existing = suppression_of(organisation_id, email)
    if existing is not None and existing.kind is SuppressionKind.BOUNCED:
        db.session.delete(existing)
