"""Pages that grow with the data: the open answers page by page through their links, a damaged
link refused in the reader's language, and the account managers side by side from the tallies,
equal to the figures computed from the raw answers."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.analysis.comparisons import compare_managers
from survey.analysis.population import Population, version_ids
from survey.extensions import db
from survey.questionnaires.models import Question
from survey.responding.models import Answer, Response
from tests import factories
from tests.factories import rated_answers

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS_LINK = re.compile(r'<a href="([^"]+)" rel="prev">')


@pytest.fixture
def remarks(app):
    """Org A: 30 remarks by Sanne, one a day in March and April; its coordinator."""
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne Aa")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        for day in range(30):
            factories.response(
                org,
                sanne,
                {**rated_answers(7), "improve": f"Opmerking nummer {day}"},
                submitted_at=START + timedelta(days=day),
            )
        db.session.commit()


def _remarks_on(page) -> list[str]:
    return re.findall(r"Opmerking nummer \d+", page.text)


def _link(pattern, page) -> str | None:
    found = pattern.search(page.text)
    return html.unescape(found.group(1)) if found else None


def test_the_open_answers_page_by_page_through_older_and_newer_links(client, log_in, remarks):
    log_in("coord@a.example")
    query = {"first": "2026-01", "last": "2026-12", "q": "opmerking"}
    first = client.get("/dashboard/open-answers", query_string=query)
    assert first.status_code == 200 and "30 antwoorden" in first.text
    seen, page = [], first
    while True:
        seen += _remarks_on(page)
        older = _link(NEXT_LINK, page)
        if older is None:
            break
        assert "q=opmerking" in older and "first=2026-01" in older  # the filters are kept
        page = client.get(older)
        assert page.status_code == 200
    assert seen == [f"Opmerking nummer {day}" for day in range(29, -1, -1)]
    # Back up from the last page: the first page again, whole.
    newer = client.get(_link(PREVIOUS_LINK, page))
    assert _remarks_on(newer) == seen[:25] and _link(PREVIOUS_LINK, newer) is None


@pytest.mark.parametrize(
    "cursor", ["gisteren", "2026-03-02T09:00:00Z,12", "2026-03-02T09:00:00Z,12,1,1", "\x00"]
)
def test_a_damaged_link_to_further_answers_is_refused_with_a_message(
    client, log_in, remarks, cursor
):
    log_in("coord@a.example")
    page = client.get("/dashboard/open-answers", query_string={"after": cursor})
    assert page.status_code == 400
    assert "De link naar dit deel van de lijst is beschadigd" in page.text


def test_the_lists_refuse_a_damaged_link_too(client, log_in, remarks):
    log_in("coord@a.example")
    for path in ("/", "/contacts", "/events"):
        page = client.get(path, query_string={"before": "niet,goed"})
        assert page.status_code == 400, path
        assert "Dit deel van de lijst kan niet worden getoond" in page.text


def _raw_means(org, manager_ids) -> dict[tuple[int, str], tuple[int, float]]:
    """The old computation: straight from the responses' answers, per manager and question."""
    rows = db.session.execute(
        select(Response.account_manager_id, Question.code, func.count(), func.avg(Answer.value))
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.organisation_id == org.id,
            Response.account_manager_id.in_(manager_ids),
            Answer.value.is_not(None),
        )
        .group_by(Response.account_manager_id, Question.code)
    )
    return {(manager, code): (n, float(mean)) for manager, code, n, mean in rows}


def test_managers_side_by_side_equal_the_figures_from_the_raw_answers(ctx):
    org = factories.organisation()
    managers = [factories.user(org, name=name) for name in ("Anna", "Bram", "Dirk")]
    for index in range(40):
        factories.response(
            org,
            managers[index % 3],
            rated_answers(3 + index % 7, statements=1 + index % 5, recommend=index % 11),
            submitted_at=START + timedelta(days=index),
            channel=("visit", "phone")[index % 2],
        )
    population = Population(
        org.id, version_ids(db.session, factories.contact_version().questionnaire)
    )

    columns = compare_managers(db.session, population, {m.id: m.name for m in managers}, 5, "nl")

    raw = _raw_means(org, [m.id for m in managers])
    compared = 0
    for manager, column in zip(managers, columns, strict=True):
        assert column.name == manager.name
        for code, result in column.results.items():
            n, mean = raw[(manager.id, code)]
            assert result.n == n
            assert result.mean == pytest.approx(mean)
            compared += 1
    assert compared >= 3 * 5
