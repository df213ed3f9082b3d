"""Creating and changing an event: its details, series, organisers and speakers, and its send
time. Everything can change until its evaluations are sent; after that only the title and the
description (evaluations.py says when they are sent). Every way in (the form, the demo) goes
through here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.accounts.models import Organisation, User
from survey.circles.models import Circle
from survey.events.models import (
    Event,
    EventKind,
    EventOrganiser,
    EventSeries,
    EventSpeaker,
)
from survey.events.timing import default_send_at
from survey.extensions import db
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import Purpose, Questionnaire

# What may still change once the evaluations are sent: the words, not what was evaluated.
TEXT_FIELDS = ("title", "description")
WORKSHOP_QUESTIONNAIRE = "workshop-evaluation"  # the catalogue's, every event's default
LOCKED_AFTER_SENDING = _l(
    "The evaluations have been sent, so only the title and the description can be changed."
)


class EventLocked(Exception):
    """A change the event no longer allows; `str()` is the message for staff."""


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
    circle: Circle | None = None  # a circle meeting's circle: its figures go to the circle's page


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


def series_titles(organisation: Organisation) -> list[str]:
    """The organisation's series, for the form's suggestions."""
    statement = (
        select(EventSeries.title)
        .where(EventSeries.organisation_id == organisation.id)
        .order_by(EventSeries.title)
    )
    return list(db.session.scalars(statement))


def workshop_questionnaires(organisation: Organisation) -> list[Questionnaire]:
    """What an event can be evaluated with: the catalogue's workshop evaluation first, then the
    organisation's own questionnaires for meetings."""
    if catalogue_questionnaire(WORKSHOP_QUESTIONNAIRE) is None:
        load_catalogue()
    statement = (
        select(Questionnaire)
        .where(
            Questionnaire.purpose == Purpose.WORKSHOP,
            Questionnaire.organisation_id.is_(None)
            | (Questionnaire.organisation_id == organisation.id),
        )
        .order_by(Questionnaire.organisation_id.is_not(None), Questionnaire.id)
    )
    return [found for found in db.session.scalars(statement) if found.latest_version is not None]


def _organisers(event: Event, users: list[User]) -> list[EventOrganiser]:
    """The organisers in their new order, keeping the rows of those who stay (one row per user
    by constraint: a row deleted and inserted again in one flush would break it)."""
    kept = {organiser.user_id: organiser for organiser in event.organisers}
    rows = []
    for position, user in enumerate(dict.fromkeys(users)):
        row = kept.get(user.id) or EventOrganiser(user_id=user.id, user=user)
        row.position = position
        rows.append(row)
    return rows


def _speakers(event: Event, names: list[str]) -> list[EventSpeaker]:
    kept = {speaker.name: speaker for speaker in event.speakers}
    rows = []
    for position, name in enumerate(dict.fromkeys(names)):
        row = kept.get(name) or EventSpeaker(name=name)
        row.position = position
        rows.append(row)
    return rows


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
    event.organisers = _organisers(event, details.organisers)
    event.speakers = _speakers(event, details.speakers)
    event.circle_id = details.circle.id if details.circle else None


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


def _plain(value: Any) -> Any:
    """A value as the activity log keeps it (JSON)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return value


def event_facts(event: Event) -> dict[str, Any]:
    """What an event is, field by field, in the activity log's terms (names, not ids)."""
    return {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "questionnaire": event.questionnaire.key,
        "locale": event.locale,
        "description": event.description,
        "place": event.place,
        "online": event.online,
        "series": event.series.title if event.series else "",
        "organisers": [organiser.user.name for organiser in event.organisers],
        "speakers": [speaker.name for speaker in event.speakers],
        "send_at": event.send_at,
        "circle": _circle_name(event.circle_id),
    }


def details_of(event: Event) -> EventDetails:
    """The event's details as they are, to change one or two of them (dataclasses.replace)."""
    return EventDetails(
        title=event.title,
        kind=event.kind,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        questionnaire=event.questionnaire,
        locale=event.locale,
        description=event.description,
        place=event.place,
        online=event.online,
        series_title=event.series.title if event.series else "",
        organisers=[organiser.user for organiser in event.organisers],
        speakers=[speaker.name for speaker in event.speakers],
        send_at=event.send_at,
        circle=db.session.get(Circle, event.circle_id) if event.circle_id else None,
    )


def _facts_of(details: EventDetails, organisation: Organisation) -> dict[str, Any]:
    """What the event would be with these details, in event_facts' terms."""
    return {
        "title": details.title,
        "kind": details.kind,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "questionnaire": details.questionnaire.key,
        "locale": details.locale,
        "description": details.description,
        "place": details.place,
        "online": details.online,
        "series": " ".join(details.series_title.split()),
        "organisers": [user.name for user in dict.fromkeys(details.organisers)],
        "speakers": list(dict.fromkeys(details.speakers)),
        "send_at": details.send_at or default_send_at(details.ends_at, organisation),
        "circle": details.circle.name if details.circle else "",
    }


def _circle_name(circle_id: int | None) -> str:
    circle = db.session.get(Circle, circle_id) if circle_id else None
    return circle.name if circle else ""


def _difference(before: dict, after: dict) -> dict[str, list]:
    return {
        name: [_plain(before[name]), _plain(after[name])]
        for name in before
        if before[name] != after[name]
    }


def change_event(
    event: Event, details: EventDetails, now: datetime, *, evaluations_sent: bool
) -> dict[str, list]:
    """Change an event; what changed, field by field ([old, new]). Flushes; the caller re-plans
    the evaluations (evaluations.replan_evaluations) and commits.

    Once its evaluations are sent only the title and the description change: a change of
    anything else raises EventLocked, and nothing is changed.
    """
    changes = _difference(event_facts(event), _facts_of(details, event.organisation))
    if evaluations_sent and set(changes) - set(TEXT_FIELDS):
        raise EventLocked(str(LOCKED_AFTER_SENDING))
    if changes:
        _apply(event, details, event.organisation, now)
        db.session.flush()
    return changes
