"""Login throttling: nobody can lock out a colleague; guessing stays slow."""

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from survey.accounts.models import Role
from survey.accounts.throttle import AccountThrottle, ThrottleLimits
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

LIMITS = ThrottleLimits(
    per_account_and_address=parse("5 per 15 minutes"),
    per_address=parse("100 per 15 minutes"),
    slowdown_per_account=parse("10 per 15 minutes"),
    pace=parse("1 per 5 seconds"),
    reset_per_address=parse("20 per hour"),
    reset_per_account=parse("3 per hour"),
)


@pytest.fixture
def throttle():
    return AccountThrottle(MovingWindowRateLimiter(MemoryStorage()), LIMITS)


def test_an_account_and_address_pair_is_stopped_after_five_failures(throttle):
    for _ in range(5):
        assert throttle.login_wait("eva@x.example", "10.0.0.1") == 0
        throttle.login_failed("eva@x.example", "10.0.0.1")
    assert 14 * 60 < throttle.login_wait("eva@x.example", "10.0.0.1") <= 15 * 60
    assert throttle.login_wait("EVA@x.example ", "10.0.0.1") > 0  # however it is typed
    assert throttle.login_wait("eva@x.example", "10.0.0.2") == 0  # her own office is fine
    assert throttle.login_wait("piet@x.example", "10.0.0.1") == 0


def test_an_address_is_stopped_after_a_hundred_failures_on_any_accounts(throttle):
    for number in range(100):
        assert throttle.login_wait(f"guess{number}@x.example", "10.0.0.9") == 0
        throttle.login_failed(f"guess{number}@x.example", "10.0.0.9")
    assert throttle.login_wait("eva@x.example", "10.0.0.9") > 0
    assert throttle.login_wait("eva@x.example", "10.0.0.1") == 0


def test_an_account_attacked_from_everywhere_is_only_slowed_down(throttle):
    for number in range(10):  # ten addresses, one wrong guess each
        throttle.login_failed("eva@x.example", f"10.0.1.{number}")
    assert throttle.login_wait("eva@x.example", "10.0.0.1") == 0  # one attempt gets through
    assert 0 < throttle.login_wait("eva@x.example", "10.0.0.1") <= 5  # the next waits seconds
    assert 0 < throttle.login_wait("eva@x.example", "10.0.2.1") <= 5  # from anywhere
    assert throttle.login_wait("piet@x.example", "10.0.0.1") == 0  # others are not slowed


def test_only_failures_count(throttle):
    for _ in range(50):
        assert throttle.login_wait("eva@x.example", "10.0.0.1") == 0


def test_reset_requests_are_limited_per_address_and_emails_per_account(throttle):
    assert [throttle.reset_email_allowed("eva@x.example") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert throttle.reset_email_allowed("piet@x.example")
    waits = [throttle.reset_request_wait("10.0.0.1") for _ in range(21)]
    assert waits[:20] == [0] * 20 and waits[20] > 0


# Over HTTP, with the application's own settings and Flask-Limiter's storage.


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation()
        user = factories.user(org, Role.COORDINATOR, email="eva@testdorp.example")
        db.session.commit()
        return user.email


def _log_in_from(client, address: str, email: str, password: str = factories.PASSWORD):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ)
    data = {"email": email, "password": password, "csrf_token": csrf_token_in(page.text)}
    return client.post("/login", data=data, environ_base=environ)


def test_a_colleagues_wrong_guesses_do_not_lock_the_user_out(app, staff):
    colleague = app.test_client()
    for address in ("10.0.0.66", "10.0.0.67", "10.0.0.68"):
        for _ in range(5):
            _log_in_from(colleague, address, staff, "zomaar een gok")
        assert _log_in_from(colleague, address, staff).status_code == 429
    # Eva at her own desk gets in, at most after a few seconds' slow-down.
    eva = app.test_client()
    response = _log_in_from(eva, "10.0.0.1", staff)
    assert response.status_code == 302 or int(response.headers["Retry-After"]) <= 5


def test_the_too_many_attempts_page_says_how_long_to_wait(app, client, staff):
    for _ in range(5):
        assert _log_in_from(client, "10.0.0.66", staff, "zomaar een gok").status_code == 401
    blocked = _log_in_from(client, "10.0.0.66", staff)
    assert blocked.status_code == 429
    assert 14 * 60 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "15 minuten" in blocked.text  # in the visitor's language


def test_a_town_hall_behind_one_address_is_not_stopped_in_normal_use(app, staff):
    """Forty colleagues behind one address each mistype their password once."""
    town_hall = app.test_client()
    for number in range(40):
        assert (
            _log_in_from(town_hall, "10.0.0.1", f"collega{number}@x.example", "typo").status_code
            == 401
        )
    assert _log_in_from(town_hall, "10.0.0.1", staff).status_code == 302


def test_the_address_limit_is_a_setting(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for number in range(3):
        assert (
            _log_in_from(client, "10.0.0.5", f"guess{number}@x.example", "x" * 12).status_code
            == 401
        )
    assert _log_in_from(client, "10.0.0.5", "guess9@x.example", "x" * 12).status_code == 429
