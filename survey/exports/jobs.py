"""Export jobs: asked for once (however often the same export is requested), built by any
scheduler that claims them, in parts that each end their read, then kept for a day.

Claiming follows the outbox (survey/outbox/queue.py): a lease that lapses when its builder
dies, so the next run builds the file again from the start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import User
from survey.analysis.export import (
    ExportLayout,
    ExportOptions,
    Headings,
    Separator,
    XlsxSheet,
    export_rows,
    response_spans,
)
from survey.analysis.population import Population
from survey.claims import lock_for_claiming
from survey.exports.models import ExportJob, ExportState
from survey.extensions import db
from survey.responding.models import Response

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # renewed after every part; a part takes about a second
KEEP = timedelta(hours=24)  # how long a finished file waits for its download
MAX_ATTEMPTS = 3  # builders that died halfway before the job is given up
PART_ROWS = 5000  # responses per part: one short read, then the progress is saved
# Above this many responses an XLSX is made in the background (about 5 s to build directly).
DIRECT_ROWS = 20_000
# A file no ready job refers to (a builder died saving it, its job row was deleted) goes when it
# is older than any kept file can be; by the file system's clock, which dated it.
ORPHAN_AGE = KEEP + timedelta(hours=1)


def export_directory() -> Path:
    """`EXPORT_DIR`, or `instance/exports`: the scheduler and the web workers must share it."""
    configured = current_app.config.get("EXPORT_DIR")
    return Path(configured or Path(current_app.instance_path) / "exports")


def builds_in_background(format: str, rows: int) -> bool:
    """CSV always streams; an XLSX is written whole before its first byte, so a large one waits
    for no request."""
    return format == "xlsx" and rows > current_app.config.get("EXPORT_DIRECT_ROWS", DIRECT_ROWS)


@dataclass(frozen=True)
class ExportRequest:
    """What to export and how; `log` is what the activity log records at the download."""

    population: Population
    options: ExportOptions
    format: str
    download_name: str
    log: dict


def request_export(user: User, asked: ExportRequest, rows: int, now: datetime) -> ExportJob:
    """The job for this export: the live one this person asked for before, or a new one.

    A unique key decides between two requests at the same moment: the second finds the first's.
    """
    key = _dedup_key(user, asked)
    job = _live_job(key)
    if job is not None and job.state is ExportState.READY and not job.is_downloadable(now):
        _delete_file(job)
        job.expire()  # past its time, not yet cleaned up: its key is free again
        db.session.flush()
        job = None
    if job is not None:
        return job
    job = ExportJob(
        organisation_id=user.organisation_id,
        requested_by_id=user.id,
        dedup_key=key,
        format=asked.format,
        spec=_spec(asked),
        download_name=asked.download_name,
        rows_total=rows,
        created_at=now,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(job)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return _live_job(key)
    savepoint.commit()
    return job


def _live_job(key: str) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(ExportJob.dedup_key == key))


def _spec(asked: ExportRequest) -> dict:
    options = asked.options
    return {
        "population": {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(asked.population).items()
        },
        "options": {
            "locale": options.locale,
            "zone": options.zone,
            "separator": options.separator.value if options.separator else None,
            "headings": options.headings.value,
        },
        "log": asked.log,
    }


def _dedup_key(user: User, asked: ExportRequest) -> str:
    spec = _spec(asked)
    what = [user.id, asked.format, spec["population"], spec["options"], asked.log.get("event_id")]
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def population_of(spec: dict) -> Population:
    fields = dict(spec["population"])
    for name in ("first_month", "last_month"):
        if fields[name]:
            fields[name] = date.fromisoformat(fields[name])
    for name in ("version_ids", "account_manager_ids", "event_ids"):
        fields[name] = tuple(fields[name])
    return Population(**fields)


def options_of(spec: dict) -> ExportOptions:
    options = spec["options"]
    separator = options["separator"]
    return ExportOptions(
        options["locale"],
        options["zone"],
        separator=Separator(separator) if separator else None,
        headings=Headings(options["headings"]),
    )


# --- the scheduler's side ---------------------------------------------------------------------


@dataclass
class Claim:
    """A job this builder holds while `lease_until` is the job's: renewed after every part."""

    job_id: int
    lease_until: datetime


def build_due_exports(clock: Callable[[], datetime]) -> int:
    """Build every waiting export, and those whose builder stopped; the number of files made."""
    fail_abandoned(clock())
    made = 0
    while (claim := claim_next(clock())) is not None:
        made += build(claim, clock)
    return made


def _claimable(now: datetime):
    lapsed = and_(ExportJob.state == ExportState.BUILDING, ExportJob.lease_until <= now)
    return or_(
        ExportJob.state == ExportState.WAITING,
        and_(lapsed, ExportJob.attempts < MAX_ATTEMPTS),
    )


def claim_next(now: datetime) -> Claim | None:
    """Take the oldest waiting job (or one whose builder's lease lapsed)."""
    lease_until = now + LEASE
    next_job = (
        select(ExportJob.id)
        .where(_claimable(now))
        .order_by(ExportJob.created_at, ExportJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(ExportJob)
        .where(ExportJob.id == next_job)
        .values(
            state=ExportState.BUILDING,
            lease_until=lease_until,
            attempts=ExportJob.attempts + 1,
            started_at=now,
            rows_done=0,
        )
        .returning(ExportJob.id)
    )
    with db.engine.connect() as connection:
        lock_for_claiming(connection)
        job_id = connection.execute(statement).scalar()
        connection.commit()
    return None if job_id is None else Claim(job_id, lease_until)


def fail_abandoned(now: datetime) -> int:
    """Give up the jobs whose every allowed builder stopped halfway; the number."""
    lock_for_claiming(db.session.connection())
    abandoned = list(
        db.session.scalars(
            select(ExportJob)
            .where(
                ExportJob.state == ExportState.BUILDING,
                ExportJob.lease_until <= now,
                ExportJob.attempts >= MAX_ATTEMPTS,
            )
            .with_for_update(skip_locked=True)
        )
    )
    for job in abandoned:
        job.fail(None, now)  # the page says why, in the reader's language
    db.session.commit()
    return len(abandoned)


class LostClaim(Exception):
    """Another builder took the job over (this one's lease had lapsed): stop, leave it to them."""


def build(claim: Claim, clock: Callable[[], datetime]) -> int:
    """Write the job's file; 1 when it is ready, 0 when the job failed or was taken over."""
    directory = export_directory()
    directory.mkdir(parents=True, exist_ok=True)
    job_id = claim.job_id
    stored_as = f"{job_id}-{secrets.token_hex(8)}.xlsx"
    part = directory / f"{stored_as}.part"
    started = time.monotonic()
    try:
        rows = _write(claim, part, clock)
        os.replace(part, directory / stored_as)
        job = _held(claim)
        if job is None:
            raise LostClaim
        job.finish(stored_as, rows, clock(), KEEP)
        db.session.commit()
    except LostClaim:
        db.session.rollback()
        _remove(part, directory / stored_as)
        log.warning("export job %s was taken over by another builder", job_id)
        return 0
    except Exception as error:  # anything about this job; the next one is unaffected
        db.session.rollback()
        _remove(part, directory / stored_as)
        log.exception("export job %s failed", job_id)
        if (job := _held(claim)) is not None:
            job.fail(f"{type(error).__name__}: {error}", clock())
        db.session.commit()
        return 0
    log.info("export job %s: %s rows in %.1f s", job_id, rows, time.monotonic() - started)
    return 1


def _write(claim: Claim, part: Path, clock: Callable[[], datetime]) -> int:
    """The rows as of the start (later responses wait for the next export), a part at a time;
    after each, the read ends and the progress and the lease are saved."""
    session = db.session
    spec = session.get(ExportJob, claim.job_id).spec
    population, options = population_of(spec), options_of(spec)
    within = population.where(Response)
    through = session.scalar(select(func.max(Response.id)).where(*within)) or 0
    total = session.scalar(select(func.count(Response.id)).where(*within, Response.id <= through))
    _renew(claim, 0, total, clock())
    layout = ExportLayout(session, population, options)
    sheet = XlsxSheet(layout)
    rows = 0
    for span in response_spans(session, population, through, PART_ROWS):
        for cells in export_rows(session, population, layout, span):
            sheet.append(cells)
            rows += 1
        session.commit()
        _renew(claim, rows, total, clock())
    with part.open("wb") as output:
        sheet.save(output)
    return rows


def _renew(claim: Claim, rows: int, total: int, now: datetime) -> None:
    """Save the progress and extend the lease, if this builder still holds the job."""
    renewed = now + LEASE
    result = db.session.execute(
        update(ExportJob)
        .where(
            ExportJob.id == claim.job_id,
            ExportJob.state == ExportState.BUILDING,
            ExportJob.lease_until == claim.lease_until,
        )
        .values(rows_done=rows, rows_total=max(rows, total), lease_until=renewed)
    )
    db.session.commit()
    if result.rowcount != 1:
        raise LostClaim
    claim.lease_until = renewed


def _held(claim: Claim) -> ExportJob | None:
    job = db.session.get(ExportJob, claim.job_id, with_for_update=True, populate_existing=True)
    if job is None or job.state is not ExportState.BUILDING or job.lease_until != claim.lease_until:
        return None
    return job


# --- cleaning up --------------------------------------------------------------------------------


def remove_expired_exports(now: datetime) -> int:
    """Delete the files past their time (the rows stay, saying so), and files no job refers to;
    the number of jobs expired."""
    lock_for_claiming(db.session.connection())
    expired = list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.state == ExportState.READY, ExportJob.expires_at <= now)
            .with_for_update(skip_locked=True)
        )
    )
    for job in expired:
        _delete_file(job)
        job.expire()
    db.session.commit()
    _remove_orphans()
    return len(expired)


def _remove_orphans() -> None:
    directory = export_directory()
    if not directory.is_dir():
        return
    kept = set(
        db.session.scalars(select(ExportJob.stored_as).where(ExportJob.state == ExportState.READY))
    )
    db.session.commit()
    oldest = time.time() - ORPHAN_AGE.total_seconds()
    for path in directory.iterdir():
        if path.name not in kept and path.is_file() and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def stored_file(job: ExportJob) -> Path | None:
    if job.stored_as is None:
        return None
    return export_directory() / job.stored_as


def _delete_file(job: ExportJob) -> None:
    if (path := stored_file(job)) is not None:
        path.unlink(missing_ok=True)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
