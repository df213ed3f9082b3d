"""Odd input on the Outbox page is answered with the page, never an error."""

from __future__ import annotations

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories


@pytest.fixture
def admin(app, client, log_in):
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.ADMIN, email="admin@a.example")
        db.session.commit()
    log_in("admin@a.example")


def test_a_nul_byte_in_the_recipient_search_shows_the_outbox(client, admin):
    page = client.get("/outbox", query_string={"recipient": "\x00"})
    assert page.status_code == 200
    assert "\x00" not in page.text


@pytest.mark.parametrize("number", ["10000000000000000000", "1e19", "-1", "0"])
def test_a_huge_or_odd_page_number_shows_the_first_page(client, admin, number):
    assert client.get("/outbox", query_string={"page": number}).status_code == 200


@pytest.mark.parametrize("number", ["10000000000000000000", "1e19", "9223372036854775808"])
def test_a_huge_page_number_on_the_home_page_shows_the_first_page(client, admin, number):
    assert client.get("/", query_string={"page": number}).status_code == 200
