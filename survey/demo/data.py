"""A demo municipality that a newcomer can log in to and click through within a minute."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.accounts.staff import create_organisation, create_user
from survey.contacts.models import Channel, Contact, Source
from survey.demo.events import add_demo_events, demo_room_link, has_events
from survey.demo.mailed import delivered
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.outbox.models import EmailPurpose
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import Question, QuestionnaireVersion, QuestionType
from survey.responding.room_links import RoomLink
from survey.responding.submission import submit_response

DEMO_SLUG = "demodam"
DEMO_STAFF = (
    # email, name, role, password, strengths (question codes this person scores well on)
    ("beheer@demodam.example", "Anouk Beheer", Role.ADMIN, "demo-admin-2026", ()),
    ("coordinator@demodam.example", "Ruben Coördinator", Role.COORDINATOR, "demo-coord-2026", ()),
    (
        "sanne@demodam.example",
        "Sanne de Vries",
        Role.ACCOUNT_MANAGER,
        "demo-manager1-2026",
        ("speed", "reachability", "thinking_along"),
    ),
    (
        "joris@demodam.example",
        "Joris Janssens",
        Role.ACCOUNT_MANAGER,
        "demo-manager2-2026",
        ("expertise", "clarity"),
    ),
)
COMPANIES = (
    "Bakkerij Van Dam",
    "Fietsenmakerij De Spaak",
    "Installatiebedrijf Hoekstra",
    "Koffiebranderij Bonen & Zo",
    "Drukkerij Het Pakhuis",
    "Bloemenhuis Lentebloei",
    "Garage Mulder",
    "Hotel De Gouden Leeuw",
    "Timmerbedrijf Bakker",
    "Kapsalon Knipt",
    "Brouwerij De Molen",
    "IT-bureau Bitwerk",
    "Schildersbedrijf Kleurrijk",
    "Slagerij Peters",
    "Architectenbureau Lijn",
    "Boekhandel Het Boek",
    "Transport Van Leeuwen",
    "Zorgwinkel Thuis",
    "Cateraar Smaakvol",
    "Metaalbewerking Staalhard",
    "Boerderijwinkel De Hoeve",
    "Webwinkel Duurzaam",
    "Fysiotherapie Beweeg",
    "Autorijschool Rijklaar",
)
PEOPLE = (
    "Eva",
    "Mohammed",
    "Lotte",
    "Bram",
    "Fatima",
    "Daan",
    "Sophie",
    "Youssef",
    "Inge",
    "Thijs",
    "Noor",
    "Pieter",
    "Yara",
    "Kees",
    "Lieke",
    "Sem",
    "Ilse",
    "Jan",
    "Mila",
    "Hasan",
)
SUBJECTS = (
    "Uitbreiding bedrijfspand",
    "Vergunning terras",
    "Subsidie verduurzaming",
    "Zoektocht naar nieuwe locatie",
    "Personeelstekort",
    "Overlast wegwerkzaamheden",
    "Kennismakingsbezoek",
    "Startende ondernemer",
    "Evenementenvergunning",
)
COMMENTS = (
    "Snel geholpen, heel prettig.",
    "Ik had graag eerder een terugkoppeling gehad over de vergunning.",
    "Fijn dat iemand met ons meedenkt in plaats van alleen regels noemt.",
    "De informatie op de website sluit niet aan bij wat ik hoorde.",
    "Goed bereikbaar, ook buiten kantoortijden.",
    "Afspraak om terug te bellen werd niet nagekomen.",
    "Duidelijk verhaal, ik weet nu wat ik moet doen.",
    "Meer kennis van onze branche zou helpen.",
)


@dataclass
class DemoSummary:
    organisation: Organisation
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, password
    open_invitations: list[Invitation] = field(default_factory=list)
    created: bool = True
    room_link: RoomLink | None = None  # the klantarena's, still taking answers


def _answer(question: Question, mood: float, good_at: tuple[str, ...], rng: random.Random):
    """A plausible answer: one underlying mood, nudged by what the account manager is good at."""
    lift = 0.7 if question.code in good_at else 0.0
    if question.type is QuestionType.SCALE5:
        return int(min(5, max(1, round(mood * 4 + 1 + lift + rng.gauss(0, 0.6)))))
    if question.type is QuestionType.SCALE10:
        return int(min(10, max(1, round(mood * 9 + 1 + rng.gauss(0, 0.8)))))
    if question.type is QuestionType.NPS:
        return int(min(10, max(0, round(mood * 10 + rng.gauss(0, 1.2)))))
    if question.type is QuestionType.TEXT:
        return rng.choice(COMMENTS) if rng.random() < 0.45 else None
    return None


def _answers(version: QuestionnaireVersion, good_at, rng: random.Random) -> dict:
    mood = min(1.0, max(0.0, rng.betavariate(5, 2)))
    answers = {}
    for question in version.questions:
        if not question.required and question.type.is_rated and rng.random() < 0.1:
            continue  # skipped: "does not fit my contact"
        value = _answer(question, mood, good_at, rng)
        if value is not None:
            answers[question] = value
    return answers


def _contact(organisation, manager: User, when: datetime, index: int, rng) -> Contact:
    first = rng.choice(PEOPLE)
    company = COMPANIES[index % len(COMPANIES)]
    domain = company.lower().replace(" ", "").replace("&", "").replace("-", "")[:18]
    return Contact(
        organisation_id=organisation.id,
        account_manager_id=manager.id,
        company_name=company,
        registry_number=f"{rng.randrange(10_000_000, 99_999_999)}",
        person_name=f"{first} {rng.choice(('Jansen', 'de Boer', 'Visser', 'Smit', 'El Amrani'))}",
        email=f"{first.lower()}.{index}@{domain}.example",
        locale="en" if index % 7 == 3 else "nl",
        contacted_on=when.date(),
        channel=rng.choice(list(Channel)),
        subject=rng.choice(SUBJECTS),
        source=Source.DEMO,
    )


def _settle(invitation, organisation, version, good_at, sent_at, now, rng) -> None:
    """Move the invitation through the life its age gives it."""
    age = now - sent_at
    if age.days >= 40 and rng.random() < 0.08:
        invitation.suppress(
            SuppressionReason.RECENTLY_INVITED, previously_invited_at=sent_at - timedelta(days=34)
        )
        return
    if sent_at > now:
        return  # still scheduled
    invitation.mark_sent(sent_at, organisation.link_expiry_days)
    delivered(invitation, EmailPurpose.INVITATION, sent_at)
    if rng.random() < 0.6 or age.days > 30:
        answered_at = sent_at + timedelta(hours=rng.randrange(1, 120))
        if answered_at < now and rng.random() < 0.85:
            db.session.flush()
            submit_response(
                invitation, _answers(version, good_at, rng), invitation.locale, answered_at
            )
            return
    if age.days >= 5:
        invitation.mark_reminded(sent_at + timedelta(days=5))
        delivered(invitation, EmailPurpose.REMINDER, sent_at + timedelta(days=5))
    if invitation.is_expired_at(now):
        invitation.mark_expired()


def load_demo(
    now: datetime, seed: int = 2026, invitations: int = 48, *, events: bool = False
) -> DemoSummary:
    """Create the demo municipality once; a second call only reports what is there.

    With `events`, also its events (events.py), once: added to a demo made before there were
    events too. Without, the demo is what a database from before events could hold."""
    load_catalogue()
    version = catalogue_questionnaire("contact-survey").latest_version
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == DEMO_SLUG))
    logins = [(role.value, email, password) for email, _, role, password, _ in DEMO_STAFF]
    if organisation is not None:
        if events:
            _add_events(organisation, now, random.Random(seed))
        return DemoSummary(
            organisation,
            logins,
            _open_invitations(organisation),
            created=False,
            room_link=demo_room_link(organisation),
        )
    rng = random.Random(seed)
    organisation = create_organisation(
        "Gemeente Demodam",
        DEMO_SLUG,
        contact_email="ondernemersloket@demodam.example",
        contact_phone="14 0999",
    )
    managers = []
    for email, name, role, password, good_at in DEMO_STAFF:
        user = create_user(
            organisation, email=email, name=name, role=role, password=password, now=now
        )
        if role is Role.ACCOUNT_MANAGER:
            managers.append((user, good_at))
    for index in range(invitations):
        manager, good_at = managers[index % len(managers)]
        # Spread over the last 60 days, the newest few still to be sent tomorrow morning.
        day = now - timedelta(days=60 * (1 - index / invitations)) + timedelta(days=2)
        sent_at = day.replace(hour=8, minute=0, second=0, microsecond=0)  # 09:00 in Amsterdam
        contact = _contact(organisation, manager, sent_at - timedelta(days=1), index, rng)
        invitation = Invitation.for_contact(contact, version, scheduled_at=sent_at)
        invitation.created_at = sent_at - timedelta(hours=15)  # logged the afternoon before
        db.session.add_all([contact, invitation])
        _settle(invitation, organisation, version, good_at, sent_at, now, rng)
    if events:
        _add_events(organisation, now, rng)
    db.session.flush()
    return DemoSummary(
        organisation,
        logins,
        _open_invitations(organisation),
        room_link=demo_room_link(organisation),
    )


def _add_events(organisation: Organisation, now: datetime, rng: random.Random) -> None:
    """The demo's events, organised by its coordinator, unless the municipality has events."""
    if has_events(organisation):
        return
    coordinator = db.session.scalar(
        select(User)
        .where(User.organisation_id == organisation.id, User.role == Role.COORDINATOR)
        .order_by(User.id)
        .limit(1)
    )
    add_demo_events(organisation, coordinator, now, rng)


def _open_invitations(organisation: Organisation, limit: int = 3) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.state.in_([InvitationState.SENT, InvitationState.REMINDED]),
            )
            .order_by(Invitation.sent_at.desc())
            .limit(limit)
        )
    )
