"""A large XLSX export is made in the background: the person sees its progress, downloads it
(recorded in the activity log) for a day, alone; asking twice makes one file; a builder that
dies is replaced; the file holds what the streamed CSV holds."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.exports import jobs
from survey.exports.jobs import (
    LEASE,
    MAX_ATTEMPTS,
    build,
    build_due_exports,
    claim_next,
    remove_expired_exports,
)
from survey.exports.models import ExportJob, ExportState
from survey.extensions import db
from survey.jobs.tasks import run_all
from tests import factories
from tests.conftest import csrf_token_in

ZONE = "Europe/Amsterdam"
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
PERIOD = {"first": "2026-01", "last": "2026-06"}
REMARKS = ["Snel geholpen", "=1+1 leek een formule", "Vriendelijk, maar; traag", ""]


@pytest.fixture
def coordinator(app, monkeypatch, tmp_path):
    """Seven responses in organisation A; its coordinator (English), a second coordinator, and
    a coordinator of organisation B. Any XLSX above two responses is made in the background,
    in parts of three."""
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setattr(jobs, "PART_ROWS", 3)
    with app.app_context():
        org = factories.organisation("Gemeente Demodam", timezone=ZONE)
        other = factories.organisation("Gemeente Elders")
        manager = factories.user(org, name="Sanne de Boer")
        factories.user(org, Role.COORDINATOR, email="coord@a.example", locale="en")
        factories.user(org, Role.COORDINATOR, email="colleague@a.example", locale="en")
        factories.user(other, Role.COORDINATOR, email="coord@b.example", locale="en")
        for n in range(7):
            answers = factories.rated_answers(4 + n % 7, statements=1 + n % 5)
            if REMARKS[n % 4]:
                answers["improve"] = REMARKS[n % 4]
            factories.response(org, manager, answers, submitted_at=START + timedelta(days=n))
        db.session.commit()
    return app


def _now() -> datetime:
    return datetime.now(UTC)


def _ask(client, extension: str = "xlsx", **query):
    """The answer to asking for an export, read whole (a streamed one holds its context)."""
    with client.get(f"/dashboard/export.{extension}", query_string={**PERIOD, **query}) as got:
        got.get_data()
    return got


def _job_id(asked) -> int:
    assert asked.status_code == 303
    return int(re.fullmatch(r"/dashboard/exports/(\d+)", asked.location)[1])


def _build_all(app, clock=_now) -> int:
    with app.app_context():
        return build_due_exports(clock)


def _job(app, job_id: int) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def _xlsx_as_csv_text(data: bytes) -> list[list[str]]:
    """The sheet's rows written as the CSV writes its cells (dates with the ISO pattern)."""
    sheet = load_workbook(io.BytesIO(data)).active
    rows = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            value = cell.value
            if isinstance(value, datetime):
                value = f"{value:%Y-%m-%d %H:%M}"
            elif isinstance(value, str) and cell.quotePrefix:
                value = "'" + value  # the CSV's apostrophe is the XLSX's quote prefix
            cells.append("" if value is None else str(value))
        rows.append(cells)
    return rows


def test_a_large_xlsx_is_made_in_the_background_and_holds_the_streamed_csvs_rows(
    coordinator, client, log_in
):
    log_in("coord@a.example")
    asked = _ask(client, headings="codes")
    job_id = _job_id(asked)
    waiting = client.get(asked.location)
    assert waiting.status_code == 200 and "Waiting to start." in waiting.text
    assert '<progress id="export-progress" max="7" value="0">' in waiting.text
    assert "Refresh" in waiting.text  # without JavaScript, the person reloads by a link

    assert _build_all(coordinator) == 1
    ready = client.get(asked.location)
    assert "The file is ready: 7 responses." in ready.text
    download = client.get(f"/dashboard/exports/{job_id}/file")
    streamed = _ask(client, "csv", headings="codes", separator="comma")

    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert 'filename="answers-gemeente-demodam-' in download.headers["Content-Disposition"]
    csv_rows = list(csv.reader(io.StringIO(streamed.data.decode("utf-8-sig"))))
    xlsx_rows = _xlsx_as_csv_text(download.data)
    assert len(csv_rows) == 8 and xlsx_rows == csv_rows
    assert {row[csv_rows[0].index("improve")] for row in csv_rows[1:]} == {
        "Snel geholpen",
        "'=1+1 leek een formule",
        "Vriendelijk, maar; traag",
        "",
    }


def test_csv_streams_at_any_size_and_a_small_xlsx_comes_at_once(coordinator, client, log_in):
    log_in("coord@a.example")
    streamed = _ask(client, "csv")
    coordinator.config["EXPORT_DIRECT_ROWS"] = 7
    direct = _ask(client, "xlsx")

    assert streamed.status_code == 200 and streamed.mimetype == "text/csv"
    assert direct.status_code == 200 and direct.data.startswith(b"PK")  # a zip: the workbook
    with coordinator.app_context():
        assert db.session.scalar(select(ExportJob.id)) is None


def test_asking_again_for_the_same_export_finds_the_same_job(coordinator, client, log_in):
    log_in("coord@a.example")
    first = _job_id(_ask(client))
    again = _job_id(_ask(client))
    other_filters = _job_id(_ask(client, headings="codes"))
    _build_all(coordinator)
    after_ready = _job_id(_ask(client))

    assert first == again == after_ready != other_filters
    with coordinator.app_context():
        assert len(db.session.scalars(select(ExportJob)).all()) == 2


def test_the_database_refuses_a_second_live_job_for_the_same_export(coordinator, client, log_in):
    log_in("coord@a.example")
    job = _job(coordinator, _job_id(_ask(client)))
    with coordinator.app_context():
        twin = ExportJob(
            organisation_id=job.organisation_id,
            requested_by_id=job.requested_by_id,
            dedup_key=job.dedup_key,
            format="xlsx",
            spec=job.spec,
            download_name=job.download_name,
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.flush()


@pytest.mark.parametrize("who", ["colleague@a.example", "coord@b.example"])
def test_only_the_person_who_asked_sees_the_job_and_its_file(coordinator, client, log_in, who):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    _build_all(coordinator)
    other = coordinator.test_client()
    login_page = other.get("/login")
    password = "correct horse battery"
    credentials = {"email": who, "password": password, "csrf_token": csrf_token_in(login_page.text)}
    assert other.post("/login", data=credentials).status_code == 302
    for path in ("", "/file", "/progress"):
        assert other.get(f"/dashboard/exports/{job_id}{path}").status_code == 404
    with coordinator.app_context():
        logged = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.RESPONSES_EXPORTED)
        ).all()
        assert logged == []


def test_the_download_is_in_the_activity_log_with_the_jobs_number(coordinator, client, log_in):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client, manager="", channel="visit"))
    with coordinator.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.id).where(AuditEvent.action == Action.RESPONSES_EXPORTED)
            )
            is None
        )  # asking is not exporting: nothing has left the service yet
    _build_all(coordinator)
    client.get(f"/dashboard/exports/{job_id}/file")

    with coordinator.app_context():
        logged = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.RESPONSES_EXPORTED)
        ).one()
        assert logged.detail["export_job"] == job_id and logged.detail["rows"] == 7
        assert logged.detail["format"] == "xlsx" and logged.detail["filters"]["channel"] == "visit"


def test_the_progress_shows_the_responses_written_so_far(coordinator, client, log_in):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    with coordinator.app_context():
        claim_next(_now())
        db.session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(rows_done=3, rows_total=7)
        )
        db.session.commit()

    page = client.get(f"/dashboard/exports/{job_id}")
    progress = client.get(f"/dashboard/exports/{job_id}/progress").get_json()
    early = client.get(f"/dashboard/exports/{job_id}/file")

    assert '<progress id="export-progress" max="7" value="3">42%</progress>' in page.text
    assert "3 of 7 responses written." in page.text
    assert progress == {"state": "building", "rows_done": 3, "rows_total": 7, "percent": 42}
    assert early.status_code == 303 and early.location == f"/dashboard/exports/{job_id}"


def test_a_job_whose_builder_died_is_built_by_the_next_after_its_lease(coordinator, client, log_in):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    now = _now()
    with coordinator.app_context():
        assert claim_next(now) is not None  # this builder's process is killed here

    assert _build_all(coordinator, lambda: now + LEASE / 2) == 0  # still held
    assert _build_all(coordinator, lambda: now + LEASE * 2) == 1

    job = _job(coordinator, job_id)
    assert job.state is ExportState.READY and job.attempts == 2 and job.rows_done == 7
    assert client.get(f"/dashboard/exports/{job_id}/file").status_code == 200


def test_a_builder_whose_lease_was_taken_over_stops_without_a_file(coordinator, client, log_in):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    now = _now()
    with coordinator.app_context():
        slow = claim_next(now)
        quick = claim_next(now + LEASE * 2)
        assert build(slow, lambda: now + LEASE * 2) == 0
        assert build(quick, lambda: now + LEASE * 2) == 1
    directory = coordinator.config["EXPORT_DIR"]

    job = _job(coordinator, job_id)
    assert job.state is ExportState.READY
    assert [path.name for path in Path(directory).iterdir()] == [job.stored_as]


def test_after_every_allowed_builder_died_the_job_fails_and_asking_again_starts_anew(
    coordinator, client, log_in
):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    now = _now()
    with coordinator.app_context():
        for attempt in range(MAX_ATTEMPTS):
            assert claim_next(now + LEASE * 2 * attempt) is not None
    _build_all(coordinator, lambda: now + LEASE * 2 * MAX_ATTEMPTS)

    page = client.get(f"/dashboard/exports/{job_id}")
    assert "The file could not be made." in page.text and "Given up after 3 attempts" in page.text
    assert _job_id(_ask(client)) != job_id


def test_the_file_is_deleted_after_a_day_and_the_page_says_so(coordinator, client, log_in):
    log_in("coord@a.example")
    asked = _ask(client)
    job_id = _job_id(asked)
    _build_all(coordinator)
    stored = Path(coordinator.config["EXPORT_DIR"]) / _job(coordinator, job_id).stored_as
    assert stored.is_file()

    with coordinator.app_context():
        assert remove_expired_exports(_now() + timedelta(hours=23)) == 0
        assert remove_expired_exports(_now() + timedelta(hours=25)) == 1

    page = client.get(f"/dashboard/exports/{job_id}")
    assert not stored.exists()
    assert "This file was deleted after its time was up." in page.text
    assert client.get(f"/dashboard/exports/{job_id}/file").status_code == 303
    assert _job_id(_ask(client)) != job_id  # asking again makes a new file


def test_a_file_no_ready_job_refers_to_goes_once_older_than_any_kept_file(coordinator):
    directory = Path(coordinator.config["EXPORT_DIR"])
    directory.mkdir(parents=True)
    left_by_a_dead_builder = directory / "9-0123456789abcdef.xlsx.part"
    recent = directory / "8-0123456789abcdef.xlsx"
    for path in (left_by_a_dead_builder, recent):
        path.write_bytes(b"PK")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(left_by_a_dead_builder, (two_days_ago, two_days_ago))

    with coordinator.app_context():
        remove_expired_exports(_now())

    assert not left_by_a_dead_builder.exists() and recent.exists()


def test_the_scheduler_builds_exports_in_every_run(coordinator, client, log_in):
    log_in("coord@a.example")
    job_id = _job_id(_ask(client))
    with coordinator.app_context():
        report = run_all()

    assert report.exports_made == 1 and _job(coordinator, job_id).state is ExportState.READY
