"""The result pages of events and series, the export and the A4 summary, as staff see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from tests import factories
from tests.events.test_results import (
    START,
    answer_in_room,
    evaluate,
    unanswered,
    workshop,
    workshop_answers,
)


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


@pytest.fixture
def results(app):
    """Org A: a series of three sessions (Anna speaks at 1 and 3, Bram at 2): session 1 with five
    emailed answers, one unanswered and two room answers, session 2 with three answers, session 3
    with five; org B's event. Staff read English."""
    with app.app_context():
        factories.workshop_version()
        org, other = factories.organisation("Gemeente Aastad"), factories.organisation()
        coordinator = factories.user(
            org, Role.COORDINATOR, email="coord@a.example", name="Cora Coördinator", locale="en"
        )
        factories.user(org, Role.ADMIN, email="admin@a.example", locale="en")
        factories.user(org, Role.ACCOUNT_MANAGER, email="am@a.example", locale="en")
        factories.user(other, Role.COORDINATOR, email="coord@b.example", locale="en")
        sessions = []
        for number, (speaker, grades) in enumerate(
            [("Anna Smit", (6, 7, 8, 9, 10)), ("Bram Bos", (4, 5, 6)), ("Anna Smit", (8,) * 5)],
            start=1,
        ):
            event = workshop(
                org,
                organiser=coordinator,
                starts_at=START + timedelta(days=30 * number),
                series_title="Lerend netwerk 2026",
                speakers=(speaker,),
                title=f"Sessie {number}: <geld> & groei",
            )
            for index, grade in enumerate(grades):
                remark = "Meer praktijkvoorbeelden graag" if index == 0 else None
                evaluate(event, workshop_answers(grade, remark=remark))
            sessions.append(event)
        unanswered(sessions[0], 1)
        answer_in_room(sessions[0], workshop_answers(9, statement=5))
        answer_in_room(sessions[0], workshop_answers(7, statement=3))
        elsewhere = workshop(other)
        for _ in range(5):
            evaluate(elsewhere, workshop_answers(3, remark="Geheim van Beedorp"))
        db.session.commit()
        return {
            "org": org.id,
            "sessions": [event.id for event in sessions],
            "series": sessions[0].series_id,
            "elsewhere": elsewhere.id,
            "elsewhere_series": None,
        }


def test_an_events_results_show_the_rate_room_answers_figures_and_remarks(client, log_in, results):
    log_in("coord@a.example")
    page = client.get(f"/events/{results['sessions'][0]}/results")
    text = _text(page)
    assert page.status_code == 200
    assert "Results of Sessie 1: &lt;geld&gt; &amp; groei" in page.text  # escaped, not markup
    assert "5 of 6 invitations sent" in text and "83%" in text  # the rate, with its interval
    assert "Through the room link 2 anonymous answers" in text
    assert "Overall grade 8.0" in text  # (6 + 7 + 8 + 9 + 10 + 9 + 7) / 7
    assert "Meer praktijkvoorbeelden graag" in text and "Geheim van Beedorp" not in text
    assert 'id="chart-means"' in page.text and "chart-data" in page.text
    assert "All sessions of Lerend netwerk 2026" in text
    assert f"/events/{results['sessions'][0]}/export.csv" in page.text
    assert f"/events/{results['sessions'][0]}/summary" in page.text


def test_an_event_below_the_minimum_shows_why_and_no_figure(app, client, log_in, results):
    log_in("coord@a.example")
    page = client.get(f"/events/{results['sessions'][1]}/results")
    text = _text(page)
    assert page.status_code == 200 and "fewer than 5, the minimum for event results" in text
    assert "chart-data" not in page.text and "5.0" not in text


def test_with_the_admins_event_minimum_of_three_a_small_session_is_shown(
    app, client, log_in, results
):
    from survey.accounts.models import Organisation

    with app.app_context():
        db.session.get(Organisation, results["org"]).event_min_group_size = 3
        db.session.commit()
    log_in("coord@a.example")
    text = _text(client.get(f"/events/{results['sessions'][1]}/results"))
    assert "Overall grade 5.0" in text and "the minimum for event results" not in text


def test_the_summary_is_one_printable_page_with_the_figures_and_no_names(client, log_in, results):
    log_in("coord@a.example")
    page = client.get(f"/events/{results['sessions'][0]}/summary")
    text = _text(page)
    assert page.status_code == 200
    assert "css/summary.css" in page.text and "plotly" not in page.text  # no scripts needed
    assert "Organisers Cora Coördinator" in text and "Speakers Anna Smit" in text
    assert "7 responses" in text and "2 through the room link" in text
    assert page.text.count('class="bar"') == 5  # the four statements and the grade
    assert "Meer praktijkvoorbeelden graag" in text
    assert "at least 5 answers" in text


def test_the_summary_css_asks_for_one_a4_page(client):
    css = client.get("/static/css/summary.css").text
    assert "@page { size: A4" in css


def test_the_export_has_the_events_responses_only_and_is_audited(app, client, log_in, results):
    log_in("coord@a.example")
    event_id = results["sessions"][0]
    response = client.get(f"/events/{event_id}/export.csv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="answers-sessie-1-geld-groei-\d{4}-\d{2}-\d{2}\.csv"', disposition
    )
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    overall = header.index("Overall, how would you rate this meeting?")
    assert sorted(int(row[overall]) for row in body) == [6, 7, 7, 8, 9, 9, 10]
    workbook = client.get(f"/events/{event_id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.data), read_only=True).active
    assert len(list(sheet.iter_rows())) == 1 + 7
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == Action.EVENT_RESPONSES_EXPORTED)
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.subject_id, e.detail["format"], e.detail["rows"]) for e in audited] == [
            (event_id, "csv", 7),
            (event_id, "xlsx", 7),
        ]


def test_the_series_shows_three_sessions_over_time_and_per_speaker(client, log_in, results):
    log_in("coord@a.example")
    page = client.get(f"/events/series/{results['series']}")
    text = _text(page)
    assert page.status_code == 200 and "Results of the series Lerend netwerk 2026" in text
    assert text.index("Sessie 1") < text.index("Sessie 2") < text.index("Sessie 3")
    assert "3 (too few to show)" in text  # session 2
    assert 'id="chart-session-1"' in page.text and 'id="chart-speakers-1"' in page.text
    # Anna: sessions 1 and 3 pooled (12 responses); Bram: session 2 alone, withheld.
    assert "Anna Smit 12 responses" in text and "Bram Bos 3 responses" in text
    for event_id in results["sessions"]:
        assert f"/events/{event_id}/results" in page.text


@pytest.mark.parametrize(
    "path",
    ["/events/{event}/results", "/events/{event}/summary", "/events/{event}/export.csv"],
)
def test_account_managers_may_not_see_event_results(client, log_in, results, path):
    log_in("am@a.example")
    assert client.get(path.format(event=results["sessions"][0])).status_code == 403
    assert client.get(f"/events/series/{results['series']}").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/events/{event}/results",
        "/events/{event}/summary",
        "/events/{event}/export.csv",
        "/events/{event}/export.xlsx",
        "/events/series/{series}",
    ],
)
def test_another_organisations_event_or_series_is_not_found(client, log_in, results, path):
    log_in("coord@b.example")
    assert client.get(path.format(**_ids(results))).status_code == 404
    assert client.get(path.format(event=99999, series=99999)).status_code == 404


def _ids(results) -> dict:
    return {"event": results["sessions"][0], "series": results["series"]}


@pytest.mark.parametrize(
    "query", [{"separator": "tab"}, {"headings": "\x00"}, {"separator": "semicolon" * 50}]
)
def test_odd_export_options_are_refused_without_an_error(client, log_in, results, query):
    log_in("coord@a.example")
    response = client.get(f"/events/{results['sessions'][0]}/export.csv", query_string=query)
    assert response.status_code in (400, 404, 422)


def test_anonymous_visitors_are_sent_to_the_login(client, results):
    response = client.get(f"/events/{results['sessions'][0]}/results")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
