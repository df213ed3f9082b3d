"""An administrator is warned on the Outbox page when nothing goes out: no scheduler runs, or
their own organisation's emails are stuck or failing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import login_user

from survey.accounts.models import Organisation, Role, User
from survey.clock import utcnow
from survey.extensions import db
from survey.operations.alerts import service_alerts
from survey.outbox.models import EmailStatus
from tests import factories
from tests.operations.helpers import heartbeat, waiting_email

HEARTBEAT, DUE = timedelta(minutes=5), timedelta(minutes=30)


@pytest.fixture
def municipality(app):
    """An organisation with a Dutch-speaking administrator, and another organisation."""
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.ADMIN, email="beheer@testdorp.example")
        other = factories.organisation("Gemeente Elders")
        db.session.commit()
        return org.id, other.id


def _organisation(organisation_id: int) -> Organisation:
    return db.session.get(Organisation, organisation_id)


def _outbox_page(client, log_in) -> str:
    log_in("beheer@testdorp.example")
    response = client.get("/outbox")
    assert response.status_code == 200
    return response.text


def test_no_warning_while_a_scheduler_runs_and_emails_go_out(app, client, log_in, municipality):
    with app.app_context():
        heartbeat(utcnow() - timedelta(seconds=20))
    page = _outbox_page(client, log_in)
    assert "service-alerts" not in page


def test_the_administrator_is_told_when_no_scheduler_ever_ran(client, log_in, municipality):
    page = _outbox_page(client, log_in)
    assert "E-mails gaan niet de deur uit zoals het hoort" in page
    assert "Er heeft nog geen planner (scheduler) gedraaid" in page


def test_the_administrator_is_told_when_the_scheduler_stopped(app, client, log_in, municipality):
    with app.app_context():
        heartbeat(utcnow() - timedelta(minutes=47))
    page = _outbox_page(client, log_in)
    assert "Er heeft al 47 minuten geen planner (scheduler) gedraaid" in page


def test_stuck_and_failing_emails_of_the_own_organisation_are_counted(
    app, client, log_in, municipality
):
    org_id, other_id = municipality
    now = utcnow()
    with app.app_context():
        heartbeat(now - timedelta(seconds=20))
        org = _organisation(org_id)
        other = _organisation(other_id)
        waiting_email(org, now - timedelta(hours=2))
        waiting_email(org, now - timedelta(hours=1), attempts=3, last_error="421 try later")
        waiting_email(org, now - timedelta(days=2), status=EmailStatus.FAILED)
        waiting_email(org, now - timedelta(days=30), status=EmailStatus.FAILED)  # old news
        waiting_email(org, now - timedelta(minutes=2))  # just queued: not stuck
        for _ in range(3):
            waiting_email(other, now - timedelta(hours=5))  # another municipality's
        db.session.commit()
    page = _outbox_page(client, log_in)
    assert "2 e-mails wachten al meer dan 30 minuten op verzending." in page
    assert "1 e-mail kon niet worden verstuurd en wordt opnieuw geprobeerd." in page
    assert "1 e-mail is de afgelopen 7 dagen mislukt." in page
    assert 'href="/outbox?status=failed"' in page
    assert "planner" not in page


def test_the_counts_follow_the_thresholds(ctx, municipality):
    org_id, _ = municipality
    now = utcnow()
    waiting_email(_organisation(org_id), now - timedelta(minutes=20))
    heartbeat(now - timedelta(minutes=4))
    alerts = service_alerts(org_id, now, HEARTBEAT, DUE)
    assert not alerts.any
    later = now + timedelta(minutes=15)
    alerts = service_alerts(org_id, later, HEARTBEAT, DUE)
    assert alerts.stuck_emails == 1 and alerts.scheduler_silent_minutes == 19
    assert alerts.any


def test_other_staff_are_not_warned(app, client, log_in, municipality):
    """Only administrators run the outbox; the partial shows nothing to anyone else."""
    org_id, _ = municipality
    with app.app_context():
        factories.user(_organisation(org_id), Role.COORDINATOR, email="coord@testdorp.example")
        db.session.commit()
    with app.test_request_context():
        user = db.session.scalar(db.select(User).filter_by(email="coord@testdorp.example"))
        login_user(user)
        shown = render_template_string('{% include "operations/_service_alerts.html" %}')
    assert shown.strip() == ""


def test_the_settings_page_warns_the_administrator_too(app, client, log_in, municipality):
    log_in("beheer@testdorp.example")
    page = client.get("/settings").text
    assert "Er heeft nog geen planner (scheduler) gedraaid" in page
    with app.app_context():
        heartbeat(utcnow() - timedelta(seconds=20))
    assert "service-alerts" not in client.get("/settings").text
