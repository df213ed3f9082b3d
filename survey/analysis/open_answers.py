"""The open answers of a population: what entrepreneurs wrote in their own words, newest first,
searchable on the text and the company, a page at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.analysis.population import Population
from survey.contacts.models import Contact
from survey.invitations.models import Invitation
from survey.questionnaires.models import Question, QuestionType, localized
from survey.responding.models import Answer, Response

PER_PAGE = 25


@dataclass(frozen=True)
class OpenAnswer:
    response_id: int
    invitation_id: int
    submitted_at: datetime  # UTC
    account_manager: str | None
    company: str | None
    question_code: str
    question: str  # in the reader's language
    text: str


@dataclass(frozen=True)
class OpenAnswersPage:
    items: list[OpenAnswer]
    total: int
    page: int
    per_page: int

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


def _matching(statement: Select, population: Population, search: str | None) -> Select:
    """The statement limited to the population's non-empty open answers that match `search`."""
    statement = (
        statement.select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Contact, Contact.id == Invitation.contact_id)
        .where(
            *population.where(Response),
            Question.type == QuestionType.TEXT,
            func.trim(Answer.text) != "",
        )
    )
    if search:
        # autoescape: a % or _ typed in the search box is looked for as itself.
        statement = statement.where(
            or_(
                Answer.text.icontains(search, autoescape=True),
                Contact.company_name.icontains(search, autoescape=True),
            )
        )
    return statement


def open_answers(
    session: Session,
    population: Population,
    search: str | None,
    page: int,
    per_page: int = PER_PAGE,
    *,
    locale: str,
) -> OpenAnswersPage:
    """One page of the open answers, newest first; a page past the end shows the last one.

    Two queries whatever the number of answers: the count, then the page.
    """
    total = session.scalar(_matching(select(func.count(Answer.id)), population, search)) or 0
    page = min(max(page, 1), max(1, math.ceil(total / per_page)))
    rows = session.execute(
        _matching(_page_columns(), population, search)
        .outerjoin(User, User.id == Response.account_manager_id)
        .order_by(Response.submitted_at.desc(), Response.id.desc(), Question.position)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [
        OpenAnswer(
            response_id=row.response_id,
            invitation_id=row.invitation_id,
            submitted_at=row.submitted_at,
            account_manager=row.account_manager,
            company=row.company,
            question_code=row.code,
            question=localized(row.question, locale),
            text=row.text,
        )
        for row in rows
    ]
    return OpenAnswersPage(items=items, total=total, page=page, per_page=per_page)


def _page_columns() -> Select:
    return select(
        Response.id.label("response_id"),
        Response.invitation_id,
        Response.submitted_at,
        User.name.label("account_manager"),
        Contact.company_name.label("company"),
        Question.code,
        Question.text.label("question"),
        Answer.text,
    )
