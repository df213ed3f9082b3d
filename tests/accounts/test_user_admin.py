"""Administrators manage their organisation's staff; everyone manages their own password."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.accounts.email_change import request_email_change
from survey.accounts.models import Role, User
from survey.accounts.password_links import (
    LinkKind,
    LinkState,
    make_password_token,
    read_password_token,
)
from survey.accounts.staff import StaffError, remove_user, update_user
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailPurpose, OutboundEmail
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


def _delivered(app) -> None:
    with app.app_context():
        send_outbox()


def _confirmation_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/account/email/\S+)", text).group(1)


def test_an_admin_changes_an_email_address_which_its_owner_confirms(
    app, client, log_in, staff, mail_server
):
    """Seen: an administrator could not change a user's email address."""
    log_in("admin@a.example")
    edit = f"/users/{staff['manager']}"
    asked = _post(client, f"/users/{staff['manager']}/email", {"change-email": "arie@b.example"})
    assert asked.status_code == 302
    assert "arie@b.example" in client.get(edit).text  # waiting for its owner
    assert _user(app, "am@a.example") is not None  # nothing changed yet
    _delivered(app)
    (to_new,) = mail_server.received
    assert to_new.recipients == ["arie@b.example"]
    link = _confirmation_link(to_new.message)

    client.delete_cookie("session")
    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "arie@b.example" in page.text
    assert _user(app, "arie@b.example") is None
    confirmed = client.post(link, data={"csrf_token": csrf_token_in(page.text)})
    assert confirmed.status_code == 302

    assert _user(app, "am@a.example") is None and _user(app, "arie@b.example") is not None
    assert client.get(link).status_code == 410  # the link works once
    _delivered(app)
    notice = mail_server.received[1]
    assert notice.recipients == ["am@a.example"]
    assert "arie@b.example" in notice.message.get_body(("plain",)).get_content()
    assert log_in("arie@b.example").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {Action.EMAIL_CHANGE_REQUESTED, Action.EMAIL_CHANGED} <= set(actions)


def test_a_new_address_that_is_taken_or_not_an_address_is_refused(app, client, log_in, staff):
    log_in("admin@a.example")
    url = f"/users/{staff['manager']}/email"
    taken = _post(client, url, {"change-email": "admin@a.example"})
    odd = _post(client, url, {"change-email": "geen adres"})
    assert taken.status_code == 422 and "bestaat al" in taken.text
    assert odd.status_code == 422
    assert _user(app, "am@a.example").pending_email is None


def test_an_older_confirmation_link_stops_working_when_another_address_is_asked(ctx, staff):
    manager = db.session.get(User, staff["manager"])
    admin = db.session.get(User, staff["admin"])
    now = utcnow()
    request_email_change(manager, "first@b.example", actor=admin, now=now)
    first = make_password_token(manager, LinkKind.EMAIL, ["test-secret"], now)
    request_email_change(manager, "second@b.example", actor=admin, now=now)
    state, _ = read_password_token(first, LinkKind.EMAIL, ["test-secret"], timedelta(hours=1), now)
    assert state is LinkState.USED


def test_an_admin_removes_someone_who_left_and_their_figures_stay(app, client, log_in, staff):
    """Seen: an administrator could not remove a user who left."""
    with app.app_context():
        manager = db.session.get(User, staff["manager"])
        made = factories.response(manager.organisation, manager, factories.rated_answers(8))
        invitation_id = made.invitation_id
        db.session.commit()
    log_in("am@a.example")
    assert client.get("/dashboard").status_code == 200
    other = app.test_client()
    page = other.get("/login")
    other.post(
        "/login",
        data={
            "email": "admin@a.example",
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    removed = _post(other, f"/users/{staff['manager']}/remove", {})

    assert removed.status_code == 302
    assert client.get("/dashboard").status_code == 302  # their session has ended
    assert log_in("am@a.example").status_code != 302  # and they cannot log in again
    with app.app_context():
        user = db.session.get(User, staff["manager"])
        assert user.removed_at is not None and not user.active
        assert "Arie" not in user.stored_name and user.email != "am@a.example"
    assert "Arie Accountmanager" in other.get("/users/").text  # the message that it is done
    listing = other.get("/users/").text
    assert "Arie" not in listing and "voormalig medewerker" not in listing
    invitation = other.get(f"/invitations/{invitation_id}").text
    assert "voormalig medewerker" in invitation and "Arie" not in invitation
    assert other.get(f"/users/{staff['manager']}").status_code == 404


def test_the_last_active_administrator_cannot_be_removed(ctx, staff):
    org = db.session.get(User, staff["admin"]).organisation
    other_admin = factories.user(org, Role.ADMIN)
    admin = db.session.get(User, staff["admin"])
    with pytest.raises(StaffError, match="uzelf"):
        remove_user(admin, actor=admin, now=utcnow())
    update_user(
        other_admin, name="Tweede", role=Role.ADMIN, active=False, actor=admin, now=utcnow()
    )
    with pytest.raises(StaffError, match="enige actieve beheerder"):
        remove_user(admin, actor=other_admin, now=utcnow())
    assert admin.removed_at is None


def test_a_removed_users_names_and_addresses_leave_the_activity_log(ctx, staff):
    admin = db.session.get(User, staff["admin"])
    manager = db.session.get(User, staff["manager"])
    update_user(
        manager, name="Arie de Vries", role=manager.role, active=True, actor=admin, now=utcnow()
    )
    request_email_change(manager, "arie@b.example", actor=admin, now=utcnow())

    remove_user(manager, actor=admin, now=utcnow())
    db.session.flush()

    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "User", AuditEvent.subject_id == manager.id
        )
    ).all()
    assert {Action.USER_UPDATED, Action.EMAIL_CHANGE_REQUESTED, Action.USER_REMOVED} <= {
        event.action for event in events
    }
    kept = str([event.detail for event in events])
    assert "Arie" not in kept and "arie@b.example" not in kept and "am@a.example" not in kept


def test_the_outbox_shows_the_confirmation_link_without_its_key(app, client, log_in, staff):
    """The administrator who asked for the change cannot confirm it in the owner's place."""
    log_in("admin@a.example")
    _post(client, f"/users/{staff['manager']}/email", {"change-email": "arie@b.example"})
    with app.app_context():
        email = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.purpose == EmailPurpose.EMAIL_CHANGE)
        ).one()
        token = re.search(r"/account/email/(\S+)", email.text_body).group(1)
    page = client.get(f"/outbox/{email.id}")
    assert page.status_code == 200
    assert "/account/email/…" in page.text and token not in page.text
