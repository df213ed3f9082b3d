"""Addresses an organisation must not email: opted out by their owner, or bounced."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from survey.audit.models import Action
from survey.audit.trail import record
from survey.extensions import db
from survey.outbox.models import Suppression, SuppressionKind

REASON_LENGTH = 500


def normalise_address(email: str) -> str:
    """Addresses are compared in lower case: mail systems treat them so in practice."""
    return email.strip().lower()


# Where an address stood once it is erased: unique per row, and undeliverable (RFC 2606
# reserves .invalid), so nothing can be sent to it and it matches no real address.
ERASED_DOMAIN = "erased.invalid"


def erased_address(kind: str, record_id: int) -> str:
    return f"{kind}-{record_id}@{ERASED_DOMAIN}"


def is_erased_address(email: str | None) -> bool:
    return bool(email) and email.endswith("@" + ERASED_DOMAIN)


def _hash_keys() -> list[bytes]:
    """One key per secret key, the current one first: an address hashed before SECRET_KEY was
    rotated is still recognised while the old key is in SECRET_KEY_FALLBACKS. The key is derived
    from the secret key, so the hash is of no use for anything else signed with it."""
    secrets = [current_app.secret_key, *current_app.config.get("SECRET_KEY_FALLBACKS", [])]
    return [
        hmac.new(str(secret).encode(), b"spiegel.suppression-address", hashlib.sha256).digest()
        for secret in secrets
        if secret
    ]


def address_hashes(email: str) -> list[str]:
    """The keyed hashes (HMAC-SHA256) of the address under every key; the current one first."""
    address = normalise_address(email).encode()
    return [hmac.new(key, address, hashlib.sha256).hexdigest() for key in _hash_keys()]


def suppression_of(organisation_id: int, email: str) -> Suppression | None:
    """The organisation's suppression of this address: by the address itself, or by its keyed
    hash once the address was erased."""
    return db.session.scalar(
        select(Suppression)
        .where(
            Suppression.organisation_id == organisation_id,
            or_(
                Suppression.email == normalise_address(email),
                Suppression.email_hash.in_(address_hashes(email)),
            ),
        )
        .order_by(Suppression.id)
        .limit(1)
    )


def forget_suppressed_address(suppression: Suppression) -> None:
    """Keep the suppression, but only as the keyed hash of its address: whoever erased the
    address is still not emailed, and nobody can read it back."""
    if is_erased_address(suppression.email):
        return
    if suppression.email_hash is None:
        suppression.email_hash = address_hashes(suppression.email)[0]
    suppression.email = erased_address("suppression", suppression.id)
    suppression.detail = None  # a bounce's SMTP answer may repeat the address


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
        email_hash=address_hashes(email)[0],
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
