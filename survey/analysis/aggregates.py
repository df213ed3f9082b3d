"""The GROUP BY queries over the tallies: counts per question and value, per month, per manager.

Each function is one query whatever the amount of data; results are keyed by question code, so
the versions of a questionnaire add up question by question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, null, select
from sqlalchemy.orm import Session

from survey.analysis.models import (
    DriverTally,
    InvitationTally,
    OptionTally,
    RatingTally,
    ResponseTally,
)
from survey.analysis.population import Population
from survey.questionnaires.models import Question, QuestionnaireVersion
from survey.responding.models import Response

Counts = dict  # answer value (or option code) -> number of answers


@dataclass(frozen=True)
class DriverSums:
    pairs: int = 0
    sum_x: int = 0
    sum_y: int = 0
    sum_xx: int = 0
    sum_yy: int = 0
    sum_xy: int = 0

    def __add__(self, other: DriverSums) -> DriverSums:
        return DriverSums(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (self.pairs, self.sum_x, self.sum_y, self.sum_xx, self.sum_yy, self.sum_xy)


@dataclass(frozen=True)
class InvitationCounts:
    sent: int = 0
    answered: int = 0
    suppressed: int = 0


@dataclass(frozen=True)
class QuestionSet:
    """The questions of a population's versions, merged by code."""

    by_code: dict[str, Question]  # as the newest version asks it, in its order
    code_of: dict[int, str]  # the question id in any version -> its code

    def ids(self, code: str) -> tuple[int, ...]:
        return tuple(id_ for id_, its_code in self.code_of.items() if its_code == code)


def question_set(session: Session, population: Population) -> QuestionSet:
    """Codes that only older versions ask come after the newest version's questions."""
    questions = session.scalars(
        select(Question)
        .join(Question.version)
        .where(Question.version_id.in_(population.version_ids))
        .order_by(QuestionnaireVersion.number.desc(), Question.position)
    )
    newest: dict[str, Question] = {}
    ids: dict[int, str] = {}
    for question in questions:
        newest.setdefault(question.code, question)
        ids[question.id] = question.code
    return QuestionSet(newest, ids)


def responses_by(session: Session, population: Population, column: str) -> dict:
    """Responses per month (`column="month"`), per account manager ("account_manager_id") or
    per event ("event_id")."""
    group = getattr(ResponseTally, column)
    rows = session.execute(
        select(group, func.sum(ResponseTally.responses))
        .where(*population.where(ResponseTally))
        .group_by(group)
    )
    return {key: int(total) for key, total in rows}


def rating_counts(
    session: Session,
    population: Population,
    codes: Mapping[int, str],
    by: ColumnElement | None = None,
    only: tuple[int, ...] | None = None,
) -> dict:
    """{group: {code: {value: answers}}}; the group is `by`'s value, or None without `by`.

    `only` limits the questions (by id), e.g. to the overall item for a trend line.
    """
    group = by if by is not None else null()
    grouping = [RatingTally.question_id, RatingTally.value] + ([by] if by is not None else [])
    statement = (
        select(group, RatingTally.question_id, RatingTally.value, func.sum(RatingTally.answers))
        .where(*population.where(RatingTally))
        .group_by(*grouping)
    )
    if only is not None:
        statement = statement.where(RatingTally.question_id.in_(only))
    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for key, question_id, value, answers in session.execute(statement):
        result[key][codes[question_id]][value] += int(answers)
    return result


def option_counts(
    session: Session, population: Population, codes: Mapping[int, str]
) -> dict[str, Counts]:
    rows = session.execute(
        select(OptionTally.question_id, OptionTally.option, func.sum(OptionTally.answers))
        .where(*population.where(OptionTally))
        .group_by(OptionTally.question_id, OptionTally.option)
    )
    result: dict[str, Counts] = defaultdict(lambda: defaultdict(int))
    for question_id, option, answers in rows:
        result[codes[question_id]][option] += int(answers)
    return result


def driver_sums(
    session: Session, population: Population, codes: Mapping[int, str]
) -> dict[str, DriverSums]:
    sums = [
        func.sum(column)
        for column in (
            DriverTally.pairs,
            DriverTally.sum_x,
            DriverTally.sum_y,
            DriverTally.sum_xx,
            DriverTally.sum_yy,
            DriverTally.sum_xy,
        )
    ]
    rows = session.execute(
        select(DriverTally.question_id, *sums)
        .where(*population.where(DriverTally))
        .group_by(DriverTally.question_id)
    )
    result: dict[str, DriverSums] = defaultdict(DriverSums)
    for question_id, *values in rows:
        result[codes[question_id]] += DriverSums(*(int(value) for value in values))
    return result


def invitation_counts(session: Session, population: Population) -> InvitationCounts:
    row = session.execute(
        select(
            func.coalesce(func.sum(InvitationTally.sent), 0),
            func.coalesce(func.sum(InvitationTally.answered), 0),
            func.coalesce(func.sum(InvitationTally.suppressed), 0),
        ).where(*population.where(InvitationTally))
    ).one()
    return InvitationCounts(*(int(value) for value in row))


def room_answers(session: Session, population: Population) -> int:
    """Responses given through a room link, which no invitation counts as sent or answered.

    Read from the responses, not the tallies: only asked of a few events at a time, where the
    index on `response.event_id` makes it a small count.
    """
    return session.scalar(
        select(func.count(Response.id)).where(
            *population.where(Response), Response.room_link_id.is_not(None)
        )
    )


def since(month: date) -> ColumnElement:
    """Group by "before" (False) and "from `month` on" (True)."""
    return case((RatingTally.month >= month, True), else_=False)


BY_MONTH = RatingTally.month
BY_MANAGER = RatingTally.account_manager_id
BY_EVENT = RatingTally.event_id
