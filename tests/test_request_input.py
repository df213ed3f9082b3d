"""The readers of request input: each kind of value read one way, odd input never an error."""

from __future__ import annotations

import re
from datetime import date

import pytest
from wtforms import Form, StringField

from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.request_input import (
    CONTROL_CHARACTERS,
    MAX_ID,
    MAX_PAGE,
    Month,
    SingleLine,
    bounded_int,
    choice,
    local_path,
    month,
    page_number,
    record_id,
    search_text,
    without_nul,
)
from tests import factories
from tests.conftest import csrf_token_in

# Ways found in the wild to make a "local" next= lead to another site.
BYPASSES = [
    "//evil.example",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil",
    "\\/evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "%252F%252Fevil.example",
    "/%252F/evil.example",
    "/%5Cevil.example",
    "/%255Cevil.example",
    "http:evil.example",
    "http://evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "／／evil.example",
    "/／evil.example",
    "%EF%BC%8F%EF%BC%8Fevil.example",
    "/\uff3cevil.example",
    " //evil.example",
    "\t//evil.example",
    "evil.example",
    "/%25252525252F/evil.example",
    "/ok\r\nSet-Cookie: x=1",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_a_next_path_that_could_lead_to_another_site_is_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize(
    "target",
    ["/", "/contacts", "/contacts?q=caf%C3%A9&page=2", "/dashboard?first=2026-01#scores"],
)
def test_a_path_on_this_site_is_followed(target):
    assert local_path(target) == target


def test_nothing_or_a_very_long_next_is_no_path():
    assert local_path(None) is None
    assert local_path("") is None
    assert local_path("/" + "a" * 5000) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 7 ", 7),
        ("10000", 10_000),
        ("0", None),
        ("-1", None),
        ("1e19", None),
        ("1.0", None),
        ("10001", None),
        ("", None),
        (None, None),
        ("٣", None),
        ("9" * 5000, None),
    ],
)
def test_a_bounded_number_is_digits_within_its_range(text, expected):
    assert bounded_int(text, 1, 10_000) == expected


def test_a_page_out_of_range_or_unreadable_is_the_first_page():
    assert page_number("3") == 3
    assert page_number(str(MAX_PAGE)) == MAX_PAGE
    for text in (None, "", "0", "-5", "1e19", str(MAX_PAGE + 1), "10000000000000000000", "x"):
        assert page_number(text) == 1


def test_a_record_id_fits_a_database_integer():
    assert record_id("42") == 42
    assert record_id(str(MAX_ID)) == MAX_ID
    assert record_id(str(MAX_ID + 1)) is None
    assert record_id("9223372036854775807") is None
    assert record_id("0") is None


def test_search_text_loses_control_characters_and_is_capped():
    assert search_text("\x00") == ""
    assert search_text(" Bakker\x00ij\r\n BV ") == "Bakker ij BV"
    assert search_text(None) == ""
    assert len(search_text("a" * 1000)) == 200
    assert search_text("café") == "café"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", date(2026, 3, 1)),
        ("2000-01", date(2000, 1, 1)),
        ("2100-12", date(2100, 12, 1)),
        ("0000-01", None),
        ("1999-12", None),
        ("2101-01", None),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-3", None),
        ("26-03", None),
        ("", None),
        (None, None),
    ],
)
def test_a_month_is_year_dash_month_in_a_sane_range(text, expected):
    assert month(text) == expected


def test_a_choice_is_a_member_none_or_refused():
    assert choice(InvitationState, "sent") is InvitationState.SENT
    assert choice(InvitationState, "") is None
    with pytest.raises(ValueError):
        choice(InvitationState, "nonsense\x00")


class _Form(Form):
    name = StringField(validators=[SingleLine()], filters=[without_nul])
    first = StringField(validators=[Month()])


class _Data(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


@pytest.mark.parametrize("name", ["Piet\nJansen", "Piet\rJansen", "Piet\tJansen", "a\x1bb"])
def test_a_one_line_field_refuses_line_breaks_and_control_characters(ctx, name):
    form = _Form(_Data(name=name))
    assert not form.validate()
    assert form.name.errors == ["Gebruik één regel, zonder regeleinden."]  # Dutch by default


def test_a_one_line_field_drops_nul_and_takes_any_other_name(ctx):
    form = _Form(_Data(name="Jansen, Piet (EZ)\x00 – 王 😀"))
    assert form.validate()
    assert form.name.data == "Jansen, Piet (EZ) – 王 😀"


def test_a_month_field_refuses_a_month_out_of_range(ctx):
    form = _Form(_Data(first="0000-01"))
    assert not form.validate()
    assert "2000" in form.first.errors[0]


SAME_SITE = re.compile(r"/(?:[^/\\].*)?", re.S)


def _same_site(location: str) -> bool:
    return bool(SAME_SITE.fullmatch(location)) and not CONTROL_CHARACTERS.search(location)


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_never_leads_to_another_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    assert _same_site(response.headers["Location"]), response.headers["Location"]


def test_the_language_switch_goes_back_to_the_page_it_was_asked_on(client):
    response = client.get("/language/en", query_string={"next": "/contacts?q=caf%C3%A9"})
    assert response.headers["Location"] == "/contacts?q=caf%C3%A9"


@pytest.fixture
def member_of_staff(app) -> str:
    with app.app_context():
        factories.user(factories.organisation(), email="sanne@a.example")
        db.session.commit()
    return "sanne@a.example"


def test_logging_in_never_leads_to_another_site(app, member_of_staff):
    for target in [*BYPASSES, "/contacts"]:
        client = app.test_client()
        page = client.get("/login", query_string={"next": target})
        response = client.post(
            "/login",
            query_string={"next": target},
            data={
                "email": member_of_staff,
                "password": factories.PASSWORD,
                "csrf_token": csrf_token_in(page.text),
            },
        )
        assert response.status_code == 302, target
        assert _same_site(response.headers["Location"]), (target, response.headers["Location"])
    assert response.headers["Location"] == "/contacts"  # a path of this site is followed


@pytest.mark.parametrize("path", ["/outbox/10000000000000000000", "/invitations/2147483648"])
def test_an_id_in_a_path_past_a_database_integer_is_not_found(client, path):
    assert client.get(path).status_code == 404  # not a login prompt: no such page
