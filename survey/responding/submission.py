"""Storing a response: one per invitation (or one per browser through a room link), all answers
or none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from survey.analysis.models import InvitationTally
from survey.analysis.periods import reporting_month
from survey.analysis.tallies import TallyChanges, invitation_cell
from survey.driver import Sent, driver_statement, integrity_error, numbered_rows, numbered_values
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.cache import overall_question_id
from survey.questionnaires.forms import SurveyQuestion
from survey.questionnaires.models import Question, QuestionType
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink

Asked = Question | SurveyQuestion  # a question as the version has it, or as its form asks it


class AlreadyAnswered(Exception):
    """The invitation (or this browser, through a room link) has a response already: a double
    click, a retry, a second tab."""


@dataclass(frozen=True, slots=True)
class Answering:
    """What a response copies from the invitation it answers (the dimensions recorded on it),
    and the organisation's zone, which decides the response's month."""

    invitation_id: int
    organisation_id: int
    questionnaire_version_id: int
    occasion_kind: OccasionKind
    event_id: int | None
    staff_member_id: int | None
    channel: Channel | None
    timezone: str

    @classmethod
    def of_invitation(cls, invitation: Invitation) -> Answering:
        return cls(
            invitation.id,
            invitation.organisation_id,
            invitation.questionnaire_version_id,
            invitation.occasion_kind,
            invitation.event_id,
            invitation.staff_member_id,
            invitation.channel,
            invitation.organisation.timezone,
        )


def store_response(
    connection: Connection,
    invitation: Answering,
    answers: dict[Asked, Any],
    overall_question_id: int | None,
    locale: str,
    now: datetime,
) -> int:
    """Record the response (its id is returned), mark the invitation answered and count both in
    the tallies, in the connection's transaction; the caller commits.

    The respondent's POST is the one write everyone waits on, so its few statements are run by
    the driver (survey/driver.py), and the tallies are counted here, from the values at hand,
    not by the flush listener that counts every other change (tallies.py).

    Raises AlreadyAnswered when another request got there first: the invitation no longer awaits
    an answer (the UPDATE waits for the other transaction's row lock, then finds nothing to
    move), or the unique constraint on `response.invitation_id` refuses a second response. The
    caller then rolls back what was sent.

    Inside `batched(connection)`, PostgreSQL gets the invitation's move, the response and its
    answers in one round trip, and the tallies with the COMMIT in the next: the tally rows,
    which every answer of the month updates, are locked for no longer than that."""
    month = reporting_month(now, invitation.timezone)
    rows = _answer_values(answers)
    try:
        moved = _mark_answered(connection, invitation, now)
        added = _add_response(connection, invitation, locale, now, month)
        if rows:
            answered = driver_statement(connection.dialect, _answers_insert, len(rows))
            values = {"invitation_id": invitation.invitation_id, **numbered_values(rows)}
            answered.rows(connection, values)
        moved_rows, added_rows = moved.rows(), added.rows()
        if not moved_rows:
            raise AlreadyAnswered(invitation.invitation_id)
        ((sent_at,),) = moved_rows
        ((response_id,),) = added_rows
    except integrity_error(connection):
        raise AlreadyAnswered(invitation.invitation_id) from None
    changes = TallyChanges()
    given = [(row["question_id"], row["value"], row["option"]) for row in rows]
    changes.add_answers(invitation_cell(invitation, month), given, overall_question_id)
    sent_month = reporting_month(sent_at or now, invitation.timezone)
    changes.add(InvitationTally, invitation_cell(invitation, sent_month), answered=1)
    changes.write(connection)
    return response_id


def _mark_answered(connection: Connection, invitation: Answering, now: datetime) -> Sent:
    """Move the invitation from sent or reminded to answered: when it was sent comes back if it
    moved."""
    return driver_statement(connection.dialect, _answered_update).send(
        connection,
        {
            "invitation_id": invitation.invitation_id,
            "sent": InvitationState.SENT,
            "reminded": InvitationState.REMINDED,
            "answered": InvitationState.ANSWERED,
            "answered_at": now,
        },
    )


def _add_response(
    connection: Connection, invitation: Answering, locale: str, now: datetime, month: date
) -> Sent:
    return driver_statement(connection.dialect, _response_insert).send(
        connection,
        {
            "invitation_id": invitation.invitation_id,
            "organisation_id": invitation.organisation_id,
            "questionnaire_version_id": invitation.questionnaire_version_id,
            "submitted_at": now,
            "locale": locale,
            "occasion_kind": invitation.occasion_kind,
            "event_id": invitation.event_id,
            "account_manager_id": invitation.staff_member_id,
            "channel": invitation.channel,
            "month": month,
        },
    )


def submit_response(
    invitation: Invitation, answers: dict[Asked, Any], locale: str, now: datetime
) -> Response:
    """store_response for an invitation in the session (the demo, tests, an import of history):
    its pending changes are flushed first, and it says answered afterwards. The caller commits.

    Raises InvalidTransition for an invitation that never awaited an answer, AlreadyAnswered as
    store_response does."""
    invitation.check_move(InvitationState.ANSWERED)
    db.session.flush()
    response_id = store_response(
        db.session.connection(),
        Answering.of_invitation(invitation),
        answers,
        overall_question_id(invitation.questionnaire_version),
        locale,
        now,
    )
    # The statement moved the row; the object says so without a second UPDATE.
    set_committed_value(invitation, "state", InvitationState.ANSWERED)
    set_committed_value(invitation, "answered_at", now)
    return db.session.get(Response, response_id)


def _answer_values(answers: dict[Asked, Any]) -> list[dict[str, Any]]:
    """The answer rows' columns: a value for a rated question, a text for an open one, a row per
    chosen option otherwise."""
    rows = []
    for question, given in answers.items():
        if question.type.is_rated:
            rows.append(_answer_row(question, value=given))
        elif question.type is QuestionType.TEXT:
            rows.append(_answer_row(question, text=given))
        else:
            options = given if isinstance(given, list) else [given]
            rows.extend(_answer_row(question, option=option) for option in options)
    return rows


def _answer_row(question: Asked, value=None, option=None, text=None) -> dict[str, Any]:
    return {"question_id": question.id, "value": value, "option": option, "text": text}


def _answered_update():
    table = Invitation.__table__
    awaiting = table.c.state.in_([bindparam("sent"), bindparam("reminded")])
    return (
        update(table)
        .where(table.c.id == bindparam("invitation_id"), awaiting)
        .values(state=bindparam("answered"), answered_at=bindparam("answered_at"))
        .returning(table.c.sent_at)
    )


def _response_insert():
    table = Response.__table__
    columns = (
        "invitation_id",
        "organisation_id",
        "questionnaire_version_id",
        "submitted_at",
        "locale",
        "occasion_kind",
        "event_id",
        "account_manager_id",
        "channel",
        "month",
    )
    return insert(table).values({name: bindparam(name) for name in columns}).returning(table.c.id)


def _answers_insert(count: int):
    """The answers of the invitation's response, which an earlier statement of the transaction
    added: its id is not read back before they are sent."""
    columns = ("question_id", "value", "option", "text")
    response = Response.__table__
    response_id = (
        select(response.c.id)
        .where(response.c.invitation_id == bindparam("invitation_id"))
        .scalar_subquery()
    )
    rows = [dict(row, response_id=response_id) for row in numbered_rows(columns, count)]
    return insert(Answer.__table__).values(rows)


def submit_room_response(
    link: RoomLink, answers: dict[Asked, Any], locale: str, now: datetime, browser: str
) -> Response:
    """Record an anonymous answer through a room link, with the mark that this browser (a keyed
    hash of its cookie) answered; flushes, the caller commits.

    The response copies the dimensions the room link recorded and holds nothing of the browser;
    the mark holds no link to the response. Raises AlreadyAnswered when this browser answered
    already: the mark's unique constraint decides, across processes too. The caller then rolls
    back.
    """
    timezone = link.organisation.timezone
    month = reporting_month(now, timezone)
    response = Response(
        invitation_id=None,
        room_link_id=link.id,
        organisation_id=link.organisation_id,
        questionnaire_version_id=link.questionnaire_version_id,
        submitted_at=now,
        locale=locale,
        occasion_kind=link.occasion_kind,
        event_id=link.event_id,
        account_manager_id=link.staff_member_id,
        channel=link.channel,
        month=month,
    )
    response.answers.extend(Answer(**row) for row in _answer_values(answers))
    mark = RoomAnswerMark(
        room_link_id=link.id, browser=browser, answered_on=local_day(now, timezone)
    )
    link_id = link.id  # a failed flush expires the records: read it before
    db.session.add_all([mark, response])
    try:
        # No savepoint: the room page rolls the whole request back on AlreadyAnswered.
        db.session.flush()
    except IntegrityError:
        raise AlreadyAnswered(link_id) from None
    return response


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()
