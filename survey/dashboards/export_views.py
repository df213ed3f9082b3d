"""The export of the dashboard's filtered responses, as CSV or XLSX."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, stream_with_context
from flask_babel import get_locale

from survey.accounts.models import User
from survey.analysis.aggregates import responses_by
from survey.analysis.export import (
    ExportOptions,
    Headings,
    Separator,
    csv_chunks,
    export_filename,
    xlsx_chunks,
)
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.dashboards.routes import COORDINATING, UNUSABLE_FILTERS, _filtered, _me, _query, bp
from survey.errors import render_error
from survey.extensions import db
from survey.request_input import query_choice
from survey.security import roles_required


@bp.get("/export.<any(csv, xlsx):extension>")
@roles_required(*COORDINATING)
def export(extension: str):
    form, choices, population = _filtered()
    if form.errors:
        problems = " ".join(
            str(message) for messages in form.errors.values() for message in messages
        )
        return render_error(422, UNUSABLE_FILTERS, problems)
    if population is None:
        abort(404)
    me = _me()
    now = utcnow()
    locale = str(get_locale())
    options = ExportOptions(
        locale,
        me.organisation.timezone,
        separator=query_choice(Separator, "separator"),
        headings=query_choice(Headings, "headings") or Headings.WORDS,
    )
    record(
        Action.RESPONSES_EXPORTED,
        now,
        actor=me,
        format=extension,
        separator=options.delimiter if extension == "csv" else None,
        headings=options.headings.value,
        filters=_query(),
        # From the tallies: cheap, and the number a person checks the file against.
        rows=sum(responses_by(db.session, population, "month").values()),
    )
    db.session.commit()
    make = csv_chunks if extension == "csv" else xlsx_chunks
    chunks = make(db.session, population, options)
    name = export_filename(me.organisation.name, extension, locale, local_now(me, now))
    return Response(
        stream_with_context(chunks),
        content_type=EXPORT_TYPES[extension],  # as written: `mimetype=` would add a charset
        # Personal data: no copy in a shared cache or the browser's.
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def local_now(user: User, now):
    return now.astimezone(ZoneInfo(user.organisation.timezone))


# Full Content-Type values, each charset named once.
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
