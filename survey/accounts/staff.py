"""Creating organisations and staff users, changing them, and checking a login."""

from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.accounts.models import Organisation, Role, User, find_user_by_email
from survey.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    unusable_password_hash,
    verify_password,
)
from survey.accounts.sessions import end_all_sessions
from survey.audit.models import Action, AuditEvent
from survey.audit.trail import record
from survey.extensions import db
from survey.request_input import CONTROL_CHARACTERS

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class StaffError(ValueError):
    """A user or organisation could not be created or changed; the message says why."""


def create_organisation(name: str, slug: str, *, locale: str = "nl", **settings) -> Organisation:
    name, slug = name.strip(), slug.strip().lower()
    if not name:
        raise StaffError(_l("An organisation needs a name."))
    if not SLUG_PATTERN.match(slug):
        raise StaffError(
            _l("Slug %(slug)s: use lower-case letters, digits and hyphens.", slug=slug)
        )
    if db.session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise StaffError(_l("An organisation with slug %(slug)s exists already.", slug=slug))
    organisation = Organisation(name=name, slug=slug, locale=locale, **settings)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _check_name(name: str) -> None:
    if not name.strip():
        raise StaffError(_l("A user needs a name."))
    # Emails are signed with the name: a line break in it would break their headers.
    if CONTROL_CHARACTERS.search(name):
        raise StaffError(_l("Use a single line without line breaks."))


def _check_role_fits(organisation: Organisation, role: Role) -> None:
    """Operators run the platform, in its own organisation; a municipality has only its own
    roles, so nobody there can see the other municipalities' circles as an operator does."""
    if role is Role.OPERATOR and not organisation.is_platform:
        raise StaffError(_l("A platform operator belongs to the platform organisation."))
    if role is not Role.OPERATOR and organisation.is_platform:
        raise StaffError(_l("The platform organisation has platform operators only."))


def check_password_policy(password: str, *, email: str, name: str) -> None:
    """Refuse a password the policy refuses (see passwords.password_problem), saying why."""
    if problem := password_problem(password, email=email, name=name):
        raise StaffError(problem)


def create_user(
    organisation: Organisation,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str | None,
    now: datetime,
    locale: str | None = None,
    actor: User | None = None,
) -> User:
    """A new user; without a password they choose one through an emailed link."""
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise StaffError(_l("%(email)s is not a valid email address.", email=email)) from None
    if find_user_by_email(email):
        raise StaffError(_l("A user with email address %(email)s exists already.", email=email))
    try:
        role = Role(role)
    except ValueError:
        raise StaffError(_l("%(role)s is not a role.", role=role)) from None
    _check_role_fits(organisation, role)
    _check_name(name)
    if password is not None:
        check_password_policy(password, email=email, name=name)
    user = User(
        organisation=organisation,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=unusable_password_hash() if password is None else hash_password(password),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    record(
        Action.USER_CREATED,
        now,
        actor=actor,
        organisation=organisation,
        subject=user,
        role=role.value,
    )
    return user


def _active_admins(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            User.organisation_id == organisation_id, User.role == Role.ADMIN, User.active
        )
    )


def update_user(
    user: User, *, name: str, role: Role, active: bool, actor: User, now: datetime
) -> dict[str, list]:
    """Change a user's name, role or active flag; returns what changed (old, new).

    An organisation always keeps one active administrator, so nobody locks everyone out.
    """
    losing_admin = (
        user.role is Role.ADMIN and user.active and (role is not Role.ADMIN or not active)
    )
    if losing_admin and _active_admins(user.organisation_id) <= 1:
        raise StaffError(
            _l(
                "%(name)s is the only active administrator; make someone else administrator first.",
                name=user.name,
            )
        )
    _check_name(name)
    wanted = {"name": name.strip(), "role": role, "active": active}
    changes = {
        field: [str(getattr(user, field)), str(value)]
        for field, value in wanted.items()
        if getattr(user, field) != value
    }
    for field, value in wanted.items():
        setattr(user, field, value)
    if "active" in changes and not active:
        end_all_sessions(user)  # blocked: out at once, on every device
    if changes:
        record(Action.USER_UPDATED, now, actor=actor, subject=user, changes=changes)
    return changes


def remove_user(user: User, *, actor: User, now: datetime) -> None:
    """Someone who left: their login and personal data go, what they did stays.

    The name and email address are replaced (pages then show "former staff member"), the
    password can no longer be used and every session ends. The organisation keeps one active
    administrator, and nobody removes themselves.
    """
    if user.removed_at is not None:
        raise StaffError(_l("This user has been removed already."))
    if user.id == actor.id:
        raise StaffError(_l("You cannot remove yourself; ask another administrator."))
    if user.role is Role.ADMIN and user.active and _active_admins(user.organisation_id) <= 1:
        raise StaffError(
            _l(
                "%(name)s is the only active administrator; make someone else administrator first.",
                name=user.name,
            )
        )
    record(Action.USER_REMOVED, now, actor=actor, subject=user, role=user.role.value)
    user.removed_at = now
    user.active = False
    user.stored_name = ""
    # Unique and undeliverable (RFC 2606 reserves .invalid): the old address is free again.
    user.email = f"removed-{user.id}@staff.invalid"
    user.pending_email = None
    user.password_hash = unusable_password_hash()
    end_all_sessions(user)
    _forget_in_trail(user)


# What the activity log may have kept of a person: old and new names and addresses.
PERSONAL_FIELDS = ("name", "email")


def _forget_in_trail(user: User) -> None:
    """Blank the removed user's names and addresses in the entries about them; the entries
    themselves (who did what, when) stay."""
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "User", AuditEvent.subject_id == user.id
        )
    )
    for event in events:
        detail = dict(event.detail or {})
        changes = dict(detail.get("changes") or {})
        for field in PERSONAL_FIELDS:
            if field in changes:
                changes[field] = ["–", "–"]
        if changes:
            detail["changes"] = changes
        detail.pop("new", None)  # the address of an email change that was asked for
        event.detail = detail  # a new dict: JSON columns do not see changes inside one


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """One's own new password; ends every session of the user (the view starts a fresh one for
    the browser that made the change)."""
    if not verify_password(user.password_hash, current):
        raise StaffError(_l("Your current password is not correct."))
    check_password_policy(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    record(Action.PASSWORD_CHANGED, now, actor=user, subject=user)


def authenticate(
    email: str, password: str, now: datetime, remote_addr: str | None = None
) -> User | None:
    """The active user with these credentials, or None; every attempt on a known account is
    recorded. Upgrades an outdated hash on the way."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or (
        user is not None and not user.active
    ):
        if user is not None:
            record(
                Action.LOGIN_FAILED,
                now,
                organisation=user.organisation,
                subject=user,
                remote_addr=remote_addr,
            )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    record(Action.LOGIN_SUCCEEDED, now, actor=user, subject=user, remote_addr=remote_addr)
    return user
