"""How long a staff session lasts and what ends it, apart from Flask's cookie.

A session carries a stamp: the user's session version when it began, when it began, and when it
was last used. Logging out, changing or resetting a password and being blocked raise the user's
version, which ends every session that carries an older one, on every device at once.

`SessionCookie` is Flask's own signed cookie, opened without its signer for the many requests
that bring none (respondents opening their links).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.sessions import SecureCookieSessionInterface

from survey.accounts.models import User

# Last-use times closer together than this are not rewritten, so not every request sends a
# new cookie; the idle limit is counted in hours, a minute does not matter.
SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta  # unused this long, a session ends
    lifetime: timedelta  # used or not, a session ends this long after logging in

    @classmethod
    def from_config(cls, config) -> SessionRules:
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            lifetime=timedelta(days=config["SESSION_MAX_DAYS"]),
        )


@dataclass(frozen=True)
class SessionStamp:
    version: int
    started_at: datetime
    seen_at: datetime

    @classmethod
    def begin(cls, user: User, now: datetime) -> SessionStamp:
        return cls(user.session_version, now, now)

    def seen(self, now: datetime) -> SessionStamp:
        """The stamp after a request at `now`; the same stamp if it was used a moment ago."""
        return self if now - self.seen_at < SEEN_PRECISION else replace(self, seen_at=now)

    def to_cookie(self) -> dict[str, int]:
        return {
            "v": self.version,
            "start": int(self.started_at.timestamp()),
            "seen": int(self.seen_at.timestamp()),
        }

    @classmethod
    def from_cookie(cls, data: Any) -> SessionStamp | None:
        """The stamp a session holds, or None for a session without a (well-formed) one."""
        if not isinstance(data, dict):
            return None
        values = [data.get(key) for key in ("v", "start", "seen")]
        if not all(type(value) is int for value in values):
            return None
        version, start, seen = values
        return cls(version, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(seen, UTC))


def session_is_current(
    user: User | None, stamp: SessionStamp | None, rules: SessionRules, now: datetime
) -> bool:
    """Whether a session with this stamp still belongs to an active `user` at `now`."""
    return (
        user is not None
        and user.active
        and stamp is not None
        and stamp.version == user.session_version
        and now - stamp.seen_at <= rules.idle
        and now - stamp.started_at <= rules.lifetime
    )


def end_all_sessions(user: User) -> None:
    """Every session of this user, on any device, ends at its next request."""
    user.session_version += 1


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose signer is only built for a request with a cookie to
    check: without one the session is new and empty, as Flask would make it, a little sooner."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
