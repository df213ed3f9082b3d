"""Staff login: Argon2id passwords, CSRF, login limits, cookies and security headers."""

import os
import uuid

import pytest

from config import ProductionConfig, load_config
from survey import create_app
from survey.accounts.models import Role, User
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation()
        user = factories.user(org, Role.COORDINATOR, email="coord@testdorp.example")
        db.session.commit()
        return user.email


def test_a_staff_member_logs_in_and_out(app, client, staff, log_in):
    response = log_in(staff)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    logout = client.post("/logout", data={"csrf_token": csrf_token_in(home.text)})
    assert logout.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_passwords_are_stored_as_argon2id(app, staff):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == staff))
        assert user.password_hash.startswith("$argon2id$")
        assert factories.PASSWORD not in user.password_hash


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, staff, log_in):
    wrong_password = log_in(staff, "not the password")
    unknown_user = log_in("nobody@testdorp.example", "not the password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert 'class="error-summary"' in wrong_password.text
    assert wrong_password.text.count("field-error") == unknown_user.text.count("field-error")


def test_an_inactive_user_cannot_log_in(app, client, staff, log_in):
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == staff)).active = False
        db.session.commit()
    assert log_in(staff).status_code == 401


def test_a_form_without_its_csrf_token_is_refused(client, staff):
    response = client.post("/login", data={"email": staff, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "<h1>" in response.text
    assert client.get("/").status_code == 302  # not logged in


def test_logout_needs_a_post_with_a_csrf_token(client, staff, log_in):
    log_in(staff)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_repeated_failures_from_one_address_stop_that_account_there_for_a_while(
    client, staff, log_in
):
    for _ in range(5):
        assert log_in(staff, "wrong guess").status_code == 401
    blocked = log_in(staff)  # from this address, even the right password waits now
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # Another account from the same address is not affected by this account's lock.
    assert log_in("other@testdorp.example", "wrong guess").status_code == 401


def test_successful_logins_do_not_count_towards_the_limit(client, staff, log_in):
    for _ in range(8):
        assert log_in(staff).status_code == 302
        client.get("/")  # already logged in now; log out through a fresh client session
        client.delete_cookie("session")


def test_the_session_cookie_is_httponly_and_samesite_lax(client, staff, log_in):
    response = log_in(staff)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_a_secret_key_is_required(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config("production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "kW3v9Qm0r7TzLx2bYc5NpAe8HsJdFgUi1oRt")
    production = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True


def test_every_page_sends_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # No inline script or style that the policy would block.
    assert "<script>" not in response.text and "style=" not in response.text


def test_the_next_parameter_cannot_send_people_to_another_site(client, staff):
    page = client.get("/login?next=https://evil.example/")
    response = client.post(
        "/login?next=//evil.example/",
        data={
            "email": staff,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    assert response.headers["Location"] == "/"


def test_users_create_makes_a_user_from_the_command_line(app):
    runner = app.test_cli_runner()
    with app.app_context():
        factories.organisation()
        db.session.commit()
        slug = db.session.scalar(db.select(factories.Organisation.slug))
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Nieuw@Testdorp.example",
            "--name",
            "Nieuwe Collega",
            "--role",
            "account_manager",
            "--organisation",
            slug,
            "--password",
            "een lang wachtwoord",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.name == "Nieuwe Collega"))
        assert user.role is Role.ACCOUNT_MANAGER and user.email == "Nieuw@testdorp.example"
    refused = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@y.example",
            "--name",
            "X",
            "--role",
            "admin",
            "--organisation",
            slug,
            "--password",
            "short",
        ]
    )
    assert refused.exit_code != 0 and "at least 12 characters" in refused.output


WORKER = """
import sys
from survey import create_app
from survey.extensions import db
from tests.conftest import csrf_token_in

database, storage, attempts, email = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
app = create_app(
    "test",
    SQLALCHEMY_DATABASE_URI=database,
    RATELIMIT_STORAGE_URI=storage,
    RATELIMIT_KEY_PREFIX=email,  # counters of this run only, whatever else uses this Redis
)
with app.app_context():
    db.create_all()
client = app.test_client()
for _ in range(attempts):
    page = client.get("/login")
    token = csrf_token_in(page.text)
    data = {"email": email, "password": "wrong guess", "csrf_token": token}
    print(client.post("/login", data=data).status_code)
"""


def test_login_limits_are_shared_between_processes_through_redis(tmp_path):
    """Production runs several gunicorn workers: the counts must live outside the process."""
    import subprocess
    import sys

    import redis

    url = "redis://127.0.0.1:6379/15"
    email = f"{uuid.uuid4().hex}@y.example"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis not reachable at 127.0.0.1:6379 and REQUIRE_REDIS=1")
        pytest.skip("Redis not reachable at 127.0.0.1:6379: shared-limit test skipped")
    database = f"sqlite:///{tmp_path / 'shared.db'}"

    def worker(attempts: int) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, database, url, str(attempts), email],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout.split()

    assert worker(5) == ["401"] * 5
    assert worker(1) == ["429"]  # another process, same account: blocked


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example"])
def test_the_language_switch_stays_on_this_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/login"


def test_a_visitor_sent_to_the_login_page_is_told_why_in_dutch(client):
    page = client.get("/", follow_redirects=True)
    assert "Log in om deze pagina te zien." in page.text
