"""A list as Excel and CRMs save it, or as it is pasted: its text, separator and records.

UTF-8 with or without a byte order mark, UTF-16 with one, or Windows-1252; comma, semicolon or
tab separated (a list copied from a spreadsheet is tab separated); languages in Dutch or English.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

from flask_babel import lazy_gettext as _l

MAX_BYTES = 2 * 1024 * 1024
# Each row is checked against the fatigue and suppression rules within the request, some 10 ms
# a row on PostgreSQL: a thousand rows stay well inside a worker's 30-second timeout.
MAX_ROWS = 1000
SEPARATORS = (";", ",", "\t")
ZIP_START = b"PK\x03\x04"  # an .xlsx workbook is a zip file

LOCALE_NAMES = {
    "nl": ("nl", "nederlands", "dutch", "nld", "nl-nl", "nl-be", "vlaams"),
    "en": ("en", "engels", "english", "eng", "en-gb", "en-us"),
}


def key(text: str) -> str:
    """A name or value as compared: no case, spaces, dashes, underscores or dots."""
    return re.sub(r"[\s\-_.]", "", text.strip().lstrip("\ufeff")).lower()


_LOCALES = {key(name): code for code, names in LOCALE_NAMES.items() for name in names}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (too large, unreadable, empty)."""


UNREADABLE_TEXT = _l(
    "The file cannot be read as text. In the spreadsheet, save it as CSV (UTF-8) and try again."
)


def decode_upload(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:  # cut off, or not UTF-16 after all
            raise ImportFileError(UNREADABLE_TEXT) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows; five bytes are undefined there, shown as a replacement.
        return data.decode("cp1252", errors="replace")


def sniff_separator(text: str) -> str:
    """The separator of the header line: the candidate that occurs most often in it."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(SEPARATORS, key=header.count)


def parse_locale(text: str) -> str | None:
    """The language code; None when the cell is empty (the organisation's language applies)."""
    if not text.strip():
        return None
    try:
        return _LOCALES[key(text)]
    except KeyError:
        raise ValueError(text) from None


def read_records(data: bytes) -> tuple[str, list[list[str]]]:
    """The separator and the records of the file, refusing what is too large to preview."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _l("The file is larger than %(size)s MB. Split it into smaller files.", size=2)
        )
    if data.startswith(ZIP_START):
        raise ImportFileError(
            _l("This is an Excel workbook, not a CSV file. In Excel, save it as CSV first.")
        )
    text = decode_upload(data)
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        records = list(reader)
    except csv.Error:
        raise ImportFileError(
            _l("The file cannot be read as CSV: line %(line)s is damaged.", line=reader.line_num)
        ) from None
    if sum(1 for record in records if any(cell.strip() for cell in record)) > MAX_ROWS + 1:
        raise ImportFileError(
            _l(
                "The file has more than %(number)s rows. Split it into smaller files.",
                number=MAX_ROWS,
            )
        )
    return separator, records
