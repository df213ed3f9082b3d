"""Addresses an organisation must not email: opted out by their owner, or bounced."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from survey.audit.models import Action
from survey.audit.trail import record
from survey.extensions import db
from survey.outbox.models import Suppression, SuppressionKind

REASON_LENGTH = 500


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


class NotLiftable(ValueError):
    """An opt-out that cannot be lifted as asked; the message says why."""


def lift_opt_out(suppression: Suppression, reason: str, *, actor, now: datetime) -> None:
    """The recipient asked to be emailed again: forget their opt-out, and say on the activity
    log who lifted it and why. A bounce is not the recipient's choice and is not lifted here
    (an administrator sends a failed email again from the Outbox instead)."""
    if suppression.kind is not SuppressionKind.OPTED_OUT:
        raise NotLiftable(_l("Only an opt-out can be lifted here."))
    reason = " ".join(reason.split())
    if not reason:
        raise NotLiftable(_l("Say why the opt-out is lifted, e.g. who asked for it and when."))
    record(
        Action.OPT_OUT_LIFTED,
        now,
        actor=actor,
        subject=suppression,
        email=suppression.email,
        reason=reason[:REASON_LENGTH],
    )
    db.session.delete(suppression)


def matching_suppressions(scope: Select, address: str | None) -> Select:
    """The suppressions of `scope` whose address contains `address`, newest first."""
    if address:
        scope = scope.where(
            func.lower(Suppression.email).contains(address.strip().lower(), autoescape=True)
        )
    return scope.order_by(Suppression.created_at.desc(), Suppression.id.desc())
