"""What every template may use: localized texts, dates and times in the viewer's zone, numbers
without a negative zero, answers by their labels, the language."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime

from babel.dates import get_datetime_format
from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from survey.questionnaires.forms import option_choices
from survey.questionnaires.models import Question, localized

LENGTHS = ("short", "medium", "long", "full")
TIME = "HH:mm"  # staff read hours and minutes; seconds only make a time harder to read
SEPARATOR = " – "
_NONZERO_DIGIT = re.compile(r"[1-9]")


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(localized_filter, "localized")
    app.add_template_filter(when, "when")
    # Replaces Flask-Babel's filter of the same name, so that no template can show "-0,0".
    app.add_template_filter(decimal, "decimalformat")
    app.add_template_filter(answer_label, "answer_label")
    app.add_template_filter(joined, "joined")

    @app.context_processor
    def language_context() -> dict:
        return {
            "current_locale": str(get_locale()),
            "languages": {"nl": "Nederlands", "en": "English"},
            "current_path": request.full_path.rstrip("?") if request else "/",
        }


def localized_filter(texts: dict | None) -> str:
    return localized(texts, str(get_locale()))


def when(value: datetime | date | None, format: str = "medium") -> str:
    """A date, or a date with its time as hours and minutes, in the viewer's language and zone.

    `format` is Babel's name for the date's length ("short", "medium", "long" or "full"),
    or a pattern of its own.
    """
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, format)
    if format not in LENGTHS:  # a pattern of its own, such as "MMMM yyyy"
        return format_datetime(value, format)
    # Flask-Babel moves both to the viewer's zone (a naive value is taken as UTC).
    day, time = format_date(value, format), format_time(value, TIME)
    pattern = get_datetime_format(format, locale=get_locale()).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", time)


def decimal(value: float | None, format: str | None = None) -> str:
    """A number as the pattern rounds it; one that rounds to zero is shown as zero, unsigned."""
    if value is None:
        return ""
    text = format_decimal(value, format)
    if math.copysign(1.0, value) < 0 and not _NONZERO_DIGIT.search(text):
        return format_decimal(0, format)
    return text


def answer_label(value: int | str | None, question: Question) -> str:
    """A given answer as the respondent saw it, in the viewer's language ("4 – Mee eens").

    A number on a scale keeps its number in front of its words, so it reads as a point on the
    scale; an option of a choice question is its words.
    """
    if value is None or value == "":
        return ""
    locale = str(get_locale())
    label = next(
        (choice.label for choice in option_choices(question, locale) if choice.value == str(value)),
        None,
    )
    if label is None:
        return str(value)
    if question.type.is_rated and not label.startswith(f"{value} "):
        return f"{value}{SEPARATOR}{label}"
    return label


def joined(parts: Iterable[object | None], separator: str = SEPARATOR) -> str:
    """The parts given, between separators; an empty part leaves no dangling separator."""
    return separator.join(str(part) for part in parts if part not in (None, ""))
