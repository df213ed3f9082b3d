"""What the operator does with organisations: create one with its size, correct the size data,
and give it its first administrator, who chooses a password through an emailed link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.accounts.models import Organisation, Role, User
from survey.accounts.organisation_settings import LOCALES, time_zones
from survey.accounts.password_emails import send_password_link
from survey.accounts.password_links import LinkKind
from survey.accounts.staff import StaffError, create_organisation, create_user
from survey.audit.models import Action
from survey.audit.trail import record
from survey.circles.sizes import SizeClass, size_class_for
from survey.extensions import db

# Above the largest municipality and the largest number of companies anywhere: a typing error,
# and a number no database column has to hold.
MAX_COUNT = 100_000_000


@dataclass(frozen=True)
class Size:
    """An organisation's size data as the operator enters it."""

    size_class: SizeClass | None = None
    inhabitants: int | None = None
    companies: int | None = None

    def as_columns(self) -> dict[str, object]:
        return {
            "size_class": self.size_class.value if self.size_class else None,
            "inhabitants": self.inhabitants,
            "companies": self.companies,
        }


def checked_size(size_class: str | None, inhabitants: int | None, companies: int | None) -> Size:
    """The size data, or StaffError saying what is wrong. Without a class, the number of
    inhabitants chooses one."""
    for number in (inhabitants, companies):
        if number is not None and not 0 <= number <= MAX_COUNT:
            raise StaffError(
                _l("Give a whole number from 0 to %(high)s.", high=format_number(MAX_COUNT))
            )
    try:
        chosen = SizeClass(size_class) if size_class else size_class_for(inhabitants)
    except ValueError:
        raise StaffError(_l("%(code)s is not a size class.", code=size_class)) from None
    return Size(chosen, inhabitants, companies)


def create_municipality(
    name: str,
    slug: str,
    *,
    locale: str,
    timezone: str,
    size: Size,
    actor: User | None,
    now: datetime,
    platform: bool = False,
    **settings,
) -> Organisation:
    """A new organisation (a municipality, or with `platform` the operator's own, of which
    there is one)."""
    if locale not in LOCALES:
        raise StaffError(_l("Choose Dutch or English."))
    if timezone not in time_zones():
        raise StaffError(_l("%(zone)s is not a time zone Spiegel knows.", zone=timezone))
    if platform:
        _check_platform(size)
    organisation = create_organisation(
        name,
        slug,
        locale=locale,
        timezone=timezone,
        is_platform=platform,
        **size.as_columns(),
        **settings,
    )
    organisation.created_at = now
    record(
        Action.ORGANISATION_CREATED,
        now,
        actor=actor,
        organisation=organisation,
        subject=organisation,
        platform=platform,
        **size.as_columns(),
    )
    return organisation


def _check_platform(size: Size) -> None:
    if size != Size():
        raise StaffError(_l("The platform organisation is in no circle and has no size."))
    if existing := db.session.scalar(select(Organisation).where(Organisation.is_platform)):
        raise StaffError(
            _l("The platform organisation exists already: %(name)s.", name=existing.name)
        )


def set_size(
    organisation: Organisation, size: Size, *, actor: User | None, now: datetime
) -> dict[str, list]:
    """Correct the size data; returns what changed (old, new)."""
    if organisation.is_platform:
        raise StaffError(_l("The platform organisation is in no circle and has no size."))
    changes = {
        column: [getattr(organisation, column), value]
        for column, value in size.as_columns().items()
        if getattr(organisation, column) != value
    }
    for column, (_old, value) in changes.items():
        setattr(organisation, column, value)
    if changes:
        record(
            Action.ORGANISATION_SIZE_CHANGED,
            now,
            actor=actor,
            organisation=organisation,
            subject=organisation,
            changes=changes,
        )
    return changes


def administrators(organisation: Organisation) -> int:
    """How many active administrators the organisation has (the operator sees no names)."""
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.organisation_id == organisation.id,
            User.role == Role.ADMIN,
            User.active,
            User.removed_at.is_(None),
        )
    )


def invite_first_administrator(
    organisation: Organisation,
    *,
    name: str,
    email: str,
    actor: User | None,
    now: datetime,
    locale: str | None = None,
) -> User:
    """The organisation's first administrator, without a password: an email with a link to
    choose one goes out. Later administrators are that administrator's to add."""
    if organisation.is_platform:
        raise StaffError(_l("The platform organisation has operators, not administrators."))
    if administrators(organisation):
        raise StaffError(
            _l(
                "%(name)s has an administrator already, who adds the others.",
                name=organisation.name,
            )
        )
    user = create_user(
        organisation,
        email=email,
        name=name,
        role=Role.ADMIN,
        password=None,
        now=now,
        locale=locale,
        actor=actor,
    )
    send_password_link(user, LinkKind.SETUP, now, actor=actor)
    return user
