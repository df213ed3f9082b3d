"""An organisation's time zone: only zones every date library here reads, repaired when stored."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime, get_timezone, get_timezone_location
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from survey import create_app
from survey.accounts.models import Organisation, Role
from survey.accounts.organisation_settings import InvalidSettings, time_zones, update_settings
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

UNUSABLE = ["localtime", "Factory", "UTC", "Etc/GMT+1", "US/Eastern", "GB", "Europe/Testdorp"]
BEFORE_REPAIR = "a84ecb477447"  # the migration before the one that repairs the zones


def test_the_choice_starts_with_amsterdam_and_brussels_and_offers_only_area_city_zones():
    zones = time_zones()
    assert zones[:2] == ("Europe/Amsterdam", "Europe/Brussels")
    assert len(zones) == len(set(zones)) and 300 < len(zones) < 600
    assert "America/Argentina/Buenos_Aires" in zones and "Asia/Tokyo" in zones
    assert not set(UNUSABLE) & set(zones)


def test_every_zone_offered_is_read_by_zoneinfo_and_babel_in_both_languages():
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    for name in time_zones():
        ZoneInfo(name)
        zone = get_timezone(name)
        for locale in ("nl", "en"):
            assert format_datetime(moment, "long", tzinfo=zone, locale=locale)
            assert get_timezone_location(zone, locale=locale)


@pytest.mark.parametrize("name", UNUSABLE)
def test_a_zone_outside_the_choice_is_refused_and_nothing_changes(ctx, name):
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN)
    with pytest.raises(InvalidSettings) as refused:
        update_settings(org, admin, utcnow(), timezone=name)
    assert set(refused.value.errors) == {"timezone"}
    assert org.timezone == "Europe/Amsterdam"


def test_a_zone_from_the_choice_is_stored(ctx):
    org = factories.organisation()
    update_settings(org, factories.user(org, Role.ADMIN), utcnow(), timezone="Asia/Tokyo")
    assert org.timezone == "Asia/Tokyo"


@pytest.fixture
def admin(app, client, log_in):
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.ADMIN, email="admin@a.example", locale="en")
        db.session.commit()
        org_id = org.id
    log_in("admin@a.example")
    return org_id


STAFF_PAGES = ["/", "/contacts", "/contacts/new", "/dashboard", "/outbox", "/settings"]


@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_saving_localtime_is_refused_and_the_staff_pages_keep_working(app, client, admin, name):
    page = client.get("/settings")
    assert f'value="{name}"' not in page.text
    form = {
        "send_delay_days": "1",
        "send_hour": "9",
        "reminder_after_days": "7",
        "link_expiry_days": "28",
        "fatigue_days": "90",
        "min_group_size": "5",
        "timezone": name,
        "locale": "nl",
        "csrf_token": csrf_token_in(page.text),
    }
    response = client.post("/settings", data=form)
    assert response.status_code == 422 and "Choose a time zone." in response.text
    with app.app_context():
        assert db.session.get(Organisation, admin).timezone == "Europe/Amsterdam"
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def test_the_migration_repairs_stored_zones_that_are_not_usable(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'zones.db'}")
    stored = ["localtime", "Factory", "UTC", "Etc/GMT+1", "US/Eastern", "Europe/Brussels"]
    with app.app_context():
        upgrade()
        for name in stored:
            org = factories.organisation()
            db.session.execute(
                text("UPDATE organisation SET timezone = :name WHERE id = :id"),
                {"name": name, "id": org.id},
            )
        db.session.commit()
        downgrade(revision=BEFORE_REPAIR)
        upgrade()
        zones = db.session.scalars(select(Organisation.timezone).order_by(Organisation.id)).all()
        db.session.remove()
        db.engine.dispose()
    assert zones == ["Europe/Amsterdam"] * 5 + ["Europe/Brussels"]
