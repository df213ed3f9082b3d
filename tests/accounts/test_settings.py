"""Administrators set their organisation's invitation rules; the limits hold for every caller."""

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation, Role
from survey.accounts.organisation_settings import InvalidSettings, update_settings
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

VALID = {
    "send_delay_days": "2",
    "send_hour": "10",
    "reminder_after_days": "7",
    "link_expiry_days": "28",
    "fatigue_days": "60",
    "min_group_size": "8",
    "timezone": "Europe/Brussels",
    "locale": "en",
    "contact_email": " Loket@Testdorp.example ",
    "contact_phone": "+31 (0)20 123 45 67",
}


def _settings(org: Organisation) -> dict:
    return {
        field: getattr(org, field)
        for field in (
            "send_delay_days",
            "send_hour",
            "reminder_after_days",
            "link_expiry_days",
            "fatigue_days",
            "min_group_size",
            "timezone",
            "locale",
            "contact_email",
            "contact_phone",
        )
    }


def _settings_events():
    return select(AuditEvent).where(AuditEvent.action == Action.SETTINGS_CHANGED)


# The rules, without HTTP


def test_new_settings_are_stored_and_the_change_is_on_the_audit_trail(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    changes = update_settings(
        org, admin, utcnow(), "192.0.2.1", send_hour=7, fatigue_days=0, contact_email="a@b.nl"
    )
    assert changes == {
        "send_hour": [9, 7],
        "fatigue_days": [90, 0],
        "contact_email": [None, "a@b.nl"],
    }
    assert (org.send_hour, org.fatigue_days, org.contact_email) == (7, 0, "a@b.nl")
    db.session.flush()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == Action.SETTINGS_CHANGED)
    )
    assert event.actor_id == admin.id and event.organisation_id == org.id
    assert event.remote_addr == "192.0.2.1"
    assert event.detail["changes"]["send_hour"] == [9, 7]


def test_saving_the_same_values_records_nothing(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    assert update_settings(org, admin, utcnow(), send_hour=9, contact_phone="  ") == {}
    db.session.flush()
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == Action.SETTINGS_CHANGED))
        is None
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("send_hour", 5),
        ("send_hour", 21),
        ("send_delay_days", 0),
        ("send_delay_days", 11),
        ("fatigue_days", -1),
        ("fatigue_days", 366),
        ("reminder_after_days", 31),
        ("link_expiry_days", 0),
        ("link_expiry_days", 91),
        ("min_group_size", 2),
        ("min_group_size", 51),
        ("send_hour", True),
        ("send_hour", "9"),
        ("timezone", "Europe/Testdorp"),
        ("locale", "de"),
        ("contact_email", "loket at testdorp"),
        ("contact_phone", "bel ons"),
    ],
)
def test_a_value_out_of_bounds_is_refused_and_nothing_changes(ctx, field, value):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    before = _settings(org)
    with pytest.raises(InvalidSettings) as refused:
        update_settings(org, admin, utcnow(), **{"min_group_size": 10, field: value})
    assert field in refused.value.errors
    assert _settings(org) == before


@pytest.mark.parametrize(
    "field, low, high",
    [
        ("send_hour", 6, 20),
        ("send_delay_days", 1, 10),
        ("fatigue_days", 0, 365),
        ("reminder_after_days", 0, 20),
        ("link_expiry_days", 21, 90),
        ("min_group_size", 3, 50),
    ],
)
def test_the_bounds_themselves_are_allowed(ctx, field, low, high):
    org = factories.organisation()  # link_expiry_days 21, reminder_after_days 5
    admin = factories.user(org, Role.ADMIN)
    for value in (low, high):
        update_settings(org, admin, utcnow(), **{field: value})
        assert getattr(org, field) == value


def test_the_reminder_must_come_before_the_link_closes(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    with pytest.raises(InvalidSettings) as refused, force_locale("en"):
        update_settings(org, admin, utcnow(), reminder_after_days=14, link_expiry_days=14)
    assert "fewer than 14 days" in refused.value.errors["reminder_after_days"]
    with pytest.raises(InvalidSettings):
        update_settings(org, admin, utcnow(), link_expiry_days=5)  # the reminder is after 5 days
    update_settings(org, admin, utcnow(), reminder_after_days=0, link_expiry_days=3)
    assert (org.reminder_after_days, org.link_expiry_days) == (0, 3)


def test_every_refused_value_is_named_at_once(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    with pytest.raises(InvalidSettings) as refused:
        update_settings(org, admin, utcnow(), send_hour=3, min_group_size=1, locale="fr")
    assert set(refused.value.errors) == {"send_hour", "min_group_size", "locale"}


def test_an_unknown_setting_is_a_programming_error(ctx):
    org = factories.organisation()
    with pytest.raises(TypeError):
        update_settings(org, factories.user(org, Role.ADMIN), utcnow(), name="Andere naam")


# The page


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation()
        other = factories.organisation("Gemeente Elders")
        # English screens, so the messages read here stay as written once translated.
        factories.user(org, Role.ADMIN, email="admin@a.example", locale="en")
        factories.user(org, Role.COORDINATOR, email="coordinator@a.example")
        factories.user(org, Role.ACCOUNT_MANAGER, email="am@a.example")
        db.session.commit()
        return {"org": org.id, "other": other.id}


def _organisation(app, org_id) -> dict:
    with app.app_context():
        return _settings(db.session.get(Organisation, org_id))


def _post(client, data):
    page = client.get("/settings")
    return client.post("/settings", data={**data, "csrf_token": csrf_token_in(page.text)})


def test_an_admin_changes_the_settings_and_they_stick(app, client, log_in, staff):
    log_in("admin@a.example")
    page = client.get("/settings")
    assert page.status_code == 200
    assert "1 working day after the contact, at 09:00 (Europe/Amsterdam time)" in page.text
    assert page.text.count("<fieldset") >= 5 and page.text.count("<legend") >= 5
    response = _post(client, VALID)
    assert response.status_code == 302
    assert _organisation(app, staff["org"]) == {
        **{field: int(value) for field, value in VALID.items() if value.isdigit()},
        "timezone": "Europe/Brussels",
        "locale": "en",
        "contact_email": "Loket@testdorp.example",
        "contact_phone": "+31 (0)20 123 45 67",
    }
    again = client.get("/settings")
    assert "2 working days after the contact, at 10:00 (Europe/Brussels time)" in again.text
    assert re.search(r'id="send_hour"[^>]*value="10"', again.text)
    assert '<option selected value="Europe/Brussels">' in again.text
    # The other organisation keeps its own rules.
    assert _organisation(app, staff["other"])["send_hour"] == 9


def test_bad_values_get_messages_by_the_fields_and_change_nothing(app, client, log_in, staff):
    log_in("admin@a.example")
    before = _organisation(app, staff["org"])
    response = _post(
        client, {**VALID, "send_hour": "23", "fatigue_days": "veel", "reminder_after_days": "30"}
    )
    assert response.status_code == 422
    html = response.text
    assert 'class="error-summary"' in html
    assert "Choose a whole number from 6 to 20." in html
    assert "Fill in a whole number." in html
    assert "The reminder must go out before the link stops working" in html
    assert 'href="#send_hour"' in html and 'href="#fatigue_days"' in html
    assert 'href="#reminder_after_days"' in html
    assert re.search(r'id="send_hour"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="send_hour"', html
    )
    assert _organisation(app, staff["org"]) == before


@pytest.mark.parametrize("email", ["coordinator@a.example", "am@a.example"])
def test_only_administrators_may_see_or_change_the_settings(app, client, log_in, staff, email):
    log_in(email)
    assert client.get("/settings").status_code == 403
    token = csrf_token_in(client.get("/account").text)
    assert client.post("/settings", data={**VALID, "csrf_token": token}).status_code == 403
    assert _organisation(app, staff["org"])["send_hour"] == 9


def test_anonymous_visitors_are_sent_to_the_login(client, staff):
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# The minimum group size for event results


def test_an_event_minimum_from_three_up_to_the_organisations_minimum_is_kept(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    assert org.event_min_group_size is None  # the organisation's minimum applies
    changes = update_settings(org, admin, utcnow(), event_min_group_size=3)
    assert changes == {"event_min_group_size": [None, 3]}
    update_settings(org, admin, utcnow(), event_min_group_size=5)  # its minimum (5) itself
    assert update_settings(org, admin, utcnow(), event_min_group_size=None) == {
        "event_min_group_size": [5, None]
    }
    db.session.flush()
    recorded = db.session.scalars(_settings_events()).all()
    assert [event.detail["changes"]["event_min_group_size"] for event in recorded] == [
        [None, 3],
        [3, 5],
        [5, None],
    ]


@pytest.mark.parametrize("value", [2, 0, -1, 6, 51, "3", True])
def test_an_event_minimum_below_three_or_above_the_organisations_is_refused(ctx, value):
    org = factories.organisation()  # minimum 5
    with pytest.raises(InvalidSettings) as refused, force_locale("en"):
        update_settings(org, factories.user(org, Role.ADMIN), utcnow(), event_min_group_size=value)
    assert refused.value.errors == {
        "event_min_group_size": "Choose a whole number from 3 to 5, or leave it empty."
    }
    assert org.event_min_group_size is None


def test_lowering_the_minimum_below_the_event_minimum_names_the_event_minimum(ctx):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    update_settings(org, admin, utcnow(), min_group_size=10, event_min_group_size=8)
    with pytest.raises(InvalidSettings) as refused:
        update_settings(org, admin, utcnow(), min_group_size=6)
    assert set(refused.value.errors) == {"event_min_group_size"}
    update_settings(org, admin, utcnow(), min_group_size=6, event_min_group_size=4)
    assert (org.min_group_size, org.event_min_group_size) == (6, 4)


def test_an_admin_sets_the_event_minimum_on_the_page_and_can_empty_it(app, client, log_in, staff):
    log_in("admin@a.example")
    page = client.get("/settings")
    assert "The same minimum applies to the results of an event." in page.text
    assert _post(client, {**VALID, "event_min_group_size": "3"}).status_code == 302
    again = client.get("/settings")
    assert "The results of an event are shown from 3 responses." in again.text
    assert re.search(r'id="event_min_group_size"[^>]*value="3"', again.text)
    assert _post(client, {**VALID, "event_min_group_size": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, staff["org"]).event_min_group_size is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2", "Choose a whole number from 3 to 8, or leave it empty."),
        ("0", "Choose a whole number from 3 to 8, or leave it empty."),
        ("9", "Choose a whole number from 3 to 8, or leave it empty."),
        ("drie", "Fill in a whole number."),
    ],
)
def test_a_bad_event_minimum_gets_a_message_by_its_field(
    app, client, log_in, staff, typed, message
):
    log_in("admin@a.example")
    response = _post(client, {**VALID, "event_min_group_size": typed})  # minimum 8
    assert response.status_code == 422
    assert message in response.text and 'href="#event_min_group_size"' in response.text
    with app.app_context():
        assert db.session.get(Organisation, staff["org"]).event_min_group_size is None
