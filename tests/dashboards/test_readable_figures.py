"""Figures people read correctly: each question on its own scale, intervals inside the scale,
proper plurals, no negative zero, no dangling dash, answers by their labels."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from survey.accounts.models import Role
from survey.analysis.comparisons import GroupFigures
from survey.analysis.report import QuestionResult
from survey.analysis.statistics import Summary
from survey.dashboards import charts
from survey.extensions import db
from survey.questionnaires.models import QuestionType
from tests import factories
from tests.factories import rated_answers

PERIOD = {"first": "2026-01", "last": "2026-12"}


def _at(month: int) -> datetime:
    return datetime(2026, month, 10, 10, tzinfo=UTC)


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def _figures(page) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/json" class="chart-data"[^>]*>(.*?)</script>', page.text, re.S
    )
    return [json.loads(block) for block in blocks]


@pytest.fixture
def graded(app):
    """Two account managers with 5 responses each: statements 4-5, grades 9-10, recommend 10."""
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.COORDINATOR, email="coord@c.example")
        for name, grade in (("Anna", 9), ("Bram", 10)):
            manager = factories.user(org, name=name)
            for index in range(5):
                answers = rated_answers(grade, 4 + index % 2, recommend=10)
                factories.response(org, manager, answers, submitted_at=_at(3))
        db.session.commit()


def test_managers_side_by_side_draw_each_question_on_its_own_scale(client, log_in, graded):
    # Seen: the 1-10 grade and the 0-10 recommendation drawn on the 1-5 axis, clipped.
    log_in("coord@c.example")
    page = client.get("/dashboard/managers", query_string=PERIOD)
    assert page.status_code == 200
    drawn = _figures(page)
    assert len(drawn) == 3  # statements 1-5, the grade 1-10, the recommendation 0-10
    ranges = []
    for figure in drawn:
        low, high = figure["layout"]["xaxis"]["range"]
        ranges.append((round(low), round(high)))
        for trace in figure["data"]:
            assert all(low <= x <= high for x in trace["x"] if x is not None)
    assert sorted(ranges) == [(0, 10), (1, 5), (1, 10)]
    assert "Vragen met antwoorden van 1 tot 10" in _text(page)


@pytest.fixture
def answered(app):
    """An answered contact survey without a subject: statements 4, grade 7, recommendation 0."""
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.COORDINATOR, email="coord@d.example")
        manager = factories.user(org)
        response = factories.response(org, manager, rated_answers(7, 4, recommend=0))
        response.invitation.contact.subject = ""
        db.session.commit()
        return response.invitation_id


def test_the_invitation_page_shows_answers_by_their_labels(client, log_in, answered):
    # Seen: bare numbers ("4") instead of the labels the respondent chose from.
    log_in("coord@d.example")
    text = _text(client.get(f"/invitations/{answered}"))
    assert "4 – Mee eens" in text
    assert "7 van 10" in text and "0 – zeer onwaarschijnlijk" in text


def test_a_contact_without_a_subject_leaves_no_dangling_dash(client, log_in, answered):
    log_in("coord@d.example")
    page = client.get(f"/invitations/{answered}")
    contact = re.search(r"<dt>Contactmoment</dt><dd>(.*?)</dd>", page.text, re.S).group(1)
    assert contact.strip() and "–" not in contact


@pytest.fixture
def few_and_high(app):
    """Five responses, mostly top marks: intervals by the usual formula run past the scale.

    Recommendations 10, 10, 10, 7 and 3: three promoters, one passive, one detractor.
    """
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.COORDINATOR, email="coord@e.example")
        manager = factories.user(org)
        for grade, statement, recommend in (
            (10, 5, 10),
            (10, 5, 10),
            (10, 5, 10),
            (9, 5, 7),
            (6, 2, 3),
        ):
            answers = rated_answers(grade, statement, recommend=recommend)
            factories.response(org, manager, answers, submitted_at=_at(3))
        db.session.commit()


def test_one_of_a_kind_is_counted_in_the_singular(client, log_in, few_and_high):
    # Seen: "1 criticasters".
    log_in("coord@e.example")
    text = _text(client.get("/dashboard", query_string=PERIOD))
    assert "3 promotors, 1 passief tevredene, 1 criticaster " in text
    assert "5 van 5 verstuurde uitnodigingen" in text


def test_intervals_shown_stay_on_the_scale_and_say_where_they_were_cut(
    client, log_in, few_and_high
):
    # Seen: "2,8 – 5,2" on 1–5 and "5,4 – 10,2" on 0–10.
    log_in("coord@e.example")
    page = client.get("/dashboard", query_string=PERIOD)
    text = _text(page)
    shown = re.findall(r"(\d+,\d) – (\d+,\d)", text)
    assert shown and all(float(high.replace(",", ".")) <= 10 for _, high in shown)
    assert "– 5,0 *" in text and "– 10,0 *" in text
    assert "Afgekapt aan het eind van de schaal" in text
    means = next(f for f in _figures(page) if f["data"][0].get("error_x"))
    trace = means["data"][0]
    for mean, up in zip(trace["x"], trace["error_x"]["array"], strict=True):
        assert mean + up <= 5 + 1e-9  # the figure agrees with the table


@pytest.fixture
def two_questionnaires(app):
    """Five contact surveys and five workshop evaluations in one organisation."""
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.COORDINATOR, email="coord@f.example")
        manager = factories.user(org, email="am@f.example")
        workshop = factories.workshop_version()
        for _ in range(5):
            factories.response(org, manager, rated_answers(8), submitted_at=_at(3))
            answers = {"relevance": 4, "usefulness": 5, "overall": 7}
            factories.response(org, manager, answers, version=workshop, submitted_at=_at(3))
        db.session.commit()


@pytest.mark.parametrize("who", ["coord@f.example", "am@f.example"])
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/open-answers"])
def test_every_questionnaire_offered_is_accepted_the_workshop_evaluation_too(
    client, log_in, two_questionnaires, who, path
):
    # Seen: the workshop questionnaire offered in the filter, then refused ("Not a valid choice").
    log_in(who)
    page = client.get(path, query_string=PERIOD)
    select = page.text.split('id="questionnaire"')[1].split("</select>")[0]
    offered = re.findall(r'<option[^>]*value="(\d+)"', select)
    assert len(offered) == 2
    for value in offered:
        chosen = client.get(path, query_string={**PERIOD, "questionnaire": value})
        assert chosen.status_code == 200 and "Ongeldige keuze" not in chosen.text


def _result(code: str, scale: tuple[int, int], mean: float | None) -> QuestionResult:
    summary = Summary(9, mean, 1.0) if mean is not None else None
    return QuestionResult(code, code, QuestionType.SCALE5, 9, mean is not None, scale, summary)


def test_managers_figures_group_the_questions_by_scale_in_their_order(app):
    def column(name, grade):
        results = [
            _result("speed", (1, 5), 4.2),
            _result("overall", (1, 10), grade),
            _result("price", (1, 5), None),  # withheld for everyone: not drawn
            _result("clarity", (1, 5), 3.1),
        ]
        return GroupFigures(1, name, 9, {r.code: r for r in results})

    with app.test_request_context():
        drawn = charts.managers_figures([column("Anna", 9.5), column("Bram", None)], 5)
    assert [chart.scale for chart in drawn] == [(1, 5), (1, 10)]
    statements, grades = (chart.figure for chart in drawn)
    assert statements["data"][0]["y"] == ["speed", "clarity"]
    assert grades["data"][0]["x"] == [9.5] and grades["data"][1]["x"] == [None]
    assert grades["layout"]["xaxis"]["tickvals"] == list(range(1, 11))
