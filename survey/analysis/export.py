"""Exporting a population's responses as CSV or XLSX: one row per response, one column per
question, read and written in chunks so memory does not grow with the number of rows.

A person gets the file in their own language: question texts as headers, option and channel
labels, dates as their locale writes them, and a CSV in the Excel dialect of that language
(semicolons in Dutch, where the comma is the decimal sign). An analyst can ask for codes instead.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import IO, Any
from zoneinfo import ZoneInfo

from babel import Locale
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
from survey.invitations.dimensions import CHANNEL_LABELS
from survey.invitations.models import Invitation
from survey.questionnaires.models import QuestionnaireVersion, localized
from survey.responding.models import Answer, Response
from survey.spreadsheets import UNPRINTABLE, neutralised

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
# The same columns for analysts: stable names that do not change with the language.
FIXED_CODES = (
    "response",
    "submitted_at",
    "month",
    "version",
    "account_manager",
    "channel",
    "company",
    "registry_number",
    "language",
)
SUBMITTED_AT = 1  # the position of the submission time among the fixed columns
CHANNEL, LANGUAGE = 5, 8
CHUNK_ROWS = 1000  # CSV rows per chunk handed to the web server
FETCH_ROWS = 2000  # database rows per round trip
XLSX_BLOCK = 64 * 1024  # bytes of the finished workbook per chunk handed to the web server
SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
# How each language writes a date and time: Excel in that language reads it back as one.
DATE_TIME = {"nl": ("%d-%m-%Y %H:%M", "dd-mm-yyyy hh:mm")}
ISO_DATE_TIME = ("%Y-%m-%d %H:%M", "yyyy-mm-dd hh:mm")
Span = tuple[int, int]  # responses after the first number, through the second


class Separator(enum.StrEnum):
    """The CSV field separator; Excel reads a CSV with the list separator of its language."""

    SEMICOLON = "semicolon"
    COMMA = "comma"

    @property
    def character(self) -> str:
        return ";" if self is Separator.SEMICOLON else ","


class Headings(enum.StrEnum):
    WORDS = "words"  # question texts and labels in the viewer's language
    CODES = "codes"  # question, option and channel codes, ISO dates: for analysts


def separator_of(locale: str) -> Separator:
    """Dutch writes decimals with a comma, so its Excel separates CSV fields with semicolons."""
    return Separator.SEMICOLON if locale == "nl" else Separator.COMMA


@dataclass(frozen=True)
class ExportOptions:
    locale: str
    zone: str
    separator: Separator | None = None  # None: the one of the locale
    headings: Headings = Headings.WORDS

    @property
    def delimiter(self) -> str:
        return (self.separator or separator_of(self.locale)).character

    @property
    def codes(self) -> bool:
        return self.headings is Headings.CODES

    @property
    def date_time(self) -> tuple[str, str]:
        """(strftime pattern for CSV, Excel number format for XLSX)."""
        return ISO_DATE_TIME if self.codes else DATE_TIME.get(self.locale, ISO_DATE_TIME)


class ExportLayout:
    """The columns of an export: the fixed ones, then every question of the versions.

    Questions follow the latest version's order; those only older versions asked come after.
    """

    def __init__(self, session: Session, population: Population, options: ExportOptions) -> None:
        questions = question_set(session, population)
        self.options = options
        self.codes: list[str] = list(questions.by_code)
        self.texts = [localized(q.text, options.locale) for q in questions.by_code.values()]
        position = {code: len(FIXED_HEADERS) + i for i, code in enumerate(self.codes)}
        self.column_of_question = {
            question_id: position[code] for question_id, code in questions.code_of.items()
        }
        # Per column, a chosen option's label (empty for codes: the code is shown as it is).
        self.option_labels: dict[int, dict[str, str]] = {}
        if not options.codes:
            for code, question in questions.by_code.items():
                self.option_labels[position[code]] = {
                    option["code"]: localized(option.get("label"), options.locale)
                    for option in question.options or []
                    if isinstance(option, dict) and "code" in option
                }
        self.names = _manager_names(session, population, options.locale)
        self.channels, self.languages = _value_labels(options)
        self.version_numbers = dict(
            session.execute(
                select(QuestionnaireVersion.id, QuestionnaireVersion.number).where(
                    QuestionnaireVersion.id.in_(population.version_ids)
                )
            ).all()
        )

    def headers(self) -> list[str]:
        if self.options.codes:
            return list(FIXED_CODES) + self.codes
        with force_locale(self.options.locale):
            return [str(header) for header in FIXED_HEADERS] + self.texts

    def option_text(self, column: int, option: str) -> str:
        return self.option_labels.get(column, {}).get(option) or option

    @property
    def joiner(self) -> str:
        return ";" if self.options.codes else "; "


def _streamed(session: Session, statement: Select) -> Iterator:
    """Rows read a chunk at a time, through Core: ORM row handling would double the time."""
    return session.connection().execute(
        statement.execution_options(stream_results=True, max_row_buffer=FETCH_ROWS)
    )


def _within(population: Population, span: Span | None) -> list:
    clauses = population.where(Response)
    if span is not None:
        clauses += [Response.id > span[0], Response.id <= span[1]]
    return clauses


def _responses(session: Session, population: Population, span: Span | None) -> Iterator:
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
            Invitation.company_name,
            Invitation.registry_number,
            Response.locale,
        )
        # The company as recorded on the invitation; a room-link answer has none.
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .where(*_within(population, span))
        .order_by(Response.id),
    )


def _answers_per_response(session: Session, population: Population, span: Span | None) -> Iterator:
    """(response id, its answer rows) in the order of `_responses`.

    A separate stream rather than a join: the response's columns are not read again for each
    of its answers, which makes the export three times faster.
    """
    rows = _streamed(
        session,
        select(Answer.response_id, Answer.question_id, Answer.value, Answer.option, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(*_within(population, span))
        .order_by(Answer.response_id, Answer.id),
    )
    return groupby(rows, key=itemgetter(0))


def _manager_names(session: Session, population: Population, locale: str) -> dict[int, str]:
    # An organisation has tens of staff: one lookup beats a join on every row. A removed user's
    # name reads "former staff member" in the viewer's language.
    with force_locale(locale):
        users = session.scalars(
            select(User).where(User.organisation_id == population.organisation_id)
        )
        return {user.id: user.name for user in users}


def _value_labels(options: ExportOptions) -> tuple[dict, dict]:
    """The channel and language labels, or their codes for analysts."""
    if options.codes:
        return {}, {}
    with force_locale(options.locale):
        channels = {channel.value: str(label) for channel, label in CHANNEL_LABELS.items()}
    languages = {
        code: Locale(code).get_display_name(options.locale) for code in ("nl", "en", "fr", "de")
    }
    return channels, languages


def _fixed_cells(row: Any, layout: ExportLayout, names: dict, zone: ZoneInfo) -> list:
    response_id, submitted_at, month, version_id, manager_id, channel, company, registry, lang = row
    return [
        response_id,
        submitted_at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
        month_text(month),
        layout.version_numbers.get(version_id),
        names.get(manager_id),
        channel,
        company or None,
        registry or None,
        lang,
    ]


def export_rows(
    session: Session, population: Population, layout: ExportLayout, span: Span | None = None
) -> Iterator[list]:
    """The cells of each response, oldest response first; a skipped question stays None.
    `span` (after, through) limits the responses by number, for a file written in parts.

    The submission time is a naive datetime in the organisation's zone; a multi question's
    options are joined in the order they were stored. Text is as typed: each file format
    keeps a formula from running in its own way.
    """
    names, channels, languages = layout.names, layout.channels, layout.languages
    local = ZoneInfo(layout.options.zone)
    blanks = [None] * len(layout.codes)
    # Responses are read first: one that comes in between the two reads has its answers read
    # but not itself, and is left out whole rather than exported without its answers.
    responses = _responses(session, population, span)
    answers = _answers_per_response(session, population, span)
    pending = next(answers, None)
    for response in responses:
        cells = _fixed_cells(response, layout, names, local) + blanks
        cells[CHANNEL] = channels.get(cells[CHANNEL], cells[CHANNEL])
        cells[LANGUAGE] = languages.get(cells[LANGUAGE], cells[LANGUAGE])
        while pending is not None and pending[0] < response.id:
            pending = next(answers, None)
        if pending is not None and pending[0] == response.id:
            for _, question_id, value, option, text in pending[1]:
                column = layout.column_of_question[question_id]
                _add_answer(cells, layout, column, value, option, text)
            pending = next(answers, None)
        yield cells


def response_spans(
    session: Session, population: Population, through: int, size: int
) -> Iterator[Span]:
    """The population's responses up to number `through`, in spans of `size`: each span is read
    in a short transaction of its own, so a long export never holds the database."""
    after = 0
    while after < through:
        last = session.scalar(
            select(Response.id)
            .where(*_within(population, (after, through)))
            .order_by(Response.id)
            .offset(size - 1)
            .limit(1)
        )
        end = through if last is None else last
        yield after, end
        after = end


def _add_answer(cells: list, layout: ExportLayout, column: int, value, option, text) -> None:
    if value is not None:
        cells[column] = value
    elif option is not None:  # one row per chosen option of a multi question
        shown = layout.option_text(column, option)
        cells[column] = shown if cells[column] is None else cells[column] + layout.joiner + shown
    elif text:
        cells[column] = text


def csv_chunks(session: Session, population: Population, options: ExportOptions) -> Iterator[str]:
    """The export as CSV text in chunks of about a thousand rows, starting with a UTF-8 BOM
    (without it Excel reads the accents wrong).

    Every text cell goes through `neutralised`: a CSV has no way to mark a cell as text, so
    a would-be formula keeps the apostrophe OWASP advises. No number has decimals.
    """
    layout = ExportLayout(session, population, options)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=options.delimiter)
    writer.writerow([neutralised(header) for header in layout.headers()])
    yield "\ufeff" + _drained(buffer)
    pattern = options.date_time[0]
    for written, cells in enumerate(export_rows(session, population, layout), start=1):
        cells[SUBMITTED_AT] = cells[SUBMITTED_AT].strftime(pattern)
        writer.writerow([neutralised(cell) if isinstance(cell, str) else cell for cell in cells])
        if written % CHUNK_ROWS == 0:
            yield _drained(buffer)
    if rest := _drained(buffer):
        yield rest


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def xlsx_file(session: Session, population: Population, options: ExportOptions) -> IO[bytes]:
    """The export as an XLSX workbook in an anonymous temporary file, read from the start.

    openpyxl's write-only mode streams the rows to disk; closing the file deletes it.
    """
    layout = ExportLayout(session, population, options)
    sheet = XlsxSheet(layout)
    for cells in export_rows(session, population, layout):
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (the caller sends it, then closes it)
    try:
        sheet.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


class XlsxSheet:
    """The one sheet of an XLSX export, written row by row: openpyxl's write-only mode keeps
    the rows in a temporary file of its own until `save`."""

    def __init__(self, layout: ExportLayout) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(_sheet_title(layout.options.locale))
        self.sheet.append([_bold(self.sheet, header) for header in layout.headers()])
        self.number_format = layout.options.date_time[1]

    def append(self, cells: list) -> None:
        self.sheet.append(_xlsx_cells(self.sheet, cells, self.number_format))

    def save(self, output: IO[bytes]) -> None:
        self.workbook.save(output)


def xlsx_chunks(
    session: Session, population: Population, options: ExportOptions
) -> Iterator[bytes]:
    """The XLSX export in byte chunks for a streamed response; the temporary file goes at the
    end (or when the download is cut off and the generator is closed)."""
    with xlsx_file(session, population, options) as workbook:
        while block := workbook.read(XLSX_BLOCK):
            yield block


def _sheet_title(locale: str) -> str:
    with force_locale(locale):
        return str(_l("Responses"))


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = _text_cell(sheet, text)
    cell.font = Font(bold=True)
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """A cell that shows `text` as typed and never runs it.

    Typed as text (a formula would be type "f"), with Excel's own quote prefix: the person sees
    "=1+1", not "'=1+1", and editing the cell does not turn it into a formula either. Control
    characters XML cannot hold are dropped, as `neutralised` does.
    """
    text = UNPRINTABLE.sub("", text)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if neutralised(text) != text:
        cell.quotePrefix = True
    return cell


def _xlsx_cells(sheet, cells: list, number_format: str) -> list:
    stamp = WriteOnlyCell(sheet, value=cells[SUBMITTED_AT])
    stamp.number_format = number_format
    cells[SUBMITTED_AT] = stamp
    return [_text_cell(sheet, cell) if isinstance(cell, str) else cell for cell in cells]


def export_filename(organisation_name: str, extension: str, locale: str, now: datetime) -> str:
    """`antwoorden-gemeente-demodam-2026-12-01.csv`: what, whose, and the day (`now` local)."""
    with force_locale(locale):
        what = str(_l("answers"))  # a word of the file name
    words = [_slug(what), _slug(organisation_name), f"{now:%Y-%m-%d}"]
    return "-".join(word for word in words if word) + f".{extension}"


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Gemeente Ëde" -> "gemeente-ede"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return SLUG_UNSAFE.sub("-", folded).strip("-")
