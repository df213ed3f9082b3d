"""Working days: Monday to Friday, except the public holidays on which town halls are closed.

The holidays follow from the organisation's time zone: Europe/Brussels means Belgium (Flanders),
any other zone the Netherlands.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

SATURDAY = 5


def easter_sunday(year: int) -> date:
    """The Western (Gregorian) Easter date (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _dutch(year: int) -> set[date]:
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to Saturday
        kings_day -= timedelta(days=1)
    holidays = {
        date(year, 1, 1),
        easter - timedelta(days=2),  # Good Friday: most municipalities close
        easter + timedelta(days=1),
        kings_day,
        easter + timedelta(days=39),  # Ascension Day
        easter + timedelta(days=50),  # Whit Monday
        date(year, 12, 25),
        date(year, 12, 26),
    }
    if year % 5 == 0:  # Liberation Day is a day off every fifth year
        holidays.add(date(year, 5, 5))
    return holidays


def _belgian(year: int) -> set[date]:
    easter = easter_sunday(year)
    return {
        date(year, 1, 1),
        easter + timedelta(days=1),
        date(year, 5, 1),
        easter + timedelta(days=39),
        easter + timedelta(days=50),
        date(year, 7, 11),  # Day of the Flemish Community: Flemish municipalities close
        date(year, 7, 21),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }


@lru_cache(maxsize=64)
def public_holidays(year: int, timezone: str) -> frozenset[date]:
    return frozenset(_belgian(year) if timezone == "Europe/Brussels" else _dutch(year))


def is_working_day(day: date, timezone: str) -> bool:
    return day.weekday() < SATURDAY and day not in public_holidays(day.year, timezone)


def next_working_day(day: date, timezone: str) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, timezone):
        day += timedelta(days=1)
    return day
