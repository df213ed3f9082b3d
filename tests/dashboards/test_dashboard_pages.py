"""Who sees what on the feedback dashboards, and the minimum group size under every filter."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from survey.accounts.models import Organisation, Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in
from tests.factories import rated_answers

NOT_ENOUGH = "Te weinig reacties om iets te laten zien"


def _at(month: int) -> datetime:
    return datetime(2026, month, 10, 10, tzinfo=UTC)


@pytest.fixture
def feedback(app):
    """Org A: Sanne with 6 visits in March (grade 9), Joris with 3 calls in April (grade 4) and
    one with an open answer; org B: 5 responses with a secret comment."""
    with app.app_context():
        org_a, org_b = factories.organisation("Gemeente Aastad"), factories.organisation()
        sanne = factories.user(org_a, email="sanne@a.example", name="Sanne Aa")
        joris = factories.user(org_a, email="joris@a.example", name="Joris Aa")
        factories.user(org_a, Role.COORDINATOR, email="coord@a.example")
        factories.user(org_b, Role.COORDINATOR, email="coord@b.example")
        b_manager = factories.user(org_b, name="Bea Bee")
        for _ in range(6):
            factories.response(org_a, sanne, rated_answers(9, 5), submitted_at=_at(3))
        for index in range(3):
            answers = rated_answers(4, 2)
            if index == 0:
                answers["improve"] = "Bel eerder terug, graag"
            factories.response(org_a, joris, answers, submitted_at=_at(4), channel="phone")
        for _ in range(5):
            answers = {**rated_answers(6), "improve": "Geheim van Beedorp"}
            factories.response(org_b, b_manager, answers, submitted_at=_at(4))
        db.session.commit()
        return {"sanne": sanne.id, "joris": joris.id, "b_manager": b_manager.id}


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def _period(**more) -> dict:
    return {"first": "2026-01", "last": "2026-12", **more}


def test_an_account_manager_sees_their_own_figures_beside_the_organisation(
    client, log_in, feedback
):
    log_in("sanne@a.example")
    page = client.get("/dashboard", query_string=_period())
    text = _text(page)
    assert page.status_code == 200 and "Gebaseerd op 6 reacties" in text
    assert "Organisatie: 7,3" in text  # (6 × 9 + 3 × 4) / 9
    assert "Accountmanager" not in text.split("Filters")[0]  # no filter on someone else
    other = client.get("/dashboard", query_string=_period(manager=feedback["joris"]))
    assert "Gebaseerd op 6 reacties" in _text(other)  # still only her own


def test_an_account_manager_with_too_few_responses_sees_why_and_no_figure(client, log_in, feedback):
    log_in("joris@a.example")
    page = client.get("/dashboard", query_string=_period())
    assert NOT_ENOUGH in _text(page)
    assert "chart-data" not in page.text and "4,0" not in _text(page)


def test_account_managers_may_not_compare_or_export(client, log_in, feedback):
    log_in("sanne@a.example")
    assert client.get("/dashboard/managers").status_code == 403
    assert client.get("/dashboard/export.csv").status_code == 403


def test_a_coordinator_filters_by_manager_and_compares_them_side_by_side(client, log_in, feedback):
    log_in("coord@a.example")
    whole = _text(client.get("/dashboard", query_string=_period()))
    assert "Gebaseerd op 9 reacties" in whole
    sanne = _text(client.get("/dashboard", query_string=_period(manager=feedback["sanne"])))
    assert "Gebaseerd op 6 reacties" in sanne and "9,0" in sanne
    side = _text(client.get("/dashboard/managers", query_string=_period()))
    assert "Sanne Aa" in side and "Joris Aa" in side
    joris_column = side.split("Joris Aa")[1]
    assert "te weinig" in joris_column and "4,0" not in joris_column


@pytest.mark.parametrize(
    "manager, channel, months",
    list(
        itertools.product(
            ["", "sanne", "joris"],
            ["", "visit", "phone"],
            [("2026-01", "2026-12"), ("2026-03", "2026-03"), ("2026-04", "2026-04")],
        )
    ),
)
def test_no_filter_combination_shows_a_figure_resting_on_fewer_than_the_minimum(
    client, log_in, feedback, manager, channel, months
):
    """Every combination either has at least five responses or shows nothing but the reason."""
    log_in("coord@a.example")
    query = {"manager": feedback.get(manager, ""), "channel": channel}
    query.update(first=months[0], last=months[1])
    page = client.get("/dashboard", query_string=query)
    sanne_counts = manager in ("", "sanne") and channel in ("", "visit") and months[0] <= "2026-03"
    sanne_counts = sanne_counts and months[1] >= "2026-03"
    joris_counts = manager in ("", "joris") and channel in ("", "phone") and months[1] >= "2026-04"
    responses = 6 * sanne_counts + 3 * joris_counts
    assert page.status_code == 200
    if responses >= 5:
        assert f"Gebaseerd op {responses} reacties" in _text(page)
    else:
        assert NOT_ENOUGH in _text(page)
        assert "chart-data" not in page.text
        assert not re.search(r"\d,\d", _text(page))  # not a single mean


def test_a_coordinator_of_another_organisation_sees_nothing_of_ours(client, log_in, feedback):
    log_in("coord@b.example")
    page = client.get("/dashboard", query_string=_period(manager=feedback["sanne"]))
    assert "Ongeldige keuze" in _text(page)  # not one of their managers
    assert "Sanne" not in _text(page).split("Ongeldige keuze")[1]
    answers = _text(client.get("/dashboard/open-answers", query_string=_period()))
    assert "Geheim van Beedorp" in answers and "Bel eerder terug" not in answers


def test_a_before_after_with_a_thin_after_side_shows_no_means_and_says_why(
    client, log_in, feedback
):
    log_in("coord@a.example")  # six responses in March, three in April
    page = client.get("/dashboard", query_string=_period(since="2026-04"))
    section = page.text.split('id="before-after-title"')[1].split("</section>")[0]
    table = section.split("<tbody>")[1]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert "Te weinig antwoorden vóór of na (minstens 5 aan elke kant)." in text
    assert not re.search(r"\d,\d", text) and "p =" not in text  # no mean, no test


def test_a_response_rate_resting_on_one_invitation_is_withheld_with_the_reason(client, log_in):
    # Responses count in the month they came in, invitations in the month they were sent.
    with client.application.app_context():
        org = factories.organisation()
        manager = factories.user(org)
        factories.user(org, Role.COORDINATOR, email="coord@rate.example")
        for day in (26, 27, 30, 31):
            sent = datetime(2026, 3, day, 10, tzinfo=UTC)
            factories.response(org, manager, rated_answers(8), submitted_at=_at(4), sent_at=sent)
        factories.response(org, manager, rated_answers(8), submitted_at=_at(4))
        db.session.commit()
    log_in("coord@rate.example")
    april = client.get("/dashboard", query_string={"first": "2026-04", "last": "2026-04"})
    assert "Gebaseerd op 5 reacties" in _text(april)
    rate = re.search(r"<dt>Respons</dt>\s*<dd>(.*?)</dd>", april.text, re.DOTALL).group(1)
    assert "te weinig van de in deze maanden verstuurde uitnodigingen beantwoord" in rate
    assert "%" not in rate and "1 van 1" not in rate  # not "100% (1 of 1)"


def test_open_answers_are_newest_first_searchable_and_only_ones_own(client, log_in, feedback):
    log_in("coord@a.example")
    page = _text(client.get("/dashboard/open-answers", query_string=_period()))
    assert "Bel eerder terug, graag" in page and "Joris Aa" in page
    assert "Geheim van Beedorp" not in page
    search = _text(client.get("/dashboard/open-answers", query_string=_period(q="BEL EERDER")))
    assert "Bel eerder terug" in search
    nothing = _text(client.get("/dashboard/open-answers", query_string=_period(q="pizza")))
    assert "Geen open antwoorden gevonden" in nothing or "0 antwoorden" in nothing
    token = csrf_token_in(client.get("/dashboard").text)
    client.post("/logout", data={"csrf_token": token})
    log_in("sanne@a.example")
    assert "Bel eerder terug" not in _text(client.get("/dashboard/open-answers"))


def test_the_export_streams_the_filtered_responses_and_is_recorded(app, client, log_in, feedback):
    log_in("coord@a.example")
    page = client.get("/dashboard/export.csv", query_string=_period(manager=feedback["joris"]))
    assert page.status_code == 200 and page.mimetype == "text/csv"
    assert "attachment" in page.headers["Content-Disposition"]
    lines = page.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3 and "Wat kunnen wij beter doen?" in lines[0]
    assert "Bel eerder terug, graag" in page.data.decode("utf-8")
    xlsx = client.get("/dashboard/export.xlsx", query_string=_period())
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count(Action.RESPONSES_EXPORTED) == 2


def test_wrong_months_get_a_clear_message_and_lose_the_other_filters_nothing(
    client, log_in, feedback
):
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string={"first": "2026-13", "channel": "visit"})
    text = _text(page)
    assert "Geef een maand als jaar-maand, bijvoorbeeld 2026-03." in text
    assert re.search(r'<option selected value="visit">', page.text)
    backwards = _text(
        client.get("/dashboard", query_string=_period(first="2026-06", last="2026-02"))
    )
    assert "De laatste maand ligt vóór de eerste maand." in backwards


def _queries_for(app, client, path: str) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_per_page_does_not_grow_with_the_data(app, client, log_in):
    with app.app_context():
        org = factories.organisation()
        managers = [factories.user(org, email=f"am{i}@q.example") for i in range(2)]
        factories.user(org, Role.COORDINATOR, email="coord@q.example")
        org_id = org.id
        for index in range(10):
            factories.response(org, managers[index % 2], rated_answers(5 + index % 5))
        db.session.commit()
    log_in("coord@q.example")
    path = "/dashboard?first=2025-01&last=2026-12&since=2026-06"
    small = {p: _queries_for(app, client, p) for p in (path, "/dashboard/managers")}
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        managers = [factories.user(org, email=f"more{i}@q.example") for i in range(3)]
        for index in range(60):
            month = 1 + index % 12
            factories.response(
                org,
                managers[index % 3],
                rated_answers(3 + index % 7),
                submitted_at=datetime(2025 + index % 2, month, 3, tzinfo=UTC),
                channel=("visit", "phone", "email")[index % 3],
            )
        db.session.commit()
    large = {p: _queries_for(app, client, p) for p in (path, "/dashboard/managers")}
    assert large == small
    assert small[path] <= 15
