"""A list read for its preview: every row with what it says and what would happen to it.

Nothing is written until the person confirms; each kind of list checks its rows with its own
rules (contacts/imports.py, events/participant_import.py), and this module does what they share:
reading the lines, choosing the columns, marking duplicates, and the rows with problems as CSV.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.accounts.models import Organisation
from survey.imports.columns import (
    FIRST_VALUES,
    MAX_COLUMNS,
    ColumnChoiceError,
    ColumnSet,
    HeaderReading,
    shown,
)
from survey.imports.files import ImportFileError, key, read_records
from survey.imports.models import ColumnMapping
from survey.request_input import CONTROL_CHARACTERS
from survey.spreadsheets import neutralised

_PROBLEM_COLUMNS = {"problems", "problemen"}
CONTROL_CHARACTER_IN_CELL = _l("Holds invisible control characters; type the text again.")

Numbered = list[tuple[int, list[str]]]  # records with the line the spreadsheet shows


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
        if reading.headerless:
            found = _l("The list has no line naming its columns.")
        else:
            found = _l(
                "The file has these columns: %(columns)s.",
                columns=reading.named(tuple(range(len(reading.header)))),
            )
        messages = [str(found)]
        if unrecognised := [value for value in reading.missing if value not in reading.ambiguous]:
            missing = ", ".join(reading.label_of(value) for value in unrecognised)
            messages.append(str(_l("No column was recognised for: %(missing)s.", missing=missing)))
        for value, indexes in reading.ambiguous.items():
            messages.append(
                str(
                    _l(
                        "The columns %(columns)s could each hold: %(what)s.",
                        columns=reading.named(indexes),
                        what=reading.label_of(value),
                    )
                )
            )
        return messages


@dataclass
class ImportRow:
    """One data row of the list: what it says, and what would happen to it."""

    line: int  # as the spreadsheet numbers it: a header is line 1
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    details: Any = None  # the checked values, ready to be stored
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

    @classmethod
    def of(cls, preview: ImportPreview, imported: int) -> ImportResult:
        """What became of the preview's rows, `imported` of them stored."""
        rejected = len(preview.rejected)
        return cls(imported, len(preview.rows) - rejected - imported, rejected)


def _cell(record: list[str], indexes: tuple[int, ...]) -> str:
    """The value in the columns: one cell, or parts of a name joined by spaces."""
    parts = (record[index].strip() for index in indexes if index < len(record))
    return " ".join(part for part in parts if part)


def read_row(
    line: int, record: list[str], columns: dict[str, tuple[int, ...]], row_class=ImportRow
) -> tuple[ImportRow, dict[str, str]]:
    """The row's values by column, and the first problem of each: for now, control characters.

    Line breaks in a cell become spaces (the checks fold them); NUL and the like stay, marked.
    """
    row = row_class(line, record, {name: _cell(record, at) for name, at in columns.items()})
    problems: dict[str, str] = {}
    for column, text in row.values.items():
        if CONTROL_CHARACTERS.search(" ".join(text.split())):
            problems[column] = CONTROL_CHARACTER_IN_CELL
    return row, problems


def state_problems(row: ImportRow, problems: Mapping[str, object], labels: Mapping) -> None:
    """The row's problems as the preview lists them: "Label: message", in the columns' order."""
    row.problems = [
        f"{label}: {problems[column]}" for column, label in labels.items() if column in problems
    ]


def mark_duplicates(
    rows: list[ImportRow], key_of: Callable[[ImportRow], Hashable], existing: set
) -> None:
    """Mark good rows whose key was stored already, or that repeat an earlier line."""
    first_line: dict[Hashable, int] = {}
    for row in rows:
        if row.problems or row.details is None:
            continue
        row_key = key_of(row)
        if row_key in existing:
            row.already_imported = True
        elif row_key in first_line:
            row.same_as_line = first_line[row_key]
        else:
            first_line[row_key] = row.line


def first_values(header: list[str], body: Numbered) -> list[list[str]]:
    """Per column its first few filled cells, shortened: what a person recognises it by."""
    values: list[list[str]] = [[] for _ in header]
    for _line, record in body:
        for index, cell in enumerate(record[: len(header)]):
            if cell.strip() and len(values[index]) < FIRST_VALUES:
                values[index].append(shown(cell))
    return values


def _reading(
    column_set: ColumnSet,
    organisation: Organisation,
    header: list[str],
    body: Numbered,
    choices: list[str] | None,
) -> tuple[HeaderReading, ColumnMapping | None]:
    """The person's choice of columns; else the one remembered for these headers; else the
    rules' reading (or, without a header, the values'), when that leaves nothing unclear."""
    if choices is not None:
        try:
            return column_set.chosen_columns(header, choices), None
        except ColumnChoiceError as error:
            unclear = ColumnsUnclear(
                _read(column_set, header, body), first_values(header, body), error.problems
            )
            raise unclear from None
    headerless = not any(name.strip() for name in header)
    mapping = None if headerless else column_set.remembered_mapping(organisation, header)
    if mapping is not None and (reading := column_set.remembered_reading(mapping, header)):
        return reading, mapping
    reading = _read(column_set, header, body)
    if not reading.complete:
        raise ColumnsUnclear(reading, first_values(header, body))
    return reading, None


def _read(column_set: ColumnSet, header: list[str], body: Numbered) -> HeaderReading:
    reading = column_set.read_header(header)
    if reading.headerless:
        return column_set.read_values(reading, [record for _line, record in body])
    return reading


@dataclass
class ReadList:
    """A list's lines before its rows are checked: the columns are known."""

    separator: str
    header: list[str]
    body: Numbered
    reading: HeaderReading
    mapping: ColumnMapping | None


def read_list(
    data: bytes,
    column_set: ColumnSet,
    organisation: Organisation,
    choices: list[str] | None,
    no_rows: str,
) -> ReadList:
    """The list's lines and columns. `choices` says per column which value it holds ("" for
    none), as the person chose; without it the columns are read by their headers (or, in a list
    without a header, by their values). ColumnsUnclear when that leaves a required value without
    a column, or a value with more than one. `no_rows` is the message for a header alone."""
    separator, records = read_records(data)
    numbered = [
        (line, record)
        for line, record in enumerate(records, start=1)
        if any(cell.strip() for cell in record)
    ]
    if not numbered:
        raise ImportFileError(_l("The file is empty."))
    if column_set.is_header(numbered[0][1]):
        (_header_line, header), body = numbered[0], numbered[1:]
    else:
        header, body = [""] * max(len(record) for _line, record in numbered), numbered
    if not body:
        raise ImportFileError(no_rows)
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            _l("The file has more than %(number)s columns. Keep the ones to import.",
               number=MAX_COLUMNS)
        )  # fmt: skip
    reading, mapping = _reading(column_set, organisation, header, body, choices)
    return ReadList(separator, header, body, reading, mapping)


def rejected_csv(preview: ImportPreview, problems_heading: str) -> bytes:
    """The rows with problems, as the file had them plus a column saying what is wrong.

    Same separator, UTF-8 with a byte order mark so that Excel shows accented letters. A list
    without a header gets one naming the columns as they were read, so that the corrected file
    is recognised when it comes back.
    """
    header = preview.header
    if preview.reading.headerless:
        header = [
            preview.reading.label_of(value) if value else "" for value in preview.reading.choices()
        ]
    kept = [index for index, name in enumerate(header) if key(name) not in _PROBLEM_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=preview.separator, lineterminator="\r\n")
    writer.writerow([neutralised(cell) for cell in [header[i] for i in kept] + [problems_heading]])
    for row in preview.rejected:
        cells = [row.cells[index] if index < len(row.cells) else "" for index in kept]
        writer.writerow([neutralised(cell) for cell in cells + [" ".join(row.problems)]])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
