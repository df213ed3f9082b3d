"""What the staff lists share: how many records of a scoped query have each value of an enum."""

from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import Select, func, select

from survey.extensions import db

E = TypeVar("E", bound=enum.Enum)


def count_per_value(scope: Select, column, values: type[E]) -> dict[E, int]:
    """Every member of `values` with the number of records in `scope` that have it (0 too)."""
    subquery = scope.with_only_columns(column.label("value")).subquery()
    rows = db.session.execute(select(subquery.c.value, func.count()).group_by(subquery.c.value))
    counts = dict.fromkeys(values, 0)
    counts.update({values(value): number for value, number in rows})
    return counts
