"""How concurrent runs of a job keep off each other's rows.

On PostgreSQL a job selects its rows `FOR UPDATE SKIP LOCKED`: each run gets rows nobody else
holds. SQLite ignores SKIP LOCKED, so there a run first takes the database's write lock
(`BEGIN IMMEDIATE`): runs then claim one after the other instead of side by side.
"""

from __future__ import annotations

from sqlalchemy import Connection


def lock_for_claiming(connection: Connection) -> None:
    """Call first in a transaction that reads rows to claim and then marks them."""
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
