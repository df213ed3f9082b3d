"""Storing a response: one per invitation (or one per browser through a room link), all answers
or none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from survey.analysis.periods import reporting_month
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question, QuestionType
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink


class AlreadyAnswered(Exception):
    """The invitation (or this browser, through a room link) has a response already: a double
    click, a retry, a second tab."""


def _answer_rows(question: Question, given: Any) -> list[Answer]:
    if question.type.is_rated:
        return [Answer(question_id=question.id, value=given)]
    if question.type is QuestionType.TEXT:
        return [Answer(question_id=question.id, text=given)]
    options = given if isinstance(given, list) else [given]
    return [Answer(question_id=question.id, option=option) for option in options]


def submit_response(
    invitation: Invitation, answers: dict[Question, Any], locale: str, now: datetime
) -> Response:
    """Record the response and mark the invitation answered; flushes, the caller commits.

    Raises AlreadyAnswered when another request got there first: the unique constraint on
    `response.invitation_id` decides, so it holds across processes too. The caller then rolls
    back.
    """
    response = Response(
        invitation_id=invitation.id,
        organisation_id=invitation.organisation_id,
        questionnaire_version_id=invitation.questionnaire_version_id,
        submitted_at=now,
        locale=locale,
        occasion_kind=invitation.occasion_kind,
        event_id=invitation.event_id,
        account_manager_id=invitation.staff_member_id,
        channel=invitation.channel,
        month=reporting_month(now, invitation.organisation.timezone),
    )
    _add_answers(response, answers)
    with _once(key=invitation.id):
        # Inside, so that the invitation's move and the response are one flush.
        invitation.mark_answered(now)
        db.session.add(response)
    return response


def submit_room_response(
    link: RoomLink, answers: dict[Question, Any], locale: str, now: datetime, browser: str
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
    _add_answers(response, answers)
    mark = RoomAnswerMark(
        room_link_id=link.id, browser=browser, answered_on=local_day(now, timezone)
    )
    with _once(key=link.id):
        db.session.add_all([mark, response])
    return response


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def _add_answers(response: Response, answers: dict[Question, Any]) -> None:
    for question, given in answers.items():
        response.answers.extend(_answer_rows(question, given))


@contextmanager
def _once(key) -> Iterator[None]:
    """Flush what the block adds, or raise AlreadyAnswered when a unique constraint says this
    answer was given already; the failed flush leaves the transaction for the caller to roll
    back, which leaves nothing of it behind.

    No savepoint: the survey and room pages roll the whole request back on AlreadyAnswered, so
    one would cost two round trips (SAVEPOINT, RELEASE) per answer for a partial rollback that
    nobody uses."""
    try:
        yield
        db.session.flush()
    except IntegrityError:
        raise AlreadyAnswered(key) from None
