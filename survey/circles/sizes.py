"""Size classes, so that a circle can compare like with like: a pilot that mixed large and small
municipalities was rightly criticised as not comparable. The operator chooses the class; the
number of inhabitants suggests one."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class SizeClass(enum.StrEnum):
    """Stored in Organisation.size_class by its code."""

    SMALL = "s"
    MEDIUM = "m"
    LARGE = "l"
    EXTRA_LARGE = "xl"

    @property
    def label(self) -> str:
        return str(_LABELS[self])

    @property
    def lowest(self) -> int:
        """The fewest inhabitants a municipality of this class has."""
        return _LOWEST[self]


_LABELS = {
    SizeClass.SMALL: _l("under 20,000 inhabitants"),
    SizeClass.MEDIUM: _l("20,000 to 50,000 inhabitants"),
    SizeClass.LARGE: _l("50,000 to 100,000 inhabitants"),
    SizeClass.EXTRA_LARGE: _l("100,000 inhabitants or more"),
}
_LOWEST = {
    SizeClass.SMALL: 0,
    SizeClass.MEDIUM: 20_000,
    SizeClass.LARGE: 50_000,
    SizeClass.EXTRA_LARGE: 100_000,
}


def size_class_for(inhabitants: int | None) -> SizeClass | None:
    """The class a number of inhabitants falls in; None when the number is not known."""
    if inhabitants is None or inhabitants < 0:
        return None
    return max((c for c in SizeClass if c.lowest <= inhabitants), key=lambda c: c.lowest)


def size_class_label(code: str | None) -> str:
    """The label of a stored code, or "no size class" for none (or a code no longer known)."""
    try:
        return SizeClass(code).label
    except ValueError:
        return str(_l("no size class"))
