"""The open answers of a population: what entrepreneurs wrote in their own words, newest first,
searchable on the text and the company, a page at a time (keyset: a link holds the place to
continue from, so a deep page costs what the first does).

Without names (an account manager where the organisation keeps individual answers from them),
a remark comes with its month only: no company, person, account manager or time, no search on
the company, an order within the month that says nothing about when it came in, and only from
months with at least the organisation's minimum group of responses, counted over every channel
(the channel filter is not applied: comparing a narrow list with a wide one would single out
the remarks of a small group).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, column, false, func, or_, select, table, union
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.analysis import aggregates
from survey.analysis.periods import add_months
from survey.analysis.population import Population
from survey.invitations.models import Invitation
from survey.listing import COUNT_LIMIT, Count, Order, Page, SortColumn, keyset_page
from survey.questionnaires.models import Question, QuestionType, localized
from survey.request_input import MAX_ID, Cursor
from survey.responding.models import Answer, Response

PER_PAGE = 25
TEXT_KEY_LENGTH = 80  # the part of a text that orders them without names, and that a link holds


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
    page: Page[OpenAnswer]
    total: Count  # counted up to COUNT_LIMIT: "1000+" past it
    without_names: bool = False
    withheld_months: int = 0  # months left out without names: too few responses in them

    @property
    def items(self) -> list[OpenAnswer]:
        return self.page.items


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
    else:
        statement = statement.where(*_times_of_months(population))
    if search:
        # autoescape: a % or _ typed in the search box is looked for as itself.
        found = Answer.text.icontains(search, autoescape=True)
        if not without_names:  # a search on the company would name the writer
            found = or_(found, Invitation.company_name.icontains(search, autoescape=True))
        statement = statement.where(found)
    return statement


def _found_ids(matching: Select, search: str | None, without_names: bool, dialect: str) -> Select:
    """The ids `matching` selects. A search the text indexes can take reads its candidates from
    them and tests only those, by id, instead of every answer of the organisation (asked per
    candidate: SQLite, planning without statistics, would start from the responses)."""
    candidates = _candidates(search, without_names, dialect) if search else None
    if candidates is None:
        return matching
    candidate = candidates.subquery()
    return select(candidate.c.id).where(matching.where(Answer.id == candidate.c.id).exists())


# A trigram index narrows a search of three characters or more; a shorter one reads the answers.
INDEXED_SEARCH = 3
# SQLite's full-text tables of the answers' text and the invitations' company (the migration
# "open answers search index" makes them and the triggers that keep them).
_ANSWER_SEARCH = table("answer_search", column("rowid"), column("text"))
_COMPANY_SEARCH = table("invitation_search", column("rowid"), column("company_name"))


def _candidates(search: str, without_names: bool, dialect: str) -> Select | None:
    """The ids of the answers that may match `search`, of every organisation, read from the text
    indexes: never fewer than match (the search itself still decides, so the results are the
    same). None where no index helps."""
    if len(search) < INDEXED_SEARCH:
        return None
    if dialect == "postgresql":
        # icontains is an ILIKE here, which the GIN trigram indexes serve (and their partial
        # condition, said again so that the planner need not prove it).
        texts = select(Answer.id).where(
            Answer.text.is_not(None), Answer.text.icontains(search, autoescape=True)
        )
        companies = select(Invitation.id).where(
            Invitation.company_name.is_not(None),
            Invitation.company_name.icontains(search, autoescape=True),
        )
    elif dialect == "sqlite":
        # A quoted phrase: the trigrams of the whole search in a row, % _ and * as themselves;
        # the tokenizer folds case (of more letters than SQLite's lower(), hence a superset).
        phrase = '"' + search.replace('"', '""') + '"'
        texts = select(_ANSWER_SEARCH.c.rowid.label("id")).where(
            _ANSWER_SEARCH.c.text.match(phrase)
        )
        companies = select(_COMPANY_SEARCH.c.rowid).where(
            _COMPANY_SEARCH.c.company_name.match(phrase)
        )
    else:
        return None
    if without_names:
        return texts
    # Two index look-ups joined by a union: an OR across the answer and the invitation would
    # have the database read every answer to test it.
    of_companies = (
        select(Answer.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.invitation_id.in_(companies))
    )
    return union(texts, of_companies)


# A response's month is the month of its `submitted_at` in the organisation's time zone, which
# lies less than a day from UTC; the margin also covers a zone changed since.
_ZONE_MARGIN = timedelta(days=2)


def _times_of_months(population: Population) -> list:
    """The population's months once more, as bounds on the responses' time: they select
    nothing fewer, but let the database walk the index on the organisation's responses by time
    from the last month back (newest first, stopping after a page) instead of taking the index
    by month and sorting every response of the period to find the newest few."""
    bounds = []
    if population.first_month:
        start = datetime.combine(population.first_month, time(0), tzinfo=UTC)
        bounds.append(Response.submitted_at >= start - _ZONE_MARGIN)
    if population.last_month:
        end = datetime.combine(add_months(population.last_month, 1), time(0), tzinfo=UTC)
        bounds.append(Response.submitted_at < end + _ZONE_MARGIN)
    return bounds


# Newest first: walks the index on the responses' time backwards, a page's worth at a time.
NAMED_ORDER = Order(
    SortColumn(Response.submitted_at, datetime, descending=True),
    SortColumn(Response.id, int, descending=True),
    SortColumn(Question.position, int),
)
# Without names, within a month alphabetical: the order must not tell who answered when. The
# answer's id breaks ties among equal texts but never shows: a link names the n-th of them.
TEXT_KEY = func.substr(Answer.text, 1, TEXT_KEY_LENGTH)
UNNAMED_ORDER = Order(
    SortColumn(Response.month, date, descending=True),
    SortColumn(TEXT_KEY, str),
    SortColumn(Answer.id, int),
)


def cursor_kinds(without_names: bool) -> tuple[type, ...]:
    """What a link to a further page of the open answers holds."""
    return (date, str, int) if without_names else NAMED_ORDER.kinds


def open_answers(
    session: Session,
    population: Population,
    search: str | None,
    cursor: Cursor | None = None,
    per_page: int = PER_PAGE,
    *,
    locale: str,
    without_names: bool = False,
    minimum: int = 0,
) -> OpenAnswersPage:
    """One page of the open answers, newest first, from `cursor` on (None: the first page).

    A constant number of queries whatever the number of answers: the count (which stops at
    COUNT_LIMIT) and the page; without names also the size of each month from the tallies, and
    the places among equal texts the links name.
    """
    months, withheld = None, 0
    if without_names:
        population = replace(population, channel=None)
        months, withheld = _months_by_size(session, population, minimum)
    dialect = session.get_bind().dialect.name
    matching = _matching(select(Answer.id), population, search, months)
    counted = _found_ids(matching, search, without_names, dialect)
    found = session.scalars(counted.limit(COUNT_LIMIT + 1)).all()
    total = Count(min(len(found), COUNT_LIMIT), len(found) > COUNT_LIMIT)
    statement = _matching(_page_columns(), population, search, months).outerjoin(
        User, User.id == Response.account_manager_id
    )
    if not total.more:
        # Counting found every match (a rare word searched for reads all the answers once):
        # the page is taken from those, not searched for a second time.
        # No match at all: a plain false, which the database sees before reading a row.
        statement = statement.where(Answer.id.in_(found) if found else false())
    if without_names:
        ties = _Ties(session, matching)
        page = keyset_page(statement, UNNAMED_ORDER, ties.cursor(cursor), per_page, session)
        page = replace(page, previous=ties.place(page.previous), next=ties.place(page.next))
    else:
        page = keyset_page(statement, NAMED_ORDER, cursor, per_page, session)
    page = replace(page, items=[_item(row, locale, without_names) for row in page.items])
    return OpenAnswersPage(page, total, without_names=without_names, withheld_months=withheld)


class _Ties:
    """Without names a link says "the n-th answer with this text in this month", not which answer
    (ids follow time); this turns one into the other within the answers shown."""

    def __init__(self, session: Session, matching: Select) -> None:
        self.session, self.matching = session, matching

    def _same(self, month: date, text: str) -> Select:
        same_text = TEXT_KEY == text  # noqa: SIM300 (a SQL expression, not a constant)
        return self.matching.where(Response.month == month, same_text)

    def cursor(self, cursor: Cursor | None) -> Cursor | None:
        if cursor is None:
            return None
        month, text, place = cursor.values
        answer_id = 0  # before all of them
        if place > 0:
            answer_id = self.session.scalar(
                self._same(month, text).order_by(Answer.id).offset(place - 1).limit(1)
            )
        if answer_id is None:  # fewer of them now: past all of them
            answer_id = MAX_ID if cursor.direction == "after" else 0
        return Cursor(cursor.direction, (month, text, answer_id))

    def place(self, key: tuple | None) -> tuple | None:
        if key is None:
            return None
        month, text, answer_id = key
        place = self.session.scalar(
            select(func.count()).select_from(
                self._same(month, text).where(Answer.id <= answer_id).subquery()
            )
        )
        return (month, text, place)


def _months_by_size(
    session: Session, population: Population, minimum: int
) -> tuple[list[date], int]:
    """The months with at least `minimum` responses, and how many months have fewer."""
    sizes = aggregates.responses_by(session, population, "month")
    large = [month for month, size in sizes.items() if size >= minimum]
    return large, len(sizes) - len(large)


def _item(row: tuple, locale: str, without_names: bool) -> OpenAnswer:
    response_id, invitation_id, submitted_at, month, manager, company, code, question, text = row
    said = {
        "month": month,
        "question_code": code,
        "question": localized(question, locale),
        "text": text,
    }
    if without_names:
        return OpenAnswer(**said)
    return OpenAnswer(
        **said,
        response_id=response_id,
        invitation_id=invitation_id,
        submitted_at=submitted_at,
        account_manager=manager,
        company=company,
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
