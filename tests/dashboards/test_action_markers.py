"""The organisation's improvement actions on the trend chart of its contact-survey dashboard: a
marker at the start month, and the same actions listed under the chart's table."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import plotly.graph_objects as go
import pytest

from survey.accounts.models import Organisation, Role
from survey.extensions import db
from tests import factories
from tests.circles.action_factories import action
from tests.factories import rated_answers

PERIOD = {"first": "2026-01", "last": "2026-12"}


@pytest.fixture
def dashboard(app):
    """Org A with six contact-survey answers in each of March, April and May 2026; org B too."""
    with app.app_context():
        org_a, org_b = factories.organisation(), factories.organisation()
        factories.user(org_a, Role.COORDINATOR, email="coord@a.example")
        for org in (org_a, org_b):
            manager = factories.user(org)
            for month in (3, 4, 5):
                for day in range(10, 16):
                    when = datetime(2026, month, day, 10, tzinfo=UTC)
                    factories.response(org, manager, rated_answers(8), submitted_at=when)
        db.session.commit()
        return {"a": org_a.id, "b": org_b.id}


def _record(org_id: int, starts_on: date, codes=("overall",), title="Terugbelbelofte") -> None:
    action(db.session.get(Organisation, org_id), starts_on, codes, title=title)
    db.session.commit()


def _trend(page) -> dict:
    found = re.search(
        r'<script type="application/json" class="chart-data" data-chart-for="chart-trend">'
        r"(.*?)</script>",
        page.text,
        re.S,
    )
    return json.loads(found.group(1))


def _listed(page) -> list[str]:
    found = re.search(r'<ul class="trend-actions"[^>]*>(.*?)</ul>', page.text, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_an_action_on_the_overall_grade_is_marked_on_the_trend_and_listed(
    app, client, log_in, dashboard
):
    with app.app_context():
        _record(dashboard["a"], date(2026, 4, 1), title="Binnen één dag terugbellen")
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string=PERIOD)
    assert page.status_code == 200
    figure = _trend(page)
    go.Figure(figure)  # plotly accepts the shape and the annotation
    [line] = figure["layout"]["shapes"]
    [note] = figure["layout"]["annotations"]
    assert line["x0"] == line["x1"] == note["x"] == "apr 2026"
    assert figure["data"][0]["x"][1] == "apr 2026"  # on the month's own point
    assert note["text"] == "Binnen één dag<br>terugbellen" and note["yanchor"] == "bottom"
    assert figure["layout"]["margin"]["t"] > 8  # above the plot area, not over the line
    assert _listed(page) == ["april 2026 — Binnen één dag terugbellen"]


def test_without_an_action_on_the_trend_there_is_no_marker_and_no_list(
    app, client, log_in, dashboard
):
    with app.app_context():
        _record(dashboard["a"], date(2026, 4, 1), codes=("speed",), title="Sneller")
        _record(dashboard["a"], date(2025, 6, 1), title="Lang geleden")  # before the chart
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string=PERIOD)
    figure = _trend(page)
    assert "shapes" not in figure["layout"] and "annotations" not in figure["layout"]
    assert _listed(page) == [] and "trend-actions-title" not in page.text
    assert "Sneller" not in page.text and "Lang geleden" not in page.text


def test_another_organisations_action_never_shows(app, client, log_in, dashboard):
    with app.app_context():
        _record(dashboard["b"], date(2026, 4, 1), title="Geheim plan van B")
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string=PERIOD)
    assert "shapes" not in _trend(page)["layout"]
    assert "Geheim plan van B" not in page.text and _listed(page) == []


def test_the_event_dashboard_shows_no_actions(app, client, log_in, dashboard):
    with app.app_context():
        _record(dashboard["a"], date(2026, 4, 1), title="Terugbelbelofte")
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string={**PERIOD, "occasion": "event_participant"})
    assert "Terugbelbelofte" not in page.text
