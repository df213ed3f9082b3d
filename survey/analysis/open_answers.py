"""The open answers of a population: what entrepreneurs wrote in their own words, newest first,
searchable on the text and the company, a page at a time.

Without names (an account manager where the organisation keeps individual answers from them),
a remark comes with its month only: no company, person, account manager or time, no search on
the company, an order within the month that says nothing about when it came in, and only from
months with at least the organisation's minimum group of responses, counted over every channel
(the channel filter is not applied: comparing a narrow list with a wide one would single out
the remarks of a small group).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.analysis.population import Population
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question, QuestionType, localized
from survey.responding.models import Answer, Response

PER_PAGE = 25


@dataclass(frozen=True)
class OpenAnswer:
    month: date  # the month it came in, in the organisation's zone
    question_code: str
    question: str  # in the reader's language
    text: str
    # None without names:
    response_id: int | None = None
    invitation_id: int | None = None
    submitted_at: datetime | None = None  # UTC
    account_manager: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class OpenAnswersPage:
    items: list[OpenAnswer]
    total: int
    page: int
    per_page: int
    without_names: bool = False
    withheld_months: int = 0  # months left out without names: too few responses in them

    @property
    def pages(self) -> int:
        """At least one, so an empty result is "page 1 of 1"."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _matching(
    statement: Select, population: Population, search: str | None, months: list[date] | None
) -> Select:
    """The statement limited to the population's non-empty open answers that match `search`."""
    statement = (
        statement.select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        # The company as recorded on the invitation; a room-link answer has none.
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .where(
            *population.where(Response),
            Question.type == QuestionType.TEXT,
            func.trim(Answer.text) != "",
        )
    )
    without_names = months is not None
    if without_names:
        statement = statement.where(Response.month.in_(months))
    if search:
        # autoescape: a % or _ typed in the search box is looked for as itself.
        found = Answer.text.icontains(search, autoescape=True)
        if not without_names:  # a search on the company would name the writer
            found = or_(found, Invitation.company_name.icontains(search, autoescape=True))
        statement = statement.where(found)
    return statement


def _months_by_size(
    session: Session, population: Population, minimum: int
) -> tuple[list[date], int]:
    """The months with at least `minimum` responses, and how many months have fewer."""
    sizes = session.execute(
        select(Response.month, func.count(Response.id))
        .where(*population.where(Response))
        .group_by(Response.month)
    ).all()
    large = [month for month, size in sizes if size >= minimum]
    return large, len(sizes) - len(large)


def open_answers(
    session: Session,
    population: Population,
    search: str | None,
    page: int,
    per_page: int = PER_PAGE,
    *,
    locale: str,
    without_names: bool = False,
    minimum: int = 0,
) -> OpenAnswersPage:
    """One page of the open answers, newest first; a page past the end shows the last one.

    Two queries whatever the number of answers: the count, then the page (and, without names,
    first the size of each month).
    """
    months, withheld = None, 0
    if without_names:
        population = replace(population, channel=None)
        months, withheld = _months_by_size(session, population, minimum)
    total = session.scalar(_matching(select(func.count(Answer.id)), population, search, months))
    total = total or 0
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    if without_names:
        # Within a month alphabetical: the order must not tell who answered when.
        order = (Response.month.desc(), Answer.text, Answer.id)
    else:
        order = (Response.submitted_at.desc(), Response.id.desc(), Question.position)
    rows = session.execute(
        _matching(_page_columns(), population, search, months)
        .outerjoin(User, User.id == Response.account_manager_id)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [_item(row, locale, without_names) for row in rows]
    return OpenAnswersPage(
        items, total, page, per_page, without_names=without_names, withheld_months=withheld
    )


def _item(row, locale: str, without_names: bool) -> OpenAnswer:
    said = {
        "month": row.month,
        "question_code": row.code,
        "question": localized(row.question, locale),
        "text": row.text,
    }
    if without_names:
        return OpenAnswer(**said)
    return OpenAnswer(
        **said,
        response_id=row.response_id,
        invitation_id=row.invitation_id,
        submitted_at=row.submitted_at,
        account_manager=row.account_manager,
        company=row.company,
    )


def _page_columns() -> Select:
    return select(
        Response.id.label("response_id"),
        Response.invitation_id,
        Response.submitted_at,
        Response.month,
        User.name.label("account_manager"),
        Invitation.company_name.label("company"),
        Question.code,
        Question.text.label("question"),
        Answer.text,
    )
