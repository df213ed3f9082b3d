"""Exporting a population's responses as CSV or XLSX: one row per response, one column per
question code, read and written in chunks so memory does not grow with the number of rows."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.analysis.aggregates import question_set
from survey.analysis.periods import month_text
from survey.analysis.population import Population
from survey.contacts.models import Contact
from survey.invitations.models import Invitation
from survey.questionnaires.models import QuestionnaireVersion
from survey.responding.models import Answer, Response
from survey.spreadsheets import neutralised

FIXED_HEADERS = (
    _l("Response number"),
    _l("Submitted at"),
    _l("Month"),
    _l("Questionnaire version"),
    _l("Account manager"),
    _l("Channel"),
    _l("Company"),
    _l("KvK or KBO number"),
    _l("Language"),
)
SUBMITTED_AT = 1  # the position of the submission time among the fixed columns
CHUNK_ROWS = 1000  # CSV rows per chunk handed to the web server
FETCH_ROWS = 2000  # database rows per round trip
XLSX_BLOCK = 64 * 1024  # bytes of the finished workbook per chunk handed to the web server
SLUG_UNSAFE = re.compile(r"[^a-z0-9-]+")


class ExportLayout:
    """The columns of an export: the fixed ones, then every question code of the versions.

    Codes follow the latest version's order; codes only older versions asked come after.
    """

    def __init__(self, session: Session, population: Population) -> None:
        questions = question_set(session, population)
        self.codes: list[str] = list(questions.by_code)
        position = {code: len(FIXED_HEADERS) + i for i, code in enumerate(self.codes)}
        self.column_of_question = {
            question_id: position[code] for question_id, code in questions.code_of.items()
        }
        self.version_numbers = dict(
            session.execute(
                select(QuestionnaireVersion.id, QuestionnaireVersion.number).where(
                    QuestionnaireVersion.id.in_(population.version_ids)
                )
            ).all()
        )

    def headers(self, locale: str) -> list[str]:
        with force_locale(locale):
            return [str(header) for header in FIXED_HEADERS] + self.codes


def _streamed(session: Session, statement: Select) -> Iterator:
    """Rows read a chunk at a time, through Core: ORM row handling would double the time."""
    return session.connection().execute(
        statement.execution_options(stream_results=True, max_row_buffer=FETCH_ROWS)
    )


def _responses(session: Session, population: Population) -> Iterator:
    # The channel is read as its stored code: no enum to build per row.
    return _streamed(
        session,
        select(
            Response.id,
            Response.submitted_at,
            Response.month,
            Response.questionnaire_version_id,
            Response.account_manager_id,
            type_coerce(Response.channel, String),
            Contact.company_name,
            Contact.registry_number,
            Response.locale,
        )
        .join(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .where(*population.where(Response))
        .order_by(Response.id),
    )


def _answers_per_response(session: Session, population: Population) -> Iterator:
    """(response id, its answer rows) in the order of `_responses`.

    A separate stream rather than a join: the response's columns are not read again for each
    of its answers, which makes the export three times faster.
    """
    rows = _streamed(
        session,
        select(Answer.response_id, Answer.question_id, Answer.value, Answer.option, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(*population.where(Response))
        .order_by(Answer.response_id, Answer.id),
    )
    return groupby(rows, key=itemgetter(0))


def _manager_names(session: Session, population: Population) -> dict[int, str]:
    # An organisation has tens of staff: one lookup beats a join on every row.
    return dict(
        session.execute(
            select(User.id, User.name).where(User.organisation_id == population.organisation_id)
        ).all()
    )


def _fixed_cells(row: Any, layout: ExportLayout, managers: dict, zone: ZoneInfo) -> list:
    response_id, submitted_at, month, version_id, manager_id, channel, company, registry, lang = row
    return [
        response_id,
        submitted_at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
        month_text(month),
        layout.version_numbers.get(version_id),
        neutralised(managers[manager_id]) if manager_id in managers else None,
        channel,
        neutralised(company) if company else None,
        neutralised(registry) if registry else None,
        lang,
    ]


def export_rows(
    session: Session, population: Population, layout: ExportLayout, zone: str
) -> Iterator[list]:
    """The cells of each response, oldest response first; a skipped question stays None.

    The submission time is a naive datetime in `zone`; a multi question's option codes are
    joined by `;` in the order they were stored.
    """
    managers = _manager_names(session, population)
    local = ZoneInfo(zone)
    blanks = [None] * len(layout.codes)
    # Responses are read first: one that comes in between the two reads has its answers read
    # but not itself, and is left out whole rather than exported without its answers.
    responses = _responses(session, population)
    answers = _answers_per_response(session, population)
    pending = next(answers, None)
    for response in responses:
        cells = _fixed_cells(response, layout, managers, local) + blanks
        while pending is not None and pending[0] < response.id:
            pending = next(answers, None)
        if pending is not None and pending[0] == response.id:
            for _, question_id, value, option, text in pending[1]:
                _add_answer(cells, layout.column_of_question[question_id], value, option, text)
            pending = next(answers, None)
        yield cells


def _add_answer(cells: list, column: int, value, option, text) -> None:
    if value is not None:
        cells[column] = value
    elif option is not None:  # one row per chosen option of a multi question
        cells[column] = option if cells[column] is None else f"{cells[column]};{option}"
    elif text:
        cells[column] = neutralised(text)


def csv_chunks(session: Session, population: Population, locale: str, zone: str) -> Iterator[str]:
    """The export as CSV text in chunks of about a thousand rows, starting with a UTF-8 BOM
    (without it Excel reads the accents wrong)."""
    layout = ExportLayout(session, population)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(layout.headers(locale))
    yield "\ufeff" + _drained(buffer)
    for written, cells in enumerate(export_rows(session, population, layout, zone), start=1):
        cells[SUBMITTED_AT] = f"{cells[SUBMITTED_AT]:%Y-%m-%d %H:%M}"
        writer.writerow(cells)
        if written % CHUNK_ROWS == 0:
            yield _drained(buffer)
    if rest := _drained(buffer):
        yield rest


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def xlsx_file(session: Session, population: Population, locale: str, zone: str) -> IO[bytes]:
    """The export as an XLSX workbook in an anonymous temporary file, read from the start.

    openpyxl's write-only mode streams the rows to disk; closing the file deletes it.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_sheet_title(locale)))
    layout = ExportLayout(session, population)
    sheet.append([_bold(sheet, header) for header in layout.headers(locale)])
    for cells in export_rows(session, population, layout, zone):
        sheet.append(_xlsx_cells(sheet, cells))
    output = tempfile.TemporaryFile()  # noqa: SIM115  (the caller sends it, then closes it)
    try:
        workbook.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def xlsx_chunks(
    session: Session, population: Population, locale: str, zone: str
) -> Iterator[bytes]:
    """The XLSX export in byte chunks for a streamed response; the temporary file goes at the
    end (or when the download is cut off and the generator is closed)."""
    with xlsx_file(session, population, locale, zone) as workbook:
        while block := workbook.read(XLSX_BLOCK):
            yield block


def _sheet_title(locale: str) -> str:
    with force_locale(locale):
        return str(_l("Responses"))


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cells(sheet, cells: list) -> list:
    stamp = WriteOnlyCell(sheet, value=cells[SUBMITTED_AT])
    stamp.number_format = "yyyy-mm-dd hh:mm"
    cells[SUBMITTED_AT] = stamp
    # Free text has been `neutralised` (no control characters XML cannot hold); the other cells
    # are codes and months the app made.
    return cells


def export_filename(
    organisation_slug: str, population: Population, extension: str, now: datetime
) -> str:
    """`spiegel-<slug>[-<first month>_<last month>]-<date>.<extension>`; `now` in local time."""
    parts = ["spiegel", SLUG_UNSAFE.sub("-", organisation_slug.lower()).strip("-")]
    if population.first_month or population.last_month:
        months = (population.first_month, population.last_month)
        parts.append("_".join(f"{month:%Y-%m}" if month else "" for month in months))
    parts.append(f"{now:%Y-%m-%d}")
    return "-".join(part for part in parts if part) + f".{extension}"
