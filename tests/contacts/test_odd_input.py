"""Odd input on the contact pages is answered with the page or a message, never an error."""

from __future__ import annotations

import codecs
import io

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.contacts.imports import preview_import
from survey.contacts.models import Contact
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

HUGE = ["10000000000000000000", "1e19", "-3", "9223372036854775807", "9223372036854775808"]


@pytest.fixture
def coordinator(app, client, log_in):
    """A coordinator of an organisation with one account manager, logged in, reading English."""
    with app.app_context():
        org = factories.organisation()
        manager = factories.user(org, email="sanne@a.example", name="Sanne Aa")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        factories.invitation(org, manager)
        db.session.commit()
        ids = {"org": org.id, "sanne": manager.id}
    log_in("coord@a.example")
    client.get("/language/en")
    return ids


def test_a_nul_byte_in_the_contact_search_finds_nothing_odd(client, coordinator):
    page = client.get("/contacts", query_string={"q": "\x00"})
    assert page.status_code == 200
    assert "\x00" not in page.text


@pytest.mark.parametrize("number", HUGE)
def test_a_huge_or_odd_page_or_manager_number_shows_the_list(client, coordinator, number):
    for query in ({"page": number}, {"manager": number}):
        page = client.get("/contacts", query_string=query)
        assert page.status_code == 200, query


def _upload(client, data: bytes, manager: int):
    form = {
        "csrf_token": csrf_token_in(client.get("/contacts/import").text),
        "file": (io.BytesIO(data), "contacten.csv"),
        "account_manager": str(manager),
    }
    return client.post("/contacts/import", data=form, content_type="multipart/form-data")


def test_a_utf16_file_with_an_odd_number_of_bytes_is_refused_with_a_message(client, coordinator):
    data = codecs.BOM_UTF16_LE + "Bedrijfsnaam;E-mail\r\n".encode("utf-16-le") + b"x"
    response = _upload(client, data, coordinator["sanne"])
    assert response.status_code == 422
    assert "cannot be read as text" in response.text


LINES = (
    "Bedrijfsnaam;Contactpersoon;E-mail;Datum;Kanaal\r\n"
    "Bakkerij;Piet;piet@bakkerij.example;{day};bezoek\r\n"
    "Slagerij\x00;Els;els@slagerij.example;{day};bezoek\r\n"
    "Drukkerij;Anna\x1b;anna@drukkerij.example;{day};bezoek\r\n"
)


def test_an_import_row_with_a_control_character_gets_a_problem_and_the_good_row_is_kept(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    now = utcnow()
    data = LINES.format(day=now.date().strftime("%d-%m-%Y")).encode()
    preview = preview_import(data, org, manager, manager, now)
    assert [row.line for row in preview.importable] == [2]
    problems = {row.line: " ".join(row.problems) for row in preview.rejected}
    assert set(problems) == {3, 4}
    assert all("Bevat onzichtbare stuurtekens" in text for text in problems.values())
    assert db.session.scalars(select(Contact)).all() == []


def _contact_form(client, **changes) -> dict:
    page = client.get("/contacts/new")
    return {
        "csrf_token": csrf_token_in(page.text),
        "company_name": "Bakkerij De Korenaar",
        "person_name": "Fatima El Amrani",
        "email": "fatima@korenaar.example",
        "locale": "nl",
        "contacted_on": utcnow().date().isoformat(),
        "channel": "visit",
        "subject": "Uitbreiding",
        **changes,
    }


@pytest.mark.parametrize("field", ["company_name", "person_name", "subject", "registry_number"])
def test_a_line_break_in_a_one_line_contact_field_is_refused(app, client, coordinator, field):
    data = _contact_form(client, account_manager=str(coordinator["sanne"]))
    data[field] = "Bakker\r\nBcc: x@y.nl"
    response = client.post("/contacts/new", data=data)
    assert response.status_code == 422
    assert "Use a single line without line breaks." in response.text
    with app.app_context():
        assert len(db.session.scalars(select(Contact)).all()) == 1  # the fixture's only
