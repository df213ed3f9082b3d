"""Importing contacts from a spreadsheet saved as CSV: read it, preview every row, import.

The list is read by the shared import machinery (survey/imports), its columns by the names
CRMs give them (columns.py); a person chooses the columns the names leave unclear. Nothing is
written until the person confirms the preview, and then every good row is logged in one
transaction through `log_contact`, so an imported contact is checked exactly like a typed one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.contacts.columns import COLUMN_LABELS, CONTACT_COLUMNS
from survey.contacts.csv_files import parse_channel, parse_date
from survey.contacts.logbook import ContactDetails, ContactError, check_contact, log_contact
from survey.contacts.models import Contact, Source
from survey.extensions import db
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


@dataclass
class ContactRow(ImportRow):
    """A row of a contact list, with the account manager it goes to."""

    account_manager: User | None = None
    details: ContactDetails | None = None


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

    def read(self, line: int, record: list[str], columns: dict[str, tuple[int, ...]]) -> ContactRow:
        row, problems = read_row(line, record, columns, ContactRow)
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
        state_problems(row, problems, COLUMN_LABELS)
        return row


def _logged_keys(organisation: Organisation, rows: list[ContactRow]) -> set[tuple]:
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


def _contact_key(row: ContactRow) -> tuple:
    details = row.details
    return (row.account_manager.id, details.email, details.contacted_on, details.channel)


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
    read = read_list(
        data,
        CONTACT_COLUMNS,
        organisation,
        choices,
        no_rows=_l("The file has a header line but no contacts."),
    )
    reader = _RowReader(organisation, uploader, default_account_manager, now)
    rows = [reader.read(line, record, read.reading.columns) for line, record in read.body]
    mark_duplicates(rows, _contact_key, _logged_keys(organisation, rows))
    return ImportPreview(read.separator, read.header, rows, read.reading, read.mapping)


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
    return ImportResult.of(preview, imported)
