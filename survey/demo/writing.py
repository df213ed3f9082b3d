"""Writing generated rows in bulk: COPY on PostgreSQL (psycopg 3), the driver's executemany on
SQLite, one chunk per transaction.

Rows are tuples in the column order below, with naive UTC datetimes (as the database stores
them). They skip SQLAlchemy's per-row parameter processing, which costs more than the insert
itself at this scale. Ids of contacts, invitations and responses are given by the generator
(answers point at them), so on PostgreSQL the id sequences are moved past them after each chunk.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import Connection, Date, DateTime, Engine, Table, func, select, text
from sqlalchemy.orm import Session

from survey.contacts.models import Contact
from survey.invitations.models import Invitation
from survey.responding.models import Answer, Response

CONTACT = (
    "id", "organisation_id", "account_manager_id", "company_name", "registry_number",
    "person_name", "email", "locale", "contacted_on", "channel", "subject", "source",
    "created_at",
)  # fmt: skip
INVITATION = (
    "id", "organisation_id", "contact_id", "questionnaire_version_id", "staff_member_id",
    "recipient_email", "recipient_name", "locale", "state", "nonce", "suppression_reason",
    "previously_invited_at", "scheduled_at", "sent_at", "reminded_at", "expires_at",
    "answered_at", "created_at", "occasion_kind", "channel", "occasion_on", "company_name",
    "registry_number",
)  # fmt: skip
RESPONSE = (
    "id", "invitation_id", "organisation_id", "questionnaire_version_id", "submitted_at",
    "locale", "account_manager_id", "channel", "month", "occasion_kind",
)  # fmt: skip
ANSWER = ("response_id", "question_id", "value", "option", "text")

# In the order foreign keys need them.
TABLES = (
    (Contact.__table__, CONTACT),
    (Invitation.__table__, INVITATION),
    (Response.__table__, RESPONSE),
    (Answer.__table__, ANSWER),
)
NUMBERED = (Contact, Invitation, Response)


class Rows:
    """One chunk of generated rows, and the next free id of each numbered table."""

    def __init__(self, next_ids: dict[type, int]) -> None:
        self.next_ids = next_ids
        self.contacts: list[tuple] = []
        self.invitations: list[tuple] = []
        self.responses: list[tuple] = []
        self.answers: list[tuple] = []

    def new_id(self, model: type) -> int:
        number = self.next_ids[model]
        self.next_ids[model] = number + 1
        return number

    def per_table(self) -> list[tuple[Table, tuple[str, ...], list[tuple]]]:
        lists = (self.contacts, self.invitations, self.responses, self.answers)
        return [(*table, rows) for table, rows in zip(TABLES, lists, strict=True)]

    def following(self) -> Rows:
        """An empty chunk that numbers on from this one."""
        return Rows(self.next_ids)


def first_free_ids(session: Session) -> dict[type, int]:
    return {model: (session.scalar(select(func.max(model.id))) or 0) + 1 for model in NUMBERED}


class ChunkWriter:
    """Writes each chunk in a transaction of its own. A database server works on one chunk
    while the next is made (a thread waits for it); SQLite works inside this process, where a
    second thread would only contend for the interpreter, so it is written in turn."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        in_server = engine.dialect.name != "sqlite"
        self.executor = ThreadPoolExecutor(1, "bulk-writer") if in_server else None
        self.pending: Future | None = None

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, *error) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def write(self, rows: Rows) -> int:
        """Hand over a chunk; returns the responses in the chunk written meanwhile (or 0)."""
        written = self.wait()
        if self.executor is None:
            return written + self._write(rows)
        self.pending = self.executor.submit(self._write, rows)
        return written

    def wait(self) -> int:
        """Wait for the chunk being written (raising its error); returns its responses."""
        pending, self.pending = self.pending, None
        return pending.result() if pending else 0

    def _write(self, rows: Rows) -> int:
        with self.engine.begin() as connection:
            write(connection, rows)
        return len(rows.responses)


def write(connection: Connection, rows: Rows) -> None:
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        for table, columns, chunk in rows.per_table():
            _copy(connection, table, columns, chunk)
        _move_sequences(connection)
    elif dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB: indexes grow fast
        for table, columns, chunk in rows.per_table():
            _insert_sqlite(connection, table, columns, chunk)
    else:
        raise NotImplementedError(f"bulk demo data: no writer for {dialect.name}")


def _copy(connection: Connection, table: Table, columns: tuple[str, ...], chunk: list) -> None:
    driver_connection = connection.connection.driver_connection
    names = ", ".join(f'"{column}"' for column in columns)
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in chunk:
            copy.write_row(row)


def _insert_sqlite(
    connection: Connection, table: Table, columns: tuple[str, ...], chunk: list[tuple]
) -> None:
    """Dates and times as SQLAlchemy stores them in SQLite: ISO text, microseconds included."""
    moments = [
        index
        for index, column in enumerate(columns)
        if isinstance(getattr(table.c[column].type, "impl", table.c[column].type), (Date, DateTime))
    ]
    texts: dict = {None: None}  # many rows share a moment (the day's sending time)
    ready = []
    for row in chunk:
        row = list(row)
        for index in moments:
            value = row[index]
            text = texts.get(value)
            if text is None and value is not None:
                text = texts[value] = (
                    value.isoformat(" ", "microseconds")
                    if type(value) is datetime
                    else value.isoformat()
                )
            row[index] = text
        ready.append(tuple(row))
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" * len(columns))
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    connection.exec_driver_sql(statement, ready)


def _move_sequences(connection: Connection) -> None:
    for model in NUMBERED:
        name = model.__table__.name
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )


def analyse(session: Session) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL; SQLite plans without them)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
