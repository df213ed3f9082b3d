"""The activity log: the audit trail of one's own organisation, for administrators, filtered
by person, kind and months."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.audit.describing import describe, export_questionnaire_ids
from survey.audit.filters import (
    NEWEST_FIRST,
    activity_page,
    bind_activity_filters,
    filtered_events,
)
from survey.audit.models import AuditEvent
from survey.extensions import db
from survey.questionnaires.models import Questionnaire, localized
from survey.request_input import query_cursor, search_text
from survey.security import roles_required, scoped

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100
FILTERS = ("person", "kind", "first", "last")


@bp.get("/activity")
@roles_required(Role.ADMIN)
def activity():
    people = list(db.session.scalars(scoped(select(User), User).order_by(User.name)))
    form = bind_activity_filters(request.args, people)
    cursor = query_cursor(NEWEST_FIRST.kinds)
    scope = filtered_events(
        scoped(select(AuditEvent), AuditEvent), form, current_user.organisation.timezone
    )
    page = activity_page(scope, cursor, PAGE_SIZE)
    events = page.items
    names = {user.id: user.name for user in people}
    titles = _questionnaire_titles(export_questionnaire_ids(events))
    return render_template(
        "audit/activity.html",
        form=form,
        page=page,
        # Only the form's own fields are kept in the pager's links, as one-line text.
        filters={
            name: search_text(request.args[name]) for name in FILTERS if request.args.get(name)
        },
        users_by_id={user.id: user for user in people},
        details={event.id: describe(event, names, titles) for event in events},
    ), 422 if form.errors else 200


def _questionnaire_titles(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    questionnaires = db.session.scalars(select(Questionnaire).where(Questionnaire.id.in_(ids)))
    return {q.id: localized(q.title, str(get_locale())) for q in questionnaires}
