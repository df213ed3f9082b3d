"""One reader per kind of request input: bounded integers, months, search text, `next` paths.

Every view and form reads odd input through these, so a NUL byte, a huge number or a line break
is answered with a message or a fallback, never with a server error.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# C0 and C1 control characters and DEL; tab, CR and LF included.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_nul(value: object) -> object:
    """WTForms filter: drop NUL bytes, which no database column stores and no person types."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


class SingleLine:
    """WTForms validator for a one-line text field: no line breaks or other control characters."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(self.message or _l("Use a single line without line breaks."))
