"""The bulk demo's municipalities, their staff, and the companies and people they meet.

Names are fictional. Staff are found again by email on a second run, so running the bulk demo
twice adds responses, not people.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.accounts.staff import create_organisation
from survey.demo.data import DEMO_SLUG
from survey.extensions import db

BULK_PASSWORD = "demo-bulk-2026"  # every generated staff member's (published) password


@dataclass(frozen=True)
class Municipality:
    name: str
    slug: str
    timezone: str
    managers: int
    size: float  # contacts per account manager, relative to the others


MUNICIPALITIES = (
    Municipality("Gemeente Zeewolde-aan-Zee", "zeewolde-aan-zee", "Europe/Amsterdam", 12, 1.2),
    Municipality("Gemeente Hoogveen", "hoogveen", "Europe/Amsterdam", 9, 1.0),
    Municipality("Gemeente Maasdelta", "maasdelta", "Europe/Amsterdam", 7, 0.9),
    Municipality("Gemeente Lindenwaard", "lindenwaard", "Europe/Amsterdam", 6, 0.8),
    Municipality("Gemeente Oosterhaven", "oosterhaven", "Europe/Amsterdam", 5, 0.7),
    Municipality("Stad Leiebrugge", "leiebrugge", "Europe/Brussels", 8, 0.9),
)


def _listed(names: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in names.split(","))


# Demodam, the small demo, gets six more account managers besides Sanne and Joris.
DEMODAM = Municipality("Gemeente Demodam", DEMO_SLUG, "Europe/Amsterdam", 6, 1.0)

FIRST_NAMES = _listed(
    "Anouk, Bram, Daan, Eva, Fatima, Gijs, Hanna, Ilse, Jesse, Kim, Lotte, Mohammed, Noor, Olaf, "
    "Pieter, Roos, Sem, Tess, Umut, Vera, Wouter, Yara, Zeynep, Luuk, Sophie, Youssef, Mila, "
    "Hasan, Lieke, Thijs, Emma, Jan, Femke, Ruben, Sanne, Koen, Nadia, Stijn, Elif, Wim"
)
LAST_NAMES = _listed(
    "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, de Boer, "
    "Mulder, de Groot, Bos, Vos, Peters, Hendriks, Dekker, van Leeuwen, Brouwer, de Wit, "
    "Dijkstra, El Amrani, Yilmaz, Kaya, Postma, Kramer, van der Meer, Hoekstra, Koster, Prins"
)
FLEMISH_NAMES = _listed(
    "Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet, "
    "Vermeulen, Van Damme, De Clercq, Aerts, Lambrechts"
)
TRADES = _listed(
    "Bakkerij, Slagerij, Installatiebedrijf, Bouwbedrijf, Garage, Transport, Hoveniersbedrijf, "
    "Schildersbedrijf, Drukkerij, Kapsalon, Architectenbureau, Accountantskantoor, "
    "Advocatenkantoor, IT-bureau, Metaalbewerking, Timmerbedrijf, Loonbedrijf, Hotel, "
    "Restaurant, Bloemenhuis, Fietsenmakerij, Brouwerij, Koffiebranderij, Cateraar, "
    "Schoonmaakbedrijf, Makelaardij, Tandartspraktijk, Kinderopvang, Zonnepanelen, "
    "Fysiotherapie, Autorijschool, Webwinkel"
)
PLACES = _listed(
    "De Molen, De Linde, De Haven, De Eik, De Kroon, De Ster, De Brug, De Hoeve, De Zwaan, "
    "Het Anker, De Gouden Leeuw, Het Pakhuis, De Vlijt"
)
SUBJECTS = _listed(
    "Uitbreiding bedrijfspand, Vergunning terras, Subsidie verduurzaming, "
    "Zoektocht naar nieuwe locatie, Personeelstekort, Overlast wegwerkzaamheden, "
    "Kennismakingsbezoek, Startende ondernemer, Evenementenvergunning, "
    "Bereikbaarheid bedrijventerrein, Aanbesteding gemeente, Parkeren voor klanten, "
    "Netcongestie, Bestemmingsplan, Leegstand in het centrum"
)


@dataclass(frozen=True)
class Company:
    name: str
    registry_number: str
    domain: str


@dataclass
class Team:
    """A municipality of the bulk demo, with the staff members that contacts are logged by."""

    organisation: Organisation
    size: float
    managers: list[User]
    companies: list[Company]
    people: list[tuple[str, str]]  # contact persons: (name, email local part)
    coordinator: User | None = None  # organises the events


def ascii_slug(text: str, separator: str = "") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", separator, plain).strip(separator)


def people(flemish: bool) -> list[tuple[str, str]]:
    """Every (name, email local part) a contact person can have."""
    surnames = FLEMISH_NAMES if flemish else LAST_NAMES
    return [
        (f"{first} {last}", f"{ascii_slug(first)}.{ascii_slug(last)}")
        for first in FIRST_NAMES
        for last in surnames
    ]


def _registry_number(rng: random.Random, flemish: bool) -> str:
    if not flemish:
        return str(rng.randrange(10_000_000, 100_000_000))  # KvK: 8 digits
    base = rng.randrange(2_000_000, 10_000_000)  # KBO: 0 + 7 digits + mod-97 check
    return f"0{base:07d}{97 - base % 97:02d}"


def companies(rng: random.Random, flemish: bool, count: int = 800) -> list[Company]:
    surnames = FLEMISH_NAMES if flemish else LAST_NAMES
    legal = " BV" if flemish else " B.V."
    made = []
    for index in range(count):
        surname = rng.choice(surnames).replace("de ", "De ").replace("van ", "Van ")
        name = rng.choice(
            (f"{rng.choice(TRADES)} {surname}", f"{rng.choice(TRADES)} {rng.choice(PLACES)}")
        )
        if rng.random() < 0.25:
            name += legal
        domain = f"{ascii_slug(name.removesuffix(legal))[:24]}{index}.example"
        made.append(Company(name, _registry_number(rng, flemish), domain))
    return made


def _organisation(municipality: Municipality) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.slug == municipality.slug))
    if found is not None:
        return found
    return create_organisation(
        municipality.name,
        municipality.slug,
        timezone=municipality.timezone,
        contact_email=f"ondernemersloket@{municipality.slug}.example",
    )


def _staff(municipality: Municipality) -> list[tuple[str, str, Role]]:
    """(email, name, role) of the municipality's admin, coordinator and account managers."""
    names = random.Random(municipality.slug)  # the same names on every run
    surnames = FLEMISH_NAMES if municipality.timezone == "Europe/Brussels" else LAST_NAMES
    domain = f"{municipality.slug}.example"
    staff = []
    if municipality is not DEMODAM:  # Demodam has its own administrator and coordinator
        for local, role in (("beheer", Role.ADMIN), ("coordinator", Role.COORDINATOR)):
            name = f"{names.choice(FIRST_NAMES)} {names.choice(surnames)}"
            staff.append((f"{local}@{domain}", name, role))
    for first, last in zip(
        names.sample(FIRST_NAMES, municipality.managers),
        names.sample(surnames, municipality.managers),
        strict=True,
    ):
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
        staff.append((email, f"{first} {last}", Role.ACCOUNT_MANAGER))
    return staff


def set_up_team(municipality: Municipality, password_hash: str, rng: random.Random) -> Team:
    """The municipality with its staff, made where missing; staff share one password hash."""
    organisation = _organisation(municipality)
    staff = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.organisation_id == organisation.id))
    }
    for email, name, role in _staff(municipality):
        if email not in staff:
            staff[email] = User(
                organisation=organisation,
                email=email,
                name=name,
                role=role,
                password_hash=password_hash,
            )
            db.session.add(staff[email])
    db.session.flush()
    managers = sorted(
        (user for user in staff.values() if user.role is Role.ACCOUNT_MANAGER),
        key=lambda user: user.id,
    )
    coordinator = min(
        (user for user in staff.values() if user.role is Role.COORDINATOR),
        key=lambda user: user.id,
        default=None,
    )
    flemish = municipality.timezone == "Europe/Brussels"
    return Team(
        organisation,
        municipality.size,
        managers,
        companies(rng, flemish),
        people(flemish),
        coordinator,
    )
