"""What every template may use: localized texts, dates in the viewer's zone, the language."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale

from survey.questionnaires.models import localized


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("localized")
    def localized_filter(texts: dict | None) -> str:
        return localized(texts, str(get_locale()))

    @app.template_filter("when")
    def when_filter(value: datetime | date | None, format: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_datetime(value, format)
        return format_date(value, format)

    @app.context_processor
    def language_context() -> dict:
        return {
            "current_locale": str(get_locale()),
            "languages": {"nl": "Nederlands", "en": "English"},
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
