"""The export of the dashboard's filtered responses, as CSV or XLSX, and the pages of an export
made in the background: its progress and its download."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

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
from survey.events.models import Event
from survey.exports.jobs import ExportRequest, builds_in_background, request_export, stored_file
from survey.exports.models import ExportJob
from survey.extensions import db
from survey.request_input import query_choice
from survey.security import roles_required

# Full Content-Type values, each charset named once.
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PROGRESS_POLL_SECONDS = 2  # how often the page's script asks for the progress


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
    options = export_options(me, locale)
    # From the tallies: cheap, and the number a person checks the file against.
    rows = sum(responses_by(db.session, population, "month").values())
    name = export_filename(me.organisation.name, extension, locale, local_now(me, now))
    if builds_in_background(extension, rows):
        log = {"action": Action.RESPONSES_EXPORTED.value, "filters": _query()}
        return made_in_background(ExportRequest(population, options, extension, name, log), rows)
    record(
        Action.RESPONSES_EXPORTED,
        now,
        actor=me,
        format=extension,
        separator=options.delimiter if extension == "csv" else None,
        headings=options.headings.value,
        filters=_query(),
        rows=rows,
    )
    db.session.commit()
    make = csv_chunks if extension == "csv" else xlsx_chunks
    return streamed_export(make(db.session, population, options), extension, name)


def export_options(me: User, locale: str) -> ExportOptions:
    return ExportOptions(
        locale,
        me.organisation.timezone,
        separator=query_choice(Separator, "separator"),
        headings=query_choice(Headings, "headings") or Headings.WORDS,
    )


def streamed_export(chunks, extension: str, name: str) -> Response:
    return Response(
        stream_with_context(chunks),
        content_type=EXPORT_TYPES[extension],  # as written: `mimetype=` would add a charset
        # Personal data: no copy in a shared cache or the browser's.
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def made_in_background(asked: ExportRequest, rows: int):
    """Start (or find again) the job for a large export and show its progress. The activity
    log records the download, when the file leaves the service."""
    # Where to ask again once the file is deleted: this very request.
    asked = replace(asked, log={**asked.log, "again": request.full_path.rstrip("?")})
    job = request_export(_me(), asked, rows, utcnow())
    db.session.commit()
    return redirect(url_for("dashboards.export_job", job_id=job.id), 303)


def local_now(user: User, now):
    return now.astimezone(ZoneInfo(user.organisation.timezone))


def _own_job(job_id: int) -> ExportJob:
    """Only the person who asked for an export sees it: to anyone else it does not exist."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.requested_by_id != current_user.id:
        abort(404)
    return job


@bp.get("/exports/<int:job_id>")
@roles_required(*COORDINATING)
def export_job(job_id: int):
    job = _own_job(job_id)
    return render_template(
        "exports/job.html",
        job=job,
        downloadable=job.is_downloadable(utcnow()),
        poll_seconds=PROGRESS_POLL_SECONDS,
    )


@bp.get("/exports/<int:job_id>/progress")
@roles_required(*COORDINATING)
def export_progress(job_id: int):
    """For the page's script: it draws the bar, and reloads the page when the state changes."""
    job = _own_job(job_id)
    return jsonify(
        state=job.state.value,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        percent=job.percent,
    )


@bp.get("/exports/<int:job_id>/file")
@roles_required(*COORDINATING)
def export_download(job_id: int):
    job = _own_job(job_id)
    now = utcnow()
    path = stored_file(job)
    if not job.is_downloadable(now) or path is None or not path.is_file():
        return redirect(url_for(".export_job", job_id=job.id), 303)
    log = job.spec["log"]
    event_id = log.get("event_id")
    # As the direct export's entry, with the job's number.
    detail = {"filters": log["filters"]} if "filters" in log else {}
    record(
        Action(log["action"]),
        now,
        actor=_me(),
        subject=db.session.get(Event, event_id) if event_id else None,
        format=job.format,
        separator=None,
        headings=job.spec["options"]["headings"],
        rows=job.rows_done,
        export_job=job.id,
        **detail,
    )
    db.session.commit()
    response = send_file(path, mimetype=EXPORT_TYPES[job.format], conditional=False, etag=False)
    # As the streamed export's: the same plain file name, no copy in any cache.
    response.headers["Content-Disposition"] = f'attachment; filename="{job.download_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
