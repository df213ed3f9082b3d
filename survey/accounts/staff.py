"""Creating organisations and staff users, and checking a login."""

from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from survey.accounts.models import Organisation, Role, User, find_user_by_email
from survey.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from survey.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class StaffError(ValueError):
    """A user or organisation could not be created; the message says why."""


def create_organisation(name: str, slug: str, *, locale: str = "nl", **settings) -> Organisation:
    name, slug = name.strip(), slug.strip().lower()
    if not name:
        raise StaffError("An organisation needs a name.")
    if not SLUG_PATTERN.match(slug):
        raise StaffError(f"Slug {slug!r}: use lower-case letters, digits and hyphens.")
    if db.session.scalar(db.select(Organisation).where(Organisation.slug == slug)):
        raise StaffError(f"An organisation with slug {slug!r} exists already.")
    organisation = Organisation(name=name, slug=slug, locale=locale, **settings)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_user(
    organisation: Organisation,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    locale: str | None = None,
) -> User:
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise StaffError(f"Email address {email!r} is not valid: {error}") from None
    if find_user_by_email(email):
        raise StaffError(f"A user with email {email} exists already.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    try:
        role = Role(role)
    except ValueError:
        raise StaffError(f"Role {role!r} is not one of {', '.join(Role)}.") from None
    user = User(
        organisation=organisation,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str, now: datetime) -> User | None:
    """The active user with these credentials, or None; upgrades an outdated hash on the way."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user
