"""Configuration from the environment (and an optional `.env`): the only module that reads it.

Profiles: production (the default: the safe one), development and test; `SPIEGEL_ENV` picks one.
Development is only ever what someone asked for (`make run` does).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent
load_dotenv(ROOT / ".env")


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = "production"
    DEBUG = False
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Old keys, still accepted after a rotation: for sessions (Flask) and survey links (tokens.py).
    SECRET_KEY_FALLBACKS = _list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{ROOT / 'instance' / 'spiegel.db'}")
    # A pooled connection is checked at checkout without a round trip; one that rested longer
    # than this is pinged first (survey/pool.py).
    DATABASE_PING_AFTER_IDLE_SECONDS = float(
        os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", "30")
    )
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/Amsterdam")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "survey" / "translations")
    LANGUAGES = ("nl", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Uploads (CSV imports, at most 2 MB) are refused before they are read into memory.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a working day: a form left open over lunch still submits

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins (docs/accounts.md): one account from one address is stopped; one address is
    # stopped far above what a town hall behind one address needs; an account from everywhere
    # together is only slowed down, so nobody can lock a colleague out.
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"
    )
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "100 per 15 minutes")
    LOGIN_SLOWDOWN_PER_ACCOUNT = os.environ.get("LOGIN_SLOWDOWN_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_SLOWDOWN_PACE = os.environ.get("LOGIN_SLOWDOWN_PACE", "1 per 5 seconds")
    # "Forgot password?": requests per client address; emails per account (more are not sent).
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ADDRESS", "20 per hour"
    )
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3 per hour"
    )
    PASSWORD_RESET_LINK_HOURS = int(os.environ.get("PASSWORD_RESET_LINK_HOURS", "1"))
    PASSWORD_SETUP_LINK_HOURS = int(os.environ.get("PASSWORD_SETUP_LINK_HOURS", "72"))
    # "strong" (RFC 9106) or "fast-for-tests" (Argon2's cheapest; the test profile's).
    PASSWORD_HASH_PROFILE = os.environ.get("PASSWORD_HASH_PROFILE", "strong")
    # A staff session ends after this long unused, and this long after logging in.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "480"))
    SESSION_MAX_DAYS = int(os.environ.get("SESSION_MAX_DAYS", "7"))
    # Flask's own limit on a session cookie's age (31 days by default), kept to the same days.
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_DAYS * 24 * 3600
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Spiegel <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP step

    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", False)

    # An event's room link (docs/events.md): answers per network address, generous because a
    # whole room shares one Wi-Fi address.
    ROOM_ANSWER_LIMIT_PER_ADDRESS = os.environ.get(
        "ROOM_ANSWER_LIMIT_PER_ADDRESS", "60 per 10 minutes"
    )
    # Exports (README, Feedback dashboards): an XLSX of more responses than this is made by the
    # scheduler in the background, into EXPORT_DIR (shared by the web workers and the
    # schedulers; instance/exports when empty).
    EXPORT_DIRECT_ROWS = int(os.environ.get("EXPORT_DIRECT_ROWS", "20000"))
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or None

    # Logs (docs/operations.md): one line per request; "json" for a log collector, "text" to read.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    # /readyz, `flask doctor` and the administrators' warnings: the scheduler's jobs run every
    # 10 s to 15 min, so five minutes without any run means no scheduler is running; a large
    # mailing (10,000 invitations at once) leaves the outbox in well under half an hour.
    READY_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("READY_HEARTBEAT_MAX_AGE_SECONDS", "300"))
    READY_DUE_EMAIL_MAX_AGE_SECONDS = int(os.environ.get("READY_DUE_EMAIL_MAX_AGE_SECONDS", "1800"))
    # The Maildir the local SMTP server of `make run` writes to, shown on the Mailbox page.
    DEV_MAILBOX_DIR: str | None = None


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True
    DEV_MAILBOX_DIR = os.environ.get("DEV_MAILBOX_DIR") or str(ROOT / "instance" / "mailbox")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret"
    SECRET_KEY_FALLBACKS: list[str] = []
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    BASE_URL = "http://localhost"
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_PROFILE = "fast-for-tests"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


PROFILES = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
DEFAULT_PROFILE = "production"

MIN_SECRET_KEY_BYTES = 32
# Keys that appear in this code's history, tutorials and examples: whoever knows one can sign a
# staff session, so they never sign anything outside development and tests.
KNOWN_SECRET_KEYS = frozenset(
    {
        "dev-only-not-secret",
        "test-secret",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "your-secret-key",
        "super-secret",
        "supersecret",
        "development",
        "dev",
        "test",
        "default",
        "password",
        "please-change-this-secret-key-in-production",
    }
)
HOW_TO_MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigurationError(RuntimeError):
    """A setting the app must not start with; the message says what to do."""


def load_config(name: str | None = None) -> type[Config]:
    """The profile named, or the one `SPIEGEL_ENV` names (production when unset).

    Production refuses a missing, short or well-known secret key; development without one gets
    the key kept for this checkout.
    """
    name = name or os.environ.get("SPIEGEL_ENV") or DEFAULT_PROFILE
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ConfigurationError(
            f"SPIEGEL_ENV={name!r} is not one of {', '.join(sorted(PROFILES))}."
        ) from None
    if profile is DevelopmentConfig and not profile.SECRET_KEY:
        profile.SECRET_KEY = checkout_secret_key(ROOT / "instance" / "secret_key")
    if profile is not TestConfig and profile is not DevelopmentConfig:
        check_secret_keys(profile.SECRET_KEY, profile.SECRET_KEY_FALLBACKS)
    check_logging(profile.LOG_FORMAT, profile.LOG_LEVEL)
    return profile


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def check_logging(log_format: str, level: str) -> None:
    """Refuse a log format or level the app does not know, rather than log in a surprise shape."""
    if log_format not in LOG_FORMATS:
        raise ConfigurationError(
            f"LOG_FORMAT={log_format!r} is not one of {', '.join(LOG_FORMATS)}."
        )
    if level not in LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL={level!r} is not one of {', '.join(LOG_LEVELS)}.")


def check_secret_keys(key: str, fallbacks: list[str]) -> None:
    """Refuse a signing key that is missing, short, or known; the same for every old key."""
    for setting, value in [("SECRET_KEY", key)] + [
        (f"SECRET_KEY_FALLBACKS (key {number})", old) for number, old in enumerate(fallbacks, 1)
    ]:
        if problem := secret_key_problem(value):
            raise ConfigurationError(
                f"{setting} {problem}. It signs staff sessions and survey links: give it at "
                f"least {MIN_SECRET_KEY_BYTES} random bytes, e.g. `{HOW_TO_MAKE_A_KEY}`."
            )


def secret_key_problem(key: str | None) -> str | None:
    """Why this key must not sign anything in production, or None when it may."""
    if not key:
        return "is not set"
    if key.strip().lower() in KNOWN_SECRET_KEYS:
        return "is a publicly known example value"
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return f"is {len(key.encode())} bytes long"
    if len(set(key)) < 8:
        return "repeats a few characters"
    return None


def checkout_secret_key(path: Path) -> str:
    """Development's key: made once per checkout and kept (owner-only), so a restart of the
    reloader keeps people logged in, while no two checkouts share a key anyone could look up."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # the reloader's other process made it a moment ago
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
