"""One reader per kind of request input: bounded integers, months, search text, `next` paths.

Every view and form reads odd input through these, so a NUL byte, a huge number or a line break
is answered with a message or a fallback, never with a server error. The readers take the raw
text and give back a value or None; the `query_*` functions apply them to the query string.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit

from flask import abort, make_response, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

# C0 and C1 control characters and DEL; tab, CR and LF included.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL; larger numbers name no record
SEARCH_LENGTH = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PATH_LENGTH = 2000
MAX_CURSOR_LENGTH = 1500  # a text among the sort values, percent-quoted

_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")

E = TypeVar("E", bound=enum.Enum)


def bounded_int(text: str | None, low: int, high: int) -> int | None:
    """A whole number written in digits from `low` to `high`; None for anything else."""
    if text is None or not _WHOLE_NUMBER.fullmatch(text.strip()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def page_number(text: str | None) -> int:
    """A list's page, 1 to MAX_PAGE; the first page when the text is not one."""
    return bounded_int(text, 1, MAX_PAGE) or 1


def record_id(text: str | None) -> int | None:
    """A database id, 1 to 2**31 - 1; None when the text cannot be one."""
    return bounded_int(text, 1, MAX_ID)


def search_text(text: str | None, length: int = SEARCH_LENGTH) -> str:
    """What someone typed in a search box: control characters (NUL too) out, at most `length`."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text or "").split())[:length]


def month(text: str | None) -> date | None:
    """A month written as 2026-03, years FIRST_YEAR to LAST_YEAR; None for anything else."""
    match = _MONTH.fullmatch((text or "").strip())
    if not match:
        return None
    year, number = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= number <= 12):
        return None
    return date(year, number, 1)


def choice(enum_class: type[E], text: str | None) -> E | None:
    """The member whose value is `text`; None for empty text; ValueError for another value."""
    if not text:
        return None
    return enum_class(text)


def _decoded(target: str) -> str | None:
    """`target` percent-decoded until it no longer changes; None if it never settles."""
    for _round in range(5):
        decoded = unquote(target)
        if decoded == target:
            return target
        target = decoded
    return None


def _looks_local(text: str) -> bool:
    if CONTROL_CHARACTERS.search(text) or "\\" in text:
        return False
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc and parts.path.isascii()


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (as `next=` brings it), else None.

    Browsers forgive a lot: they drop tabs and line breaks, read a backslash as a slash, fold
    look-alike characters and decode percent signs, so "/%09/evil.example" or "/\\evil.example"
    lead to another site. Every form the browser may see (the text as given, decoded until
    stable, NFKC-folded) must be a plain path starting with a single slash.
    """
    if not target or len(target) > MAX_PATH_LENGTH:
        return None
    decoded = _decoded(target)
    if decoded is None:
        return None
    forms = {target, decoded, unicodedata.normalize("NFKC", decoded)}
    return target if all(_looks_local(text) for text in forms) else None


@dataclass(frozen=True)
class Cursor:
    """A place in a list: continue `after` the row with these sort values (the next page), or
    show what comes `before` it (the page before)."""

    direction: str  # "after" or "before"
    values: tuple


def _cursor_value(text: str, kind: type):
    """One sort value as a cursor writes it; ValueError for anything else."""
    if kind is int:
        number = bounded_int(text, 0, 2**63 - 1)
        if number is None:
            raise ValueError(text)
        return number
    if kind is datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValueError(text)
        return moment.astimezone(UTC)
    if kind is date:
        day = date.fromisoformat(text)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(text)
        return day
    value = unquote(text)  # as stored: line breaks too, but no NUL, which no column holds
    if "\x00" in value:
        raise ValueError(text)
    return value


def cursor_values(text: str | None, kinds: tuple[type, ...]) -> tuple | None:
    """The sort values a cursor holds, of the kinds given (int, date, datetime, str); None when
    the text is not such a cursor."""
    if not text or len(text) > MAX_CURSOR_LENGTH or CONTROL_CHARACTERS.search(text):
        return None
    parts = text.split(",")
    if len(parts) != len(kinds):
        return None
    try:
        return tuple(_cursor_value(part, kind) for part, kind in zip(parts, kinds, strict=True))
    except ValueError:
        return None


def cursor_text(values: tuple) -> str:
    """The inverse of `cursor_values`: times in UTC to the microsecond, text percent-quoted so a
    comma in it cannot split it."""

    def written(value) -> str:
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            return quote(value, safe="")
        return str(int(value))

    return ",".join(written(value) for value in values)


def query_page(name: str = "page") -> int:
    return page_number(request.args.get(name))


def query_id(name: str) -> int | None:
    return record_id(request.args.get(name))


def query_search(name: str = "q") -> str:
    return search_text(request.args.get(name))


def query_cursor(kinds: tuple[type, ...]) -> Cursor | None:
    """Where a paged list continues: `?after=` or `?before=` a row's sort values; None for the
    first page; 400 with a message for a cursor that names no place in this list."""
    after, before = request.args.get("after"), request.args.get("before")
    if not after and not before:
        return None
    direction, text = ("after", after) if after else ("before", before)
    values = cursor_values(text, kinds) if not (after and before) else None
    if values is None:
        from survey.errors import render_error  # the error pages need the app's templates

        message = _l("The link to this part of the list is damaged. Start again from the top.")
        abort(
            make_response(render_error(400, _l("This part of the list cannot be shown"), message))
        )
    return Cursor(direction, values)


def query_choice(enum_class: type[E], name: str) -> E | None:
    """The filter value asked for in the query string, None for all; 400 with the values it
    takes for another value."""
    try:
        return choice(enum_class, request.args.get(name))
    except ValueError:
        from survey.errors import render_error  # the error pages need the app's templates

        allowed = ", ".join(member.value for member in enum_class)
        message = _l(
            "“%(name)s” takes one of these values: %(allowed)s.", name=name, allowed=allowed
        )
        abort(make_response(render_error(400, _l("This filter cannot be used"), message)))


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in a route: an id up to MAX_ID. A larger number matches no route: 404."""

    regex = r"[0-9]{1,12}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def without_nul(value: object) -> object:
    """WTForms filter: drop NUL bytes, which no database column stores and no person types."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


class SingleLine:
    """WTForms validator for a one-line text field: no line breaks or other control characters."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(self.message or _l("Use a single line without line breaks."))


class Month:
    """WTForms validator: a month as year-month within FIRST_YEAR to LAST_YEAR."""

    def __call__(self, form, field) -> None:
        if not field.data or month(field.data) is not None:
            return
        if not _MONTH.fullmatch(field.data.strip()) or not 1 <= int(field.data[-2:]) <= 12:
            raise ValidationError(_l("Give a month as year-month, for example 2026-03."))
        raise ValidationError(
            _l(
                "Choose a month in the years %(first)s to %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
