"""Importing an event's participants from a pasted or uploaded list, with the same preview,
per-line problems, column choice and confirmation as the contact import (survey/imports).

A list copied from a spreadsheet, or typed one per line ("Anna de Vries, anna@example.org,
Bakkerij De Korf"), often has no header line: when its first line holds an email address, the
columns are told by their values instead (an @ makes an email address). Every good row is added
through `add_participant`, so an imported participant is checked and invited exactly like one
added by hand; an address that takes part already is skipped, so a list imported twice adds
nobody twice.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.accounts.models import User
from survey.events.models import Event, Participant
from survey.events.participants import ParticipantError, add_participant, check_participant
from survey.extensions import db
from survey.imports.columns import IGNORED, NAME_PARTS, PART, ColumnSet, HeaderReading
from survey.imports.files import parse_locale
from survey.imports.preview import (
    ImportPreview,
    ImportResult,
    ImportRow,
    mark_duplicates,
    read_list,
    read_row,
    state_problems,
)

PARTICIPANT_LABELS = {
    "name": _l("Name"),
    "email": _l("Email address"),
    "organisation_name": _l("Organisation"),
    "locale": _l("Language"),
}

# In order: the first rule that matches a header wins, so that "Naam organisatie" is the
# organisation and "E-mail deelnemer" the address before "naam" or "deelnemer" is a name.
RULES = (
    (IGNORED, ("id", "nr", "nummer", "number", "aangemeld", "aanmelddatum", "registered",
               "registration date", "datum", "date", "telefoon", "telefoonnummer", "phone",
               "phone number", "mobile", "mobiel", "functie", "job title", "role", "rol",
               "dieetwensen", "dietary requirements", "opmerking", "opmerkingen", "remarks",
               "comments", "aanwezig", "present", "status")),
    ("email", ("email", "mail", "emailadres", "email address", "emailaddress", "mailadres",
               "primary email", "e mail")),
    ("locale", ("taal", "language", "voorkeurstaal", "preferred language", "locale",
                "correspondentietaal", "communicatietaal")),
    ("organisation_name", ("organisatie", "bedrijf", "bedrijfsnaam", "organisation",
                           "organization", "company", "company name", "organisatienaam",
                           "organisation name", "organization name", "onderneming",
                           "werkgever", "employer", "gemeente", "municipality", "instelling",
                           "institution", "afdeling", "department", "account name")),
    (PART, NAME_PARTS),
    ("name", ("naam", "name", "volledige naam", "full name", "deelnemer", "participant",
              "deelnemersnaam", "participant name", "contactpersoon", "contact person",
              "contact", "persoon", "person", "attendee", "aanwezige")),
)  # fmt: skip


def _address(cell: str) -> bool:
    """An @ makes an email address, even a mistyped one: a header never holds one."""
    return "@" in cell


def _filled(body: list[list[str]], index: int) -> list[str]:
    return [
        record[index].strip() for record in body if index < len(record) and record[index].strip()
    ]


def _is_language(text: str) -> bool:
    try:
        return parse_locale(text) is not None
    except ValueError:
        return False


class ParticipantColumns(ColumnSet):
    """A participant list's columns; one without a header line is read by its values."""

    def is_header(self, record: list[str]) -> bool:
        return not any(_address(cell) for cell in record)

    def read_values(self, reading: HeaderReading, body: list[list[str]]) -> HeaderReading:
        """The column mostly holding addresses is the email; one holding only nl/en the
        language; the others, in their order, the name and the organisation, as people type
        them. Two address columns, or more than two others, are left to the person."""
        filled = {index: _filled(body, index) for index in range(len(reading.header))}
        emails, languages, others = [], [], []
        for index, cells in filled.items():
            if not cells:
                continue
            if sum(1 for cell in cells if _address(cell)) * 2 > len(cells):
                emails.append(index)
            elif all(_is_language(cell) for cell in cells):
                languages.append(index)
            else:
                others.append(index)
        for value, indexes in (("email", emails), ("locale", languages)):
            if len(indexes) == 1:
                reading.columns[value] = tuple(indexes)
            elif indexes:
                reading.ambiguous[value] = tuple(indexes)
        if len(others) <= 2:
            for value, index in zip(("name", "organisation_name"), others, strict=False):
                reading.columns[value] = (index,)
        else:
            reading.ambiguous |= {"name": tuple(others), "organisation_name": tuple(others)}
        return reading


PARTICIPANT_COLUMNS = ParticipantColumns(
    kind="participants",
    labels=PARTICIPANT_LABELS,
    required=("email",),
    rules=RULES,
    joined="name",  # first name and last name
    more_examples={"name": ("voornaam + achternaam", "first name + last name")},
)

BAD_LANGUAGE = _l("%(value)s is not a language: use nl or en.")


def _read(line: int, record: list[str], columns: dict[str, tuple[int, ...]]) -> ImportRow:
    row, problems = read_row(line, record, columns)
    text = row.values.get("locale", "")
    try:
        locale = parse_locale(text)
    except ValueError:
        problems["locale"], locale = str(BAD_LANGUAGE) % {"value": text}, None
    try:
        row.details = check_participant(
            row.values.get("name"),
            row.values.get("email"),
            row.values.get("organisation_name"),
            locale,
        )
    except ParticipantError as error:
        for column, message in error.problems.items():
            problems.setdefault(column, message)
    state_problems(row, problems, PARTICIPANT_LABELS)
    return row


def _participating(event: Event, rows: list[ImportRow]) -> set[str]:
    """The addresses among the rows that take part in the event already."""
    emails = sorted({row.details.email for row in rows if row.details})
    found: set[str] = set()
    for start in range(0, len(emails), 500):  # databases limit the number of parameters
        found.update(
            db.session.scalars(
                select(Participant.email).where(
                    Participant.event_id == event.id,
                    Participant.email.in_(emails[start : start + 500]),
                )
            )
        )
    return found


def preview_participants(
    data: bytes, event: Event, choices: list[str] | None = None
) -> ImportPreview:
    """Every row of the list with its problems, those taking part already and repeated
    addresses; writes nothing. ColumnsUnclear when the columns need the person's choice."""
    read = read_list(
        data,
        PARTICIPANT_COLUMNS,
        event.organisation,
        choices,
        no_rows=_l("The list has a header line but no participants."),
    )
    rows = [_read(line, record, read.reading.columns) for line, record in read.body]
    mark_duplicates(rows, lambda row: row.details.email, _participating(event, rows))
    return ImportPreview(read.separator, read.header, rows, read.reading, read.mapping)


def import_participants(
    preview: ImportPreview, event: Event, now: datetime, added_by: User
) -> ImportResult:
    """Add every importable row of the preview with its evaluation; the caller commits them
    as one. An address added a moment ago by someone else is skipped."""
    imported = 0
    for row in preview.importable:
        try:
            add_participant(event, row.details, now, added_by)
        except ParticipantError:
            continue
        imported += 1
    return ImportResult.of(preview, imported)
