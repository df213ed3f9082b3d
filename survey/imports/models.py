"""What the import machinery keeps between imports: the columns a person chose for a file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime


class ColumnMapping(db.Model):
    """Which column of a CRM's export holds which value, as a person chose it for an import.

    Kept per organisation and keyed by the file's set of headers (see imports/columns.py), so
    the next export from the same CRM is imported without asking again. The key includes the
    kind of list (contacts, participants), so a choice for one kind is never used for another.
    """

    __table_args__ = (
        UniqueConstraint("organisation_id", "header_key", name="uq_column_mapping_headers"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    header_key: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised headers
    columns: Mapped[dict[str, str]] = mapped_column(JSON)  # normalised header -> value
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
