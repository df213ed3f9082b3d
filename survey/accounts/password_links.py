"""Emailed links to choose a password: after "Forgot password?", or sent by an administrator.

A link is signed (itsdangerous, a salt per kind, keys that rotate) over the user id and a
fingerprint of the user's password hash and session version. Setting a password changes both, so
a link works once; so does any other password change, logout or block. The token is readable by
anyone who sees it, so it holds an id and a digest only.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from survey.accounts.models import User
from survey.accounts.passwords import hash_password
from survey.accounts.sessions import end_all_sessions
from survey.accounts.staff import check_password_policy
from survey.audit.models import Action
from survey.audit.trail import record
from survey.extensions import db

# Several servers may sign links; their clocks may differ a little.
CLOCK_SKEW = timedelta(minutes=5)


class LinkKind(enum.StrEnum):
    RESET = "reset"  # asked for on the login page ("Forgot password?")
    SETUP = "setup"  # sent by an administrator, to a new user or on request
    EMAIL = "email"  # to a new email address, to confirm it (see accounts/email_change.py)


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"  # used already, or the password or the account changed since
    INVALID = "invalid"  # tampered, truncated, or of another kind


def _serializer(kind: LinkKind, keys: Sequence[str], now: datetime) -> URLSafeTimedSerializer:
    class SignedAt(TimestampSigner):  # the time is passed in, like everywhere else
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    # itsdangerous signs with the last key and accepts any of them, so the newest goes last.
    return URLSafeTimedSerializer(list(keys), salt=f"spiegel.password-{kind}", signer=SignedAt)


def _fingerprint(user: User, kind: LinkKind) -> str:
    state = f"{user.password_hash}:{user.session_version}"
    if kind is LinkKind.EMAIL:  # for the address waiting now: confirmed or replaced, it is used
        state += f":{user.pending_email}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def make_password_token(user: User, kind: LinkKind, keys: Sequence[str], now: datetime) -> str:
    return _serializer(kind, keys, now).dumps([user.id, _fingerprint(user, kind)])


def read_password_token(
    token: str, kind: LinkKind, keys: Sequence[str], lifetime: timedelta, now: datetime
) -> tuple[LinkState, User | None]:
    """What a link leads to at `now`, and its user when it may still be used."""
    serializer = _serializer(kind, keys, now)
    try:
        payload, signed_at = serializer.loads(token, return_timestamp=True)
    except BadData:
        return LinkState.INVALID, None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and type(payload[0]) is int
        and isinstance(payload[1], str)
    ):
        return LinkState.INVALID, None
    age = now - signed_at.astimezone(UTC)
    if age < -CLOCK_SKEW:
        return LinkState.INVALID, None  # signed in the future: not by this service
    if age > lifetime:
        return LinkState.EXPIRED, None
    user = db.session.get(User, payload[0])
    if user is None:
        return LinkState.INVALID, None
    if not user.active or not hmac.compare_digest(_fingerprint(user, kind), payload[1]):
        return LinkState.USED, None
    return LinkState.VALID, user


def set_password_through_link(
    user: User, kind: LinkKind, password: str, now: datetime, remote_addr: str | None = None
) -> None:
    """The password the person chose through their link; every session of theirs ends and the
    link stops working."""
    check_password_policy(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record(
        Action.PASSWORD_SET_THROUGH_LINK,
        now,
        actor=user,
        subject=user,
        remote_addr=remote_addr,
        link=kind.value,
    )
