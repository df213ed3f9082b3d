"""Writing generated rows in bulk: COPY on PostgreSQL (psycopg 3), the driver's executemany on
SQLite, one chunk per transaction.

Rows are tuples in the column order below, with naive UTC datetimes (as the database stores
them). They skip SQLAlchemy's per-row parameter processing, which costs more than the insert
itself at this scale. Ids of contacts, events, invitations, participants, room links and
responses are given by the generator (other rows point at them), so on PostgreSQL the id
sequences are moved past them after each chunk.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import Connection, Date, DateTime, Engine, Table, func, select, text
from sqlalchemy.orm import Session

from survey.contacts.models import Contact
from survey.events.models import Event, EventOrganiser, EventSeries, EventSpeaker, Participant
from survey.invitations.models import Invitation
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink

CONTACT = (
    "id", "organisation_id", "account_manager_id", "company_name", "registry_number",
    "person_name", "email", "locale", "contacted_on", "channel", "subject", "source",
    "created_at",
)  # fmt: skip
EVENT_SERIES = ("id", "organisation_id", "title", "created_at")
EVENT = (
    "id", "organisation_id", "series_id", "title", "description", "kind", "starts_at", "ends_at",
    "place", "online", "questionnaire_id", "locale", "send_at", "evaluations_sent_at",
    "created_at", "created_by_id",
)  # fmt: skip
EVENT_ORGANISER = ("event_id", "user_id", "position")
EVENT_SPEAKER = ("event_id", "name", "position")
INVITATION = (
    "id", "organisation_id", "contact_id", "questionnaire_version_id", "staff_member_id",
    "recipient_email", "recipient_name", "locale", "state", "nonce", "suppression_reason",
    "previously_invited_at", "scheduled_at", "sent_at", "reminded_at", "expires_at",
    "answered_at", "created_at", "occasion_kind", "channel", "occasion_on", "company_name",
    "registry_number", "event_id",
)  # fmt: skip
PARTICIPANT = (
    "id", "event_id", "organisation_id", "name", "email", "organisation_name", "locale",
    "invitation_id", "added_at", "added_by_id",
)  # fmt: skip
ROOM_LINK = (
    "id", "organisation_id", "event_id", "questionnaire_version_id", "occasion_kind",
    "staff_member_id", "channel", "occasion_on", "locale", "nonce", "code", "opens_at",
    "closes_at", "created_at",
)  # fmt: skip
RESPONSE = (
    "id", "invitation_id", "organisation_id", "questionnaire_version_id", "submitted_at",
    "locale", "account_manager_id", "channel", "month", "occasion_kind", "event_id",
    "room_link_id",
)  # fmt: skip
ANSWER = ("response_id", "question_id", "value", "option", "text")
ROOM_ANSWER_MARK = ("room_link_id", "browser", "answered_on")

# In the order foreign keys need them; each with the name of its list in Rows.
TABLES = (
    (Contact.__table__, CONTACT, "contacts"),
    (EventSeries.__table__, EVENT_SERIES, "series"),
    (Event.__table__, EVENT, "events"),
    (EventOrganiser.__table__, EVENT_ORGANISER, "organisers"),
    (EventSpeaker.__table__, EVENT_SPEAKER, "speakers"),
    (Invitation.__table__, INVITATION, "invitations"),
    (Participant.__table__, PARTICIPANT, "participants"),
    (RoomLink.__table__, ROOM_LINK, "room_links"),
    (Response.__table__, RESPONSE, "responses"),
    (Answer.__table__, ANSWER, "answers"),
    (RoomAnswerMark.__table__, ROOM_ANSWER_MARK, "room_answer_marks"),
)
NUMBERED = (Contact, EventSeries, Event, Invitation, Participant, RoomLink, Response)


class Rows:
    """One chunk of generated rows, and the next free id of each numbered table."""

    def __init__(self, next_ids: dict[type, int]) -> None:
        self.next_ids = next_ids
        self.contacts: list[tuple] = []
        self.series: list[tuple] = []
        self.events: list[tuple] = []
        self.organisers: list[tuple] = []
        self.speakers: list[tuple] = []
        self.invitations: list[tuple] = []
        self.participants: list[tuple] = []
        self.room_links: list[tuple] = []
        self.responses: list[tuple] = []
        self.answers: list[tuple] = []
        self.room_answer_marks: list[tuple] = []

    def new_id(self, model: type) -> int:
        number = self.next_ids[model]
        self.next_ids[model] = number + 1
        return number

    def per_table(self) -> list[tuple[Table, tuple[str, ...], list[tuple]]]:
        return [(table, columns, getattr(self, name)) for table, columns, name in TABLES]

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
            if chunk:
                _copy(connection, table, columns, chunk)
        _move_sequences(connection)
    elif dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB: indexes grow fast
        for table, columns, chunk in rows.per_table():
            if chunk:
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
    """After a bulk load, the database as autovacuum would soon leave it (PostgreSQL; SQLite
    plans without statistics): fresh planner statistics, and the visibility map set, without
    which every index-only scan still reads the table (a server with autovacuum off, as CI's,
    never sets it)."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        return
    session.commit()  # VACUUM runs outside a transaction, on a connection of its own
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
