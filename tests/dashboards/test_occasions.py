"""The dashboards keep contact surveys and event evaluations apart: contact surveys by default,
event evaluations on request, each with its own questionnaires, people and channels."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories
from tests.events.test_results import evaluate, workshop, workshop_answers
from tests.factories import rated_answers

PERIOD = {"first": "2026-01", "last": "2026-12"}
EVENTS = {**PERIOD, "occasion": "event_participant"}


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


@pytest.fixture
def both(app):
    """Six contact surveys of Sanne (grade 9, one remark) and seven evaluations of Cora's
    workshop (grade 4, one remark), all in March 2026."""
    with app.app_context():
        factories.workshop_version()
        org = factories.organisation()
        sanne = factories.user(org, name="Sanne Aa")
        cora = factories.user(
            org, Role.COORDINATOR, email="coord@a.example", name="Cora Co", locale="en"
        )
        at = datetime(2026, 3, 10, 10, tzinfo=UTC)
        for index in range(6):
            answers = rated_answers(9, 5) | ({"improve": "Contactopmerking"} if not index else {})
            factories.response(org, sanne, answers, submitted_at=at)
        event = workshop(org, organiser=cora, starts_at=datetime(2026, 3, 2, 14, tzinfo=UTC))
        for index in range(7):
            evaluate(event, workshop_answers(4, remark="Workshopopmerking" if not index else None))
        db.session.commit()
        return {"cora": cora.id}


def test_the_dashboard_shows_contact_surveys_by_default(client, log_in, both):
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string=PERIOD)
    text = _text(page)
    assert page.status_code == 200 and "Based on 6 responses." in text
    assert "Overall grade 9.0" in text
    assert '<option value="event">' not in page.text  # no channel "event" for contacts
    assert re.search(r'aria-current="true"[^>]*>Contact surveys<', page.text)


def test_the_filter_shows_the_event_evaluations_with_their_own_questionnaire(client, log_in, both):
    log_in("coord@a.example")
    page = client.get("/dashboard", query_string=EVENTS)
    text = _text(page)
    assert page.status_code == 200 and "Based on 7 responses." in text
    assert "Overall grade 4.0" in text
    assert 'name="channel"' not in page.text  # every evaluation comes through "event"
    assert "Organiser" in text and f'value="{both["cora"]}"' in page.text
    assert 'name="occasion" value="event_participant"' in page.text  # kept when filtering


def test_open_answers_and_export_follow_the_kind_of_occasion(client, log_in, both):
    log_in("coord@a.example")
    contacts = _text(client.get("/dashboard/open-answers", query_string=PERIOD))
    events = _text(client.get("/dashboard/open-answers", query_string=EVENTS))
    assert "Contactopmerking" in contacts and "Workshopopmerking" not in contacts
    assert "Workshopopmerking" in events and "Contactopmerking" not in events
    exported = client.get("/dashboard/export.csv", query_string=EVENTS)
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 7 and "Overall, how would you rate this meeting?" in rows[0]


def test_the_managers_page_compares_organisers_for_events(client, log_in, both):
    log_in("coord@a.example")
    page = client.get("/dashboard/managers", query_string=EVENTS)
    assert page.status_code == 200 and "Cora Co" in _text(page)


@pytest.mark.parametrize("occasion", ["party", "\x00", "contact" * 20])
def test_an_unknown_kind_of_occasion_is_refused_with_a_message(client, log_in, both, occasion):
    log_in("coord@a.example")
    for path in ("/dashboard", "/dashboard/managers", "/dashboard/open-answers"):
        page = client.get(path, query_string={**PERIOD, "occasion": occasion})
        assert page.status_code == 422 and "Kind of occasion" in page.text
    assert (
        client.get("/dashboard/export.csv", query_string={"occasion": occasion}).status_code == 422
    )


def test_an_organisation_with_only_events_says_so_for_each_kind(app, client, log_in):
    with app.app_context():
        factories.workshop_version()
        org = factories.organisation()
        factories.user(org, Role.COORDINATOR, email="solo@a.example", locale="en")
        db.session.commit()
    log_in("solo@a.example")
    assert "No responses yet." in _text(client.get("/dashboard"))
    page = client.get("/dashboard", query_string={"occasion": "event_participant"})
    assert "No event evaluations yet." in _text(page)
