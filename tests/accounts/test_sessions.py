"""Staff sessions end together: at logout, a password change, a block or a reset; and on their
own after an idle time and an absolute lifetime."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import encode_cookie  # type: ignore[attr-defined]
from sqlalchemy import select

from survey.accounts.login import STAMP_KEY
from survey.accounts.models import Role, User
from survey.accounts.sessions import SessionRules, SessionStamp, session_is_current
from survey.accounts.staff import update_user
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

RULES = SessionRules(idle=timedelta(hours=8), lifetime=timedelta(days=7))
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        factories.user(org, email="am@a.example", name="Arie Accountmanager")
        db.session.commit()
        return admin.id


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _copy_of_the_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """Another browser that got hold of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/")


def _post(client, url, data=None):
    page = client.get("/account")
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token_in(page.text)})


def test_a_copied_cookie_no_longer_works_after_logout(app, client, staff, log_in):
    log_in("am@a.example")
    copied = _copy_of_the_cookie(client)
    assert _replay(app, copied).status_code == 200  # the copy works while the session lasts
    assert _post(client, "/logout").status_code == 302
    replayed = _replay(app, copied)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/login")


def test_logging_out_ends_the_sessions_on_other_devices_too(app, client, staff, log_in):
    log_in("am@a.example")
    laptop = app.test_client()
    laptop.set_cookie("session", _copy_of_the_cookie(client))
    client.delete_cookie("session")
    log_in("am@a.example")  # a second login, say on a phone
    _post(client, "/logout")
    assert laptop.get("/").status_code == 302


def test_a_password_change_ends_every_other_session_but_keeps_this_one(app, client, staff, log_in):
    other = app.test_client()
    log_in("am@a.example")
    other.set_cookie("session", _copy_of_the_cookie(client))
    client.delete_cookie("session")
    log_in("am@a.example")
    changed = _post(
        client,
        "/account/password",
        {
            "current": factories.PASSWORD,
            "new": "een nieuw wachtwoord",
            "confirm": "een nieuw wachtwoord",
        },
    )
    assert changed.status_code == 302
    assert other.get("/").status_code == 302  # the other session is over
    assert client.get("/").status_code == 200  # the one that changed it goes on


def test_a_blocked_user_is_out_at_once(app, client, staff, log_in):
    log_in("am@a.example")
    copied = _copy_of_the_cookie(client)
    with app.app_context():
        admin = db.session.get(User, staff)
        user = _user("am@a.example")
        update_user(user, name=user.name, role=user.role, active=False, actor=admin, now=utcnow())
        db.session.commit()
    assert client.get("/").status_code == 302
    with app.app_context():  # unblocking does not bring the old session back
        user = _user("am@a.example")
        user.active = True
        db.session.commit()
    assert _replay(app, copied).status_code == 302


def test_a_new_login_starts_a_fresh_session(app, client, staff, log_in):
    """Whatever a browser carried before logging in (a planted session) is gone after it."""
    client.get("/language/en")  # the visitor's language choice is kept
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in("am@a.example")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"
        assert session[STAMP_KEY]["v"] == 1


def test_an_idle_session_ends(app, client, staff, log_in):
    log_in("am@a.example")
    nine_hours_ago = int((utcnow() - timedelta(hours=9)).timestamp())
    with client.session_transaction() as session:
        session[STAMP_KEY] = {**session[STAMP_KEY], "seen": nine_hours_ago}
    assert client.get("/").status_code == 302


def test_a_session_ends_after_its_lifetime_however_busy(app, client, staff, log_in):
    log_in("am@a.example")
    eight_days_ago = int((utcnow() - timedelta(days=8)).timestamp())
    with client.session_transaction() as session:
        session[STAMP_KEY] = {**session[STAMP_KEY], "start": eight_days_ago}
    assert client.get("/").status_code == 302


def test_the_session_rules_count_idle_time_and_lifetime(ctx):
    user = factories.user(factories.organisation())
    stamp = SessionStamp.begin(user, MONDAY)
    assert session_is_current(user, stamp, RULES, MONDAY + timedelta(hours=8))
    assert not session_is_current(user, stamp, RULES, MONDAY + timedelta(hours=8, seconds=1))
    # Used every few hours, it still ends a week after logging in.
    for hours in range(4, 7 * 24, 4):
        stamp = stamp.seen(MONDAY + timedelta(hours=hours))
        assert session_is_current(user, stamp, RULES, MONDAY + timedelta(hours=hours))
    assert not session_is_current(
        user,
        stamp.seen(MONDAY + timedelta(days=7, minutes=1)),
        RULES,
        MONDAY + timedelta(days=7, minutes=1),
    )
    # A session of an older version, of a blocked user, or without a stamp is over.
    user.session_version += 1
    assert not session_is_current(user, SessionStamp(1, MONDAY, MONDAY), RULES, MONDAY)
    assert session_is_current(user, SessionStamp(2, MONDAY, MONDAY), RULES, MONDAY)
    user.active = False
    assert not session_is_current(user, SessionStamp(2, MONDAY, MONDAY), RULES, MONDAY)
    assert not session_is_current(user, None, RULES, MONDAY)


def test_a_stamp_survives_the_cookie_and_a_forged_one_is_ignored():
    stamp = SessionStamp(3, MONDAY, MONDAY + timedelta(hours=1))
    assert SessionStamp.from_cookie(stamp.to_cookie()) == stamp
    for forged in (
        None,
        "x",
        {"v": "3", "start": 1, "seen": 1},
        {"v": 3},
        {"v": True, "start": 1, "seen": 1},
    ):
        assert SessionStamp.from_cookie(forged) is None


def test_the_session_settings_and_no_31_day_cookie(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 8 * 60
    assert app.config["SESSION_MAX_DAYS"] == 7
    assert app.permanent_session_lifetime == timedelta(days=7)


def test_a_remember_me_cookie_does_not_log_anyone_in(app, client, staff):
    """Flask-Login's remember cookie is never set; one made by hand opens nothing either."""
    with app.test_request_context():
        forged = encode_cookie(str(staff))
    client.set_cookie("remember_token", forged)
    assert client.get("/").status_code == 302
