"""What an activity-log entry says in words, in the viewer's language: the changes it recorded,
and for an export the format and the filters that chose its rows."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import ngettext

from survey.accounts.models import FORMER_STAFF_MEMBER, Role
from survey.accounts.organisation_settings import LABELS as SETTING_LABELS
from survey.audit.models import Action, AuditEvent
from survey.contacts.logbook import FIELD_LABELS as CONTACT_FIELD_LABELS
from survey.invitations.dimensions import CHANNEL_LABELS, Channel
from survey.request_input import month, record_id


def _shown(field: str, value) -> str:
    if value is None or value == "":
        return "–"
    if field == "role":
        return Role(value).label
    if field == "active":
        return _("active") if value == "True" else _("blocked")
    return str(value)


def describe_changes(event: AuditEvent) -> list[str]:
    """'role: account manager → administrator', in the viewer's language."""
    names = {"name": _("name"), "role": _("role"), "active": _("status")}
    names.update({field: str(label) for field, label in SETTING_LABELS.items()})
    for field, label in CONTACT_FIELD_LABELS.items():  # "email address" among them
        names.setdefault(field, str(label))
    lines = [
        f"{names.get(field, field)}: {_shown(field, old)} → {_shown(field, new)}"
        for field, (old, new) in (event.detail or {}).get("changes", {}).items()
    ]
    # Why an invitation was cancelled or its address reported wrong.
    if reason := (event.detail or {}).get("reason"):
        lines.append(_("reason: %(reason)s", reason=reason))
    return lines


def export_questionnaire_ids(events: list[AuditEvent]) -> set[int]:
    """The questionnaires the export entries name, to look their titles up at once."""
    found = set()
    for event in events:
        if event.action is Action.RESPONSES_EXPORTED:
            filters = (event.detail or {}).get("filters") or {}
            if (number := record_id(str(filters.get("questionnaire", "")))) is not None:
                found.add(number)
    return found


def describe_export(
    event: AuditEvent, names: Mapping[int, str], titles: Mapping[int, str]
) -> list[str]:
    """'CSV separated by semicolons, texts; 120 rows; questionnaire: …; channel: visit; …'.

    The filters are stored as they came in the query string; what cannot be read is left out.
    """
    detail = event.detail or {}
    lines = [_format(detail)]
    if isinstance(detail.get("rows"), int):
        lines.append(ngettext("%(num)s row", "%(num)s rows", detail["rows"]))
    filters = detail.get("filters") or {}
    if not isinstance(filters, dict):
        return lines
    if (number := record_id(str(filters.get("questionnaire", "")))) in titles:
        lines.append(_("questionnaire: %(title)s", title=titles[number]))
    manager = record_id(str(filters.get("manager", "")))
    if manager is not None:
        name = names.get(manager, str(FORMER_STAFF_MEMBER))
        lines.append(_("account manager: %(name)s", name=name))
    if (channel := _channel(filters.get("channel"))) is not None:
        lines.append(_("channel: %(channel)s", channel=channel))
    first, last = month(filters.get("first")), month(filters.get("last"))
    if first or last:
        lines.append(
            _(
                "months: %(first)s to %(last)s",
                first=f"{first:%Y-%m}" if first else "…",
                last=f"{last:%Y-%m}" if last else "…",
            )
        )
    return lines


def _format(detail: dict) -> str:
    kind = str(detail.get("format", "")).upper() or "?"
    words = _("codes for analysts") if detail.get("headings") == "codes" else _("texts")
    separator = detail.get("separator")
    if separator == ";":
        return _("%(format)s separated by semicolons, %(headings)s", format=kind, headings=words)
    if separator == ",":
        return _("%(format)s separated by commas, %(headings)s", format=kind, headings=words)
    return f"{kind}, {words}"


def _channel(code) -> str | None:
    try:
        return str(CHANNEL_LABELS[Channel(code)]) if code else None
    except ValueError:
        return None


def describe(event: AuditEvent, names: Mapping[int, str], titles: Mapping[int, str]) -> list[str]:
    """The details of any entry, as short phrases."""
    detail = event.detail or {}
    if event.action is Action.RESPONSES_EXPORTED:
        return describe_export(event, names, titles)
    if event.action is Action.OPT_OUT_LIFTED:
        return [_("address: %(email)s", email=detail.get("email", "–")), *describe_changes(event)]
    if event.action is Action.EMAIL_CHANGE_REQUESTED and detail.get("new"):
        return [_("new address: %(email)s", email=detail["new"])]
    return describe_changes(event)
