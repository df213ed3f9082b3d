"""Importing contacts from a spreadsheet saved as CSV: read it, preview every row, import.

The file is read as Excel and CRMs save it (csv_files.py), its columns as they name them
(columns.py); a person chooses the columns the names leave unclear. Nothing is written
until the person confirms the preview, and then every good row is logged in one transaction
through `log_contact`, so an imported contact is checked exactly like a typed one.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.contacts.columns import (
    COLUMN_LABELS,
    FIRST_VALUES,
    MAX_COLUMNS,
    ColumnChoiceError,
    HeaderReading,
    chosen_columns,
    read_header,
    remembered_mapping,
    remembered_reading,
    shown,
)
from survey.contacts.csv_files import MAX_BYTES as MAX_BYTES
from survey.contacts.csv_files import MAX_ROWS as MAX_ROWS
from survey.contacts.csv_files import (
    ImportFileError,
    key,
    parse_channel,
    parse_date,
    parse_locale,
    read_records,
)
from survey.contacts.logbook import (
    ContactDetails,
    ContactError,
    check_contact,
    log_contact,
)
from survey.contacts.models import ColumnMapping, Contact, Source
from survey.extensions import db
from survey.request_input import CONTROL_CHARACTERS
from survey.spreadsheets import neutralised

_PROBLEM_COLUMNS = {"problems", "problemen"}


class ColumnsUnclear(Exception):
    """Which column holds what is not clear by itself: the person chooses, seeing the columns
    with their first values. `problems` holds what was wrong with a choice already made."""

    def __init__(
        self, reading: HeaderReading, first_values: list[list[str]], problems: dict | None = None
    ) -> None:
        super().__init__(reading.header)
        self.reading, self.first_values, self.problems = reading, first_values, problems or {}

    @property
    def messages(self) -> list[str]:
        """What is unclear, naming the columns the file has."""
        reading = self.reading
        found = _l(
            "The file has these columns: %(columns)s.",
            columns=reading.named(tuple(range(len(reading.header)))),
        )
        messages = [str(found)]
        if unrecognised := [value for value in reading.missing if value not in reading.ambiguous]:
            missing = ", ".join(str(COLUMN_LABELS[value]) for value in unrecognised)
            messages.append(str(_l("No column was recognised for: %(missing)s.", missing=missing)))
        for value, indexes in reading.ambiguous.items():
            messages.append(
                str(
                    _l(
                        "The columns %(columns)s could each hold: %(what)s.",
                        columns=reading.named(indexes),
                        what=COLUMN_LABELS[value],
                    )
                )
            )
        return messages


@dataclass
class ImportRow:
    """One data row of the file: what it says, and what would happen to it."""

    line: int  # as the spreadsheet numbers it: the header is line 1
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    account_manager: User | None = None
    details: ContactDetails | None = None
    already_imported: bool = False
    same_as_line: int | None = None

    @property
    def importable(self) -> bool:
        return not self.problems and not self.already_imported and self.same_as_line is None


@dataclass
class ImportPreview:
    separator: str
    header: list[str]
    rows: list[ImportRow]
    reading: HeaderReading
    # The remembered choice of columns this preview used, if it used one.
    mapping: ColumnMapping | None = None

    @property
    def importable(self) -> list[ImportRow]:
        return [row for row in self.rows if row.importable]

    @property
    def rejected(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def skipped(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.problems and not row.importable]


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int
    rejected: int


CONTROL_CHARACTER_IN_CELL = _l("Holds invisible control characters; type the text again.")


def _cell(record: list[str], indexes: tuple[int, ...]) -> str:
    """The value in the columns: one cell, or parts of a name joined by spaces."""
    parts = (record[index].strip() for index in indexes if index < len(record))
    return " ".join(part for part in parts if part)


BAD_VALUE = {
    "contacted_on": _l("%(value)s is not a date: write it as 31-12-2026 or 2026-12-31."),
    "channel": _l(
        "%(value)s is not a channel: use visit, phone, email, counter or event "
        "(or bezoek, telefoon, e-mail, balie, evenement)."
    ),
    "locale": _l("%(value)s is not a language: use nl or en."),
}
PARSERS = {"contacted_on": parse_date, "channel": parse_channel, "locale": parse_locale}


class _RowReader:
    """Turns records into checked rows, for one upload by one member of staff."""

    def __init__(
        self,
        organisation: Organisation,
        uploader: User,
        default_account_manager: User | None,
        now: datetime,
    ) -> None:
        self.organisation, self.uploader, self.now = organisation, uploader, now
        own_only = uploader.role is Role.ACCOUNT_MANAGER
        self.default = uploader if own_only else default_account_manager
        staff = list(
            db.session.scalars(select(User).where(User.organisation_id == organisation.id))
        )
        self.staff = {user.email.lower(): user for user in staff}
        # CRMs name the owner of a record by name ("Account owner: Sanne de Vries"); a name that
        # two members of staff share names neither of them.
        names = Counter(user.name.strip().lower() for user in staff)
        self.staff.update(
            (user.name.strip().lower(), user)
            for user in staff
            if names[user.name.strip().lower()] == 1 and user.name.strip().lower() not in self.staff
        )

    def account_manager(self, named: str, problems: dict) -> User | None:
        if not named:
            return self.default
        user = self.staff.get(named.lower())
        if self.uploader.role is Role.ACCOUNT_MANAGER and user is not self.uploader:
            problems["account_manager"] = _l(
                "You import your own contacts only; this row names %(who)s.", who=named
            )
        elif user is None:
            problems["account_manager"] = _l(
                "%(who)s is not a member of staff of your organisation.", who=named
            )
        return user

    def parsed_values(self, row: ImportRow, problems: dict) -> dict:
        values = {}
        for column, parse in PARSERS.items():
            text = row.values.get(column, "")
            try:
                values[column] = parse(text) if text else None
            except ValueError:
                problems[column] = str(BAD_VALUE[column]) % {"value": text}
                values[column] = None
        return values

    def read(self, line: int, record: list[str], columns: dict[str, tuple[int, ...]]) -> ImportRow:
        row = ImportRow(line, record, {name: _cell(record, at) for name, at in columns.items()})
        problems: dict[str, str] = {}  # the first problem of each column
        for column, text in row.values.items():
            # Line breaks in a cell become spaces (the logbook folds them); NUL and the like stay.
            if CONTROL_CHARACTERS.search(" ".join(text.split())):
                problems[column] = CONTROL_CHARACTER_IN_CELL
        row.account_manager = self.account_manager(row.values.get("account_manager", ""), problems)
        try:
            row.details = check_contact(
                self.organisation,
                row.account_manager,
                company_name=row.values.get("company_name"),
                registry_number=row.values.get("registry_number"),
                person_name=row.values.get("person_name"),
                email=row.values.get("email"),
                subject=row.values.get("subject"),
                now=self.now,
                actor=self.uploader,
                **self.parsed_values(row, problems),
            )
        except ContactError as error:
            for column, message in error.problems.items():
                problems.setdefault(column, message)
        row.problems = [
            f"{label}: {problems[column]}"
            for column, label in COLUMN_LABELS.items()
            if column in problems
        ]
        return row


def _logged_keys(organisation: Organisation, rows: list[ImportRow]) -> set[tuple]:
    """The (account manager, email, date, channel) of contacts the organisation has already."""
    emails = sorted({row.details.email for row in rows if row.details})
    keys = set()
    for start in range(0, len(emails), 500):  # databases limit the number of parameters
        keys.update(
            tuple(row)
            for row in db.session.execute(
                select(
                    Contact.account_manager_id,
                    Contact.email,
                    Contact.contacted_on,
                    Contact.channel,
                ).where(
                    Contact.organisation_id == organisation.id,
                    Contact.email.in_(emails[start : start + 500]),
                )
            )
        )
    return keys


def _mark_duplicates(organisation: Organisation, rows: list[ImportRow]) -> None:
    logged = _logged_keys(organisation, rows)
    first_line: dict[tuple, int] = {}
    for row in rows:
        if row.problems or row.details is None:
            continue
        details = row.details
        key = (row.account_manager.id, details.email, details.contacted_on, details.channel)
        if key in logged:
            row.already_imported = True
        elif key in first_line:
            row.same_as_line = first_line[key]
        else:
            first_line[key] = row.line


def first_values(header: list[str], body: list[tuple[int, list[str]]]) -> list[list[str]]:
    """Per column its first few filled cells, shortened: what a person recognises it by."""
    values: list[list[str]] = [[] for _ in header]
    for _line, record in body:
        for index, cell in enumerate(record[: len(header)]):
            if cell.strip() and len(values[index]) < FIRST_VALUES:
                values[index].append(shown(cell))
    return values


def _reading(
    organisation: Organisation,
    header: list[str],
    body: list[tuple[int, list[str]]],
    choices: list[str] | None,
) -> tuple[HeaderReading, ColumnMapping | None]:
    """The person's choice of columns; else the one remembered for these headers; else the
    rules' reading, when that leaves nothing unclear."""
    if choices is not None:
        try:
            return chosen_columns(header, choices), None
        except ColumnChoiceError as error:
            unclear = ColumnsUnclear(
                read_header(header), first_values(header, body), error.problems
            )
            raise unclear from None
    mapping = remembered_mapping(organisation, header)
    if mapping is not None and (reading := remembered_reading(mapping, header)) is not None:
        return reading, mapping
    reading = read_header(header)
    if not reading.complete:
        raise ColumnsUnclear(reading, first_values(header, body))
    return reading, None


def preview_import(
    data: bytes,
    organisation: Organisation,
    uploader: User,
    default_account_manager: User | None,
    now: datetime,
    choices: list[str] | None = None,
) -> ImportPreview:
    """Every row of the file with its problems and duplicates; writes nothing.

    `choices` says per column which value it holds ("" for none), as the person chose; without
    it the columns are read by their headers. ColumnsUnclear when that leaves a required value
    without a column, or a value with more than one. Rows without an account manager of their
    own go to `default_account_manager`; an account manager's upload always goes to the uploader.
    """
    separator, records = read_records(data)
    numbered = [
        (line, record)
        for line, record in enumerate(records, start=1)
        if any(cell.strip() for cell in record)
    ]
    if not numbered:
        raise ImportFileError(_l("The file is empty."))
    (_header_line, header), body = numbered[0], numbered[1:]
    if not body:
        raise ImportFileError(_l("The file has a header line but no contacts."))
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            _l("The file has more than %(number)s columns. Keep the ones to import.",
               number=MAX_COLUMNS)
        )  # fmt: skip
    reading, mapping = _reading(organisation, header, body, choices)
    reader = _RowReader(organisation, uploader, default_account_manager, now)
    rows = [reader.read(line, record, reading.columns) for line, record in body]
    _mark_duplicates(organisation, rows)
    return ImportPreview(separator, header, rows, reading, mapping)


def import_rows(
    preview: ImportPreview, organisation: Organisation, now: datetime, actor: User
) -> ImportResult:
    """Log every importable row of the preview; the caller commits them as one.

    A row that turns out to be logged already (someone logged it a moment ago) is skipped.
    """
    imported = 0
    for row in preview.importable:
        try:
            log_contact(
                organisation,
                row.account_manager,
                source=Source.CSV,
                now=now,
                actor=actor,
                **asdict(row.details),
            )
        except ContactError:
            continue
        imported += 1
    rows = len(preview.rows)
    rejected = len(preview.rejected)
    return ImportResult(imported=imported, skipped=rows - rejected - imported, rejected=rejected)


def rejected_csv(preview: ImportPreview, problems_heading: str) -> bytes:
    """The rows with problems, as the file had them plus a column saying what is wrong.

    Same separator, UTF-8 with a byte order mark so that Excel shows accented letters.
    """
    kept = [index for index, name in enumerate(preview.header) if key(name) not in _PROBLEM_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=preview.separator, lineterminator="\r\n")
    header = [preview.header[index] for index in kept] + [problems_heading]
    writer.writerow([neutralised(cell) for cell in header])
    for row in preview.rejected:
        cells = [row.cells[index] if index < len(row.cells) else "" for index in kept]
        writer.writerow([neutralised(cell) for cell in cells + [" ".join(row.problems)]])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
