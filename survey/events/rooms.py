"""An event's room link, made from the event's facts: what its anonymous answers are reported by,
and when they are taken (from the event's start until its evaluation closes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.events.models import Event
from survey.events.participants import staff_member_of
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.responding.room_links import RoomLink, new_room_code, room_answer_count

# A clash among ~10^12 codes is rare; a few new draws settle it.
CODE_ATTEMPTS = 5


class NoQuestionnaireVersion(Exception):
    """The event's questionnaire has no version to answer."""


def room_link_of(event: Event) -> RoomLink | None:
    return db.session.scalar(select(RoomLink).where(RoomLink.event_id == event.id))


def closes_at(event: Event) -> datetime:
    """When the evaluation closes: as long after the send time as an emailed link stays valid."""
    return event.send_at + timedelta(days=event.organisation.link_expiry_days)


def room_link_for(event: Event, now: datetime) -> RoomLink:
    """The event's room link, made now if it has none yet (one per event, also when two
    coordinators ask at once); flushes, the caller commits."""
    existing = room_link_of(event)
    if existing is not None:
        return existing
    version = event.questionnaire.latest_version
    if version is None:
        raise NoQuestionnaireVersion(event.questionnaire_id)
    for _attempt in range(CODE_ATTEMPTS):
        link = RoomLink(
            organisation_id=event.organisation_id,
            event_id=event.id,
            questionnaire_version_id=version.id,
            occasion_kind=OccasionKind.EVENT_PARTICIPANT,
            staff_member_id=staff_member_of(event),
            channel=Channel.EVENT,
            code=new_room_code(),
            created_at=now,
        )
        _follow(link, event)
        savepoint = db.session.begin_nested()
        try:
            db.session.add(link)
            db.session.flush()
        except IntegrityError:
            savepoint.rollback()
            # Either another request made the event's link meanwhile, or the code was taken.
            existing = room_link_of(event)
            if existing is not None:
                return existing
            continue
        savepoint.commit()
        return link
    raise RuntimeError("no free room-link code found")  # ~10^12 codes: does not happen


def close_room_link(link: RoomLink, now: datetime) -> bool:
    """The coordinator's "Close now": no answers from now on. False when it was closed already."""
    return link.close(now)


def follow_event_times(event: Event) -> None:
    """After the event was changed: its room link, while not closed by hand, takes answers over
    the new window, reports the new day and speaks the new language; until its first answer it
    also asks the event's questionnaire as it is now. Call before committing."""
    link = room_link_of(event)
    if link is None or link.closed_early_at is not None:
        return
    _follow(link, event)
    version = event.questionnaire.latest_version
    if version is not None and room_answer_count(link) == 0:
        link.questionnaire_version_id = version.id


def _follow(link: RoomLink, event: Event) -> None:
    zone = ZoneInfo(event.organisation.timezone)
    link.opens_at = event.starts_at
    link.closes_at = closes_at(event)
    link.occasion_on = event.starts_at.astimezone(zone).date()
    link.locale = event.locale


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a room link. Level M (raised when it fits the same size) survives a
    projector's glare and a phone held at an angle."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str) -> Markup:
    """The QR code as inline SVG, made here (no outside service): dark on white with the
    standard quiet zone of four modules, sized by its container (no width or height)."""
    svg = qr_code(url).svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="room-qr-code",
        title=title,
    )
    # Whole modules, no anti-aliased seams between rows when the projector scales it.
    return Markup(svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1))
