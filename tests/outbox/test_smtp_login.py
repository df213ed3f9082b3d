"""The SMTP login of `MAIL_USERNAME`/`MAIL_PASSWORD`, against a server that demands one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.outbox.models import EmailStatus, OutboundEmail
from tests import factories
from tests.mailserver import MailServer

# The test server takes the login over plain SMTP; aiosmtpd warns about exactly that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def guarded_server(app, monkeypatch):
    server = MailServer(login=("spiegel", "s3cret")).start()
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


NOW = datetime(2026, 11, 25, 8, tzinfo=UTC)


def _send_one_email(app):
    from survey.jobs.tasks import send_outbox

    with app.app_context():
        invitation = factories.invitation(
            factories.organisation(), state=factories.InvitationState.SCHEDULED
        )
        email_id = factories.outbound_email(invitation, now=NOW - timedelta(minutes=1)).id
        db.session.commit()
        report = send_outbox(lambda: NOW)
        email = db.session.get(OutboundEmail, email_id)
        return report, email.status, email.last_error


def test_with_the_right_login_the_email_is_delivered(app, monkeypatch, guarded_server):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "spiegel")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "s3cret")
    report, status, _ = _send_one_email(app)
    assert (report.sent, status) == (1, EmailStatus.SENT)
    assert len(guarded_server.received) == 1


def test_a_wrong_login_keeps_the_email_and_says_why(app, monkeypatch, guarded_server):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "spiegel")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong")
    report, status, error = _send_one_email(app)
    assert (report.sent, status) == (0, EmailStatus.PENDING)
    assert error.startswith("535") and guarded_server.received == []


def test_without_a_login_the_server_refuses_and_nothing_is_lost(app, guarded_server):
    report, status, error = _send_one_email(app)
    assert (report.sent, status) == (0, EmailStatus.PENDING)
    assert error.startswith("530") and guarded_server.received == []
