"""An event, the series it may belong to, its organisers and speakers, and its participants."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Organisation, User
from survey.clock import utcnow
from survey.extensions import db
from survey.questionnaires.models import Questionnaire
from survey.types import UTCDateTime, enum_column

TITLE_MAX = 200
PLACE_MAX = 200
NAME_MAX = 200
EMAIL_MAX = 254
DESCRIPTION_MAX = 2000


class EventKind(enum.StrEnum):
    WORKSHOP = "workshop"
    KLANTARENA = "klantarena"
    LEARNING_NETWORK = "learning_network"
    INFORMATION_MEETING = "information_meeting"
    CIRCLE_MEETING = "circle_meeting"

    @property
    def label(self) -> str:
        return str(EVENT_KIND_LABELS[self])


EVENT_KIND_LABELS = {
    EventKind.WORKSHOP: _l("workshop"),
    EventKind.KLANTARENA: _l("klantarena"),
    EventKind.LEARNING_NETWORK: _l("learning-network session"),
    EventKind.INFORMATION_MEETING: _l("information meeting"),
    EventKind.CIRCLE_MEETING: _l("circle meeting"),
}


class EventSeries(db.Model):
    """Events that belong together, such as the six sessions of "Lerend netwerk 2027"."""

    __table_args__ = (UniqueConstraint("organisation_id", "title", name="uq_event_series_title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="Event.starts_at, Event.id"
    )


class Event(db.Model):
    __table_args__ = (Index("ix_event_organisation_starts", "organisation_id", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id"), index=True)
    # A circle meeting's circle: its evaluations appear on the circle's page.
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circle.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), default=EventKind.WORKSHOP)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    online: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    # The language of the evaluation for participants whose own language is not known.
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    # When the evaluations go out (UTC): by default two hours after the end, or the next
    # working morning at 09:00 when the event ends after 17:00 (events/timing.py).
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the planned evaluations were handed to the outbox; from then on only the title and
    # the description can be edited.
    evaluations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one manual reminder a coordinator may send, besides the automatic one.
    manual_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    series: Mapped[EventSeries | None] = relationship(back_populates="events")
    questionnaire: Mapped[Questionnaire] = relationship()
    organisers: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventOrganiser.position"
    )
    speakers: Mapped[list[EventSpeaker]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSpeaker.position"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", order_by="Participant.id"
    )

    @property
    def signer(self) -> User | None:
        """The staff member the participants know: the first organiser signs the email."""
        return self.organisers[0].user if self.organisers else None


class EventOrganiser(db.Model):
    """A staff member who organises the event; the first one signs the evaluation email."""

    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_organiser"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organisers")
    user: Mapped[User] = relationship()


class EventSpeaker(db.Model):
    """A speaker, often from outside the organisation, so named rather than a user. Results per
    speaker over a series group on the name."""

    __table_args__ = (UniqueConstraint("event_id", "name", name="uq_event_speaker"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="speakers")


class Participant(db.Model):
    """Someone who took part in an event. One per address per event, by constraint: nobody gets
    two evaluations of the same event."""

    __table_args__ = (UniqueConstraint("event_id", "email", name="uq_participant_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))  # stored in lower case
    organisation_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    locale: Mapped[str | None] = mapped_column(String(5))  # None: the event's language
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id"), unique=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship(back_populates="participants")
    invitation = relationship("Invitation")
