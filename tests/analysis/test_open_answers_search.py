"""The open answers' search through the text indexes (trigrams: pg_trgm on PostgreSQL, FTS5 kept
by triggers on SQLite): what it finds is exactly what reading every answer would find."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from survey.analysis.open_answers import open_answers
from survey.analysis.population import Population, version_ids
from survey.extensions import db
from survey.responding.models import Answer
from tests import factories

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _answer(org, manager, remark: str, hours: int = 0, company: str = "Bakkerij Van Dam"):
    return factories.remark(org, manager, remark, START + timedelta(hours=hours), company=company)


def _remark(response) -> Answer:
    return next(answer for answer in response.answers if answer.text is not None)


def _texts(org, search, *, without_names=False) -> list[str]:
    questionnaire = factories.contact_version().questionnaire
    population = Population(org.id, version_ids(db.session, questionnaire))
    found = open_answers(
        db.session, population, search, locale="nl", without_names=without_names, minimum=1
    )
    return sorted(item.text for item in found.items)


def test_a_search_finds_a_new_answer_whatever_the_case_and_no_longer_a_deleted_one(org, manager):
    _answer(org, manager, "Graag SNELLER terugbellen")
    gone = _answer(org, manager, "Sneller reageren op mail", hours=1)

    assert _texts(org, "sneller") == ["Graag SNELLER terugbellen", "Sneller reageren op mail"]
    db.session.delete(_remark(gone))
    db.session.flush()
    assert _texts(org, "sneller") == ["Graag SNELLER terugbellen"]
    assert _texts(org, "Reageren") == []


def test_a_changed_answer_is_found_by_its_new_text_only(org, manager):
    made = _answer(org, manager, "Bel eerder terug")

    _remark(made).text = "Stuur een brief"
    db.session.flush()

    assert _texts(org, "eerder") == []
    assert _texts(org, "BRIEF") == ["Stuur een brief"]


def test_percent_underscore_and_quotes_in_a_search_are_taken_literally(org, manager):
    _answer(org, manager, "100% tevreden")
    _answer(org, manager, "1000 tevreden klanten", hours=1)
    _answer(org, manager, "zie dossier_12", hours=2)
    _answer(org, manager, "zie dossierA12", hours=3)
    _answer(org, manager, 'Zei "ja" en deed niets', hours=4)

    assert _texts(org, "0% t") == ["100% tevreden"]
    assert _texts(org, "r_1") == ["zie dossier_12"]
    assert _texts(org, '"JA"') == ['Zei "ja" en deed niets']
    assert _texts(org, "%") == ["100% tevreden"]  # too short for the index: read as before


def test_a_search_finds_the_company_with_names_and_never_without(org, manager):
    _answer(org, manager, "Prima geholpen", company="Garage Jansen")
    _answer(org, manager, "Jansen was er snel bij", hours=1, company="Bakkerij Van Dam")

    assert _texts(org, "JANSEN") == ["Jansen was er snel bij", "Prima geholpen"]
    assert _texts(org, "JANSEN", without_names=True) == ["Jansen was er snel bij"]
    assert _texts(org, "garage", without_names=True) == []


def test_an_erased_company_is_no_longer_found(org, manager):
    made = _answer(org, manager, "Prima geholpen", company="Garage Jansen")

    made.invitation.company_name = None
    db.session.flush()

    assert _texts(org, "jansen") == []


def test_the_sqlite_text_indexes_agree_with_the_tables(org, manager):
    """The triggers kept each full-text index exactly as the rows it indexes (FTS5 checks)."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's full-text tables")
    kept = _answer(org, manager, "Blijft staan", company="Garage Jansen")
    changed = _answer(org, manager, "Wordt anders", hours=1)
    deleted = _answer(org, manager, "Gaat weg", hours=2)
    _remark(changed).text = "Is anders"
    kept.invitation.company_name = "Garage Jansen en Zn"
    db.session.delete(_remark(deleted))
    db.session.flush()

    for index in ("answer_search", "invitation_search"):
        # rank 1: against the table it indexes too (an error if they differ)
        db.session.execute(
            text(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
        )
    indexed = db.session.scalars(
        text("SELECT rowid FROM answer_search WHERE text MATCH '\"ander\"'")
    ).all()
    assert indexed == [_remark(changed).id]
    assert db.session.scalar(select(Answer.text).where(Answer.id == indexed[0])) == "Is anders"
