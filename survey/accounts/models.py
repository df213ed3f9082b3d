"""Organisations and the staff users who work for them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, case, func, literal
from sqlalchemy import false as sa_false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime, enum_column


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ACCOUNT_MANAGER = "account_manager"
    # The party that runs the service and its circles for many municipalities: sees circle
    # aggregates only, never a municipality's responses. Belongs to the platform organisation.
    OPERATOR = "operator"

    @property
    def label(self) -> str:
        return str(
            {
                Role.ADMIN: _l("administrator"),
                Role.COORDINATOR: _l("coordinator"),
                Role.ACCOUNT_MANAGER: _l("account manager"),
                Role.OPERATOR: _l("platform operator"),
            }[self]
        )

    @classmethod
    def municipal(cls) -> tuple[Role, ...]:
        """The roles a municipality's administrator can give."""
        return (cls.ADMIN, cls.COORDINATOR, cls.ACCOUNT_MANAGER)

    @property
    def sees_whole_organisation(self) -> bool:
        return self is not Role.ACCOUNT_MANAGER


class Organisation(db.Model):
    """A municipality (or any body) that collects feedback; owns its data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    # Where an entrepreneur with an expired link can turn to.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    min_group_size: Mapped[int] = mapped_column(default=5)
    # An administrator may allow a lower minimum for event results (a workshop of ten is
    # normal), never below EVENT_MIN_GROUP_FLOOR; None: the organisation's minimum applies.
    event_min_group_size: Mapped[int | None]
    # Invitation rules (see survey/invitations/rules.py): an invitation goes out
    # `send_delay_days` working days after the contact at `send_hour` local time, not to anyone
    # invited in the last `fatigue_days`, with one reminder after `reminder_after_days` unless
    # that is 0, and its link works for `link_expiry_days`.
    send_delay_days: Mapped[int] = mapped_column(default=1, server_default="1")
    send_hour: Mapped[int] = mapped_column(default=9, server_default="9")
    fatigue_days: Mapped[int] = mapped_column(default=90, server_default="90")
    reminder_after_days: Mapped[int] = mapped_column(default=5, server_default="5")
    link_expiry_days: Mapped[int] = mapped_column(default=21)
    # Privacy (see survey/responding/privacy.py): whether account managers see the individual
    # answers of their own contacts (off: only totals and remarks without names), and the
    # organisation's own privacy statement (otherwise the built-in one is linked).
    account_managers_see_answers: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false()
    )
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    # Retention (see survey/privacy/retention.py): names and addresses of contacts, participants
    # and invitations are erased this many months after the contact or event; the bodies of
    # sent emails after `retention_email_days`; activity-log entries after the years given.
    retention_personal_months: Mapped[int] = mapped_column(default=24, server_default="24")
    retention_email_days: Mapped[int] = mapped_column(default=90, server_default="90")
    retention_audit_years: Mapped[int] = mapped_column(default=5, server_default="5")
    # The platform operator's own organisation: it has no responses and is in no circle.
    is_platform: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Entered by the operator, so that a circle can compare like with like (circles/sizes.py).
    size_class: Mapped[str | None] = mapped_column(String(20))
    inhabitants: Mapped[int | None]
    companies: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


# What others see where a removed user's name stood (see accounts/staff.py: remove_user).
FORMER_STAFF_MEMBER = _l("former staff member")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Read through `name`, which hides it once the user is removed.
    stored_name: Mapped[str] = mapped_column("name", String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised to end every session of the user at once (see accounts/sessions.py).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A new address the user has not confirmed yet through the link emailed to it.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Set when an administrator removes someone who left: their login and personal data go,
    # the responses and contacts they brought in stay.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @hybrid_property
    def name(self) -> str:
        """The name others see: "former staff member" wherever a removed user's name stood,
        in Python and in SQL alike, so no page can forget it."""
        return self.shown_name(self.stored_name, self.removed_at)

    @staticmethod
    def shown_name(stored_name: str, removed_at: datetime | None) -> str:
        """`name`'s rule for a name read as a plain column (the survey link's one-row read)."""
        return str(FORMER_STAFF_MEMBER) if removed_at is not None else stored_name

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.stored_name = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return case(
            (cls.removed_at.is_not(None), literal(str(FORMER_STAFF_MEMBER))),
            else_=cls.stored_name,
        )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(func.lower(User.email) == email.strip().lower()))
