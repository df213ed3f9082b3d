"""An event's large XLSX export goes the same way as the dashboard's: made in the background,
its download logged as the event's export; and a file written in parts holds every response
exactly once."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.analysis.export import response_spans
from survey.analysis.population import Population
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.exports.jobs import build_due_exports
from survey.extensions import db
from survey.responding.models import Response
from tests.events.test_result_pages import results  # noqa: F401  (the fixture)


@pytest.fixture
def large(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    return app


def test_an_events_large_xlsx_is_made_in_the_background_and_logged_for_the_event(
    large,
    client,
    log_in,
    results,  # noqa: F811
):
    log_in("coord@a.example")
    event_id = results["sessions"][0]
    asked = client.get(f"/events/{event_id}/export.xlsx")
    assert asked.status_code == 303 and asked.location.startswith("/dashboard/exports/")
    with large.app_context():
        assert build_due_exports(utcnow) == 1
    download = client.get(f"{asked.location}/file")

    assert 'filename="answers-sessie-1-geld-groei-' in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    assert len(list(sheet.iter_rows())) == 1 + 7
    with large.app_context():
        logged = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.EVENT_RESPONSES_EXPORTED)
        ).one()
        assert (logged.subject_type, logged.subject_id) == ("Event", event_id)
        assert logged.detail["rows"] == 7 and logged.detail["format"] == "xlsx"


def test_spans_cover_every_response_once_in_order(app, results):  # noqa: F811
    """The parts a job reads: each response in exactly one, none left out at any part size."""
    with app.app_context():
        organisation_id = results["org"]
        versions = db.session.scalars(
            select(Response.questionnaire_version_id)
            .where(Response.organisation_id == organisation_id)
            .distinct()
        )
        population = Population(organisation_id, tuple(versions))
        ids = list(
            db.session.scalars(
                select(Response.id).where(*population.where(Response)).order_by(Response.id)
            )
        )
        for size in (1, 2, 3, 100):
            spans = list(response_spans(db.session, population, ids[-1], size))
            covered = [i for after, through in spans for i in ids if after < i <= through]
            assert covered == ids and len(spans) == -(-len(ids) // size)
