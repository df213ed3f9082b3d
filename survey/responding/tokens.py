"""Signed personal links: opaque ids only, a salt per purpose, keys that rotate.

A token carries an invitation id and that invitation's random nonce, never an address: anyone
who sees a link can read what it holds. Validity is decided against the database, not the token.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer

from survey.extensions import db
from survey.invitations.models import Invitation


class Purpose(enum.StrEnum):
    SURVEY = "survey"
    UNSUBSCRIBE = "unsubscribe"


def _serializer(purpose: Purpose, secret_key: str, fallbacks: Sequence[str]) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any of them, so the newest goes last.
    return URLSafeSerializer([*fallbacks, secret_key], salt=f"spiegel.{purpose}")


def make_token(invitation: Invitation, purpose: Purpose, secret_key: str) -> str:
    return _serializer(purpose, secret_key, ()).dumps([invitation.id, invitation.nonce])


def read_token(
    token: str, purpose: Purpose, secret_key: str, fallbacks: Sequence[str] = ()
) -> Invitation | None:
    """The invitation a genuine, current token names, or None for anything else."""
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
    invitation_id, nonce = payload
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not hmac.compare_digest(invitation.nonce, nonce):
        return None
    return invitation
