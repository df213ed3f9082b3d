"""The scheduler's heartbeat: each scheduler process records, per job, when it last ran and
whether that run went well, so readiness, `flask doctor` and the administrators can tell whether
invitations and emails are going out.

One row per process and job (host, pid, job): the jobs of one process run in threads of their
own, and a row each keeps them from overwriting each other's news.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, UniqueConstraint, delete, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import db
from survey.types import UTCDateTime

# A process gone for this long (stopped, its machine replaced) is forgotten.
FORGOTTEN_AFTER = timedelta(days=7)


class SchedulerHeartbeat(db.Model):
    __tablename__ = "scheduler_heartbeat"
    __table_args__ = (
        UniqueConstraint("host", "pid", "job", name="uq_scheduler_heartbeat_host_pid_job"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    job: Mapped[str] = mapped_column(String(100))
    # When the process started: a pid used again after a restart is a new process.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_run_failed: Mapped[bool] = mapped_column(default=False, server_default=false())


@dataclass(frozen=True)
class SchedulerProcess:
    host: str
    pid: int
    started_at: datetime

    @classmethod
    def this_one(cls, now: datetime) -> SchedulerProcess:
        return cls(socket.gethostname()[:255], os.getpid(), now)


def record_run(process: SchedulerProcess, job: str, ok: bool, now: datetime) -> None:
    """Note that `job` of this process ran (and how); commits, since it follows the job's own
    commit. Rows of processes long gone are removed on the way."""
    beat = db.session.scalar(
        select(SchedulerHeartbeat).filter_by(host=process.host, pid=process.pid, job=job)
    )
    if beat is None:
        beat = SchedulerHeartbeat(host=process.host, pid=process.pid, job=job)
        db.session.add(beat)
    beat.started_at = process.started_at
    beat.last_run_at = now
    beat.last_run_failed = not ok
    db.session.execute(
        delete(SchedulerHeartbeat).where(SchedulerHeartbeat.last_run_at < now - FORGOTTEN_AFTER)
    )
    try:
        db.session.commit()
    except IntegrityError:  # two machines of one name and pid: the other row is as good
        db.session.rollback()


def last_run() -> datetime | None:
    """When any scheduler last finished a job, or None when none ever did."""
    return db.session.scalar(select(func.max(SchedulerHeartbeat.last_run_at)))


@dataclass(frozen=True)
class ProcessReport:
    host: str
    pid: int
    last_run_at: datetime
    jobs: tuple[str, ...]
    failing_jobs: tuple[str, ...]


def recent_processes(since: datetime) -> list[ProcessReport]:
    """The scheduler processes that ran a job since then, each with its jobs and those whose
    last run failed; for `flask doctor` (it names hosts, so never on a public page)."""
    beats = db.session.scalars(
        select(SchedulerHeartbeat)
        .where(SchedulerHeartbeat.last_run_at >= since)
        .order_by(SchedulerHeartbeat.host, SchedulerHeartbeat.pid, SchedulerHeartbeat.job)
    )
    processes: dict[tuple[str, int], list[SchedulerHeartbeat]] = {}
    for beat in beats:
        processes.setdefault((beat.host, beat.pid), []).append(beat)
    return [
        ProcessReport(
            host,
            pid,
            max(beat.last_run_at for beat in rows),
            tuple(beat.job for beat in rows),
            tuple(beat.job for beat in rows if beat.last_run_failed),
        )
        for (host, pid), rows in processes.items()
    ]


def failing_jobs(since: datetime) -> list[str]:
    """Jobs whose latest run, in any process that ran since then, failed."""
    latest = (
        select(SchedulerHeartbeat.job, func.max(SchedulerHeartbeat.last_run_at).label("at"))
        .where(SchedulerHeartbeat.last_run_at >= since)
        .group_by(SchedulerHeartbeat.job)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(SchedulerHeartbeat.job)
            .join(
                latest,
                (latest.c.job == SchedulerHeartbeat.job)
                & (latest.c.at == SchedulerHeartbeat.last_run_at),
            )
            .where(SchedulerHeartbeat.last_run_failed.is_(True))
            .distinct()
            .order_by(SchedulerHeartbeat.job)
        )
    )
