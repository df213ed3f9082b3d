"""`flask demo`'s comparison circle: ten small municipalities of two size classes with a year of
contact-survey feedback, their data-sharing consents (one still missing), two improvement actions
in Demodam (one that worked, one that did not), a good practice, and a platform operator; and,
with `--responses N`, the bulk's seven municipalities in a circle of their own.

Responses are written as rows (demo/writing.py) and the members' tallies rebuilt, as the bulk
demo does, so it takes seconds. Everything else goes through the circles' own functions: the
operator creates the circle and adds the members, each administrator accepts the terms. A
second run finds the circle and adds nothing.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User, find_user_by_email
from survey.accounts.passwords import hash_password
from survey.accounts.staff import create_user
from survey.analysis.periods import add_months, reporting_month
from survey.analysis.recount import rebuild_tallies
from survey.audit.models import Action
from survey.audit.trail import record
from survey.circles.actions import ActionDetails, practice_draft, record_action, share_practice
from survey.circles.membership import (
    add_member,
    circle_named,
    create_circle,
    give_consent,
    membership_or_none,
    standing_consent,
)
from survey.circles.models import Circle, ImprovementAction
from survey.circles.sizes import size_class_for
from survey.contacts.models import Contact
from survey.demo.counts import rounded
from survey.demo.data import DEMO_SLUG, DEMO_STAFF
from survey.demo.municipalities import (
    BULK_PASSWORD,
    SUBJECTS,
    Municipality,
    Team,
    companies,
    people,
    set_up_team,
)
from survey.demo.respondents import LOADINGS, answers, questions_of
from survey.demo.timeline import Day, answered, months_up_to, stored, unanswered
from survey.demo.writing import Rows, first_free_ids, write
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.platform.organisations import Size, create_municipality, set_size
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.responding.models import Response

CIRCLE_NAME = "Vergelijkingskring Midden"
CIRCLE_DESCRIPTION = (
    "Tien gemeenten die hun dienstverlening aan ondernemers met elkaar vergelijken en drie keer "
    "per jaar bijeenkomen om van elkaar te leren."
)
BULK_CIRCLE_NAME = "Vergelijkingskring Lage Landen"
PLATFORM = ("Spiegel platform", "spiegel-platform")
# email, name, password (the policy refuses a password holding the name or the email's name)
OPERATOR = ("operator@spiegel.example", "Wessel Kringbeheer", "demo-platform-2026")
TIMEZONE = "Europe/Amsterdam"  # every peer's
MONTHS = 12  # whole months of feedback before the current month
ACTION_FROM = 6  # the month (index) Demodam's actions start: six months before, six after
WORKED, FLAT = "speed", "clarity"  # what the action that worked and the one that did not aim at
LIFT = 0.8  # how far the action that worked lifts its statement (on the respondents' scale)
DRIFT = 0.12  # every member gets a little better over the year: the circle's own rise
CHANNEL_MIX = {"visit": 0.3, "phone": 0.3, "email": 0.2, "counter": 0.12, "event": 0.08}
CHANNEL_LIFT = {"visit": 0.2, "phone": 0.0, "email": -0.2, "counter": -0.05, "event": 0.1}


@dataclass(frozen=True)
class Peer:
    """A municipality of the demo circle and how its entrepreneurs answer."""

    name: str
    slug: str
    inhabitants: int
    companies: int
    per_month: int  # responses a month
    level: float  # above or below the others, on every statement
    answer_rate: float
    consents: bool = True


PEERS = (
    Peer("Gemeente Demodam", DEMO_SLUG, 31_500, 2_400, 34, 0.0, 0.42),
    Peer("Gemeente Beekveld", "beekveld", 42_800, 3_300, 40, 0.15, 0.45),
    Peer("Gemeente Heidebroek", "heidebroek", 27_600, 2_100, 30, -0.1, 0.38),
    Peer("Gemeente Wolderwijk", "wolderwijk", 24_100, 1_900, 28, 0.35, 0.5),
    Peer("Gemeente Rijnzathe", "rijnzathe", 36_900, 2_800, 36, 0.05, 0.4, consents=False),
    Peer("Gemeente Ommerdijk", "ommerdijk", 16_400, 1_200, 18, -0.5, 0.3),
    Peer("Gemeente Lindeloo", "lindeloo", 12_900, 950, 16, 0.1, 0.44),
    Peer("Gemeente Vennebroek", "vennebroek", 14_200, 1_050, 20, 0.0, 0.4),
    Peer("Gemeente Aldermeer", "aldermeer", 18_700, 1_400, 14, 0.2, 0.47),
    # A handful of answers a quarter: "too few responses" for a quarter, shown for a half year.
    Peer("Gemeente Klein-Oudorp", "klein-oudorp", 4_300, 310, 1, 0.0, 0.5),
)
# The bulk's municipalities (demo/municipalities.py) have no size; the operator gives them one.
BULK_INHABITANTS = {
    "zeewolde-aan-zee": 68_000,
    "hoogveen": 55_300,
    "leiebrugge": 58_900,
    "maasdelta": 41_200,
    "lindenwaard": 33_700,
    "oosterhaven": 24_800,
    DEMO_SLUG: next(peer.inhabitants for peer in PEERS if peer.slug == DEMO_SLUG),
}


@dataclass
class CircleSummary:
    circle: Circle
    created: bool = True
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, password


def load_circle_demo(now: datetime, seed: int = 2026) -> CircleSummary:
    """The demo circle, once (the demo municipality must exist: data.load_demo)."""
    operator = ensure_operator(now)
    # Another member's administrator (every other member's staff share that password).
    logins = [
        (Role.OPERATOR.value, OPERATOR[0], OPERATOR[2]),
        ("admin, Beekveld", "beheer@beekveld.example", BULK_PASSWORD),
    ]
    found = circle_named(CIRCLE_NAME)
    if found is not None:
        return CircleSummary(found, created=False, logins=logins)
    joined = datetime.combine(_first_month(now), time(9), UTC) - timedelta(days=20)
    teams = _teams(operator, joined, random.Random(seed))
    circle = create_circle(CIRCLE_NAME, CIRCLE_DESCRIPTION, actor=operator, now=joined)
    for peer, team in zip(PEERS, teams, strict=True):
        member = add_member(circle, team.organisation, actor=operator, now=joined)
        if peer.consents:
            admin = administrator(team.organisation)
            give_consent(member, actor=admin, now=joined + timedelta(days=7))
    _write_feedback(teams, now)
    _actions(teams[0], now)
    return CircleSummary(circle, logins=logins)


def join_bulk_circle(organisation_ids: list[int], now: datetime) -> Circle:
    """`flask demo --responses N`: the bulk's municipalities in one circle, each sharing (its
    administrator consents); sizes where the operator had not given one. Safe to run again."""
    operator = ensure_operator(now)
    circle = circle_named(BULK_CIRCLE_NAME) or create_circle(
        BULK_CIRCLE_NAME, "", actor=operator, now=now
    )
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.id)
    )
    for organisation in organisations:
        inhabitants = BULK_INHABITANTS.get(organisation.slug)
        if organisation.size_class is None and inhabitants is not None:
            _give_size(organisation, inhabitants, None, operator, now)
        member = membership_or_none(organisation.id, circle.id)
        if member is None:
            member = add_member(circle, organisation, actor=operator, now=now)
        admin = administrator(organisation)
        if standing_consent(member) is None and admin is not None:
            give_consent(member, actor=admin, now=now)
    return circle


def ensure_operator(now: datetime) -> User:
    """The platform organisation and its demo operator, made where missing."""
    email, name, password = OPERATOR
    operator = find_user_by_email(email)
    if operator is not None:
        return operator
    platform = db.session.scalar(select(Organisation).where(Organisation.is_platform))
    if platform is None:
        platform = create_municipality(
            *PLATFORM,
            locale="nl",
            timezone="Europe/Amsterdam",
            size=Size(),
            actor=None,
            now=now,
            platform=True,
        )
    return create_user(
        platform, email=email, name=name, role=Role.OPERATOR, password=password, now=now
    )


def administrator(organisation: Organisation) -> User | None:
    """Who accepts the circle's terms: the organisation's first active administrator."""
    return db.session.scalar(
        select(User)
        .where(
            User.organisation_id == organisation.id,
            User.role == Role.ADMIN,
            User.active,
            User.removed_at.is_(None),
        )
        .order_by(User.id)
        .limit(1)
    )


def _first_month(now: datetime) -> date:
    """The first month of the demo's year of feedback, where the peers are."""
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    return add_months(today.replace(day=1), -MONTHS)


def _give_size(organisation, inhabitants: int, companies_count, operator, now) -> None:
    size = Size(size_class_for(inhabitants), inhabitants, companies_count)
    set_size(organisation, size, actor=operator, now=now)


# The members and their staff ------------------------------------------------------------------


def _teams(operator: User, now: datetime, rng: random.Random) -> list[Team]:
    """Each peer's organisation and staff, Demodam's as the small demo made them."""
    password_hash = hash_password(BULK_PASSWORD)
    teams = []
    for peer in PEERS:
        if peer.slug == DEMO_SLUG:
            team = _demodam_team(rng)
        else:
            municipality = Municipality(peer.name, peer.slug, TIMEZONE, 2, 1.0)
            team = set_up_team(municipality, password_hash, rng)
        if team.organisation.size_class is None:
            _give_size(team.organisation, peer.inhabitants, peer.companies, operator, now)
        teams.append(team)
    return teams


def _demodam_team(rng: random.Random) -> Team:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == DEMO_SLUG))
    if organisation is None:
        raise RuntimeError("load the demo municipality first (survey.demo.data.load_demo)")
    emails = [email for email, _name, role, *_rest in DEMO_STAFF if role is Role.ACCOUNT_MANAGER]
    managers = [find_user_by_email(email) for email in emails]
    return Team(organisation, 1.0, managers, companies(rng, False), people(False))


# The feedback ---------------------------------------------------------------------------------


def _write_feedback(teams: list[Team], now: datetime) -> None:
    """A year of answered and unanswered invitations of every peer, then their tallies."""
    load_catalogue()
    version = catalogue_questionnaire("contact-survey").latest_version
    asked = (version.id, questions_of(version))
    db.session.flush()
    rows = Rows(first_free_ids(db.session))
    for peer, team in zip(PEERS, teams, strict=True):
        _peer_feedback(rows, peer, team, asked, now)
    write(db.session.connection(), rows)
    rebuild_tallies(db.session, [team.organisation.id for team in teams])


def _profile(peer: Peer) -> dict[str, float]:
    """Where each statement sits for this peer: its level, a little of its own, and Demodam's
    weak speed that its action should lift."""
    rng = random.Random(f"circle-demo-profile:{peer.slug}")
    offsets = {code: peer.level + rng.gauss(0, 0.15) for code in sorted(LOADINGS)}
    if peer.slug == DEMO_SLUG:
        offsets[WORKED] -= 0.4
        offsets["expertise"] += 0.3
    return offsets


def _offsets(peer: Peer, profile: dict, month: int, channel: str) -> dict[str, float]:
    """The statements' offsets in a month (index from the first month) through a channel."""
    shift = DRIFT * month / (MONTHS - 1) + CHANNEL_LIFT[channel]
    offsets = {code: value + shift for code, value in profile.items()}
    if peer.slug == DEMO_SLUG and month >= ACTION_FROM:
        offsets[WORKED] += LIFT
    return offsets


def _peer_feedback(rows: Rows, peer: Peer, team: Team, asked, now: datetime) -> None:
    """Each month's responses; the answers depend on the month's place in the year, not on the
    calendar, so the demo tells the same story whenever it is loaded."""
    organisation = team.organisation
    months = months_up_to(now, MONTHS + 1, organisation)[:MONTHS]
    first, naive_now = _first_month(now), stored(now)
    profile = _profile(peer)
    timing = random.Random(f"circle-demo-days:{peer.slug}")
    mix = random.Random(f"circle-demo-mix:{peer.slug}")
    weights = {channel: share * mix.uniform(0.5, 1.5) for channel, share in CHANNEL_MIX.items()}
    for index, month in enumerate(months):
        values = random.Random(f"circle-demo:{peer.slug}:{index}")
        for _ in range(peer.per_month):
            channel = values.choices(list(weights), list(weights.values()))[0]
            day = timing.choice(month.answerable)
            life, submitted_at = answered(day, naive_now, timing)
            manager = timing.choice(team.managers)
            invitation_id, locale = _invite(rows, team, manager, day, channel, life, asked, timing)
            given_in = reporting_month(submitted_at.replace(tzinfo=UTC), organisation.timezone)
            offsets = _offsets(peer, profile, _month_index(first, given_in), channel)
            response_id = rows.new_id(Response)
            rows.responses.append(
                (response_id, invitation_id, organisation.id, asked[0], submitted_at, locale,
                 manager.id, channel, given_in, "contact", None, None)
            )  # fmt: skip
            for question_id, value, text in answers(asked[1], offsets, locale == "en", values):
                rows.answers.append((response_id, question_id, value, None, text))
            for _ in range(rounded((1 - peer.answer_rate) / peer.answer_rate, timing)):
                later = timing.choice(month.days)
                life = unanswered(later, naive_now)
                _invite(rows, team, manager, later, channel, life, asked, timing)


def _month_index(first: date, month: date) -> int:
    return (month.year - first.year) * 12 + month.month - first.month


def _invite(rows: Rows, team: Team, manager: User, day: Day, channel, life, asked, rng):
    """A contact logged on `day` and its invitation; returns the invitation's id and language."""
    contact_id = rows.new_id(Contact)
    company = rng.choice(team.companies)
    name, local_part = rng.choice(team.people)
    email = f"{local_part}.{contact_id}@{company.domain}"
    locale = "en" if rng.random() < 0.05 else "nl"
    logged_at = day.logged_at + timedelta(minutes=rng.randrange(540))
    organisation_id = team.organisation.id
    rows.contacts.append(
        (contact_id, organisation_id, manager.id, company.name, company.registry_number, name,
         email, locale, day.contacted_on, channel, rng.choice(SUBJECTS), "demo", logged_at)
    )  # fmt: skip
    invitation_id = rows.new_id(Invitation)
    state, reason, previously, *moments = life
    rows.invitations.append(
        (invitation_id, organisation_id, contact_id, asked[0], manager.id, email, name, locale,
         state, secrets.token_urlsafe(12), reason, previously, day.sent_at, *moments, logged_at,
         "contact", channel, day.contacted_on, company.name, company.registry_number, None)
    )  # fmt: skip
    return invitation_id, locale


# Demodam's improvement actions and its good practice -----------------------------------------


def _actions(demodam: Team, now: datetime) -> None:
    """Two actions from the same month: a call-back promise that lifted speed more than the
    circle's rise, and a clearer permit page that moved nothing; the first is shared."""
    organisation = demodam.organisation
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demodam.example"))
    starts_on = add_months(_first_month(now), ACTION_FROM)
    planned = datetime.combine(starts_on, time(9), UTC)  # recorded shortly before it started
    worked = _action(
        organisation,
        ActionDetails(
            "Terugbelbelofte: binnen één werkdag reactie",
            "Elke vraag van een ondernemer krijgt binnen één werkdag een eerste reactie van de "
            "accountmanager, ook als het antwoord nog uitgezocht moet worden.",
            starts_on,
            (WORKED,),
            contact_person_id=coordinator.id,
        ),
        planned - timedelta(days=10),
        coordinator,
    )
    _action(
        organisation,
        ActionDetails(
            "Vergunningenwijzer op de website",
            "Een stappenplan per vergunning op de website, zodat ondernemers vooraf weten wat "
            "ze moeten aanleveren.",
            starts_on,
            (FLAT,),
            contact_person_id=demodam.managers[0].id,
        ),
        planned - timedelta(days=3),
        coordinator,
    )
    db.session.flush()
    with force_locale("nl"):
        draft = practice_draft(worked, now, "nl")
    share_practice(worked, draft, now, coordinator)
    record(Action.GOOD_PRACTICE_SHARED, now, actor=coordinator, subject=worked)


def _action(organisation, details: ActionDetails, at: datetime, by: User) -> ImprovementAction:
    action = record_action(organisation, details, at, by)
    record(Action.IMPROVEMENT_ACTION_RECORDED, at, actor=by, subject=action)
    return action
