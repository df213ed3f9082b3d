"""The open answers list: newest first, searchable, a page at a time, one organisation only."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from survey.analysis.open_answers import open_answers
from survey.analysis.population import Population, version_ids
from survey.extensions import db
from survey.listing import count_up_to
from survey.request_input import Cursor
from survey.responding.models import Answer
from tests import factories
from tests.factories import rated_answers

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _population(org, **filters) -> Population:
    questionnaire = factories.contact_version().questionnaire
    return Population(org.id, version_ids(db.session, questionnaire), **filters)


def _answer(org, manager, text: str, at: datetime, company: str = "Bakkerij Van Dam"):
    return factories.remark(org, manager, text, at, company=company)


def _texts(org, search=None, cursor=None, per_page=25, locale="nl") -> list[str]:
    found = open_answers(db.session, _population(org), search, cursor, per_page, locale=locale)
    return [item.text for item in found.items]


def _after(page) -> Cursor:
    return Cursor("after", page.next)


def _before(page) -> Cursor:
    return Cursor("before", page.previous)


def test_the_newest_answer_comes_first(org, manager):
    _answer(org, manager, "oudste", START)
    _answer(org, manager, "nieuwste", START + timedelta(days=2))
    _answer(org, manager, "middelste", START + timedelta(days=1))
    first = _answer(org, manager, "gelijk, eerder ingevoerd", START + timedelta(days=3))
    _answer(org, manager, "gelijk, later ingevoerd", first.submitted_at)

    assert _texts(org) == [
        "gelijk, later ingevoerd",
        "gelijk, eerder ingevoerd",
        "nieuwste",
        "middelste",
        "oudste",
    ]


def test_an_item_says_who_when_which_company_and_which_question(org, manager):
    made = _answer(org, manager, "Sneller terugbellen", START, company="Garage Jansen")

    (item,) = open_answers(db.session, _population(org), None, locale="en").items

    assert (item.response_id, item.invitation_id) == (made.id, made.invitation_id)
    assert item.submitted_at == START
    assert (item.account_manager, item.company) == ("Sanne de Boer", "Garage Jansen")
    assert (item.question_code, item.question) == ("improve", "What could we do better?")
    assert item.text == "Sneller terugbellen"
    dutch = open_answers(db.session, _population(org), None, locale="nl").items[0]
    assert dutch.question == "Wat kunnen wij beter doen?"


def test_search_finds_the_text_or_the_company_whatever_the_case(org, manager):
    _answer(org, manager, "De website is onduidelijk", START, company="Garage Jansen")
    _answer(org, manager, "Prima geholpen", START + timedelta(hours=1), company="Website Bouwers")
    _answer(org, manager, "Niets op aan te merken", START + timedelta(hours=2))

    assert _texts(org, search="WEBSITE") == ["Prima geholpen", "De website is onduidelijk"]
    assert _texts(org, search="jansen") == ["De website is onduidelijk"]
    assert _texts(org, search="nergens") == []


def test_percent_and_underscore_in_a_search_are_taken_literally(org, manager):
    _answer(org, manager, "100% tevreden", START)
    _answer(org, manager, "1000 keer tevreden", START + timedelta(hours=1))
    _answer(org, manager, "zie dossier_12", START + timedelta(hours=2))
    _answer(org, manager, "zie dossierA12", START + timedelta(hours=3))

    assert _texts(org, search="100%") == ["100% tevreden"]
    assert _texts(org, search="dossier_") == ["zie dossier_12"]


def test_answers_come_a_page_at_a_time(org, manager):
    for number in range(30):
        _answer(org, manager, f"antwoord {number}", START + timedelta(hours=number))
    population = _population(org)

    first = open_answers(db.session, population, None, locale="nl")
    second = open_answers(db.session, population, None, _after(first.page), locale="nl")

    assert (first.total.number, first.total.more, len(first.items)) == (30, False, 25)
    assert first.items[0].text == "antwoord 29" and not first.page.previous and first.page.next
    assert [i.text for i in second.items] == [f"antwoord {n}" for n in range(4, -1, -1)]
    assert second.page.previous and not second.page.next
    # Back from the second page: the first, whole.
    back = open_answers(db.session, population, None, _before(second.page), locale="nl")
    assert [i.text for i in back.items] == [i.text for i in first.items] and not back.page.previous
    # A link past the end (the answers it pointed at are gone) shows the first page.
    beyond = Cursor("after", (START - timedelta(days=1), 1, 0))
    assert _texts(org, cursor=beyond) == _texts(org)


def test_a_long_list_is_counted_up_to_a_thousand(org, manager):
    for number in range(12):
        _answer(org, manager, f"antwoord {number}", START + timedelta(hours=number))
    population = _population(org)

    found = open_answers(db.session, population, None, locale="nl")
    assert (found.total.number, found.total.more, str(found.total)) == (12, False, "12")
    matching = select(Answer.id).where(Answer.text.startswith("antwoord"))
    assert str(count_up_to(matching, limit=10)) == "10+"


def test_another_organisations_answers_never_show(org, manager):
    _answer(org, manager, "Van ons", START)
    other = factories.organisation()
    _answer(other, factories.user(other), "Geheim van de buren", START + timedelta(days=1))

    assert _texts(org) == ["Van ons"]
    assert _texts(org, search="Geheim") == []
    assert open_answers(db.session, _population(org), None, locale="nl").total.number == 1


def test_empty_texts_and_rated_answers_are_not_open_answers(org, manager):
    _answer(org, manager, "", START)
    _answer(org, manager, "   ", START + timedelta(hours=1))
    factories.response(org, manager, rated_answers(8), submitted_at=START)
    _answer(org, manager, "Wel iets gezegd", START + timedelta(hours=2))

    found = open_answers(db.session, _population(org), None, locale="nl")

    assert [item.text for item in found.items] == ["Wel iets gezegd"] and found.total.number == 1


def test_the_population_filters_apply(org, manager):
    joris = factories.user(org)
    _answer(org, manager, "van Sanne", START)
    _answer(org, joris, "van Joris", START)

    population = _population(org, account_manager_ids=(joris.id,))
    found = open_answers(db.session, population, None, locale="nl")

    assert [item.text for item in found.items] == ["van Joris"]


@contextmanager
def _counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("search", [None, "tevreden", "niets"])
def test_a_page_costs_two_queries_whatever_the_number_of_answers(org, manager, search):
    for number in range(40):
        _answer(org, manager, f"tevreden {number}", START + timedelta(hours=number))
    population = _population(org)
    first = open_answers(db.session, population, None, per_page=10, locale="nl")
    deep = open_answers(db.session, population, None, _after(first.page), 10, locale="nl")
    db.session.flush()

    for cursor in (None, _after(deep.page)):
        with _counted_statements() as statements:
            open_answers(db.session, population, search, cursor, 10, locale="nl")
        # The count and the page; a link past all the search finds shows the first page: one more.
        assert len(statements) <= 3
