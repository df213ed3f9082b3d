"""Company registry numbers: the Dutch KvK number and the Belgian KBO (enterprise) number.

People type them with dots, spaces or a "BE" prefix; we store the digits only and show each in
the form its country writes it.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

KVK_LENGTH = 8
KBO_LENGTH = 10
# Separators people type between groups of digits, and the country prefix of a KBO number.
_SEPARATORS = re.compile(r"[\s.\-/]")
_BELGIAN_PREFIX = re.compile(r"^BE", re.IGNORECASE)


class RegistryNumberError(ValueError):
    """A registry number that is neither a KvK nor a valid KBO number; the message says why."""


def normalise_registry_number(text: str | None) -> str | None:
    """The digits of a KvK or KBO number, checked; None when nothing was given."""
    compact = _SEPARATORS.sub("", text or "")
    if not compact:
        return None
    belgian = bool(_BELGIAN_PREFIX.match(compact))
    digits = _BELGIAN_PREFIX.sub("", compact)
    if not digits.isdigit() or not digits.isascii():
        raise RegistryNumberError(
            _l(
                "%(number)s is not a registry number: use the 8 digits of a KvK number or the "
                "10 digits of a KBO number.",
                number=text.strip(),
            )
        )
    if len(digits) == KBO_LENGTH:
        _check_kbo(digits, text.strip())
        return digits
    if len(digits) == KBO_LENGTH - 1:
        # Older papers write Belgian numbers with 9 digits; the register now writes the 0.
        raise RegistryNumberError(
            _l(
                "%(number)s has 9 digits. A KBO number has 10: put a 0 in front of an old "
                "9-digit number.",
                number=text.strip(),
            )
        )
    if belgian:
        raise RegistryNumberError(
            _l(
                "%(number)s: a KBO number has 10 digits, such as 0123.456.749.",
                number=text.strip(),
            )
        )
    if len(digits) == KVK_LENGTH:
        return digits
    raise RegistryNumberError(
        _l(
            "%(number)s has %(count)s digits. A KvK number has 8 digits, a KBO number 10.",
            number=text.strip(),
            count=len(digits),
        )
    )


def _check_kbo(digits: str, typed: str) -> None:
    if digits[0] not in "01":
        raise RegistryNumberError(
            _l("%(number)s is not a KBO number: those start with 0 or 1.", number=typed)
        )
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise RegistryNumberError(
            _l(
                "%(number)s is not a valid KBO number: the check digits do not match. "
                "Please check for a typing error.",
                number=typed,
            )
        )


def format_registry_number(digits: str | None) -> str:
    """As the register writes it: KvK "12345678", KBO "0123.456.749"."""
    if not digits:
        return ""
    if len(digits) == KBO_LENGTH:
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return digits
