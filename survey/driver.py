"""Statements that SQLAlchemy compiles once and the database driver runs itself, for the two
requests everyone waits on at once: opening a survey link and storing its answers.

SQLAlchemy's execution around a statement (its result objects, its compiled-statement cache, the
ORM's unit of work) costs several times what the driver does to run it; for the survey link that
was most of the request. Here SQLAlchemy still writes the SQL for the dialect and says how each
value is bound and each column read; the pool still hands out the connection, the transaction is
still the caller's, and the engine's cursor events still see every statement (tests count
statements with them).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import BindParameter, Connection, Dialect, Engine, bindparam
from sqlalchemy.sql import ClauseElement

# Per dialect (an app's engine has one), without keeping a disposed app's engine alive.
_compiled: weakref.WeakKeyDictionary[Dialect, dict[tuple, DriverStatement]] = (
    weakref.WeakKeyDictionary()
)


def driver_statement(
    dialect: Dialect, build: Callable[..., ClauseElement], *arguments: Hashable
) -> DriverStatement:
    """The statement `build(*arguments)` makes, compiled for `dialect` once."""
    kept = _compiled.setdefault(dialect, {})
    statement = kept.get((build, arguments))
    if statement is None:
        statement = kept[build, arguments] = DriverStatement(build(*arguments), dialect)
    return statement


class DriverStatement:
    """One statement compiled for one dialect: each run names its values; the statement's own
    constants (a `count == 0`) are kept from the compilation.

    Values go through the column types' bind processors (enums to their values, times to UTC,
    dates to text on SQLite), rows through their result processors, as SQLAlchemy would."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.escaped_bind_names:
            raise ValueError("a driver statement's bound names must need no escaping")
        self.sql, self.positions = _positional(str(compiled), compiled, dialect)
        self.cursor = _cursor_maker(dialect)
        self.constants = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        self.binders = {
            name: binder
            for name, bind in compiled.binds.items()
            if (binder := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.readers = [  # a select's columns, or what an INSERT or UPDATE returns
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.exported_columns
        ]

    def parameters(self, values: dict[str, Any]) -> list[Any]:
        """The values in the statement's order, bound as their columns' types bind them."""
        bound = {**self.constants, **values}
        for name, binder in self.binders.items():
            bound[name] = binder(bound[name])
        return [bound[name] for name in self.positions]

    def rows(self, connection: Connection, values: dict[str, Any]) -> list[tuple]:
        """Run it once in the connection's transaction: the rows it returns, read."""
        return self.send(connection, values).rows()

    def send(self, connection: Connection, values: dict[str, Any]) -> Sent:
        """Run it once in the connection's transaction, its rows read later: inside `batched`
        the statements sent before the first read go to PostgreSQL in one round trip."""
        cursor = self.cursor(connection.connection.driver_connection)
        try:
            parameters = self.parameters(values)
            _announce(connection, cursor, self.sql, parameters, False)
            cursor.execute(self.sql, parameters)
        except BaseException:
            cursor.close()
            raise
        return Sent(self, cursor)

    def run_many(self, connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
        """Run it for each row, as one batch (psycopg pipelines it: one round trip)."""
        cursor = self.cursor(connection.connection.driver_connection)
        try:
            parameters = [self.parameters(row) for row in rows]
            _announce(connection, cursor, self.sql, parameters, True)
            cursor.executemany(self.sql, parameters)
        finally:
            cursor.close()

    def one_row_alone(self, engine: Engine, values: dict[str, Any]) -> tuple | None:
        """Run a read on a pooled connection of its own, outside any transaction: a read alone
        needs none, and PostgreSQL would get a BEGIN and a ROLLBACK around it."""
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            autocommit = engine.dialect.name == "postgresql"
            if autocommit:
                driver.autocommit = True
            try:
                rows = self.rows(connection, values)
            finally:
                if autocommit:
                    driver.autocommit = False
        return rows[0] if rows else None

    def _read(self, row: tuple) -> tuple:
        return tuple(
            value if read is None else read(value)
            for value, read in zip(row, self.readers, strict=True)
        )


class Sent:
    """A statement under way: its rows, once read (a database error it met is raised then)."""

    def __init__(self, statement: DriverStatement, cursor) -> None:
        self._statement, self._cursor = statement, cursor

    def rows(self) -> list[tuple]:
        try:
            fetched = self._cursor.fetchall() if self._statement.readers else []
        finally:
            self._cursor.close()
        return [self._statement._read(row) for row in fetched]


@contextmanager
def batched(connection: Connection) -> Iterator[None]:
    """Statements in the block go to PostgreSQL without waiting for each other's results, up to
    the first whose rows are read and at the block's end (psycopg's pipeline mode): one round
    trip for a stored response's answers and tallies, so the rows the tallies lock are held for
    less time. SQLite runs in the process and needs nothing of the kind."""
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql":
        yield
        return
    with driver.pipeline():
        yield


def numbered_rows(columns: Iterable[str], count: int) -> list[dict[str, BindParameter]]:
    """The VALUES of an INSERT of `count` rows at once, bound as `<column>_<row>`: one statement
    for a response's answers or a tally's rows, where a batch would be a statement per row."""
    return [{name: bindparam(f"{name}_{row}") for name in columns} for row in range(count)]


def numbered_values(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The values of `rows` as numbered_rows binds them."""
    return {
        f"{name}_{row}": value for row, values in enumerate(rows) for name, value in values.items()
    }


def integrity_error(connection: Connection) -> type[Exception]:
    """The driver's own exception for a broken constraint, which a driver statement raises."""
    return connection.dialect.loaded_dbapi.IntegrityError


def _positional(sql: str, compiled, dialect: Dialect) -> tuple[str, list[str]]:
    """The statement with positional placeholders, and the bound names in their order.

    For psycopg they are PostgreSQL's own (`$1`), run by its raw cursor: its usual placeholders
    (`%(name)s`) are parsed out of the text on every run of a statement with over 50 values,
    which a tally's upsert of a dozen rows has."""
    if compiled.positional:
        return sql, list(compiled.positiontup)
    if dialect.paramstyle != "pyformat" or dialect.driver != "psycopg":
        raise ValueError(f"no driver statements for {dialect.driver} ({dialect.paramstyle})")
    names: list[str] = []

    def placeholder(named: re.Match) -> str:
        names.append(named.group(1))
        return f"${len(names)}"

    numbered = re.sub(r"%\((\w+)\)s", placeholder, sql)
    return numbered.replace("%%", "%"), names


def _cursor_maker(dialect: Dialect) -> Callable:
    if dialect.driver == "psycopg":
        from psycopg import RawCursor  # only where PostgreSQL is used

        return RawCursor
    return lambda driver: driver.cursor()


def _announce(connection: Connection, cursor, sql: str, parameters, many: bool) -> None:
    dispatch = connection.engine.dispatch.before_cursor_execute
    if dispatch:
        dispatch(connection, cursor, sql, parameters, None, many)
