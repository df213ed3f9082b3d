"""A response, to one invitation (or through an event's room link), and its answers (one
row per value or chosen option)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question
from survey.types import UTCDateTime, enum_column


class Response(db.Model):
    # Exports and the open answers list read one organisation's responses by month; the open
    # answers' pages walk them newest first (keyset paging, survey/listing.py).
    __table_args__ = (
        Index("ix_response_organisation_month", "organisation_id", "month"),
        Index("ix_response_organisation_submitted", "organisation_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a double click, a retried POST or a second tab can never make two responses.
    # Empty for an answer given through a room link (NULLs never collide in a unique key).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), unique=True)
    # The room link it came through (responding/room_links.py), for an anonymous answer.
    room_link_id: Mapped[int | None] = mapped_column(ForeignKey("room_link.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(5))
    # Copied from the invitation's recorded dimensions when the response comes in, so that the
    # dashboards' filters (which kind of occasion, event, who, which channel, which month) need
    # no joins. `account_manager_id` is the staff member the respondent knows (the invitation's
    # sender). `month` is the first day of the month the response came in, in the
    # organisation's time zone.
    occasion_kind: Mapped[OccasionKind] = mapped_column(
        enum_column(OccasionKind), default=OccasionKind.CONTACT
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), index=True)
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    month: Mapped[date] = mapped_column(Date)

    invitation: Mapped[Invitation | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(db.Model):
    """`value` for rated questions, `option` per chosen option, `text` for open questions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    value: Mapped[int | None]
    option: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
