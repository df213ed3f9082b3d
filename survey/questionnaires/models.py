"""Questionnaires, their versions and questions; a version with responses is frozen."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Exists, ForeignKey, String, UniqueConstraint, event, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column, query_expression, relationship

from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime, enum_column

LocalizedText = dict[str, str]


def localized(texts: LocalizedText | None, locale: str) -> str:
    """The text in `locale`, else in Dutch, else in whatever language there is."""
    if not texts:
        return ""
    return texts.get(locale) or texts.get("nl") or next(iter(texts.values()))


class Purpose(enum.StrEnum):
    CONTACT = "contact"
    WORKSHOP = "workshop"


class QuestionType(enum.StrEnum):
    SCALE5 = "scale5"
    SCALE10 = "scale10"
    NPS = "nps"
    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"

    @property
    def scale(self) -> range | None:
        """The whole numbers a rated question accepts, or None for other types."""
        return {
            QuestionType.SCALE5: range(1, 6),
            QuestionType.SCALE10: range(1, 11),
            QuestionType.NPS: range(0, 11),
        }.get(self)

    @property
    def is_rated(self) -> bool:
        return self.scale is not None


class Questionnaire(db.Model):
    """A survey definition; `organisation_id` is None for the shared built-in catalogue."""

    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose, 20))
    title: Mapped[LocalizedText] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )

    @property
    def latest_version(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None


class QuestionnaireVersion(db.Model):
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    number: Mapped[int]
    intro: Mapped[LocalizedText] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def overall_question(self) -> Question | None:
        return next((q for q in self.questions if q.is_overall), None)

    # Whether it had responses when a query loaded it together with `answered()` (through
    # `with_expression`), saving a query of its own; None when it was loaded without.
    answered_when_loaded: Mapped[bool | None] = query_expression()

    @classmethod
    def answered(cls) -> Exists:
        """SQL: the version has a response (and so is frozen)."""
        from survey.responding.models import Response

        return exists().where(Response.questionnaire_version_id == cls.id)

    def has_responses(self) -> bool:
        from survey.responding.models import Response

        return bool(
            db.session.scalar(select(exists().where(Response.questionnaire_version_id == self.id)))
        )

    def is_frozen(self) -> bool:
        """It has responses, so it can no longer change. What its loading query found is good
        enough: a frozen version stays frozen, and a draft that got its first response since
        is only treated as the draft it was a moment ago."""
        if self.answered_when_loaded is not None:
            return self.answered_when_loaded
        return self.has_responses()


class Question(db.Model):
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    position: Mapped[int]
    # Stable across versions and organisations: what makes answers comparable.
    code: Mapped[str] = mapped_column(String(60))
    theme: Mapped[str] = mapped_column(String(60))
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, 20))
    text: Mapped[LocalizedText] = mapped_column(JSON)
    # Choice questions: [{"code": ..., "label": {"nl": ..., "en": ...}}].
    # Rated questions: labels of the two ends, {"low": {...}, "high": {...}}, or per point.
    options: Mapped[Any] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)
    is_overall: Mapped[bool] = mapped_column(default=False)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")

    @property
    def option_codes(self) -> list[str]:
        return [option["code"] for option in self.options or []]

    def definition(self) -> dict[str, Any]:
        """The question as catalogue data: what a new version is built from."""
        return {
            "code": self.code,
            "theme": self.theme,
            "type": self.type,
            "text": self.text,
            "options": self.options,
            "required": self.required,
            "is_overall": self.is_overall,
        }


class FrozenVersionError(RuntimeError):
    """A questionnaire version that has responses was about to change."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_answered_versions(session: Session, flush_context, instances) -> None:
    # Answers point at questions; changing a question under them would change what they mean.
    touched: set[int | None] = set()
    for obj in session.dirty:
        if isinstance(obj, Question) and session.is_modified(obj):
            touched.add(obj.version_id)
        elif isinstance(obj, QuestionnaireVersion) and session.is_modified(
            obj, include_collections=False
        ):
            touched.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Question):
            touched.add(obj.version_id)
        elif isinstance(obj, QuestionnaireVersion):
            touched.add(obj.id)
    for obj in session.new:
        if isinstance(obj, Question):
            touched.add(obj.version_id or (obj.version.id if obj.version else None))
    touched.discard(None)
    if not touched:
        return
    from survey.responding.models import Response

    with session.no_autoflush:
        frozen = session.scalar(
            select(Response.questionnaire_version_id)
            .where(Response.questionnaire_version_id.in_(touched))
            .limit(1)
        )
    if frozen is not None:
        raise FrozenVersionError(
            f"Questionnaire version {frozen} has responses and can no longer change; "
            "make a new version instead."
        )
