"""Emailed links to choose a password: "Forgot password?" and an administrator's link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.accounts.password_links import (
    LinkKind,
    LinkState,
    make_password_token,
    read_password_token,
)
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailPurpose, OutboundEmail
from tests import factories
from tests.conftest import csrf_token_in

KEYS = ["test-secret"]
NEW_PASSWORD = "fiets trein boot 42"


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation("Gemeente Demodam")
        admin = factories.user(org, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        factories.user(org, email="eva@a.example", name="Eva Smit", locale="en")
        db.session.commit()
        return {"admin": admin.id, "organisation": org.name}


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _post_form(client, url: str, data: dict, page_url: str | None = None):
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_token_in(page.text)})


def _ask_for_a_reset(client, email: str):
    return _post_form(client, "/password/forgot", {"email": email})


def _delivered(app) -> None:
    with app.app_context():
        send_outbox()


def _link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/password/\w+/\S+)", text).group(1)


def test_forgot_password_emails_a_link_that_sets_a_new_password_once(
    app, client, staff, mail_server
):
    answer = _ask_for_a_reset(client, "Eva@a.example")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    _delivered(app)
    (received,) = mail_server.received
    message = received.message
    assert received.recipients == ["eva@a.example"]
    assert message["Subject"] == "Choose a new password for Spiegel"  # Eva reads English
    assert "within 1 hour" in message.get_body(("plain",)).get_content()
    link = _link_in(message)

    with app.app_context():
        old_hash = _user("eva@a.example").password_hash
    assert client.get(link).status_code == 200
    with app.app_context():  # opening the link (as mail scanners do) changes nothing
        assert _user("eva@a.example").password_hash == old_hash

    saved = _post_form(client, link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert saved.status_code == 302 and saved.headers["Location"] == "/login"
    again = client.get(link)
    assert again.status_code == 410 and 'href="/password/forgot"' in again.text
    assert client.post("/login", data={}).status_code != 302
    page = client.get("/login")
    logged_in = client.post(
        "/login",
        data={
            "email": "eva@a.example",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    assert logged_in.status_code == 302


def test_a_reset_ends_every_session_and_is_on_the_activity_log_without_the_link(
    app, client, staff, mail_server, log_in
):
    log_in("eva@a.example")
    laptop = app.test_client()
    laptop.set_cookie("session", client.get_cookie("session").value)
    client.delete_cookie("session")
    _ask_for_a_reset(client, "eva@a.example")
    _delivered(app)
    link = _link_in(mail_server.received[0].message)
    _post_form(client, link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert laptop.get("/").status_code == 302
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [event.action for event in events]
        assert Action.PASSWORD_RESET_REQUESTED in actions
        assert Action.PASSWORD_SET_THROUGH_LINK in actions
        token = link.rsplit("/", 1)[1]
        assert all(token not in str(event.detail) for event in events)


def test_the_forgot_page_answers_the_same_for_unknown_and_blocked_addresses(app, client, staff):
    with app.app_context():
        blocked = factories.user(
            db.session.get(User, staff["admin"]).organisation, email="weg@a.example"
        )
        blocked.active = False
        db.session.commit()
    pages = []
    for email in ("eva@a.example", "niemand@a.example", "weg@a.example"):
        answer = _ask_for_a_reset(client, email)
        assert (answer.status_code, answer.headers["Location"]) == (302, "/login")
        pages.append(re.sub(r'value="[^"]*"', "", client.get("/login").text.replace(email, "X")))
    assert pages[0] == pages[1] == pages[2]
    with app.app_context():
        recipients = db.session.scalars(select(OutboundEmail.recipient)).all()
    assert recipients == ["eva@a.example"]


def test_reset_emails_are_limited_per_account_and_requests_per_address(app, client, staff):
    for _ in range(5):
        assert _ask_for_a_reset(client, "eva@a.example").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(OutboundEmail)).all()) == 3
    for number in range(15):
        assert _ask_for_a_reset(client, f"x{number}@a.example").status_code == 302
    refused = _ask_for_a_reset(client, "eva@a.example")  # the 21st request from this address
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_an_expired_or_tampered_link_gets_a_friendly_page(app, client, staff):
    with app.app_context():
        eva = _user("eva@a.example")
        old = make_password_token(eva, LinkKind.RESET, KEYS, utcnow() - timedelta(minutes=61))
    expired = client.get(f"/password/reset/{old}")
    assert (
        expired.status_code == 410
        and "Ask for a new link" in expired.text
        or "nieuwe link" in expired.text
    )
    token = csrf_token_in(client.get("/login").text)
    posted = client.post(f"/password/reset/{old}", data={"new": NEW_PASSWORD, "csrf_token": token})
    assert posted.status_code == 410
    tampered = client.get(f"/password/reset/{old[:-3]}abc")
    assert tampered.status_code == 404 and 'href="/password/forgot"' in tampered.text


def test_a_link_is_dead_once_the_password_changed_otherwise_and_kinds_do_not_mix(ctx, staff):
    now = utcnow().replace(microsecond=0)  # links carry whole seconds
    eva = _user("eva@a.example")
    token = make_password_token(eva, LinkKind.RESET, KEYS, now)
    hour = timedelta(hours=1)
    assert read_password_token(token, LinkKind.RESET, KEYS, hour, now) == (LinkState.VALID, eva)
    assert read_password_token(token, LinkKind.SETUP, KEYS, hour, now)[0] is LinkState.INVALID
    assert read_password_token(token, LinkKind.RESET, KEYS, hour, now + hour)[0] is LinkState.VALID
    assert (
        read_password_token(token, LinkKind.RESET, KEYS, hour, now + hour + timedelta(seconds=1))[0]
        is LinkState.EXPIRED
    )
    # A rotated key: the old one, now a fallback, still reads the link.
    assert (
        read_password_token(token, LinkKind.RESET, ["test-secret", "new"], hour, now)[0]
        is LinkState.VALID
    )
    eva.session_version += 1  # logged out everywhere, or blocked and let in again
    assert read_password_token(token, LinkKind.RESET, KEYS, hour, now)[0] is LinkState.USED


def test_the_link_page_applies_the_password_policy(app, client, staff):
    with app.app_context():
        token = make_password_token(_user("eva@a.example"), LinkKind.RESET, KEYS, utcnow())
    link = f"/password/reset/{token}"
    refused = _post_form(client, link, {"new": "password1234", "confirm": "password1234"})
    assert refused.status_code == 422 and 'href="#new"' in refused.text


def test_an_admin_adds_a_user_who_gets_a_link_to_choose_a_password(
    app, client, staff, mail_server, log_in
):
    log_in("admin@a.example")
    added = _post_form(
        client,
        "/users/new",
        {
            "name": "Nina Nieuw",
            "email": "nina@a.example",
            "role": "coordinator",
            "password_choice": "link",
        },
    )
    assert added.status_code == 302
    assert "nina@a.example" in client.get("/users/").text
    _delivered(app)
    (received,) = mail_server.received
    text = received.message.get_body(("plain",)).get_content()
    assert received.recipients == ["nina@a.example"]
    assert f"Ada Admin heeft een account voor u aangemaakt voor {staff['organisation']}" in text
    assert "binnen 72 uur" in text
    link = _link_in(received.message)
    assert link.startswith("/password/choose/")

    nina = app.test_client()
    assert nina.get(link).status_code == 200
    assert _post_form(nina, link, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    page = nina.get("/login")
    response = nina.post(
        "/login",
        data={
            "email": "nina@a.example",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    assert response.status_code == 302


def test_a_user_added_with_a_link_cannot_log_in_before_choosing(app, client, staff, log_in):
    log_in("admin@a.example")
    _post_form(
        client,
        "/users/new",
        {
            "name": "Nina Nieuw",
            "email": "nina@a.example",
            "role": "coordinator",
            "password_choice": "link",
        },
    )
    with app.app_context():
        assert not _user("nina@a.example").password_hash.startswith("$argon2")
    other = app.test_client()
    page = other.get("/login")
    for guess in ("", "!no-password-yet", "None"):
        response = other.post(
            "/login",
            data={
                "email": "nina@a.example",
                "password": guess,
                "csrf_token": csrf_token_in(page.text),
            },
        )
        assert response.status_code != 302


def test_an_admin_sends_an_existing_user_a_link(app, client, staff, mail_server, log_in):
    log_in("admin@a.example")
    with app.app_context():
        eva = _user("eva@a.example").id
    edit = f"/users/{eva}"
    assert client.post(f"{edit}/password-link").status_code == 400  # no CSRF token
    sent = _post_form(client, f"{edit}/password-link", {}, page_url=edit)
    assert sent.status_code == 302
    _delivered(app)
    (received,) = mail_server.received
    assert (
        "Ada Admin has made you an account" in received.message.get_body(("plain",)).get_content()
    )
    assert _link_in(received.message).startswith("/password/choose/")
    with app.app_context():
        (email,) = db.session.scalars(select(OutboundEmail)).all()
        assert email.purpose is EmailPurpose.PASSWORD_SETUP and email.invitation_id is None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.PASSWORD_LINK_SENT)
        )
        assert event.actor_id == staff["admin"] and event.subject_id == eva


def test_a_setup_link_works_for_72_hours(ctx, staff):
    now = utcnow()
    eva = _user("eva@a.example")
    token = make_password_token(eva, LinkKind.SETUP, KEYS, now)
    lifetime = timedelta(hours=ctx.config["PASSWORD_SETUP_LINK_HOURS"])
    assert lifetime == timedelta(hours=72)
    later = now + timedelta(hours=71)
    assert read_password_token(token, LinkKind.SETUP, KEYS, lifetime, later)[0] is LinkState.VALID
    later = now + timedelta(hours=73)
    assert read_password_token(token, LinkKind.SETUP, KEYS, lifetime, later)[0] is LinkState.EXPIRED


def test_the_outbox_page_shows_a_password_link_without_its_key(app, client, staff, log_in):
    """An administrator reading the outbox cannot use a colleague's link to take their account."""
    _ask_for_a_reset(client, "eva@a.example")
    with app.app_context():
        email = db.session.scalars(select(OutboundEmail)).one()
        token = re.search(r"/password/reset/(\S+)", email.text_body).group(1)
    log_in("admin@a.example")
    page = client.get(f"/outbox/{email.id}")
    assert page.status_code == 200
    assert "/password/reset/…" in page.text and token not in page.text
