"""The template helpers every page uses: times without seconds in the viewer's zone, numbers
without a negative zero, answers by their labels, parts joined without a dangling dash."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import g
from flask_babel import force_locale

from survey.questionnaires.catalogue import catalogue_questionnaire
from survey.templating import answer_label, decimal, joined, when
from tests import factories


@pytest.fixture
def page(app):
    """A request in Dutch, in Amsterdam's zone."""
    with app.test_request_context("/"):
        g.locale, g.timezone = "nl", "Europe/Amsterdam"
        yield


def test_times_show_hours_and_minutes_in_the_viewers_zone_without_seconds(page):
    moment = datetime(2026, 12, 1, 12, 15, 24, tzinfo=UTC)  # 13:15:24 in Amsterdam
    assert when(moment) == "1 dec 2026, 13:15"
    assert when(moment, "short") == "01-12-2026, 13:15"
    assert when(moment, "long") == "1 december 2026, 13:15"
    assert when(datetime(2026, 7, 1, 22, 5, 59)) == "2 jul 2026, 00:05"  # naive means UTC


def test_times_in_english_have_no_seconds_either(page):
    with force_locale("en"):
        assert when(datetime(2026, 12, 1, 12, 15, 24, tzinfo=UTC)) == "Dec 1, 2026, 13:15"


def test_a_date_is_a_date_and_nothing_is_empty(page):
    assert when(date(2026, 11, 24), "long") == "24 november 2026"
    assert when(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "MMMM yyyy") == "december 2026"
    assert when(None) == ""


@pytest.mark.parametrize(
    ("value", "pattern", "shown"),
    [
        (-0.04, "0.0", "0,0"),
        (-0.0, "0.0", "0,0"),
        (-0.4, "+0;-0", "+0"),
        (-0.06, "0.0", "-0,1"),
        (-1.25, "0.00", "-1,25"),
        (0.04, "+0.0;-0.0", "+0,0"),
        (3.95, "0.0", "4,0"),
    ],
)
def test_a_number_that_rounds_to_zero_shows_no_minus_sign(page, value, pattern, shown):
    # Seen: "-0,0".
    assert decimal(value, pattern) == shown


def test_the_decimalformat_filter_of_every_template_shows_no_negative_zero(app, page):
    template = app.jinja_env.from_string("{{ value|decimalformat('0.0') }}")
    assert template.render(value=-0.01) == "0,0"


def test_parts_are_joined_without_a_dangling_separator():
    # Seen: "24 november 2026 – " for a contact without a subject.
    assert joined(["24 november 2026", None]) == "24 november 2026"
    assert joined(["24 november 2026", ""]) == "24 november 2026"
    assert joined(["Bakkerij", "Uitbreiding"]) == "Bakkerij – Uitbreiding"


@pytest.fixture
def questions(app, page):
    factories.contact_version()
    factories.workshop_version()
    contact = catalogue_questionnaire("contact-survey").latest_version.questions
    workshop = catalogue_questionnaire("workshop-evaluation").latest_version.questions
    return {q.code: q for q in [*contact, *workshop]}


def test_an_answer_shows_its_label_with_its_number(questions):
    # Seen: bare numbers ("4") on the invitation page.
    assert answer_label(4, questions["speed"]) == "4 – Mee eens"
    assert answer_label(10, questions["overall"]) == "10 – uitstekend"
    assert answer_label(7, questions["overall"]) == "7 van 10"
    assert answer_label(0, questions["recommend"]) == "0 – zeer onwaarschijnlijk"
    assert answer_label("newsletter", questions["heard_via"]) == "Nieuwsbrief"
    with force_locale("en"):
        assert answer_label(4, questions["speed"]) == "4 – Agree"


def test_an_answer_no_option_names_is_shown_as_given(questions):
    assert answer_label(9, questions["speed"]) == "9"
    assert answer_label("gone", questions["heard_via"]) == "gone"
    assert answer_label(None, questions["speed"]) == ""
