"""`flask backup PATH`: a consistent copy of the database, taken while the app runs.

SQLite: the online backup API copies the database as of one moment (one step under a read lock,
so a write that lands meanwhile waits a moment instead of tearing the copy), then the copy must
pass `PRAGMA integrity_check`. PostgreSQL: pg_dump (one transaction: a consistent snapshot while
the app writes on), in its custom format for pg_restore. Without pg_dump on this machine the
command prints the one to run. docs/operations.md, "Backups", says how to restore.

A backup holds names and email addresses: it is written owner-only, under a temporary name
first, so a half-written file never carries the final name.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from survey.clock import utcnow
from survey.extensions import db


class BackupError(Exception):
    """The backup could not be made; the message says why, in plain words."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int


def backup_name(url: URL, now: datetime) -> str:
    """The file name of a backup made now: sorts by time, says which kind of file it is."""
    suffix = "sqlite3" if url.get_backend_name() == "sqlite" else "pgdump"
    return f"spiegel-{now:%Y%m%dT%H%M%SZ}.{suffix}"


def target_path(path: Path, url: URL, now: datetime) -> Path:
    """A directory gets a new timestamped file in it; a file name is used as given, but never
    over an existing file (yesterday's good backup is not replaced by today's attempt)."""
    if path.is_dir():
        path = path / backup_name(url, now)
    if path.exists():
        raise BackupError(f"{path} exists already: give a new file name or a directory.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    return path


def back_up(url: URL | str, path: Path, now: datetime) -> Backup:
    """Copy the database at `url` to `path` (a file, or a directory to put a new file in)."""
    url = make_url(url)
    target = target_path(path, url, now)
    partial = target.with_name(f".{target.name}.partial")
    backend = url.get_backend_name()
    if backend == "sqlite":
        copy = _sqlite_backup
    elif backend == "postgresql":
        copy = _postgres_dump
    else:
        raise BackupError(f"Backups of a {backend} database are not supported.")
    _create_owner_only(partial)
    try:
        copy(url, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size)


def _create_owner_only(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} exists: is another backup running? If not, delete it.") from None


def _sqlite_backup(url: URL, target: Path) -> None:
    database = url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing on disk to back up.")
    if not Path(database).is_file():
        raise BackupError(f"The database file {database} does not exist.")
    # Read-only: the backup can never change the live database.
    source = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy is of one moment. Stepwise copying restarts
        # whenever the app writes in between and might never finish on a busy database; a
        # write waits for the one step instead (a second or so per 100 MB, within SQLite's
        # 5 s busy timeout), and a busy start is retried by sqlite3 itself.
        source.backup(copy, pages=-1)
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    finally:
        copy.close()
        source.close()
    if problems != ["ok"]:
        raise BackupError("The copy fails SQLite's integrity check: " + "; ".join(problems[:5]))


def pg_dump_command(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments and the environment that carries the password (never the command
    line, which other users of the machine can read in the process list)."""
    connection = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,  # sslmode and the like
    ).render_as_string(hide_password=False)
    command = [
        "pg_dump",
        "--format=custom",  # compressed; pg_restore picks tables, and restores in parallel
        "--no-password",  # fail at once instead of waiting for someone to type a password
        f"--file={target}",
        f"--dbname={connection}",
    ]
    secret = {"PGPASSWORD": url.password} if url.password else {}
    return command, secret


def _postgres_dump(url: URL, target: Path) -> None:
    command, secret = pg_dump_command(url, target)
    if shutil.which("pg_dump") is None:
        shown = shlex.join(command)
        raise BackupError(
            "pg_dump is not installed here (Debian: apt install postgresql-client, the same "
            "major version as the server or newer). Run it where it is:\n  "
            + (f"PGPASSWORD=… {shown}" if secret else shown)
        )
    done = subprocess.run(
        command, env={**os.environ, **secret}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()}")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH (a new file, or a folder to put spiegel-<time>.* in)."""
    try:
        made = back_up(db.engine.url, path, utcnow())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {made.path} ({made.size / 1_000_000:.1f} MB).")
