"""Flask's side of staff sessions: starting one at login, checking it on every request, ending
it. The rules themselves are in sessions.py."""

from __future__ import annotations

from flask import current_app, session
from flask_login import login_user, logout_user

from survey.accounts.models import User
from survey.accounts.sessions import SessionRules, SessionStamp, session_is_current
from survey.clock import utcnow
from survey.extensions import db

STAMP_KEY = "stamp"
# What survives a new session: the language a visitor chose before logging in.
KEPT_KEYS = ("locale",)


def _clear_session() -> None:
    kept = {key: session[key] for key in KEPT_KEYS if key in session}
    session.clear()
    session.update(kept)


def start_session(user: User) -> None:
    """A new session for `user`: nothing of what the browser held before carries over."""
    _clear_session()
    login_user(user)
    session[STAMP_KEY] = SessionStamp.begin(user, utcnow()).to_cookie()


def end_session() -> None:
    _clear_session()
    logout_user()


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader, run on every request: the session's user while it is current."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    stamp = SessionStamp.from_cookie(session.get(STAMP_KEY))
    now = utcnow()
    if not session_is_current(user, stamp, SessionRules.from_config(current_app.config), now):
        _clear_session()
        return None
    if (seen := stamp.seen(now)) is not stamp:
        session[STAMP_KEY] = seen.to_cookie()
    return user
