"""The demo municipality's events, made through the same functions as the event pages:

- a learning network for civil servants of the region: three past sessions with named speakers,
  their evaluations sent, reminded and mostly answered, each session a little better than the
  one before, so the series page shows a trend (and a difference between speakers);
- a klantarena with entrepreneurs, one evening, answered by email and through its room link,
  which is still open: a newcomer can answer in the room too;
- an information meeting still to come, its evaluations planned.

Times are set around `now` in the organisation's zone, on working days.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from survey.accounts.models import Organisation, User
from survey.demo.evaluations import as_submitted, evaluation, evaluation_questions
from survey.demo.mailed import delivered
from survey.events.models import Event, EventKind
from survey.events.participants import add_participant, check_participant
from survey.events.planning import EventDetails, create_event
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.calendar import is_working_day
from survey.invitations.sending import reminder_due_at
from survey.outbox.models import EmailPurpose
from survey.questionnaires.catalogue import catalogue_questionnaire
from survey.responding.room_links import RoomLink, browser_key
from survey.responding.submission import submit_response, submit_room_response

TUESDAY, THURSDAY = 1, 3
SERIES_TITLE = "Lerend netwerk {year}"


@dataclass(frozen=True)
class DemoEvent:
    title: str
    kind: EventKind
    days: int  # from today, negative in the past; moved to the weekday (a working day)
    weekday: int
    start: time  # local
    minutes: int
    place: str
    participants: int
    speakers: tuple[str, ...] = ()
    description: str = ""
    offsets: dict[str, float] = field(default_factory=dict)  # how it went (evaluations.py)
    answering: float = 0.0  # the share of the emailed participants who answer
    room_answers: int = 0  # answers through the room link at the end of the evening


SESSIONS = (
    DemoEvent(
        "Sessie 1: De ondernemer centraal",
        EventKind.LEARNING_NETWORK,
        -63,
        TUESDAY,
        time(13, 30),
        180,
        "Stadhuis Demodam, zaal De Linde",
        11,
        ("Marieke Hoogland",),
        "Wat verwacht een ondernemer van de gemeente? Met ervaringen uit drie gemeenten.",
        {"organisation": -0.8, "relevance": -0.2, "usefulness": -0.6, "speakers": -0.1},
        answering=0.64,
    ),
    DemoEvent(
        "Sessie 2: Samenwerken met de omgevingsdienst",
        EventKind.LEARNING_NETWORK,
        -42,
        TUESDAY,
        time(13, 30),
        180,
        "Stadhuis Demodam, zaal De Linde",
        13,
        ("Marieke Hoogland", "Ahmed Bouzid"),
        "Vergunningen sneller rond door samen op te trekken met de omgevingsdienst.",
        {"organisation": 0.1, "relevance": 0.1, "speakers": 0.2},
        answering=0.7,
    ),
    DemoEvent(
        "Sessie 3: Van klacht naar verbetering",
        EventKind.LEARNING_NETWORK,
        -21,
        TUESDAY,
        time(13, 30),
        180,
        "Ondernemershuis Demodam",
        12,
        ("Ahmed Bouzid", "Petra Lammers"),
        "Hoe je de feedback van ondernemers omzet in verbeteracties, met een oefening.",
        {"organisation": 0.3, "relevance": 0.3, "usefulness": 0.5, "speakers": 0.3},
        answering=0.75,
    ),
)
KLANTARENA = DemoEvent(
    "Klantarena: ondernemen in de binnenstad",
    EventKind.KLANTARENA,
    -12,
    THURSDAY,
    time(19, 0),
    150,
    "Bibliotheek Demodam, Forum",
    9,
    ("Karin de Wit",),
    "Ondernemers uit het centrum en de gemeente zoeken samen naar verbeteringen.",
    {"relevance": 0.4, "organisation": -0.3, "usefulness": 0.2},
    answering=0.5,
    room_answers=8,
)
UPCOMING = DemoEvent(
    "Informatiebijeenkomst netcongestie",
    EventKind.INFORMATION_MEETING,
    9,
    TUESDAY,
    time(16, 0),
    90,
    "Stadhuis Demodam, raadzaal",
    14,
    ("Stefan Kramer", "Marieke Hoogland"),
    "Wat wachtlijsten voor stroom betekenen voor uw bedrijf, en wat u nu al kunt doen.",
)

# The learning network's fixed group: (name, email, organisation[, language]).
CIVIL_SERVANTS = (
    ("Marloes Verbeek", "m.verbeek@demodam.example", "Gemeente Demodam"),
    ("Tim Brouwer", "t.brouwer@demodam.example", "Gemeente Demodam"),
    ("Aylin Kaya", "a.kaya@hoogveen.example", "Gemeente Hoogveen"),
    ("Gert-Jan Postma", "gj.postma@hoogveen.example", "Gemeente Hoogveen"),
    ("Sandra Meijer", "s.meijer@maasdelta.example", "Gemeente Maasdelta"),
    ("Rachid El Idrissi", "r.elidrissi@maasdelta.example", "Gemeente Maasdelta"),
    ("Femke de Groot", "f.degroot@lindenwaard.example", "Gemeente Lindenwaard"),
    ("Wouter Dekker", "w.dekker@lindenwaard.example", "Gemeente Lindenwaard"),
    ("Ingrid Hoekstra", "i.hoekstra@oosterhaven.example", "Gemeente Oosterhaven"),
    ("Bas van der Meer", "b.vandermeer@oosterhaven.example", "Gemeente Oosterhaven"),
    ("Nathalie Prins", "n.prins@odregiodemodam.example", "Omgevingsdienst Regio Demodam"),
    ("Koen Smit", "k.smit@odregiodemodam.example", "Omgevingsdienst Regio Demodam"),
    ("Esther Bos", "e.bos@kvk.example", "Kamer van Koophandel"),
    ("Olivier Janssen", "o.janssen@zeewolde-aan-zee.example", "Gemeente Zeewolde-aan-Zee"),
    ("Emily Carter", "e.carter@oosterhaven.example", "Gemeente Oosterhaven", "en"),
)
ENTREPRENEURS = (
    ("Eva Jansen", "eva@bakkerijvandam.example", "Bakkerij Van Dam"),
    ("Mohammed El Amrani", "mohammed@despaak.example", "Fietsenmakerij De Spaak"),
    ("Lotte Visser", "lotte@bonenenzo.example", "Koffiebranderij Bonen & Zo"),
    ("Bram Hoekstra", "bram@installatiehoekstra.example", "Installatiebedrijf Hoekstra"),
    ("Fatima Yilmaz", "fatima@lentebloei.example", "Bloemenhuis Lentebloei"),
    ("Daan Mulder", "daan@garagemulder.example", "Garage Mulder"),
    ("Sophie de Boer", "sophie@goudenleeuw.example", "Hotel De Gouden Leeuw"),
    ("Youssef Bakker", "youssef@timmerbedrijfbakker.example", "Timmerbedrijf Bakker"),
    ("Inge Smit", "inge@kapsalonknipt.example", "Kapsalon Knipt"),
    ("Thijs Peters", "thijs@slagerijpeters.example", "Slagerij Peters"),
    ("Noor Kramer", "noor@boekhandelhetboek.example", "Boekhandel Het Boek"),
    ("Pieter van Leeuwen", "pieter@transportvanleeuwen.example", "Transport Van Leeuwen"),
    ("Yara Koster", "yara@smaakvol.example", "Cateraar Smaakvol"),
    ("Kees Dijkstra", "kees@staalhard.example", "Metaalbewerking Staalhard"),
    ("Lieke de Wit", "lieke@dehoeve.example", "Boerderijwinkel De Hoeve"),
    ("Hasan Demir", "hasan@webwinkelduurzaam.example", "Webwinkel Duurzaam"),
    ("James O'Neill", "james@bitwerk.example", "IT-bureau Bitwerk", "en"),
)


def has_events(organisation: Organisation) -> bool:
    return (
        db.session.scalar(select(Event.id).where(Event.organisation_id == organisation.id).limit(1))
        is not None
    )


def add_demo_events(
    organisation: Organisation, coordinator: User, now: datetime, rng: random.Random
) -> None:
    """The learning network, the klantarena and the coming meeting; flushes, the caller
    commits."""
    first = _starts_at(SESSIONS[0], organisation, now)
    series_title = SERIES_TITLE.format(year=first.astimezone(ZoneInfo(organisation.timezone)).year)
    for session in SESSIONS:
        people = rng.sample(CIVIL_SERVANTS, session.participants)
        event = _event(session, organisation, coordinator, series_title, people, now)
        _evaluate(event, session, now, rng)
    people = rng.sample(ENTREPRENEURS, KLANTARENA.participants)
    arena = _event(KLANTARENA, organisation, coordinator, "", people, now)
    _evaluate(arena, KLANTARENA, now, rng)
    _answered_in_the_room(arena, KLANTARENA, now, rng)
    people = rng.sample(ENTREPRENEURS, UPCOMING.participants)
    _event(UPCOMING, organisation, coordinator, "", people, now)  # evaluations planned


def demo_room_link(organisation: Organisation) -> RoomLink | None:
    """The klantarena's room link, for the command to show."""
    return db.session.scalar(
        select(RoomLink)
        .join(Event, Event.id == RoomLink.event_id)
        .where(Event.organisation_id == organisation.id, Event.kind == EventKind.KLANTARENA)
        .order_by(RoomLink.id)
        .limit(1)
    )


def _local_day(plan: DemoEvent, timezone: str, now: datetime) -> date:
    """The plan's weekday in the week up to `days` from today, a week later on a holiday (which
    keeps a past event's evaluation open as long as the plan means it to be)."""
    day = now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=plan.days)
    day -= timedelta(days=(day.weekday() - plan.weekday) % 7)
    while not is_working_day(day, timezone):
        day += timedelta(days=7)
    return day


def _starts_at(plan: DemoEvent, organisation: Organisation, now: datetime) -> datetime:
    day = _local_day(plan, organisation.timezone, now)
    return datetime.combine(day, plan.start, tzinfo=ZoneInfo(organisation.timezone)).astimezone(UTC)


def _event(plan, organisation, coordinator, series_title, people, now) -> Event:
    """The event as its coordinator made it a month before, with its participants listed."""
    starts_at = _starts_at(plan, organisation, now)
    made_at = min(now, starts_at - timedelta(days=30))
    details = EventDetails(
        title=plan.title,
        kind=plan.kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=plan.minutes),
        questionnaire=catalogue_questionnaire("workshop-evaluation"),
        description=plan.description,
        place=plan.place,
        series_title=series_title,
        organisers=[coordinator],
        speakers=list(plan.speakers),
    )
    event = create_event(organisation, details, made_at, coordinator)
    for position, (name, email, company, *language) in enumerate(people):
        checked = check_participant(name, email, company, language[0] if language else None)
        added_at = made_at + timedelta(days=1, hours=position)
        add_participant(event, checked, added_at, coordinator)
    return event


def _evaluate(event: Event, plan: DemoEvent, now: datetime, rng: random.Random) -> None:
    """The evaluations went out at the send time; most answered that evening or the next day,
    some after the reminder; the rest were reminded, and expired when old enough."""
    organisation = event.organisation
    version = event.questionnaire.latest_version
    questions = evaluation_questions(version)
    invitations = [participant.invitation for participant in event.participants]
    answering = set(rng.sample(range(len(invitations)), round(plan.answering * len(invitations))))
    for index, invitation in enumerate(invitations):
        invitation.mark_sent(event.send_at, organisation.link_expiry_days)
        delivered(invitation, EmailPurpose.INVITATION, event.send_at)
        reminder = reminder_due_at(event.send_at, organisation)
        answered_at = None
        if index in answering:
            answered_at = _answered_at(event.send_at, reminder, now, rng)
        if reminder <= (answered_at or now):
            invitation.mark_reminded(reminder)
            delivered(invitation, EmailPurpose.REMINDER, reminder)
        if answered_at is not None:
            rows = evaluation(questions, plan.offsets, invitation.locale == "en", rng)
            submit_response(invitation, as_submitted(version, rows), invitation.locale, answered_at)
        elif invitation.is_expired_at(now):
            invitation.mark_expired()
    event.evaluations_sent_at = event.send_at


def _answered_at(sent_at: datetime, reminder: datetime, now: datetime, rng) -> datetime:
    if rng.random() < 0.75:
        answered_at = sent_at + timedelta(hours=rng.uniform(0.2, 30))
    else:
        answered_at = reminder + timedelta(hours=rng.uniform(0.5, 48))
    return min(answered_at, now - timedelta(minutes=10))


def _answered_in_the_room(event: Event, plan: DemoEvent, now: datetime, rng) -> RoomLink:
    """The room link shown at the end of the evening, and the answers given through it on the
    spot, one per phone."""
    link = room_link_for(event, event.starts_at - timedelta(days=1))
    version = link.questionnaire_version
    questions = evaluation_questions(version)
    secret = current_app.config["SECRET_KEY"]
    for _ in range(plan.room_answers):
        answered_at = event.ends_at + timedelta(minutes=rng.uniform(-10, 25))
        rows = evaluation(questions, plan.offsets, False, rng)
        browser = browser_key(secrets.token_urlsafe(16), secret)
        submit_room_response(link, as_submitted(version, rows), link.locale, answered_at, browser)
    return link
