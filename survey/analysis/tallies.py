"""Keeping the tallies: they follow every flush of new responses and invitation moves.

Catching it at the flush means no ORM code path (the sending job, an erasure, a room answer) can
forget. The one write past the ORM, a respondent's answers (responding/submission.py), counts its
own with TallyChanges too. recount.py rebuilds them from the records.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date

from sqlalchemy import Connection, Table, bindparam, delete, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey.accounts.models import Organisation
from survey.analysis.models import (
    TALLIES,
    DriverTally,
    InvitationTally,
    OptionTally,
    RatingTally,
    ResponseTally,
)
from survey.analysis.periods import reporting_month
from survey.driver import driver_statement, numbered_rows, numbered_values
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.cache import overall_question_id
from survey.questionnaires.models import QuestionnaireVersion
from survey.responding.models import Response

Key = tuple  # the primary key values of one tally row, in column order
AnswerRow = tuple[int, int | None, str | None]  # an answer's question id, value and option
# The states an invitation can only be in after it was sent.
SENT_ONCE = (
    InvitationState.SENT,
    InvitationState.REMINDED,
    InvitationState.ANSWERED,
    InvitationState.EXPIRED,
)


class TallyChanges:
    """Increments collected during one flush, written as upserts in a fixed order.

    The fixed order (table, then key) means two transactions touching the same rows lock them in
    the same order, so concurrent submits wait for each other instead of deadlocking.
    """

    def __init__(self) -> None:
        self.rows: dict[type, dict[Key, dict[str, int]]] = defaultdict(dict)

    def add(self, tally: type, key: Key, **increments: int) -> None:
        row = self.rows[tally].setdefault(key, dict.fromkeys(_counted_columns(tally), 0))
        for column, amount in increments.items():
            row[column] += amount

    def add_response(
        self, response: Response, version: QuestionnaireVersion, sign: int = 1
    ) -> None:
        """Count the response in (sign 1), or out again when it is deleted (sign -1)."""
        cell = cell_key(
            response.organisation_id,
            response.questionnaire_version_id,
            response.occasion_kind,
            response.event_id,
            response.account_manager_id,
            response.channel,
            response.month,
        )
        given = [(a.question_id, a.value, a.option) for a in response.answers]
        self.add_answers(cell, given, overall_question_id(version), sign)

    def add_answers(
        self, cell: Key, given: list[AnswerRow], overall_id: int | None, sign: int = 1
    ) -> None:
        """Count one response's answers (question, value, option) in or out of its cell."""
        self.add(ResponseTally, cell, responses=sign)
        overall_value = next(
            (value for question, value, _ in given if overall_id and question == overall_id),
            None,
        )
        for question, value, option in given:
            if value is not None:
                self.add(RatingTally, (*cell, question, value), answers=sign)
                if overall_value is not None and question != overall_id:
                    x, y = value, overall_value
                    self.add(
                        DriverTally,
                        (*cell, question),
                        pairs=sign,
                        sum_x=sign * x,
                        sum_y=sign * y,
                        sum_xx=sign * x * x,
                        sum_yy=sign * y * y,
                        sum_xy=sign * x * y,
                    )
            elif option is not None:
                self.add(OptionTally, (*cell, question, option), answers=sign)

    def add_invitation_move(
        self, session: Session, invitation: Invitation, target: InvitationState
    ) -> None:
        counted = {
            InvitationState.SENT: ("sent", invitation.sent_at),
            InvitationState.ANSWERED: ("answered", invitation.sent_at or invitation.answered_at),
            InvitationState.SUPPRESSED: ("suppressed", invitation.scheduled_at),
        }.get(target)
        if counted is None:
            return
        column, moment = counted
        # By id: a relationship of a record made in this session may not be loaded.
        zone = session.get(Organisation, invitation.organisation_id).timezone
        cell = invitation_cell(invitation, reporting_month(moment, zone))
        self.add(InvitationTally, cell, **{column: 1})

    def write(self, connection: Connection) -> None:
        """One upsert per tally of all its rows at once (and a delete where a count fell), run
        by the driver: they follow every stored response, and concurrent responses queue for the
        same few rows from their first upsert to their commit, so nothing is prepared between
        the statements."""
        dialect = connection.dialect
        upserts, deletes = [], []
        for tally in TALLIES:
            rows = self.rows.get(tally)
            if rows:
                table = tally.__table__
                keys = [column.name for column in table.primary_key.columns]
                params = [dict(zip(keys, key, strict=True), **rows[key]) for key in sorted(rows)]
                upsert = driver_statement(dialect, _upsert, dialect.name, table, len(params))
                upserts.append((upsert, numbered_values(params)))
                if any(min(counts.values()) < 0 for counts in rows.values()):
                    emptied = [dict(zip(keys, key, strict=True)) for key in sorted(rows)]
                    deletes.append((driver_statement(dialect, _delete_when_empty, table), emptied))
        for upsert, values in upserts:
            upsert.rows(connection, values)
        for delete_when_empty, keys in deletes:
            delete_when_empty.run_many(connection, keys)


def cell_key(
    organisation_id, version_id, occasion_kind, event_id, account_manager_id, channel, month
) -> Key:
    return (
        organisation_id,
        version_id,
        str(occasion_kind),
        event_id or 0,
        account_manager_id or 0,
        str(channel or ""),
        month,
    )


def invitation_cell(invitation, month: date) -> Key:
    """The cell of what an invitation recorded, in `month`: from the invitation itself, or from
    what a response copies of it (responding/submission.py, Answering)."""
    return cell_key(
        invitation.organisation_id,
        invitation.questionnaire_version_id,
        invitation.occasion_kind,
        invitation.event_id,
        invitation.staff_member_id,
        invitation.channel,
        month,
    )


@functools.cache
def _counted_columns(tally: type) -> tuple[str, ...]:
    table = tally.__table__
    return tuple(column.name for column in table.columns if not column.primary_key)


def _upsert(dialect_name: str, table: Table, rows: int):
    """INSERT … VALUES (…), … ON CONFLICT (key) DO UPDATE SET count = count + excluded.count,
    for `rows` rows of different keys."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    columns = [column.name for column in table.columns]
    statement = dialect.insert(table).values(numbered_rows(columns, rows))
    counted = [column for column in table.columns if not column.primary_key]
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={column.name: column + statement.excluded[column.name] for column in counted},
    )


def _delete_when_empty(table: Table):
    """A row whose count fell to 0 (its responses were deleted) goes, as a recount has none."""
    counted = next(column for column in table.columns if not column.primary_key)
    return delete(table).where(
        *(column == bindparam(column.name) for column in table.primary_key.columns),
        counted == 0,
    )


@event.listens_for(Session, "after_flush")
def _follow_the_records(session: Session, flush_context) -> None:
    changes = TallyChanges()
    with session.no_autoflush:
        for record in session.new:
            if isinstance(record, Response):
                version = session.get(QuestionnaireVersion, record.questionnaire_version_id)
                changes.add_response(record, version)
            elif isinstance(record, Invitation):
                # Made in a later state (the demo, an import of history): count the way there.
                if record.state in SENT_ONCE[1:] and record.sent_at is not None:
                    changes.add_invitation_move(session, record, InvitationState.SENT)
                changes.add_invitation_move(session, record, record.state)
        for record in session.dirty:
            if isinstance(record, Invitation):
                for target in inspect(record).attrs.state.history.added:
                    changes.add_invitation_move(session, record, target)
        for record in session.deleted:
            # A person's erasure may remove their responses: counted out in the same flush.
            # Its answers were loaded for the delete cascade, so they are still at hand.
            if isinstance(record, Response):
                version = session.get(QuestionnaireVersion, record.questionnaire_version_id)
                changes.add_response(record, version, sign=-1)
    if changes.rows:
        changes.write(session.connection())
