"""The formats of a contact list's values as Excel and CRMs write them: dates day first or ISO,
channels in Dutch or English. Reading the file itself is survey/imports/files.py."""

from __future__ import annotations

import re
from datetime import date

from survey.contacts.models import Channel
from survey.imports.files import key

CHANNEL_NAMES = {
    Channel.VISIT: ("bezoek", "bedrijfsbezoek", "werkbezoek", "visit", "company visit"),
    Channel.PHONE: ("telefoon", "telefonisch", "gebeld", "phone", "telephone", "call"),
    Channel.EMAIL: ("e-mail", "email", "mail"),
    Channel.COUNTER: ("balie", "loket", "counter", "desk"),
    Channel.EVENT: ("evenement", "bijeenkomst", "event", "meeting", "workshop"),
}
# Day first (31-12-2026, 31/12/2026, 31.12.2026, two-digit years as 20xx) or ISO (2026-12-31);
# a time after the date, as some CRM exports add, is ignored.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
_DAY_FIRST = re.compile(rf"^(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
_ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")

_CHANNELS = {key(name): channel for channel, names in CHANNEL_NAMES.items() for name in names}


def parse_date(text: str) -> date:
    """A date as spreadsheets write it; ValueError when it is none."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.match(text):
        day, _separator, month, year = match.groups()
        year = f"20{year}" if len(year) == 2 else year
    else:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def parse_channel(text: str) -> Channel:
    try:
        return _CHANNELS[key(text)]
    except KeyError:
        raise ValueError(text) from None
