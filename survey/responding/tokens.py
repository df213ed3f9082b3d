"""Signed personal links: opaque ids only, a salt per purpose, keys that rotate.

A token carries an invitation id and that invitation's random nonce, never an address: anyone
who sees a link can read what it holds. Validity is decided against the database, not the token.
"""

from __future__ import annotations

import enum
import functools
import hmac
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer

from survey.extensions import db
from survey.invitations.models import Invitation


class Purpose(enum.StrEnum):
    SURVEY = "survey"
    UNSUBSCRIBE = "unsubscribe"


def _serializer(purpose: Purpose, secret_key: str, fallbacks: Sequence[str]) -> URLSafeSerializer:
    return _kept_serializer(purpose, (*fallbacks, secret_key))


@functools.lru_cache(maxsize=16)
def _kept_serializer(purpose: Purpose, keys: tuple[str, ...]) -> URLSafeSerializer:
    # Made once per purpose and set of keys, not on every opened link. itsdangerous signs with
    # the last key and accepts any of them, so the newest goes last.
    return URLSafeSerializer(list(keys), salt=f"spiegel.{purpose}")


def make_token(invitation: Invitation, purpose: Purpose, secret_key: str) -> str:
    return _serializer(purpose, secret_key, ()).dumps([invitation.id, invitation.nonce])


def read_token(
    token: str, purpose: Purpose, secret_key: str, fallbacks: Sequence[str] = ()
) -> Invitation | None:
    """The invitation a genuine, current token names, or None for anything else."""
    named = token_payload(token, purpose, secret_key, fallbacks)
    if named is None:
        return None
    invitation = db.session.get(Invitation, named[0])
    if invitation is None or not nonce_matches(invitation.nonce, named[1]):
        return None
    return invitation


def token_payload(
    token: str, purpose: Purpose, secret_key: str, fallbacks: Sequence[str] = ()
) -> tuple[int, str] | None:
    """The invitation id and nonce a genuinely signed token carries, or None; whether that
    invitation exists with that nonce is for the database to say (`nonce_matches`)."""
    try:
        payload = _serializer(purpose, secret_key, fallbacks).loads(token)
    except BadSignature:
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        return None
    return payload[0], payload[1]


def nonce_matches(stored: str, given: str) -> bool:
    """The token's nonce is the invitation's (stored) one, compared in constant time."""
    return hmac.compare_digest(stored, given)
