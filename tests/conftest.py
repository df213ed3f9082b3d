"""Shared fixtures: the app on a migrated database (SQLite, or PostgreSQL by TEST_DATABASE_URL),
a test client, and the data factories.

Requests run in their own app context (as in production), so tests open `app.app_context()`
only around their own database work.
"""

from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from survey import create_app
from survey.extensions import db, limiter
from tests import factories


def _reset_schema() -> None:
    """Drop whatever a previous run left (a shared PostgreSQL test database), then migrate."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'spiegel-test.db'}"
    )


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        _reset_schema()
    return app


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts with empty tables and fresh login limits."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        present = set(inspect(db.engine).get_table_names())
        with db.engine.begin() as connection:
            for name in tables:
                if name in present:
                    connection.execute(db.metadata.tables[name].delete())
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An app context for tests of domain functions (no HTTP inside it)."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def org(ctx):
    """An organisation, for tests of domain functions (a module may define its own)."""
    return factories.organisation()


@pytest.fixture
def manager(org):
    """An account manager of `org`."""
    return factories.user(org, name="Sanne de Boer")


def csrf_token_in(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def log_in(client):
    """Log `client` in as the user with this email, through the real login form."""

    def log_in(email: str, password: str = "correct horse battery", *, follow=False):
        page = client.get("/login")
        return client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token_in(page.text)},
            follow_redirects=follow,
        )

    return log_in


@pytest.fixture
def mail_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on a free port, which the app's outbox sends to."""
    from tests.mailserver import MailServer

    server = MailServer().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    yield server
    server.stop()


@pytest.fixture
def smtp_server(tmp_path):
    """A real local SMTP server storing mail in a Maildir, as `make run` starts it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    from tests.devmail.emails import SmtpServer
    from tests.mailserver import free_port

    mail_dir = tmp_path / "mailbox"
    controller = Controller(Mailbox(mail_dir), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer(controller.hostname, controller.port, mail_dir)
    controller.stop()
