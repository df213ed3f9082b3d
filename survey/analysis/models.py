"""Tallies: running counts and sums per reporting cell, so dashboards never scan the answers.

A cell is (organisation, questionnaire version, kind of occasion, event, staff member, channel,
month). Every dashboard filter is a set of cells, so every figure is a GROUP BY over a few
thousand tally rows however many responses there are. The tallies follow the records (see
tallies.py) and can be rebuilt from them at any time. `event_id` and `account_manager_id` (the
staff member the respondent knows) are 0 and `channel` is "" where an invitation has none (so
the cell key has no NULLs, which a unique key would treat as all different).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import db

CELL = (
    "organisation_id",
    "questionnaire_version_id",
    "occasion_kind",
    "event_id",
    "account_manager_id",
    "channel",
    "month",
)


def _key(*more: str) -> tuple[PrimaryKeyConstraint]:
    # The cell leads the key, so a dashboard's filter on organisation and versions is a range.
    return (PrimaryKeyConstraint(*CELL, *more),)


class _Cell:
    organisation_id: Mapped[int]
    questionnaire_version_id: Mapped[int]
    occasion_kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int]
    account_manager_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(20))
    month: Mapped[date] = mapped_column(Date)  # its first day, in the organisation's zone


class ResponseTally(_Cell, db.Model):
    """Responses submitted per cell (by the month they came in)."""

    __table_args__ = _key()

    responses: Mapped[int] = mapped_column(BigInteger, default=0)


class RatingTally(_Cell, db.Model):
    """How many answers each value of a rated question got, per cell."""

    # The circle pages read a fixed period of a few members (see the migration that adds it).
    __table_args__ = (
        *_key("question_id", "value"),
        Index("ix_rating_tally_circle", "organisation_id", "occasion_kind", "month"),
    )
    question_id: Mapped[int]
    value: Mapped[int]
    answers: Mapped[int] = mapped_column(BigInteger, default=0)


class OptionTally(_Cell, db.Model):
    """How often each option of a choice or multi question was chosen, per cell."""

    __table_args__ = _key("question_id", "option")
    question_id: Mapped[int]
    option: Mapped[str] = mapped_column(String(60))
    answers: Mapped[int] = mapped_column(BigInteger, default=0)


class DriverTally(_Cell, db.Model):
    """Sums for the correlation of a rated question (x) with the overall item (y), per cell.

    Only respondents who answered both count, so a skipped optional question does not bend r.
    """

    __table_args__ = (
        *_key("question_id"),
        Index("ix_driver_tally_circle", "organisation_id", "occasion_kind", "month"),
    )
    question_id: Mapped[int]
    pairs: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_x: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_y: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_xx: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_yy: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_xy: Mapped[int] = mapped_column(BigInteger, default=0)


class InvitationTally(_Cell, db.Model):
    """Invitations sent and answered (by the month sent), and suppressed (by the month planned)."""

    __table_args__ = _key()

    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    answered: Mapped[int] = mapped_column(BigInteger, default=0)
    suppressed: Mapped[int] = mapped_column(BigInteger, default=0)


TALLIES = (ResponseTally, RatingTally, OptionTally, DriverTally, InvitationTally)
