"""A pooled PostgreSQL connection is known to be alive before a request uses it, without a round
trip on every request.

SQLAlchemy's `pool_pre_ping` sends a statement at every checkout: one round trip of each request,
one of five on the survey's POST. Instead, at checkout:

- A connection whose server went away says so without being asked: a server that restarts, or
  an administrator who ends a backend, sends a farewell and closes the socket, so a connection
  resting in the pool with something to read (or closed) is dead. One poll() of the socket.
- A connection that rested longer than DATABASE_PING_AFTER_IDLE_SECONDS is pinged as
  pre_ping would: a network path can drop a quiet connection without a word (a firewall's idle
  timeout), and then there is nothing to read.

A dead connection is replaced before the request sees it: DisconnectionError makes the pool
discard it and connect again (up to three times). SQLite's connections are files: neither
applies.
"""

from __future__ import annotations

import select
import time

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

_RESTING_SINCE = "spiegel_resting_since"


def watch_pooled_connections(engine: Engine, ping_after_idle_seconds: float) -> None:
    """Check each connection `engine`'s pool hands out as described above."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkin")
    def _resting(dbapi_connection, record) -> None:
        record.info[_RESTING_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, record, proxy) -> None:
        resting_since = record.info.pop(_RESTING_SINCE, None)
        if resting_since is None:  # just connected
            return
        if has_gone_away(dbapi_connection):
            raise DisconnectionError("the database closed this pooled connection")
        if time.monotonic() - resting_since >= ping_after_idle_seconds:
            _ping(engine, dbapi_connection)


def has_gone_away(dbapi_connection) -> bool:
    """Whether a psycopg connection at rest is closed or has something to read: a resting
    connection is owed nothing, so what arrived is the server's goodbye (or, rarely, a setting
    it reports; then a healthy connection is replaced, which costs only a new connection)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    socket = select.poll()  # not select(): a process may hold more than 1,024 files
    socket.register(dbapi_connection.fileno(), select.POLLIN)
    return bool(socket.poll(0))  # readable, hung up or failed


def _ping(engine: Engine, dbapi_connection) -> None:
    dialect = engine.dialect
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            raise DisconnectionError("the database did not answer a ping") from error
        raise
