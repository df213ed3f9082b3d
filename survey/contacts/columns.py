"""Which column of an imported file holds which value of a contact.

CRMs and spreadsheets name their columns in many ways: "Datum contact", "Contact date
(dd-mm-jjjj)", "E-mailadres contactpersoon", "Account Name", "First Name" and "Last Name".
Headers are compared as words without case, accents or punctuation; a header holds a value
when a known name is the whole header (a sure match) or a run of its words (a likely match).
Each header goes to at most one value, by the first rule that matches it; when two columns
are equally likely for one value, neither is taken and the person chooses. What a person
chose is remembered per organisation, keyed by the file's set of headers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Organisation, User
from survey.contacts.models import ColumnMapping
from survey.extensions import db

FIELDS = (
    "company_name",
    "registry_number",
    "person_name",
    "email",
    "locale",
    "contacted_on",
    "channel",
    "subject",
    "account_manager",
)
REQUIRED = ("company_name", "person_name", "email", "contacted_on", "channel")
# First name, middle part and last name: several columns that together make one value.
JOINED = ("person_name",)
COLUMN_LABELS = {
    "company_name": _l("Company name"),
    "registry_number": _l("KvK or KBO number"),
    "person_name": _l("Contact person"),
    "email": _l("Email address"),
    "locale": _l("Language"),
    "contacted_on": _l("Date"),
    "channel": _l("Channel"),
    "subject": _l("Subject"),
    "account_manager": _l("Account manager"),
}
PART = "part"  # the rules' mark for part of a person's name
IGNORED = None  # the rules' mark for headers that look like a value but are something else

# Names as people and CRMs (Salesforce, Dynamics, HubSpot, Pipedrive, Zoho, municipal
# relation managers) write them, in order: the first rule that matches a header wins, so
# "Contact date" is a date and "Contact owner" an account manager before "contact" is a person.
RULES: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (IGNORED, ("id", "guid", "record id", "created", "aangemaakt", "aanmaakdatum",
               "modified", "gewijzigd", "wijzigingsdatum", "updated", "bijgewerkt", "create",
               "create date", "createdate", "creation date",
               "vervaldatum", "next", "volgende", "deadline",
               "geboortedatum", "birthdate", "birthday", "vestigingsnummer", "btw",
               "btw nummer", "vat", "vat number", "rsin", "telefoon", "telefoonnummer",
               "phone number", "mobile", "mobiel", "website",
               "postcode", "zip", "status", "company type", "account type", "record type",
               "account number", "rechtsvorm", "legal form")),
    ("account_manager", ("accountmanager", "account manager", "accountmanager email",
                         "account owner", "accounthouder", "owner", "eigenaar", "contact owner",
                         "activity owner", "assigned", "assigned to", "toegewezen aan",
                         "behandelaar",
                         "relatiebeheerder", "relatiemanager", "medewerker", "ambtenaar",
                         "bedrijfscontactfunctionaris", "user", "gebruiker")),
    ("registry_number", ("kvk", "kvknummer", "kvk nummer", "kvk nr", "kvknr", "kbo",
                         "kbonummer", "kbo nummer", "ondernemingsnummer", "chamber of commerce",
                         "chamber of commerce number", "coc", "coc number", "registry number",
                         "registration number", "company number", "company registration",
                         "handelsregister", "handelsregisternummer", "inschrijvingsnummer",
                         "registry")),
    ("email", ("email", "mail", "emailadres", "email address", "emailaddress", "mailadres",
               "emailaddress1", "primary email", "e mail")),
    ("contacted_on", ("datum", "date", "contactdatum", "contact date", "activity date",
                      "activiteitsdatum", "datum activiteit", "gespreksdatum", "bezoekdatum",
                      "visit date", "meeting date", "afspraakdatum", "call date", "startdatum",
                      "start date", "actual start", "start time", "call start time", "starttijd",
                      "datum tijd", "date time")),
    ("channel", ("kanaal", "contactvorm", "contactsoort", "contact type", "contacttype",
                 "type contact", "type activiteit", "activiteitstype", "activity type",
                 "type", "soort", "soort contact", "medium", "channel", "contactkanaal",
                 "wijze van contact", "manier van contact")),
    ("locale", ("taal", "language", "voorkeurstaal", "preferred language", "locale",
                "correspondentietaal", "communicatietaal")),
    ("subject", ("onderwerp", "subject", "omschrijving", "gespreksonderwerp",
                 "aanleiding", "topic", "regarding")),
    ("company_name", ("bedrijf", "bedrijfsnaam", "company", "company name", "organisatie",
                      "organisatienaam", "organisation", "organization", "organization name",
                      "account", "account name", "onderneming", "ondernemingsnaam",
                      "handelsnaam", "trade name", "klant", "klantnaam", "relatie",
                      "relatienaam", "business", "business name", "firma", "statutaire naam")),
    (PART, ("voornaam", "first name", "firstname", "roepnaam", "voorletters", "tussenvoegsel",
            "tussenvoegsels", "middle name", "achternaam", "last name", "lastname", "surname",
            "family name")),
    ("person_name", ("contactpersoon", "contact person", "contact", "naam", "name",
                     "full name", "volledige naam", "contact name", "persoon", "person",
                     "ondernemer", "entrepreneur", "aanspreekpersoon", "gesprekspartner",
                     "klantcontact")),
)  # fmt: skip

# The names the upload page shows as examples, per value.
EXAMPLE_NAMES = {value: names[:8] for value, names in RULES if value not in (IGNORED, PART)}
EXAMPLE_NAMES["person_name"] += ("voornaam + achternaam", "first name + last name")
MAX_COLUMNS = 200
RUN_WORDS = 8  # a header is a few words; a longer one is compared by its first eight
FIRST_VALUES = 3  # shown beside each column when the person chooses


def header_words(name: str) -> list[str]:
    """A header as plain words: no case, accents, punctuation or remarks in brackets.

    A dash, dot or apostrophe inside a word joins it ("E-mail" is "email"), so that the
    compact and the spelled-out forms meet.
    """
    text = unicodedata.normalize("NFKD", name.lstrip("\ufeff"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)  # "(dd-mm-jjjj)"
    text = re.sub(r"(?<=\w)[-.'’](?=\w)", "", text)
    return re.findall(r"[a-z0-9]+", text.replace("_", " "))


def normalised(name: str) -> str:
    return " ".join(header_words(name))


def _runs(words: list[str]) -> set[str]:
    """Every run of consecutive words, written together: "contact", "date", "contactdate"."""
    words = words[:RUN_WORDS]
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


_COMPACT_RULES = tuple((value, {name.replace(" ", "") for name in names}) for value, names in RULES)


def recognise(name: str) -> tuple[str | None, bool]:
    """The value a header holds by the rules (None for none), and whether the match is sure."""
    words = header_words(name)
    whole, runs = "".join(words), _runs(words)
    for value, names in _COMPACT_RULES:
        if names & runs:
            return value, whole in names
    return None, False


@dataclass
class HeaderReading:
    """How the columns of a header are read: which value each holds, and what is unclear."""

    header: list[str]
    columns: dict[str, tuple[int, ...]] = field(default_factory=dict)
    ambiguous: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [value for value in REQUIRED if value not in self.columns]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.ambiguous

    def choices(self) -> list[str]:
        """Per column the value it holds, or "" when it is ignored: the mapping form's start."""
        chosen = [""] * len(self.header)
        for value, indexes in self.columns.items():
            for index in indexes:
                chosen[index] = value
        return chosen

    def named(self, indexes: tuple[int, ...]) -> str:
        return ", ".join(shown(self.header[index]) for index in indexes)


def shown(text: str, length: int = 60) -> str:
    """A header or cell as a message shows it: on one line, a long one cut short."""
    text = " ".join(text.lstrip("\ufeff").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _pick(candidates: list[tuple[int, bool]]) -> tuple[tuple[int, ...], bool]:
    """The column for one value, and whether the choice is ambiguous."""
    sure = tuple(index for index, is_sure in candidates if is_sure)
    likely = sure or tuple(index for index, _ in candidates)
    return likely[:1], len(likely) > 1


def read_header(header: list[str]) -> HeaderReading:
    """Read the header by the rules. Parts of a name make the contact person when no column
    holds the whole name."""
    reading = HeaderReading(header)
    candidates: dict[str | None, list[tuple[int, bool]]] = {}
    for index, name in enumerate(header):
        value, sure = recognise(name)
        candidates.setdefault(value, []).append((index, sure))
    for value in FIELDS:
        if value not in candidates:
            continue
        chosen, ambiguous = _pick(candidates[value])
        if ambiguous:
            reading.ambiguous[value] = tuple(index for index, _ in candidates[value])
        else:
            reading.columns[value] = chosen
    if "person_name" not in reading.columns and PART in candidates:
        reading.ambiguous.pop("person_name", None)
        reading.columns["person_name"] = tuple(index for index, _ in candidates[PART])
    return reading


class ColumnChoiceError(ValueError):
    """The columns chosen cannot be used; `problems` says why, per value."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def chosen_columns(header: list[str], choices: list[str]) -> HeaderReading:
    """The reading a person chose: per column a value or "" (ignored). Every required value
    needs a column; only the contact person may take several (first name, last name)."""
    if len(choices) != len(header) or any(c and c not in FIELDS for c in choices):
        raise ColumnChoiceError({"": str(_l("The columns chosen do not fit the file."))})
    reading = HeaderReading(header)
    for index, value in enumerate(choices):
        if value:
            reading.columns[value] = reading.columns.get(value, ()) + (index,)
    problems = {}
    for value, indexes in reading.columns.items():
        if len(indexes) > 1 and value not in JOINED:
            problems[value] = _l(
                "The columns %(columns)s are all chosen for %(what)s; choose one of them.",
                columns=reading.named(indexes),
                what=COLUMN_LABELS[value],
            )
    for value in reading.missing:
        problems[value] = _l("Choose the column that holds: %(what)s.", what=COLUMN_LABELS[value])
    if problems:
        raise ColumnChoiceError({value: str(message) for value, message in problems.items()})
    return reading


# --- remembered mappings -------------------------------------------------------------------


def header_key(header: list[str]) -> str:
    """The file's set of headers, as words, in a fixed-length key: same CRM, same key."""
    names = sorted({normalised(name) for name in header})
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def remembered_mapping(organisation: Organisation, header: list[str]) -> ColumnMapping | None:
    return db.session.scalar(
        select(ColumnMapping).where(
            ColumnMapping.organisation_id == organisation.id,
            ColumnMapping.header_key == header_key(header),
        )
    )


def remembered_reading(mapping: ColumnMapping, header: list[str]) -> HeaderReading | None:
    """The remembered choice applied to this file's order of columns; None if it no longer fits."""
    choices = [mapping.columns.get(normalised(name), "") for name in header]
    try:
        return chosen_columns(header, choices)
    except ColumnChoiceError:
        return None


def remember_mapping(
    organisation: Organisation, reading: HeaderReading, now: datetime, user: User
) -> None:
    """Keep the person's choice for the next file with these headers; flushed, not committed.

    A header that names two columns alike cannot be told apart next time: not remembered.
    """
    names = [normalised(name) for name in reading.header]
    if len(set(names)) != len(names):
        return
    columns = {name: value for name, value in zip(names, reading.choices(), strict=True) if value}
    mapping = remembered_mapping(organisation, reading.header)
    if mapping is not None:
        mapping.columns, mapping.saved_at, mapping.saved_by_id = columns, now, user.id
        db.session.flush()
        return
    try:
        with db.session.begin_nested():  # someone else may save the same headers at this moment
            db.session.add(
                ColumnMapping(
                    organisation_id=organisation.id,
                    header_key=header_key(names),
                    columns=columns,
                    saved_at=now,
                    saved_by_id=user.id,
                )
            )
    except IntegrityError:
        pass  # theirs is kept; the import itself goes on
