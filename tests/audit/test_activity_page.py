"""The activity log: filtered by person, kind and months, and saying what each export held."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from survey.accounts.models import Role, User
from survey.accounts.staff import remove_user
from survey.audit.models import Action
from survey.audit.trail import record
from survey.extensions import db
from tests import factories


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def _rows(page) -> list[str]:
    body = page.text.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return [_text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


@pytest.fixture
def trail(app):
    """Org A: an administrator, Sanne and Joris with entries in March and May; org B: one."""
    with app.app_context():
        org = factories.organisation("Gemeente Demodam", timezone="Europe/Amsterdam")
        admin = factories.user(org, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        sanne = factories.user(org, Role.COORDINATOR, name="Sanne de Boer")
        joris = factories.user(org, name="Joris Smit")
        survey = factories.contact_version().questionnaire
        record(Action.LOGIN_SUCCEEDED, datetime(2026, 3, 2, 9, tzinfo=UTC), actor=sanne)
        record(Action.LOGIN_SUCCEEDED, datetime(2026, 5, 4, 9, tzinfo=UTC), actor=joris)
        record(
            Action.RESPONSES_EXPORTED,
            # 23:30 UTC on 31 May is 1 June in Amsterdam: a June entry.
            datetime(2026, 5, 31, 23, 30, tzinfo=UTC),
            actor=sanne,
            format="csv",
            separator=";",
            headings="words",
            rows=42,
            filters={
                "questionnaire": str(survey.id),
                "manager": str(joris.id),
                "channel": "phone",
                "first": "2026-01",
                "last": "2026-05",
            },
        )
        other = factories.organisation()
        record(
            Action.LOGIN_SUCCEEDED, datetime(2026, 3, 2, tzinfo=UTC), actor=factories.user(other)
        )
        db.session.commit()
        return {"sanne": sanne.id, "joris": joris.id, "admin": admin.id}


def test_the_activity_log_is_filtered_by_person_kind_and_months(client, log_in, trail):
    """Seen: the activity log could not be filtered."""
    log_in("admin@a.example")

    def shown(**filters) -> list[str]:
        page = client.get("/activity", query_string=filters)
        assert page.status_code == 200
        return _rows(page)

    everything = shown()
    assert len([row for row in everything if "ingelogd" in row]) >= 2  # and the admin's own
    by_sanne = shown(person=trail["sanne"])
    assert len(by_sanne) == 2 and all("Sanne de Boer" in row for row in by_sanne)
    exports = shown(kind="responses_exported")
    assert len(exports) == 1 and "reacties geëxporteerd" in exports[0]
    march = shown(first="2026-03", last="2026-03")
    assert len(march) == 1 and "Sanne de Boer" in march[0]  # not org B's login that month
    assert shown(first="2026-06", last="2026-06") == exports  # months in local time
    assert shown(person=trail["joris"], kind="responses_exported") == []


def test_an_export_entry_says_the_format_the_filters_and_the_rows(client, log_in, trail):
    """Seen: an export's entry did not say which filter or format."""
    log_in("admin@a.example")
    (entry,) = _rows(client.get("/activity", query_string={"kind": "responses_exported"}))
    assert "CSV gescheiden door puntkomma's, teksten" in entry
    assert "42 rijen" in entry
    assert "vragenlijst: " in entry
    assert "accountmanager: Joris Smit" in entry
    assert "kanaal: telefoongesprek" in entry
    assert "maanden: 2026-01 t/m 2026-05" in entry


def test_odd_filters_get_a_message_and_never_an_error(client, log_in, trail):
    log_in("admin@a.example")
    month = client.get("/activity", query_string={"first": "2026-13"})
    backwards = client.get("/activity", query_string={"first": "2026-06", "last": "2026-01"})
    stranger = client.get("/activity", query_string={"person": "999999", "kind": "nonsense"})
    huge = client.get("/activity", query_string={"first": "99999-01", "page": "9" * 30})
    assert month.status_code == 422 and "Geef een maand als jaar-maand" in _text(month)
    assert backwards.status_code == 422 and "vóór de eerste maand" in _text(backwards)
    assert stranger.status_code == 422 and huge.status_code == 422
    assert client.get("/activity", query_string={"person": "x\x00"}).status_code == 422


def test_a_removed_users_entries_stay_under_former_staff_member(app, client, log_in, trail):
    with app.app_context():
        joris = db.session.get(User, trail["joris"])
        remove_user(joris, actor=db.session.get(User, trail["admin"]), now=datetime.now(UTC))
        db.session.commit()
    log_in("admin@a.example")
    page = client.get("/activity", query_string={"person": trail["joris"]})
    rows = _rows(page)
    assert rows and all("voormalig medewerker" in row for row in rows)
    assert "Joris" not in _text(page)
    export = _rows(client.get("/activity", query_string={"kind": "responses_exported"}))[0]
    assert "accountmanager: voormalig medewerker" in export
