"""A person's access request answered: everything the organisation holds about them, as one ZIP
with a JSON file and a CSV file per kind of record, readable without this application (headings
and values in words, times in the organisation's zone)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _

from survey.accounts.models import Organisation, User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.contacts.logbook import channel_label
from survey.privacy.subjects import PersonData
from survey.questionnaires.models import localized
from survey.spreadsheets import neutralised
from survey.templating import answer_label

Column = tuple[str, Callable[[object], object]]


def _label(value) -> str:
    return value.label if value is not None else ""


class _Writer:
    """Values as people read them: times in the organisation's zone, without microseconds."""

    def __init__(self, organisation: Organisation, locale: str) -> None:
        self.zone = ZoneInfo(organisation.timezone)
        self.locale = locale

    def value(self, value) -> str | int | None:
        if isinstance(value, datetime):
            return value.astimezone(self.zone).replace(microsecond=0).isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        if value is None or isinstance(value, int):
            return value
        return str(value)


def _sections(data: PersonData, writer: _Writer) -> list[tuple[str, str, list[Column], list]]:
    """(file name, title, columns, records) for each kind of record."""
    contacts: list[Column] = [
        (_("Date of the contact"), lambda c: c.contacted_on),
        (_("Channel"), lambda c: channel_label(c.channel)),
        (_("Company"), lambda c: c.company_name),
        (_("KvK/KBO number"), lambda c: c.registry_number),
        (_("Name"), lambda c: c.person_name),
        (_("Email address"), lambda c: c.email),
        (_("Language"), lambda c: c.locale),
        (_("Subject"), lambda c: c.subject),
        (_("Account manager"), lambda c: c.account_manager.name),
        (_("Logged at"), lambda c: c.created_at),
    ]
    participations: list[Column] = [
        (_("Event"), lambda p: p.event.title),
        (_("Start of the event"), lambda p: p.event.starts_at),
        (_("Place"), lambda p: p.event.place),
        (_("Name"), lambda p: p.name),
        (_("Email address"), lambda p: p.email),
        (_("Organisation"), lambda p: p.organisation_name),
        (_("Language"), lambda p: p.locale),
        (_("Added at"), lambda p: p.added_at),
    ]
    invitations: list[Column] = [
        (_("Made at"), lambda i: i.created_at),
        (_("Day of the contact or event"), lambda i: i.occasion_on),
        (_("Company"), lambda i: i.company_name),
        (_("KvK/KBO number"), lambda i: i.registry_number),
        (_("Name"), lambda i: i.recipient_name),
        (_("Email address"), lambda i: i.recipient_email),
        (_("Language"), lambda i: i.locale),
        (_("Status"), lambda i: _label(i.state)),
        (_("Why not sent"), lambda i: _label(i.suppression_reason)),
        (_("Planned for"), lambda i: i.scheduled_at),
        (_("Sent at"), lambda i: i.sent_at),
        (_("Reminder sent at"), lambda i: i.reminded_at),
        (_("Answered at"), lambda i: i.answered_at),
    ]
    emails: list[Column] = [
        (_("Made at"), lambda e: e.created_at),
        (_("Kind of email"), lambda e: _label(e.purpose)),
        (_("To"), lambda e: e.recipient),
        (_("Subject"), lambda e: e.subject),
        (_("Status"), lambda e: _label(e.status)),
        (_("Sent at"), lambda e: e.sent_at),
        (_("Text"), lambda e: e.text_body),
    ]
    answers: list[Column] = [
        (_("Response"), lambda row: row[0].id),
        (_("Answered at"), lambda row: row[0].submitted_at),
        (_("Language"), lambda row: row[0].locale),
        (_("Question"), lambda row: localized(row[1].question.text, writer.locale)),
        (_("Answer"), lambda row: _answer(row[1])),
    ]
    opt_outs: list[Column] = [
        (_("Kind"), lambda s: _label(s.kind)),
        (_("Since"), lambda s: s.created_at),
    ]
    answer_rows = [(response, answer) for response in data.responses for answer in response.answers]
    return [
        ("contacts", _("Contacts"), contacts, data.contacts),
        ("event_participations", _("Event participations"), participations, data.participants),
        ("invitations", _("Survey invitations"), invitations, data.invitations),
        ("emails", _("Emails"), emails, data.emails),
        ("responses", _("Responses"), answers, answer_rows),
        ("opt_outs", _("Opt-outs"), opt_outs, data.suppressions),
    ]


def _answer(answer) -> str:
    if answer.text is not None:
        return answer.text
    value = answer.value if answer.value is not None else answer.option
    return answer_label(value, answer.question)


def _csv(headings: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headings)
    for row in rows:
        writer.writerow(["" if value is None else neutralised(str(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM: spreadsheets read it as UTF-8


def access_export(
    data: PersonData, organisation: Organisation, now: datetime, locale: str
) -> bytes:
    """The ZIP's bytes: person.json with everything, and one CSV per kind of record, with
    headings and values in `locale`."""
    with force_locale(locale):
        return _zipped(data, organisation, now, locale)


def _zipped(data: PersonData, organisation: Organisation, now: datetime, locale: str) -> bytes:
    writer = _Writer(organisation, locale)
    everything: dict[str, object] = {
        _("Organisation"): organisation.name,
        _("Asked about"): data.query.shown,
        _("Exported at"): writer.value(now),
    }
    files: dict[str, bytes] = {}
    for name, title, columns, records in _sections(data, writer):
        headings = [heading for heading, _get in columns]
        rows = [[writer.value(get(record)) for _heading, get in columns] for record in records]
        everything[title] = [dict(zip(headings, row, strict=True)) for row in rows]
        files[f"{name}.csv"] = _csv(headings, rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(everything, ensure_ascii=False, indent=2))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def export_file_name(data: PersonData, now: datetime) -> str:
    return f"personal-data-{now:%Y-%m-%d}.zip"  # no address in a file name that is kept around


def record_access(
    data: PersonData, organisation: Organisation, actor: User | None, now: datetime, **where
) -> None:
    """On the activity log: who exported whose data, and how much. (An erasure of the same person
    later blanks the address or number here.)"""
    record(
        Action.PERSONAL_DATA_EXPORTED,
        now,
        actor=actor,
        organisation=organisation,
        asked_about=data.query.shown,
        **data.counts(),
        **where,
    )
