"""An export job: a file someone asked for, built in the background and kept for them a while.

The state lives in the database and the file in the export directory, so the job outlives the
web worker that accepted the request; any scheduler process may build it (see jobs.py).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime, enum_column

ERROR_LENGTH = 1000


class ExportState(enum.StrEnum):
    WAITING = "waiting"  # asked for; no scheduler has taken it yet
    BUILDING = "building"  # claimed by a scheduler until `lease_until`
    READY = "ready"  # the file can be downloaded until `expires_at`
    FAILED = "failed"  # could not be made; asking again starts a new job
    EXPIRED = "expired"  # the file is deleted; the row stays to say so

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])

    @property
    def live(self) -> bool:
        """A live job answers a new request for the same export (it holds the dedup key)."""
        return self in (ExportState.WAITING, ExportState.BUILDING, ExportState.READY)


_STATE_LABELS = {
    ExportState.WAITING: _l("waiting to start"),
    ExportState.BUILDING: _l("being made"),
    ExportState.READY: _l("ready"),
    ExportState.FAILED: _l("failed"),
    ExportState.EXPIRED: _l("deleted"),
}


class ExportTransitionError(RuntimeError):
    """A move the job's state does not allow (a bug in the caller, never a user's input)."""


class ExportJob(db.Model):
    __tablename__ = "export_job"
    __table_args__ = (
        # The claim: waiting jobs in order, and building ones whose lease lapsed.
        Index("ix_export_job_state_created", "state", "created_at"),
        Index("ix_export_job_requested_by_created", "requested_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # Only this person may see the job and download its file.
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # Who, what and how, hashed: unique while the job is live, so the same request made twice
    # (a double click, two tabs, a second worker) finds this job instead of starting another.
    # Emptied when the job fails or its file is deleted: then the next request starts afresh.
    dedup_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    # What to export: the population, the options, and what the activity log says at download.
    spec: Mapped[dict] = mapped_column(JSON)
    download_name: Mapped[str] = mapped_column(String(255))
    state: Mapped[ExportState] = mapped_column(
        enum_column(ExportState), default=ExportState.WAITING
    )
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_as: Mapped[str | None] = mapped_column(String(100))  # a file in the export directory
    error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship()

    def __init__(self, **fields) -> None:
        fields.setdefault("state", ExportState.WAITING)
        fields.setdefault("rows_done", 0)
        fields.setdefault("attempts", 0)
        super().__init__(**fields)

    @property
    def percent(self) -> int:
        if self.state is ExportState.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    def is_downloadable(self, now: datetime) -> bool:
        return (
            self.state is ExportState.READY
            and self.expires_at is not None
            and (now < self.expires_at)
        )

    def _move(self, allowed: tuple[ExportState, ...], to: ExportState) -> None:
        if self.state not in allowed:
            raise ExportTransitionError(f"export job {self.id}: {self.state} -> {to}")
        self.state = to
        if not to.live:
            self.dedup_key = None
            self.lease_until = None

    def finish(self, stored_as: str, rows: int, now: datetime, keep: timedelta) -> None:
        self._move((ExportState.BUILDING,), ExportState.READY)
        self.stored_as, self.rows_done = stored_as, rows
        self.rows_total = max(self.rows_total or 0, rows)
        self.lease_until = None
        self.finished_at, self.expires_at = now, now + keep

    def fail(self, error: str | None, now: datetime) -> None:
        """`error` is what went wrong, for the operator; None when every builder stopped."""
        self._move((ExportState.WAITING, ExportState.BUILDING), ExportState.FAILED)
        self.error = error[:ERROR_LENGTH] if error else None
        self.finished_at = now

    def expire(self) -> None:
        """The file is deleted (by the caller); the row says so to whoever follows its link."""
        self._move((ExportState.READY,), ExportState.EXPIRED)
        self.stored_as = None
