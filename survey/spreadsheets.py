"""Text the app writes for a spreadsheet (the export, an import's problem rows): shown, never run.

OWASP (CSV injection, https://owasp.org/www-community/attacks/CSV_Injection): a spreadsheet runs
a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, which can
fetch a web address or start a program on the reader's computer. Its advice: start such a cell
with an apostrophe, so that the spreadsheet takes it as text. Every such cell goes through
`neutralised`, so the list is kept, and tested, in one place.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML (and so XLSX) cannot hold, and that a spreadsheet may drop as it reads
# a CSV file. Removed before the check, so that "\x01=1+1" cannot turn into "=1+1" after it.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralised(text: str) -> str:
    """`text` as a cell shows it: without unprintable control characters, and with a leading
    apostrophe when it would start a formula."""
    text = UNPRINTABLE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
