"""Storing a response: one per invitation, all answers or none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from survey.analysis.periods import reporting_month
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question, QuestionType
from survey.responding.models import Answer, Response


class AlreadyAnswered(Exception):
    """The invitation has a response already (a double click, a retry, a second tab)."""


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
    `response.invitation_id` decides, so it holds across processes too.
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
    for question, given in answers.items():
        response.answers.extend(_answer_rows(question, given))
    invitation.mark_answered(now)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(response)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise AlreadyAnswered(invitation.id) from None
    savepoint.commit()
    return response
