"""Rebuilding the tallies from the records: after a bulk load, or to prove they are right."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from survey.accounts.models import Organisation
from survey.analysis.models import (
    CELL,
    TALLIES,
    DriverTally,
    InvitationTally,
    OptionTally,
    RatingTally,
    ResponseTally,
)
from survey.analysis.periods import reporting_month
from survey.analysis.tallies import SENT_ONCE, TallyChanges, cell_key
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.models import Question
from survey.responding.models import Answer, Response


def rebuild_tallies(session: Session, organisation_ids: Iterable[int] | None = None) -> None:
    """Count everything again from the responses and invitations (of these organisations)."""
    ids = list(organisation_ids) if organisation_ids is not None else None
    for tally in TALLIES:
        statement = delete(tally)
        if ids is not None:
            statement = statement.where(tally.organisation_id.in_(ids))
        session.execute(statement)
    _recount_answers(session, ids)
    changes = TallyChanges()
    _recount_invitations(session, ids, changes)
    changes.write(session.connection())


def _response_cell() -> list[ColumnElement]:
    return [
        Response.organisation_id,
        Response.questionnaire_version_id,
        Response.occasion_kind,
        func.coalesce(Response.event_id, 0),
        func.coalesce(Response.account_manager_id, 0),
        func.coalesce(Response.channel, ""),
        Response.month,
    ]


def _of(ids: list[int] | None) -> list[ColumnElement]:
    return [] if ids is None else [Response.organisation_id.in_(ids)]


def _recount_answers(session: Session, ids: list[int] | None) -> None:
    cell = _response_cell()
    responses = select(*cell, func.count()).where(*_of(ids)).group_by(*cell)
    session.execute(insert(ResponseTally).from_select([*CELL, "responses"], responses))

    rated = (
        select(*cell, Answer.question_id, Answer.value, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.value.is_not(None), *_of(ids))
        .group_by(*cell, Answer.question_id, Answer.value)
    )
    columns = [*CELL, "question_id", "value", "answers"]
    session.execute(insert(RatingTally).from_select(columns, rated))

    chosen = (
        select(*cell, Answer.question_id, Answer.option, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.option.is_not(None), *_of(ids))
        .group_by(*cell, Answer.question_id, Answer.option)
    )
    columns = [*CELL, "question_id", "option", "answers"]
    session.execute(insert(OptionTally).from_select(columns, chosen))
    session.execute(insert(DriverTally).from_select([*CELL, "question_id", *_SUMS], _pairs(ids)))


_SUMS = ("pairs", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy")


def _pairs(ids: list[int] | None):
    """Each rated answer paired with the overall answer of the same response."""
    cell = _response_cell()
    x, y = Answer, aliased(Answer)
    overall = aliased(Question)
    return (
        select(
            *cell,
            x.question_id,
            func.count(),
            func.sum(x.value),
            func.sum(y.value),
            func.sum(x.value * x.value),
            func.sum(y.value * y.value),
            func.sum(x.value * y.value),
        )
        .join(x, x.response_id == Response.id)
        .join(y, and_(y.response_id == Response.id, y.question_id != x.question_id))
        .join(overall, and_(overall.id == y.question_id, overall.is_overall == literal(True)))
        .where(x.value.is_not(None), y.value.is_not(None), *_of(ids))
        .group_by(*cell, x.question_id)
    )


def _hour(column) -> ColumnElement:
    """The timestamp cut to the hour: enough to find its local month in any time zone."""
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _recount_invitations(session: Session, ids: list[int] | None, changes: TallyChanges) -> None:
    zones = dict(session.execute(select(Organisation.id, Organisation.timezone)).all())
    hour = _hour if session.get_bind().dialect.name == "sqlite" else _pg_hour
    for column, moment, states in _INVITATION_COUNTS:
        dimensions = (
            Invitation.organisation_id,
            Invitation.questionnaire_version_id,
            Invitation.occasion_kind,
            Invitation.event_id,
            Invitation.staff_member_id,
            Invitation.channel,
            hour(moment),
        )
        statement = (
            select(*dimensions, func.count())
            .where(Invitation.state.in_(states), moment.is_not(None))
            .group_by(*dimensions)
        )
        if ids is not None:
            statement = statement.where(Invitation.organisation_id.in_(ids))
        for *cell, at, count in session.execute(statement):
            month = reporting_month(_as_utc(at), zones[cell[0]])
            changes.add(InvitationTally, cell_key(*cell, month), **{column: count})


def _pg_hour(column) -> ColumnElement:
    return func.date_trunc("hour", column)


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite returns the text strftime made
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


_INVITATION_COUNTS = (
    ("sent", Invitation.sent_at, SENT_ONCE),
    (
        "answered",
        func.coalesce(Invitation.sent_at, Invitation.answered_at),
        (InvitationState.ANSWERED,),
    ),
    ("suppressed", Invitation.scheduled_at, (InvitationState.SUPPRESSED,)),
)
