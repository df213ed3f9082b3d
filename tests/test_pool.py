"""Pooled PostgreSQL connections whose server ended them are replaced before a request uses
them, and a connection in steady use is not pinged (survey/pool.py)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey.extensions import db
from survey.pool import watch_pooled_connections
from tests import factories


@pytest.fixture
def postgresql_url(database_url) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("a pooled network connection: PostgreSQL only (TEST_DATABASE_URL)")
    return database_url


def _end_every_other_backend(database_url: str) -> int:
    """What a server restart does to the app's pool: every other backend of the database is
    ended (the server tells each client, then closes its socket)."""
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        ).fetchone()[0]
    time.sleep(0.2)  # the goodbye reaches the sockets
    return ended


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_survey_link_opens_after_the_database_ended_the_pooled_connections(
    app, client, postgresql_url
):
    with app.app_context():
        invitation = factories.invitation(factories.organisation())
        db.session.commit()
        token = factories.survey_token(invitation)
    assert client.get(f"/s/{token}").status_code == 200
    assert _end_every_other_backend(postgresql_url) >= 1

    for _ in range(3):  # every connection the pool had is dead; none reaches a request
        page = client.get(f"/s/{token}")
        assert page.status_code == 200
        assert 'id="survey-form"' in page.text


class _Pings:
    """The pings the dialect sends, counted (SQLAlchemy's own ping, not ours)."""

    def __init__(self, engine):
        self.count = 0
        ping = engine.dialect.do_ping

        def counted(dbapi_connection):
            self.count += 1
            return ping(dbapi_connection)

        engine.dialect.do_ping = counted


def _engine(url: str, ping_after_idle_seconds: float):
    engine = create_engine(url, pool_size=1, max_overflow=0)
    watch_pooled_connections(engine, ping_after_idle_seconds)
    return engine


def test_a_connection_in_steady_use_is_not_pinged(postgresql_url):
    engine = _engine(postgresql_url, ping_after_idle_seconds=30)
    pings = _Pings(engine)
    try:
        backends = {_backend(engine) for _ in range(20)}
        assert len(backends) == 1
        assert pings.count == 0
    finally:
        engine.dispose()


def test_a_connection_that_rested_long_is_pinged_first(postgresql_url):
    engine = _engine(postgresql_url, ping_after_idle_seconds=0.05)
    pings = _Pings(engine)
    try:
        first = _backend(engine)
        time.sleep(0.1)
        assert _backend(engine) == first
        assert pings.count == 1
    finally:
        engine.dispose()


def test_a_connection_the_server_ended_is_replaced_without_an_error(postgresql_url):
    engine = _engine(postgresql_url, ping_after_idle_seconds=30)
    try:
        ended = _backend(engine)
        _end_every_other_backend(postgresql_url)
        assert _backend(engine) != ended
    finally:
        engine.dispose()
