"""An organisation's settings: the invitation rules, the reporting thresholds (a lower one may
hold for event results), where to reach it, who sees individual answers, and how long personal
data is kept.

The limits live here once; the settings form shows them and every caller is held to them.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from babel.dates import get_timezone
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from survey.accounts.models import Organisation, User
from survey.audit.models import Action
from survey.audit.trail import record

# Inclusive ranges of the whole-number settings.
LIMITS: dict[str, tuple[int, int]] = {
    "send_delay_days": (1, 10),
    "send_hour": (6, 20),  # nobody gets a survey in the night
    "fatigue_days": (0, 365),  # 0: no fatigue window
    "reminder_after_days": (0, 30),  # 0: no reminder
    "link_expiry_days": (1, 90),
    "min_group_size": (3, 50),  # below 3, an aggregate gives away individual answers
    # Retention (privacy/retention.py). Personal data is kept at least a year, so that the
    # fatigue window (at most 365 days) still knows who was surveyed.
    "retention_personal_months": (12, 120),
    "retention_email_days": (7, 730),
    "retention_audit_years": (1, 10),
}
# An event's results may use a lower minimum than the organisation's (a workshop of ten is
# normal), but never below this: empty (None) means the organisation's minimum applies.
EVENT_MIN_GROUP_FLOOR = LIMITS["min_group_size"][0]
LOCALES = ("nl", "en")
TEXTS = ("timezone", "locale", "contact_email", "contact_phone", "privacy_url")
CHOICES = ("account_managers_see_answers",)  # yes or no
OPTIONAL_NUMBERS = ("event_min_group_size",)  # a whole number, or empty
SETTINGS = (*LIMITS, *OPTIONAL_NUMBERS, *TEXTS, *CHOICES)
PRIVACY_URL_LENGTH = 500

LABELS = {
    "send_delay_days": _l("Working days after the contact"),
    "send_hour": _l("Hour of sending"),
    "fatigue_days": _l("Days before someone is surveyed again"),
    "reminder_after_days": _l("Days until the reminder"),
    "link_expiry_days": _l("Days the link works"),
    "min_group_size": _l("Minimum number of responses"),
    "event_min_group_size": _l("Minimum number of responses for event results"),
    "timezone": _l("Time zone"),
    "locale": _l("Default language"),
    "contact_email": _l("Contact email address"),
    "contact_phone": _l("Contact phone number"),
    "account_managers_see_answers": _l("What account managers see of their own contacts' answers"),
    "privacy_url": _l("Address of your own privacy statement"),
    "retention_personal_months": _l("Months that names and addresses are kept"),
    "retention_email_days": _l("Days that the text of sent emails is kept"),
    "retention_audit_years": _l("Years that the activity log is kept"),
}

PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")

# Zones every date library here reads (zoneinfo, Babel): Area/City in the IANA areas. Not
# "localtime" or "Factory" (Babel cannot read them), nor "UTC", "Etc/GMT+1" or "US/Eastern".
ZONE_NAME = re.compile(
    r"(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Za-z_-]+(/[A-Za-z_-]+)?"
)
FIRST_ZONES = ("Europe/Amsterdam", "Europe/Brussels")


class InvalidSettings(ValueError):
    """Some values are not allowed; `errors` names each field with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def _whole_number(field: str, value: Any) -> str | None:
    low, high = LIMITS[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return _l("Choose a whole number from %(low)s to %(high)s.", low=low, high=high)
    return None


def _event_minimum(value: Any) -> Any:
    """Empty, or a whole number from the floor up; the organisation's minimum caps it (see
    _check_event_minimum)."""
    if value is None:
        return None
    low, high = EVENT_MIN_GROUP_FLOOR, LIMITS["min_group_size"][1]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return _event_minimum_message(high)
    return None


def _event_minimum_message(high: int):
    return _l(
        "Choose a whole number from %(low)s to %(high)s, or leave it empty.",
        low=EVENT_MIN_GROUP_FLOOR,
        high=high,
    )


def _babel_reads(name: str) -> bool:
    try:
        get_timezone(name)
    except LookupError:
        return False
    return True


@cache
def time_zones() -> tuple[str, ...]:
    """The zones an organisation may choose: Europe/Amsterdam and Europe/Brussels, then A to Z."""
    usable = {name for name in available_timezones() if ZONE_NAME.fullmatch(name)}
    usable = {name for name in usable if _babel_reads(name)}
    return FIRST_ZONES + tuple(sorted(usable - set(FIRST_ZONES)))


def _optional_text(value: Any) -> str | None:
    text = (value or "").strip()
    return text or None


def _contact_email(value: Any) -> tuple[str | None, Any]:
    value = _optional_text(value)
    if value is None:
        return None, None
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return value, _l("Fill in a valid email address, or leave it empty.")


def _contact_phone(value: Any) -> tuple[str | None, Any]:
    value = _optional_text(value)
    if value is None or PHONE.match(value):
        return value, None
    return value, _l("Fill in a phone number (digits, spaces, + - ( )), or leave it empty.")


def _is_web_page_address(value: str) -> bool:
    if len(value) > PRIVACY_URL_LENGTH:
        return False
    if any(character.isspace() or not character.isprintable() for character in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # e.g. a broken [IPv6] host or a port that is not a number
        return False
    host = parts.hostname or ""
    return (
        parts.scheme == "https"
        and "." in host
        and port != 0
        and not (parts.username or parts.password)
    )


def _privacy_url(value: Any) -> tuple[str | None, Any]:
    """An https address of a web page (shown to respondents as a link), or nothing."""
    value = _optional_text(value)
    if value is None or _is_web_page_address(value):
        return value, None
    return value, _l(
        "Fill in the address of a web page starting with https://, of at most %(max)s "
        "characters, or leave it empty.",
        max=PRIVACY_URL_LENGTH,
    )


def _clean_one(field: str, value: Any) -> tuple[Any, Any]:
    """The value as it will be stored, and the message if it cannot be."""
    if field in LIMITS:
        return value, _whole_number(field, value)
    if field in OPTIONAL_NUMBERS:
        return value, _event_minimum(value)
    if field == "timezone":
        return value, None if value in time_zones() else _l("Choose a time zone.")
    if field == "locale":
        return value, None if value in LOCALES else _l("Choose Dutch or English.")
    if field == "contact_email":
        return _contact_email(value)
    if field == "privacy_url":
        return _privacy_url(value)
    if field in CHOICES:
        return value, None if isinstance(value, bool) else _l("Choose one of the options given.")
    return _contact_phone(value)


def _clean(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    cleaned, errors = {}, {}
    for field, value in values.items():
        value, error = _clean_one(field, value)
        if error is None:
            cleaned[field] = value
        else:
            errors[field] = str(error)
    return cleaned, errors


def _check_reminder_before_expiry(organisation: Organisation, cleaned: dict, errors: dict) -> None:
    reminder = cleaned.get("reminder_after_days", organisation.reminder_after_days)
    expiry = cleaned.get("link_expiry_days", organisation.link_expiry_days)
    if "reminder_after_days" in errors or "link_expiry_days" in errors:
        return
    if reminder and reminder >= expiry:
        errors["reminder_after_days"] = str(
            _l(
                "The reminder must go out before the link stops working: fewer than %(days)s days.",
                days=expiry,
            )
        )


def _check_event_minimum(organisation: Organisation, cleaned: dict, errors: dict) -> None:
    """The events' minimum is a lower one: at most the organisation's own minimum, which the
    message names (rather than the widest range) when it can."""
    if "min_group_size" in errors:
        return
    minimum = cleaned.get("min_group_size", organisation.min_group_size)
    event_minimum = cleaned.get("event_min_group_size", organisation.event_min_group_size)
    wrong = "event_min_group_size" in errors
    if wrong or (event_minimum is not None and event_minimum > minimum):
        errors["event_min_group_size"] = str(_event_minimum_message(minimum))


def _checked(organisation: Organisation, values: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise TypeError(f"not an organisation setting: {', '.join(sorted(unknown))}")
    cleaned, errors = _clean(values)
    _check_reminder_before_expiry(organisation, cleaned, errors)
    _check_event_minimum(organisation, cleaned, errors)
    return cleaned, errors


def settings_errors(organisation: Organisation, **values: Any) -> dict[str, str]:
    """What update_settings would refuse, by field; changes nothing."""
    return _checked(organisation, values)[1]


def update_settings(
    organisation: Organisation,
    actor: User,
    now: datetime,
    remote_addr: str | None = None,
    **values: Any,
) -> dict[str, list]:
    """Change the settings named in `values`; returns what changed as {field: [old, new]}.

    All or nothing: when any value is not allowed, InvalidSettings names them all and the
    organisation is left as it was.
    """
    cleaned, errors = _checked(organisation, values)
    if errors:
        raise InvalidSettings(errors)
    changes = {
        field: [getattr(organisation, field), value]
        for field, value in cleaned.items()
        if getattr(organisation, field) != value
    }
    for field, (_old, new) in changes.items():
        setattr(organisation, field, new)
    if changes:
        record(
            Action.SETTINGS_CHANGED,
            now,
            actor=actor,
            organisation=organisation,
            subject=organisation,
            remote_addr=remote_addr,
            changes=changes,
        )
    return changes
