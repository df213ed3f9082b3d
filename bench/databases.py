"""Fresh databases for the benchmark: an SQLite file in a temporary folder, or a PostgreSQL
database made on the server and dropped afterwards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import make_url

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Unavailable(RuntimeError):
    """The database server does not answer; the benchmark skips it."""


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="spiegel-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def _libpq(url: str) -> str:
    """The URL as psycopg takes it (without SQLAlchemy's driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgresql_database(server_url: str | None = None) -> Iterator[str]:
    server = make_url(server_url or os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER))
    name = f"spiegel_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(_libpq(server.render_as_string(False)), autocommit=True)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL at {server.host}:{server.port} does not answer: {error}"
        raise Unavailable(message) from None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def size_in_mb(url: str) -> float:
    if url.startswith("sqlite"):
        return Path(make_url(url).database).stat().st_size / 2**20
    with psycopg.connect(_libpq(url)) as connection:
        (size,) = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return size / 2**20
