"""The language of each request: Dutch by default, English on request."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user

from survey.security import local_path_or

bp = Blueprint("languages", __name__)


def supported(code: str | None) -> str | None:
    return code if code in current_app.config["LANGUAGES"] else None


def use_locale(code: str) -> None:
    """Fix this request's language (the survey pages speak the respondent's language)."""
    g.locale = code


def use_timezone(name: str) -> None:
    """Show this request's times in this zone (the survey pages use the organisation's)."""
    g.timezone = name


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if "locale" in g:
        return g.locale
    if not has_request_context():  # a CLI command or a job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = supported(session.get("locale"))
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated and supported(current_user.locale):
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/language/<code>")
def switch(code: str):
    if supported(code):
        session["locale"] = code
    return redirect(local_path_or(request.args.get("next"), url_for("accounts.login")))


def select_timezone() -> str:
    """Flask-Babel's time zone selector: the staff member's organisation's zone."""
    if "timezone" in g:
        return g.timezone
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.organisation.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
