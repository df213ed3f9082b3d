"""/healthz and /readyz as a load balancer and a monitor read them: JSON, 200 or 503 with each
check's result, no login, no cookie, no personal data, never rate-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey import create_app
from survey.clock import utcnow
from survey.extensions import db, limiter
from survey.outbox.models import EmailStatus
from tests import factories
from tests.mailserver import free_port
from tests.operations.helpers import heartbeat, waiting_email


@pytest.fixture
def scheduler_running(app):
    with app.app_context():
        heartbeat(utcnow() - timedelta(seconds=20))


def _checks(response) -> dict:
    return response.get_json()["checks"]


def test_healthz_says_the_process_lives_without_cookie_or_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_database_scheduler_and_outbox_are(client, scheduler_running):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ok"
    assert set(_checks(response)) == {"database", "migrations", "scheduler", "outbox"}
    assert all(check["ok"] for check in _checks(response).values())
    assert 0 <= _checks(response)["scheduler"]["last_run_seconds_ago"] < 60
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_not_ready_when_no_scheduler_ever_ran(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert _checks(response)["scheduler"] == {"ok": False, "last_run_seconds_ago": None}
    assert _checks(response)["database"]["ok"] and _checks(response)["outbox"]["ok"]


def test_readyz_is_not_ready_when_the_heartbeat_is_stale(app, client):
    with app.app_context():
        heartbeat(utcnow() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    scheduler = _checks(response)["scheduler"]
    assert not scheduler["ok"] and 590 <= scheduler["last_run_seconds_ago"] < 700


def test_readyz_names_a_job_whose_last_run_failed_but_stays_ready(app, client):
    """One failed run (a database hiccup) is not an outage; the next run may go well."""
    with app.app_context():
        heartbeat(utcnow() - timedelta(seconds=30), "send-outbox", ok=False)
        heartbeat(utcnow() - timedelta(seconds=10), "queue-due-invitations")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert _checks(response)["scheduler"]["failing_jobs"] == ["send-outbox"]


def test_readyz_is_not_ready_when_the_oldest_due_email_waits_too_long(
    app, client, scheduler_running
):
    with app.app_context():
        org = factories.organisation()
        name = org.name
        waiting_email(org, utcnow() - timedelta(minutes=5))
        waiting_email(org, utcnow() - timedelta(hours=2), recipient="jan@smederij.example")
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = _checks(response)["outbox"]
    assert not outbox["ok"] and 7190 <= outbox["oldest_due_email_seconds"] < 7300
    # Numbers only: no address, subject or organisation in a public answer.
    assert "@" not in response.text and "Hoe was" not in response.text
    assert name not in response.text


def test_an_email_abandoned_by_a_dead_sender_counts_from_its_lapsed_lease(
    app, client, scheduler_running
):
    with app.app_context():
        org = factories.organisation()
        waiting_email(
            org,
            utcnow() - timedelta(hours=3),
            status=EmailStatus.SENDING,
            lease_until=utcnow() - timedelta(hours=1),
            attempts=1,
        )
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert 3590 <= _checks(response)["outbox"]["oldest_due_email_seconds"] < 3700


def test_an_email_planned_for_later_or_retried_soon_keeps_the_service_ready(
    app, client, scheduler_running
):
    with app.app_context():
        org = factories.organisation()
        waiting_email(org, utcnow() + timedelta(minutes=15), attempts=2)  # waits for its retry
        waiting_email(org, utcnow() - timedelta(hours=5), status=EmailStatus.SENT)
        waiting_email(org, utcnow() - timedelta(hours=5), status=EmailStatus.FAILED)
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert _checks(response)["outbox"] == {"ok": True, "oldest_due_email_seconds": 0}


@pytest.mark.parametrize(
    "unreachable",
    [
        lambda tmp_path: f"postgresql+psycopg://spiegel@127.0.0.1:{free_port()}/spiegel",
        lambda tmp_path: f"sqlite:///{tmp_path / 'no-such-folder' / 'spiegel.db'}",
    ],
    ids=["postgresql-refused", "sqlite-missing-folder"],
)
def test_readyz_is_not_ready_when_the_database_is_down(tmp_path, unreachable):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=unreachable(tmp_path))
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = _checks(response)
    assert checks["database"] == {"ok": False}
    assert not any(check["ok"] for check in checks.values())
    # The process itself is fine: restarting it would not bring the database back.
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_readyz_is_not_ready_on_a_database_without_the_migrations(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = _checks(response)
    assert checks["database"]["ok"] and not checks["migrations"]["ok"]
    assert not checks["scheduler"]["ok"]  # its table is not there either: no 500
    with app.app_context():
        db.engine.dispose()


def test_probes_are_never_rate_limited(tmp_path, monkeypatch):
    # The limiter is one object for every app of the process and keeps the first default limit
    # it is given: this test's must not outlive it.
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}",
        RATELIMIT_DEFAULT="2 per minute",
    )
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 429  # the default limit holds elsewhere
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503  # not 429
    with app.app_context():
        db.engine.dispose()
