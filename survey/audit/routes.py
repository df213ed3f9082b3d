"""The activity log: the audit trail of one's own organisation, for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.accounts.organisation_settings import LABELS as SETTING_LABELS
from survey.audit.models import AuditEvent
from survey.audit.trail import recent_events
from survey.contacts.logbook import FIELD_LABELS as CONTACT_FIELD_LABELS
from survey.extensions import db
from survey.security import roles_required, scoped

bp = Blueprint("audit", __name__)


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
    for field, label in CONTACT_FIELD_LABELS.items():
        names.setdefault(field, str(label))
    lines = [
        f"{names.get(field, field)}: {_shown(field, old)} → {_shown(field, new)}"
        for field, (old, new) in (event.detail or {}).get("changes", {}).items()
    ]
    # Why an invitation was cancelled or its address reported wrong.
    if reason := (event.detail or {}).get("reason"):
        lines.append(_("reason: %(reason)s", reason=reason))
    return lines


@bp.get("/activity")
@roles_required(Role.ADMIN)
def activity():
    events = recent_events(scoped(select(AuditEvent), AuditEvent))
    users = db.session.scalars(scoped(select(User), User))
    return render_template(
        "audit/activity.html",
        events=events,
        users_by_id={user.id: user for user in users},
        describe_changes=describe_changes,
    )
