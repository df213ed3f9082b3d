"""An event's room link: one open link, shown as a QR code at the end of a session, through which
participants whose address is unknown answer anonymously.

Like an invitation, the room link records when it is made what its responses are reported by
(organisation, questionnaire version, kind of occasion, event, staff member, channel), so the
survey page reads the room link and never the event.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Organisation
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import new_nonce
from survey.questionnaires.models import QuestionnaireVersion
from survey.responding.models import Response
from survey.types import UTCDateTime, enum_column

# Digits and capitals without the look-alikes 0/O, 1/I/L: read off a projector, typed on a
# phone. 31 symbols, 8 of them: about 40 bits, far too many to guess while a link is open.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_room_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """The code as people read and type it: two groups of four, "K7Q2-M9XD"."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def stored_code(typed: str) -> str | None:
    """The stored form of a code as someone typed it (any case, with or without the dash and
    spaces), or None when it cannot be one."""
    code = typed.upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(symbol not in CODE_ALPHABET for symbol in code):
        return None
    return code


class RoomState(enum.Enum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class RoomLink(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # The occasion's table is named, not imported: the engine knows no kind of occasion.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    occasion_kind: Mapped[OccasionKind] = mapped_column(
        enum_column(OccasionKind), default=OccasionKind.EVENT_PARTICIPANT
    )
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    occasion_on: Mapped[date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    # Random and carried in the signed link, so a link can be replaced without a new id.
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    # The short code of the readable URL shown under the QR code (typed by people who cannot
    # scan it): random, from an alphabet without look-alike characters.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Answers are taken from the event's start until the evaluation closes, or until a
    # coordinator closes the link early.
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()

    def __init__(self, **fields) -> None:
        fields.setdefault("nonce", new_nonce())
        fields.setdefault("occasion_kind", OccasionKind.EVENT_PARTICIPANT)
        super().__init__(**fields)

    def is_open_at(self, now: datetime) -> bool:
        return self.state_at(now) is RoomState.OPEN

    def state_at(self, now: datetime) -> RoomState:
        if self.closed_early_at is not None and self.closed_early_at <= now:
            return RoomState.CLOSED
        if now >= self.closes_at:
            return RoomState.CLOSED
        if now < self.opens_at:
            return RoomState.NOT_YET_OPEN
        return RoomState.OPEN

    def close(self, now: datetime) -> bool:
        """Stop taking answers now (a coordinator's "Close now"); False if it was closed."""
        if self.state_at(now) is RoomState.CLOSED:
            return False
        self.closed_early_at = now
        return True

    @property
    def shown_code(self) -> str:
        return shown_code(self.code)

    @property
    def closed_at(self) -> datetime:
        """When answers stop (or stopped): early if a coordinator closed it, else at the end."""
        if self.closed_early_at is not None:
            return min(self.closed_early_at, self.closes_at)
        return self.closes_at


class RoomAnswerMark(db.Model):
    """That one browser answered through one room link: a keyed hash of the browser's random
    cookie value, unique per link, written in the same transaction as the (anonymous) response.
    It holds no link to the response."""

    __table_args__ = (UniqueConstraint("room_link_id", "browser", name="uq_room_answer_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_link_id: Mapped[int] = mapped_column(ForeignKey("room_link.id"), index=True)
    browser: Mapped[str] = mapped_column(String(64))
    answered_on: Mapped[date] = mapped_column(Date)


def room_link_by_code(typed: str) -> RoomLink | None:
    code = stored_code(typed)
    if code is None:
        return None
    return db.session.scalar(select(RoomLink).where(RoomLink.code == code))


def room_answer_count(link: RoomLink) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Response).where(Response.room_link_id == link.id)
    )


def browser_key(cookie_value: str, secret_key: str) -> str:
    """What is stored of a browser's cookie: a keyed hash, so the stored marks cannot be turned
    back into cookies, nor matched across databases."""
    digest = hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256)
    return digest.hexdigest()
