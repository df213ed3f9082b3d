"""The results of an event (figures, charts, remarks), its export and its one-page A4 summary,
and the results of a series: its sessions side by side and per speaker."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError

from survey.accounts.models import Role
from survey.analysis.aggregates import responses_by
from survey.analysis.export import csv_chunks, export_filename, xlsx_chunks
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.dashboards import charts
from survey.dashboards.export_views import (
    export_options,
    local_now,
    made_in_background,
    streamed_export,
)
from survey.events.models import Event, EventSeries
from survey.events.reporting import event_population, event_results, series_results
from survey.events.routes import bp
from survey.exports.jobs import ExportRequest, builds_in_background
from survey.extensions import db
from survey.responding.privacy import sees_individual_answers
from survey.security import get_scoped_or_404, roles_required

COORDINATING = (Role.ADMIN, Role.COORDINATOR)
SUMMARY_REMARKS = 5


def _locale() -> str:
    return str(get_locale())


def event_page_url(event: Event) -> str | None:
    """The event's own page, where one exists (it is built beside this module)."""
    try:
        return url_for(".detail", event_id=event.id)
    except BuildError:
        return None


@bp.get("/<int:event_id>/results")
@roles_required(*COORDINATING)
def results(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    found = event_results(event, _locale(), not sees_individual_answers(current_user))
    report = found.report
    return render_template(
        "events/results.html",
        event=event,
        found=found,
        report=report,
        reference={},
        figures=charts.report_figures(report) if report.shown else {},
        statements=charts.statements(report),
        event_url=event_page_url(event),
    )


@bp.get("/<int:event_id>/summary")
@roles_required(*COORDINATING)
def summary(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    # For organisers and speakers, perhaps from outside: remarks without names, always.
    found = event_results(event, _locale(), without_names=True)
    return render_template(
        "events/summary.html",
        event=event,
        found=found,
        report=found.report,
        remarks=found.remarks.items[:SUMMARY_REMARKS] if found.report.shown else [],
        printed_at=utcnow(),
    )


@bp.get("/<int:event_id>/export.<any(csv, xlsx):extension>")
@roles_required(*COORDINATING)
def export(event_id: int, extension: str):
    event = get_scoped_or_404(Event, event_id)
    me = current_user._get_current_object()
    now, locale = utcnow(), _locale()
    population = event_population(event)
    options = export_options(me, locale)
    # From the tallies: cheap, and the number a person checks the file against.
    rows = sum(responses_by(db.session, population, "month").values())
    name = export_filename(event.title, extension, locale, local_now(me, now))
    if builds_in_background(extension, rows):
        log = {"action": Action.EVENT_RESPONSES_EXPORTED.value, "event_id": event.id}
        return made_in_background(ExportRequest(population, options, extension, name, log), rows)
    record(
        Action.EVENT_RESPONSES_EXPORTED,
        now,
        actor=me,
        subject=event,
        format=extension,
        separator=options.delimiter if extension == "csv" else None,
        headings=options.headings.value,
        rows=rows,
    )
    db.session.commit()
    make = csv_chunks if extension == "csv" else xlsx_chunks
    return streamed_export(make(db.session, population, options), extension, name)


@bp.get("/series/<int:series_id>")
@roles_required(*COORDINATING)
def series(series_id: int):
    found = series_results(get_scoped_or_404(EventSeries, series_id), _locale())
    return render_template(
        "events/series.html",
        found=found,
        session_charts=charts.sessions_figures(found.comparison.sessions, found.minimum),
        speaker_charts=charts.managers_figures(found.comparison.speakers, found.minimum),
    )
