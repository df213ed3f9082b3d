"""Administrators manage their organisation's staff; everyone manages their own password."""

import pytest
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.accounts.staff import StaffError, update_user
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        manager = factories.user(org, email="am@a.example", name="Arie Accountmanager")
        db.session.commit()
        return {"admin": admin.id, "manager": manager.id}


def _post(client, url, data):
    page = client.get(url)
    return client.post(url, data={**data, "csrf_token": csrf_token_in(page.text)})


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_an_admin_adds_a_user_who_can_then_log_in(app, client, log_in, staff):
    log_in("admin@a.example")
    response = _post(
        client,
        "/users/new",
        {
            "name": "Nina Nieuw",
            "email": "nina@a.example",
            "role": "coordinator",
            "password_choice": "set",
            "password": "welkom bij de gemeente",
        },
    )
    assert response.status_code == 302
    assert "Nina Nieuw" in client.get("/users/").text
    user = _user(app, "nina@a.example")
    assert (
        user.role is Role.COORDINATOR
        and user.organisation_id == _user(app, "admin@a.example").organisation_id
    )
    client.delete_cookie("session")
    assert log_in("nina@a.example", "welkom bij de gemeente").status_code == 302


def test_a_new_user_with_a_taken_address_or_short_password_gets_messages(client, log_in, staff):
    log_in("admin@a.example")
    taken = _post(
        client,
        "/users/new",
        {
            "name": "X",
            "email": "AM@a.example",
            "role": "admin",
            "password_choice": "set",
            "password": "lang genoeg wachtwoord",
        },
    )
    assert taken.status_code == 422 and 'class="error-summary"' in taken.text
    short = _post(
        client,
        "/users/new",
        {
            "name": "X",
            "email": "x@a.example",
            "role": "admin",
            "password_choice": "set",
            "password": "kort",
        },
    )
    assert short.status_code == 422 and 'href="#password"' in short.text


def test_an_admin_blocks_a_user_who_then_cannot_log_in(app, client, log_in, staff):
    log_in("admin@a.example")
    response = _post(
        client,
        f"/users/{staff['manager']}",
        {"name": "Arie Accountmanager", "role": "account_manager"},
    )  # unchecked
    assert response.status_code == 302
    assert _user(app, "am@a.example").active is False
    client.delete_cookie("session")
    assert log_in("am@a.example").status_code == 401


def test_a_blocked_user_is_logged_out_of_a_running_session(app, client, log_in, staff):
    log_in("am@a.example")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, staff["manager"]).active = False
        db.session.commit()
    assert client.get("/").status_code == 302


def test_the_last_administrator_cannot_be_demoted_or_blocked(ctx, staff):
    admin = db.session.get(User, staff["admin"])
    for role, active in ((Role.COORDINATOR, True), (Role.ADMIN, False)):
        with pytest.raises(StaffError):
            update_user(admin, name=admin.name, role=role, active=active, actor=admin, now=utcnow())
    second = factories.user(admin.organisation, Role.ADMIN)
    update_user(
        admin, name=admin.name, role=Role.COORDINATOR, active=True, actor=second, now=utcnow()
    )
    assert admin.role is Role.COORDINATOR


def test_the_last_administrator_gets_a_message_on_the_page(app, client, log_in, staff):
    log_in("admin@a.example")
    response = _post(
        client,
        f"/users/{staff['admin']}",
        {"name": "Ada Admin", "role": "coordinator", "active": "y"},
    )
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert _user(app, "admin@a.example").role is Role.ADMIN


def test_only_administrators_manage_users(client, log_in, staff):
    log_in("am@a.example")
    for url in ("/users/", "/users/new", f"/users/{staff['admin']}", "/activity"):
        assert client.get(url).status_code == 403, url
    assert "/users/" not in client.get("/").text


def test_everyone_changes_their_own_password(app, client, log_in, staff):
    log_in("am@a.example")
    wrong = _post(
        client,
        "/account/password",
        {
            "current": "niet het wachtwoord",
            "new": "een nieuw wachtwoord",
            "confirm": "een nieuw wachtwoord",
        },
    )
    assert wrong.status_code == 422
    mismatch = _post(
        client,
        "/account/password",
        {"current": factories.PASSWORD, "new": "een nieuw wachtwoord", "confirm": "iets anders"},
    )
    assert mismatch.status_code == 422
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
    client.delete_cookie("session")
    assert log_in("am@a.example").status_code == 401
    assert log_in("am@a.example", "een nieuw wachtwoord").status_code == 302


def test_a_saved_language_is_used_on_every_page(app, client, log_in, staff):
    log_in("am@a.example")
    assert '<html lang="nl">' in client.get("/").text
    assert _post(client, "/account/language", {"locale": "en"}).status_code == 302
    assert '<html lang="en">' in client.get("/").text
    client.delete_cookie("session")
    log_in("am@a.example")
    assert '<html lang="en">' in client.get("/").text


def test_user_changes_and_logins_are_on_the_activity_log(app, client, log_in, staff):
    log_in("am@a.example", "fout wachtwoord")
    log_in("admin@a.example")
    _post(
        client,
        f"/users/{staff['manager']}",
        {"name": "Arie Accountmanager", "role": "coordinator", "active": "y"},
    )
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [
        Action.USER_CREATED,
        Action.USER_CREATED,
        Action.LOGIN_FAILED,
        Action.LOGIN_SUCCEEDED,
        Action.USER_UPDATED,
    ]
    log = client.get("/activity").text
    assert "Arie Accountmanager" in log and "→" in log


def test_a_name_with_a_line_break_is_refused_at_input(app, client, log_in, staff):
    """Seen: a user name with a line break broke every email signed with it."""
    log_in("admin@a.example")
    edit = f"/users/{staff['manager']}"
    refused = _post(
        client,
        edit,
        {"name": "Arie\nBcc: iedereen@elders.example", "role": "account_manager", "active": "y"},
    )
    assert refused.status_code == 422 and 'href="#name"' in refused.text
    added = _post(
        client,
        "/users/new",
        {
            "name": "Nina\r\nNieuw",
            "email": "nina@a.example",
            "role": "coordinator",
            "password_choice": "link",
        },
    )
    assert added.status_code == 422
    with app.app_context():
        assert _user(app, "am@a.example").name == "Arie Accountmanager"
        org = db.session.get(User, staff["admin"]).organisation
        with pytest.raises(StaffError, match="regel"):
            factories.user(org, name="Nina\nNieuw")
