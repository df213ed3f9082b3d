"""The fixed periods that circle figures are given for: quarters, half years, calendar years.

Only these, never a free range of months: two overlapping free ranges could be subtracted to
reveal a few answers. A period is written as 2026-Q1, 2026-H2 or 2026.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from survey.analysis.periods import add_months
from survey.request_input import FIRST_YEAR, LAST_YEAR

_CODE = re.compile(r"([0-9]{4})(?:-([QH])([1-4]))?")


class PeriodKind(enum.StrEnum):
    QUARTER = "Q"
    HALF_YEAR = "H"
    YEAR = "Y"

    @property
    def months(self) -> int:
        return {PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}[self]


@dataclass(frozen=True, order=True)
class FixedPeriod:
    year: int
    kind: PeriodKind
    number: int  # the quarter (1-4) or the half (1-2); 1 for a year

    @property
    def first_month(self) -> date:
        return date(self.year, (self.number - 1) * self.kind.months + 1, 1)

    @property
    def last_month(self) -> date:
        return add_months(self.first_month, self.kind.months - 1)

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters of its year that make it up (1 to 4)."""
        first = (self.first_month.month - 1) // 3 + 1
        return tuple(range(first, first + self.kind.months // 3))

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.kind.value}{self.number}"

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d", quarter=self.number, year=self.year)
        if self.kind is PeriodKind.HALF_YEAR:
            if self.number == 1:
                return _("first half of %(year)d", year=self.year)
            return _("second half of %(year)d", year=self.year)
        return str(self.year)

    def has_ended(self, today: date) -> bool:
        return add_months(self.last_month, 1) <= today


def parse_period(text: str | None) -> FixedPeriod | None:
    """The period written as 2026-Q1, 2026-H2 or 2026; None for anything else."""
    match = _CODE.fullmatch((text or "").strip())
    if not match:
        return None
    year, letter, number = int(match[1]), match[2], match[3]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if letter is None:
        return FixedPeriod(year, PeriodKind.YEAR, 1)
    kind = PeriodKind(letter)
    if int(number) > 12 // kind.months:
        return None
    return FixedPeriod(year, kind, int(number))


def ended_periods(today: date, years: int = 3) -> list[FixedPeriod]:
    """Every quarter, half year and year of the last `years` calendar years that has ended,
    newest first (a year before its halves, a half before its quarters)."""
    found = []
    for year in range(today.year, today.year - years, -1):
        for kind, count in (
            (PeriodKind.YEAR, 1),
            (PeriodKind.HALF_YEAR, 2),
            (PeriodKind.QUARTER, 4),
        ):
            found.extend(FixedPeriod(year, kind, number) for number in range(count, 0, -1))
    ended = [period for period in found if period.has_ended(today)]
    return sorted(ended, key=lambda p: (p.last_month, p.kind.months), reverse=True)
