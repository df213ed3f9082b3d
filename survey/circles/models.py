"""A comparison circle, its members and their consent to share; improvement actions and the
good practices members share with their circles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Organisation, User
from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime

NAME_MAX = 200
TITLE_MAX = 200
TEXT_MAX = 4000


class Circle(db.Model):
    """Municipalities (8 to 12, typically) that agreed to compare their aggregates, named."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    members: Mapped[list[CircleMember]] = relationship(
        back_populates="circle", order_by="CircleMember.id"
    )


class CircleMember(db.Model):
    """An organisation's place in a circle. Removing a member keeps the row (when it left), so
    what was shared when stays explainable."""

    __table_args__ = (
        UniqueConstraint("circle_id", "organisation_id", name="uq_circle_member_once"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    circle: Mapped[Circle] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()
    consents: Mapped[list[SharingConsent]] = relationship(
        back_populates="member", order_by="SharingConsent.given_at"
    )


class SharingConsent(db.Model):
    """A municipality's administrator accepted the circle's data-sharing terms: who, when, which
    version of the terms; and, once revoked, who revoked it and when. Its figures are shared
    with the circle only while a consent stands; a new consent after a revocation is a new row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("circle_member.id"), index=True)
    terms_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    member: Mapped[CircleMember] = relationship(back_populates="consents")
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])


class ImprovementAction(db.Model):
    """Something a municipality does to improve (a verbeteractie), and the questions it should
    move; its page measures before against after, and against the circle."""

    __table_args__ = (
        Index("ix_improvement_action_organisation_start", "organisation_id", "starts_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)  # the first day of the start month
    # The question codes it should move (codes are shared across questionnaires and versions).
    question_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Empty: the whole organisation; otherwise the account managers it concerns.
    account_manager_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    contact_person: Mapped[User | None] = relationship(foreign_keys=[contact_person_id])
    good_practice: Mapped[GoodPractice | None] = relationship(back_populates="action")


class GoodPractice(db.Model):
    """An improvement action a member shares with its circles: what was done, its effect as
    measured when shared, and whom to ask. Withdrawn practices are no longer shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    what_was_done: Mapped[str] = mapped_column(Text, default="")
    # The measured effect in words, fixed when shared (the action's page keeps measuring).
    effect: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[ImprovementAction] = relationship(back_populates="good_practice")
    organisation: Mapped[Organisation] = relationship()
