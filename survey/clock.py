"""The wall clock, asked in one place: domain rules take `now` as an argument instead."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, as an aware datetime (the database stores UTC)."""
    return datetime.now(UTC)
