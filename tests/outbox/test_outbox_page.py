"""The Outbox page: administrators see their own organisation's emails, find them, and send a
failed one again."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from survey.outbox.models import (
    EmailPurpose,
    EmailStatus,
    OutboundEmail,
    SuppressionKind,
)
from survey.outbox.suppressions import suppress_address, suppression_of
from tests import factories
from tests.conftest import csrf_token_in

QUEUED = datetime(2026, 11, 25, 8, tzinfo=UTC)


def _email(org, recipient, status=EmailStatus.SENT, purpose=EmailPurpose.INVITATION, **fields):
    fields.setdefault("created_at", QUEUED)
    email = OutboundEmail(
        organisation_id=org.id,
        purpose=purpose,
        recipient=recipient,
        sender_name="Sanne de Vries",
        subject=f"Hoe was uw contact met {org.name}?",
        text_body="Beste ondernemer,\n\nHoe was ons contact?",
        html_body='<p>Beste ondernemer,</p><script>alert("x")</script>',
        headers={"List-Unsubscribe": "<http://localhost/u/abc>"},
        status=status,
        **fields,
    )
    db.session.add(email)
    db.session.flush()
    return email


@pytest.fixture
def outbox(app):
    """Two organisations' emails; the admin of the first reads English screens."""
    with app.app_context():
        org = factories.organisation()
        other = factories.organisation("Gemeente Elders")
        factories.user(org, Role.ADMIN, email="admin@a.example", locale="en")
        factories.user(org, Role.COORDINATOR, email="coordinator@a.example")
        factories.user(org, Role.ACCOUNT_MANAGER, email="am@a.example")
        emails = {
            "sent": _email(
                org,
                "eva@bakkerij.example",
                sent_at=QUEUED + timedelta(minutes=1),
                attempts=1,
                message_id="<outbox-1@gemeente.example>",
                provider_response="250 2.0.0 Ok: queued as 4F1A2",
            ),
            "failed": _email(
                org,
                "piet@garage.example",
                EmailStatus.FAILED,
                attempts=10,
                last_error="550 5.1.1 <piet@garage.example>: Recipient address rejected: "
                "User unknown in virtual mailbox table (a very long explanation follows)",
                created_at=QUEUED + timedelta(hours=1),
            ),
            "pending": _email(
                org,
                "Eva@Bakkerij.example",
                EmailStatus.PENDING,
                EmailPurpose.REMINDER,
                attempts=2,
                last_error="421 Try again later",
                next_attempt_at=QUEUED + timedelta(hours=3),
                created_at=QUEUED + timedelta(hours=2),
            ),
            "elsewhere": _email(other, "geheim@elders.example", EmailStatus.FAILED),
        }
        suppress_address(org.id, "piet@garage.example", SuppressionKind.BOUNCED, QUEUED, "550")
        db.session.commit()
        return {name: email.id for name, email in emails.items()} | {"org": org.id}


def _rows(page) -> list[str]:
    """The recipients in the table, in order."""
    if "<tbody>" not in page.text:
        return []
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    links = [row.split("<a href=", 1)[1] for row in body.split("<tr>")[1:]]
    return [link.split('">', 1)[1].split("</a>", 1)[0] for link in links]


def _email_row(app, email_id) -> OutboundEmail:
    with app.app_context():
        email = db.session.get(OutboundEmail, email_id)
        db.session.expunge(email)
        return email


def test_an_admin_sees_the_organisations_emails_newest_first(client, log_in, outbox):
    log_in("admin@a.example")
    page = client.get("/outbox")
    assert page.status_code == 200
    assert _rows(page) == ["Eva@Bakkerij.example", "piet@garage.example", "eva@bakkerij.example"]
    assert "geheim@elders.example" not in page.text
    assert "All (3)" in page.text and "Failed (1)" in page.text and "Waiting (1)" in page.text
    assert "Recipient address" in page.text
    assert "a very long explanation follows" not in page.text  # shortened in the list
    assert '<th scope="col">Attempts</th>' in page.text
    # In the organisation's zone: 11:00 UTC is 12:00 in Amsterdam.
    assert "next 11/25/26, 12:00" in page.text and "sent 11/25/26, 09:01" in page.text


def test_filters_by_status_kind_and_recipient(client, log_in, outbox):
    log_in("admin@a.example")
    assert _rows(client.get("/outbox?status=failed")) == ["piet@garage.example"]
    assert _rows(client.get("/outbox?purpose=reminder")) == ["Eva@Bakkerij.example"]
    searched = client.get("/outbox?recipient=EVA@bakkerij")
    assert _rows(searched) == ["Eva@Bakkerij.example", "eva@bakkerij.example"]
    # The counts follow the search, and the status links keep it.
    assert "All (2)" in searched.text and "status=sent&amp;recipient=EVA@bakkerij" in searched.text
    both = client.get("/outbox?recipient=eva&status=sent")
    assert _rows(both) == ["eva@bakkerij.example"]
    assert _rows(client.get("/outbox?recipient=%25")) == []  # a wildcard is just a character
    assert "No emails match this search." in client.get("/outbox?recipient=nobody").text
    assert client.get("/outbox?status=lost").status_code == 400


def test_the_email_page_shows_everything_and_never_renders_the_html(client, log_in, outbox):
    log_in("admin@a.example")
    page = client.get(f"/outbox/{outbox['sent']}")
    assert page.status_code == 200
    html = page.text
    assert "&lt;outbox-1@gemeente.example&gt;" in html
    assert "250 2.0.0 Ok: queued as 4F1A2" in html
    assert "List-Unsubscribe" in html and "&lt;http://localhost/u/…&gt;" in html
    assert '<pre class="outbox-body">Beste ondernemer,\n\nHoe was ons contact?</pre>' in html
    assert "<details" in html and "&lt;script&gt;alert(" in html and "<script>alert" not in html
    assert "Send again" not in html  # only a failed email can be retried


def test_another_organisations_email_is_not_found(client, log_in, outbox):
    log_in("admin@a.example")
    assert client.get(f"/outbox/{outbox['elsewhere']}").status_code == 404
    token = csrf_token_in(client.get(f"/outbox/{outbox['failed']}").text)
    retried = client.post(f"/outbox/{outbox['elsewhere']}/retry", data={"csrf_token": token})
    assert retried.status_code == 404


@pytest.mark.parametrize("email", ["coordinator@a.example", "am@a.example"])
def test_only_administrators_may_see_the_outbox(app, client, log_in, outbox, email):
    log_in(email)
    assert client.get("/outbox").status_code == 403
    assert client.get(f"/outbox/{outbox['failed']}").status_code == 403
    token = csrf_token_in(client.get("/account").text)
    retried = client.post(f"/outbox/{outbox['failed']}/retry", data={"csrf_token": token})
    assert retried.status_code == 403
    assert _email_row(app, outbox["failed"]).status is EmailStatus.FAILED


def test_sending_a_failed_email_again_makes_it_wait_for_the_sender(app, client, log_in, outbox):
    log_in("admin@a.example")
    page = client.get(f"/outbox/{outbox['failed']}")
    assert "Send again" in page.text
    response = client.post(
        f"/outbox/{outbox['failed']}/retry", data={"csrf_token": csrf_token_in(page.text)}
    )
    assert response.status_code == 302
    assert "will be sent again" in client.get(response.headers["Location"]).text
    email = _email_row(app, outbox["failed"])
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)
    with app.app_context():  # asking again means the address is worth a try: the bounce goes
        assert suppression_of(outbox["org"], "piet@garage.example") is None
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.EMAIL_RETRIED)
        ).all()
        assert (event.subject_id, event.detail["recipient"]) == (email.id, "piet@garage.example")


def test_a_sent_email_is_not_sent_again(app, client, log_in, outbox):
    log_in("admin@a.example")
    page = client.get(f"/outbox/{outbox['sent']}")
    response = client.post(
        f"/outbox/{outbox['sent']}/retry",
        data={"csrf_token": csrf_token_in(page.text)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Only a failed email can be sent again." in response.text
    assert 'class="flash flash-error"' in response.text
    email = _email_row(app, outbox["sent"])
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)


def test_a_retry_needs_the_form_token(app, client, log_in, outbox):
    log_in("admin@a.example")
    assert client.post(f"/outbox/{outbox['failed']}/retry").status_code == 400
    assert _email_row(app, outbox["failed"]).status is EmailStatus.FAILED
    with app.app_context():
        assert suppression_of(outbox["org"], "piet@garage.example").kind is SuppressionKind.BOUNCED
