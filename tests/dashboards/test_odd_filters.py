"""Odd filters on the dashboards and the export get a message, never an error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories
from tests.factories import rated_answers

MONTH_MESSAGE = "Choose a month in the years 2000 to 2100."


@pytest.fixture
def coordinator(app, client, log_in):
    with app.app_context():
        org = factories.organisation()
        manager = factories.user(org, name="Sanne Aa")
        factories.user(org, Role.COORDINATOR, email="coord@a.example", locale="en")
        answers = {**rated_answers(8), "improve": "Bel eerder terug"}
        for _ in range(5):
            factories.response(
                org, manager, answers, submitted_at=datetime(2026, 3, 10, tzinfo=UTC)
            )
        db.session.commit()
    log_in("coord@a.example")


@pytest.mark.parametrize("field", ["first", "last", "since"])
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/managers", "/dashboard/open-answers"])
def test_month_zero_in_a_dashboard_filter_is_refused_with_a_message(
    client, coordinator, path, field
):
    query = {"first": "2026-01", "last": "2026-12", field: "0000-01"}
    page = client.get(path, query_string=query)
    assert page.status_code == 422
    assert MONTH_MESSAGE in page.text


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_month_zero_in_the_export_is_refused(client, coordinator, extension):
    response = client.get(f"/dashboard/export.{extension}", query_string={"first": "0000-01"})
    assert response.status_code == 422


def test_a_nul_byte_in_the_open_answers_search_shows_the_answers(client, coordinator):
    query = {"first": "2026-01", "last": "2026-12", "q": "\x00"}
    page = client.get("/dashboard/open-answers", query_string=query)
    assert page.status_code == 200
    assert "\x00" not in page.text


@pytest.mark.parametrize("number", ["10000000000000000000", "1e19", "-1"])
def test_a_huge_page_of_open_answers_shows_the_first_page(client, coordinator, number):
    query = {"first": "2026-01", "last": "2026-12", "page": number}
    assert client.get("/dashboard/open-answers", query_string=query).status_code == 200


def test_a_huge_manager_number_in_the_filters_is_refused_with_a_message(client, coordinator):
    page = client.get("/dashboard", query_string={"manager": "9223372036854775807"})
    assert page.status_code == 422
