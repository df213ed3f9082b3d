"""Creating and changing an event: its details, series, organisers and speakers, and its send
time; until its evaluations are sent. Every way in (the form, the demo) goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from survey.accounts.models import Organisation, User
from survey.events.models import (
    Event,
    EventKind,
    EventOrganiser,
    EventSeries,
    EventSpeaker,
)
from survey.events.timing import default_send_at
from survey.extensions import db
from survey.questionnaires.models import Questionnaire


@dataclass(frozen=True)
class EventDetails:
    """An event's values, checked by the form (or written by the demo)."""

    title: str
    kind: EventKind
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    questionnaire: Questionnaire
    locale: str = "nl"
    description: str = ""
    place: str = ""
    online: bool = False
    series_title: str = ""  # empty: not part of a series
    organisers: list[User] = field(default_factory=list)  # the first one signs the email
    speakers: list[str] = field(default_factory=list)
    send_at: datetime | None = None  # None: the default (events/timing.py)


def series_named(organisation: Organisation, title: str, now: datetime) -> EventSeries | None:
    """The organisation's series with this title, made when it does not exist yet."""
    title = " ".join(title.split())
    if not title:
        return None
    found = db.session.scalar(
        select(EventSeries).where(
            EventSeries.organisation_id == organisation.id, EventSeries.title == title
        )
    )
    if found is None:
        found = EventSeries(organisation_id=organisation.id, title=title, created_at=now)
        db.session.add(found)
        db.session.flush()
    return found


def _apply(event: Event, details: EventDetails, organisation: Organisation, now: datetime) -> None:
    event.title = details.title
    event.kind = details.kind
    event.starts_at = details.starts_at
    event.ends_at = details.ends_at
    event.questionnaire_id = details.questionnaire.id
    event.questionnaire = details.questionnaire
    event.locale = details.locale
    event.description = details.description
    event.place = details.place
    event.online = details.online
    event.series = series_named(organisation, details.series_title, now)
    event.send_at = details.send_at or default_send_at(details.ends_at, organisation)
    event.organisers = [
        EventOrganiser(user_id=user.id, user=user, position=position)
        for position, user in enumerate(details.organisers)
    ]
    event.speakers = [
        EventSpeaker(name=name, position=position)
        for position, name in enumerate(dict.fromkeys(details.speakers))
    ]


def create_event(
    organisation: Organisation, details: EventDetails, now: datetime, created_by: User | None
) -> Event:
    """A new event with its series, organisers and speakers; flushes, the caller commits."""
    event = Event(organisation_id=organisation.id, created_at=now)
    event.organisation = organisation
    event.created_by_id = created_by.id if created_by is not None else None
    _apply(event, details, organisation, now)
    db.session.add(event)
    db.session.flush()
    return event
