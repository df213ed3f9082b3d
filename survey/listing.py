"""What the staff lists share: keyset paging on an index, counts that stop early, and counts per
value of an enum.

A list that can grow to millions of rows is never paged with OFFSET (which reads every row it
skips) and never counted exactly to draw a pager: a page continues after the sort values of the
last row shown (a cursor in the link), so each page reads only its own rows from an index, and a
row added meanwhile neither pushes a row onto the next page twice nor hides one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from survey.extensions import db
from survey.request_input import Cursor, cursor_text

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

# Counting stops here: "1000+" says as much as an exact million, for a fraction of the work.
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class SortColumn:
    expression: ColumnElement
    kind: type  # int, date, datetime or str: how a cursor writes its value
    descending: bool = False


class Order:
    """A list's order: columns whose values together name one row (the last is unique)."""

    def __init__(self, *columns: SortColumn) -> None:
        self.columns = columns

    @property
    def kinds(self) -> tuple[type, ...]:
        return tuple(column.kind for column in self.columns)

    def clauses(self, reverse: bool = False) -> list[ColumnElement]:
        return [
            column.expression.desc() if column.descending != reverse else column.expression.asc()
            for column in self.columns
        ]

    def beyond(self, values: tuple, reverse: bool = False) -> ColumnElement:
        """The rows after `values` in this order (before them when `reverse`).

        Written out column by column, since the columns may run in different directions; the
        extra bound on the first column lets the database start its index scan at the cursor.
        """

        def later(column: SortColumn, value) -> ColumnElement:
            ahead = column.descending != reverse
            return column.expression < value if ahead else column.expression > value

        alternatives = []
        for position, column in enumerate(self.columns):
            same = [
                c.expression == v
                for c, v in zip(self.columns[:position], values[:position], strict=True)
            ]
            alternatives.append(and_(*same, later(column, values[position])))
        first, start = self.columns[0], values[0]
        bound = (
            first.expression <= start if first.descending != reverse else first.expression >= start
        )
        return and_(bound, or_(*alternatives))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the sort values it continues from on either side (None:
    nothing there)."""

    items: list[T]
    previous: tuple | None = None  # the first row's: the page before is ?before= these
    next: tuple | None = None  # the last row's: the page after is ?after= these

    def links(self) -> dict[str, dict[str, str]]:
        """Query arguments of the page before and after, for the pager."""
        found = {}
        if self.previous:
            found["previous"] = {"before": cursor_text(self.previous)}
        if self.next:
            found["next"] = {"after": cursor_text(self.next)}
        return found


def keyset_page(
    statement: Select,
    order: Order,
    cursor: Cursor | None,
    per_page: int,
    session: Session | None = None,
) -> Page:
    """A page of `statement`'s rows in `order`, starting at `cursor` (the first page for None).

    One query; two when a page before reaches the top of the list or a cursor points past its
    end: then the first page is shown, whole. An item is the row as a tuple, or its only column
    for a one-column statement.
    """
    session = session or db.session
    reverse = cursor is not None and cursor.direction == "before"
    ordered = statement
    if cursor is not None:
        ordered = ordered.where(order.beyond(cursor.values, reverse))
    width = len(statement.column_descriptions)  # entities count as one
    rows = session.execute(
        ordered.add_columns(*(column.expression for column in order.columns))
        .order_by(None)  # this order only, whatever the statement came with
        .order_by(*order.clauses(reverse))
        .limit(per_page + 1)
    ).all()
    more = len(rows) > per_page
    if cursor is not None and (not rows or (reverse and not more)):
        # The top of the list, or past its end (rows gone since): the first page, whole.
        return keyset_page(statement, order, None, per_page, session)
    rows = rows[:per_page]
    if reverse:
        rows.reverse()
    items = [row[0] if width == 1 else tuple(row[:width]) for row in rows]
    keys = [tuple(row[width:]) for row in rows]
    has_previous = more if reverse else cursor is not None
    has_next = True if reverse else more
    return Page(
        items,
        previous=keys[0] if has_previous else None,
        next=keys[-1] if has_next else None,
    )


class Count(int):
    """A number of records, counted up to a limit: shown as "1000+" past it, otherwise an int."""

    def __new__(cls, number: int, more: bool = False) -> Count:
        count = super().__new__(cls, number)
        count.more = more  # there are more than `number`
        return count

    @property
    def number(self) -> int:
        return int(self)

    def __str__(self) -> str:
        return f"{int(self)}+" if self.more else str(int(self))

    def __add__(self, other: int) -> Count:
        return Count(int(self) + int(other), self.more or getattr(other, "more", False))

    __radd__ = __add__


def _at_most(statement: Select, limit: int, order: Order | None = None) -> Select:
    """The statement's rows, no more than `limit`, as one column of ones; taken in `order` when
    given, so that an index holding it is read from one end and left after `limit` entries."""
    return (
        statement.with_only_columns(literal(1).label("one"), maintain_column_froms=True)
        .order_by(None)
        .order_by(*(order.clauses() if order is not None else ()))
        .limit(limit)
    )


def count_up_to(
    statement: Select, limit: int = COUNT_LIMIT, session: Session | None = None
) -> Count:
    """How many rows `statement` has, reading no more than `limit` + 1 of them."""
    counted = (session or db.session).scalar(
        select(func.count()).select_from(_at_most(statement, limit + 1).subquery())
    )
    return Count(min(counted, limit), counted > limit)


def count_per_value(
    scope: Select,
    column,
    values: type[E],
    limit: int = COUNT_LIMIT,
    order: Order | None = None,
) -> dict[E, Count]:
    """Every member of `values` with the number of records in `scope` that have it (0 too),
    each counted up to `limit`: one query, reading at most `limit` + 1 rows per value.

    `order`: the list's order, where an index on (scope, column, order) holds it. Without it
    PostgreSQL may collect every entry of a common value into a bitmap before stopping at the
    limit; in the order of such an index it reads no more than the limit of each.
    """
    members = list(values)
    parts = [
        select(literal(index).label("value"), func.count().label("number")).select_from(
            _at_most(scope.where(column == member), limit + 1, order).subquery()
        )
        for index, member in enumerate(members)
    ]
    counts = {member: Count(0) for member in members}
    for index, number in db.session.execute(union_all(*parts)):
        counts[members[index]] = Count(min(number, limit), number > limit)
    return counts
