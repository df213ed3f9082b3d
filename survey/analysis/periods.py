"""Reporting months and quarters: figures are counted per month in the organisation's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def reporting_month(moment: datetime, timezone: str) -> date:
    """The first day of the month `moment` falls in, where the organisation is."""
    local = moment.astimezone(ZoneInfo(timezone))
    return date(local.year, local.month, 1)


def month_text(month: date) -> str:
    """As a month is written in filters and exports: 2026-03."""
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    months = []
    month = date(first.year, first.month, 1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def quarter_of(month: date) -> date:
    """The first month of the quarter `month` is in."""
    return date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
