"""Correcting a contact and cancelling its invitation before it is sent, and "wrong address"
after, over HTTP as staff use them, with the jobs sending to a real SMTP server."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.contacts.logbook import invitation_of, log_contact
from survey.contacts.models import Channel, Contact
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.sending import queue_due_invitations
from survey.jobs.tasks import run_all
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail
from tests import factories
from tests.conftest import csrf_token_in
from tests.contacts.test_contact_pages import today

WRONG = "fatima@korenaar.exmaple"
RIGHT = "fatima@korenaar.example"


@pytest.fixture
def scene(app):
    """Sanne's contact with Fatima, logged with a misspelt address; Joris; a coordinator and an
    administrator of the same organisation."""
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne Aa")
        factories.user(org, email="joris@a.example", name="Joris Aa")
        factories.user(org, Role.COORDINATOR, email="coord@a.example", name="Coco Aa")
        factories.user(org, Role.ADMIN, email="admin@a.example", name="Ad Aa")
        contact = log_contact(
            db.session.get(Organisation, org.id),
            db.session.get(User, sanne.id),
            company_name="Bakkerij De Korenaar",
            registry_number=None,
            person_name="Fatima El Amrani",
            email=WRONG,
            locale="en",
            contacted_on=today(),
            channel=Channel.VISIT,
            subject="Uitbreiding",
            now=utcnow(),
        )
        db.session.commit()
        return {"contact": contact.id, "invitation": invitation_of(contact).id, "sanne": sanne.id}


def run_jobs(app, days: int = 7):
    """Every job, as the scheduler runs them, a week (or `days`) from now."""
    with app.app_context():
        return run_all(lambda: utcnow() + timedelta(days=days))


def edit_form(page_html: str, **changes) -> dict:
    data = {
        "csrf_token": csrf_token_in(page_html),
        "company_name": "Bakkerij De Korenaar",
        "registry_number": "",
        "person_name": "Fatima El Amrani",
        "email": WRONG,
        "locale": "en",
        "contacted_on": today().isoformat(),
        "channel": "visit",
        "subject": "Uitbreiding",
    }
    return data | changes


def correct(client, contact_id: int, **changes):
    page = client.get(f"/contacts/{contact_id}/edit")
    assert page.status_code == 200, page.text
    return client.post(f"/contacts/{contact_id}/edit", data=edit_form(page.text, **changes))


def stop(client, invitation_id: int, action: str, reason: str):
    page = client.get(f"/invitations/{invitation_id}")
    return client.post(
        f"/invitations/{invitation_id}/{action}",
        data={"csrf_token": csrf_token_in(page.text), "reason": reason},
        follow_redirects=True,
    )


def recipients(mail_server) -> list[str]:
    return [address for received in mail_server.received for address in received.recipients]


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/contacts").text)})


def test_a_misspelt_address_is_corrected_and_only_the_right_address_gets_the_email(
    app, client, log_in, scene, mail_server
):
    log_in("sanne@a.example")
    client.get("/language/en")
    response = correct(client, scene["contact"], email=RIGHT, person_name="Fatima el Amrani")
    assert response.status_code == 302 and response.location == "/contacts"
    listing = client.get("/contacts").text
    assert f"The contact has been corrected. The survey invitation goes to {RIGHT} on" in listing

    report = run_jobs(app)
    assert report.outbox.sent == 1
    assert recipients(mail_server) == [RIGHT]
    (received,) = mail_server.received
    assert "Fatima el Amrani" in received.message.get_body(("plain",)).get_content()


def test_an_email_already_queued_for_the_old_address_is_cancelled_and_a_new_one_goes_out(
    app, client, log_in, scene, mail_server
):
    with app.app_context():
        assert queue_due_invitations(utcnow() + timedelta(days=7)) == 1  # queued, not yet sent
    log_in("sanne@a.example")
    assert correct(client, scene["contact"], email=RIGHT).status_code == 302

    run_jobs(app)
    assert recipients(mail_server) == [RIGHT]
    with app.app_context():
        old = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == WRONG))
        assert old.status is EmailStatus.CANCELLED and old.invitation_id is None
        invitation = db.session.get(Invitation, scene["invitation"])
        assert invitation.state is InvitationState.SENT
        assert invitation.recipient_email == RIGHT


def test_a_correction_plans_the_invitation_again_by_the_usual_rules(app, client, log_in, scene):
    with app.app_context():
        # Someone else already invited the corrected address today: fatigue suppresses it.
        organisation = db.session.get(Invitation, scene["invitation"]).organisation
        factories.invitation(organisation, email=RIGHT)
        db.session.commit()
    log_in("sanne@a.example")
    client.get("/language/en")
    assert correct(client, scene["contact"], email=RIGHT).status_code == 302
    listing = client.get("/contacts").text
    assert "The contact has been corrected. No survey invitation will be sent:" in listing
    with app.app_context():
        invitation = db.session.get(Invitation, scene["invitation"])
        assert invitation.state is InvitationState.SUPPRESSED


def test_a_cancelled_invitation_sends_nothing_and_shows_its_reason(
    app, client, log_in, scene, mail_server
):
    with app.app_context():
        queue_due_invitations(utcnow() + timedelta(days=7))
    log_in("sanne@a.example")
    client.get("/language/en")
    page = stop(client, scene["invitation"], "cancel", "Company closed its shop")
    assert "The invitation has been cancelled; nothing will be sent to" in page.text
    assert "Cancelled on" in page.text and "Company closed its shop" in page.text

    report = run_jobs(app)
    assert report.outbox.sent == 0 and mail_server.received == []
    listing = client.get("/contacts").text
    assert "cancelled" in listing and "Company closed its shop" in listing
    with app.app_context():
        invitation = db.session.get(Invitation, scene["invitation"])
        assert invitation.state is InvitationState.CANCELLED
        (email,) = db.session.scalars(select(OutboundEmail))
        assert email.status is EmailStatus.CANCELLED


def test_a_cancellation_needs_a_reason_on_one_line_of_at_most_200_characters(
    app, client, log_in, scene
):
    log_in("sanne@a.example")
    client.get("/language/en")
    for reason, message in [
        ("  ", "Please say why the invitation is cancelled."),
        ("a" * 201, "Use at most 200 characters."),
        ("one\ntwo", "Use a single line without line breaks."),
    ]:
        page = client.get(f"/invitations/{scene['invitation']}/cancel")
        response = client.post(
            f"/invitations/{scene['invitation']}/cancel",
            data={"csrf_token": csrf_token_in(page.text), "reason": reason},
        )
        assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.get(Invitation, scene["invitation"]).state is InvitationState.SCHEDULED


def test_wrong_address_after_sending_means_no_reminder_arrives(
    app, client, log_in, scene, mail_server
):
    run_jobs(app, days=3)  # the invitation goes out
    assert recipients(mail_server) == [WRONG]
    log_in("sanne@a.example")
    client.get("/language/en")
    page = stop(client, scene["invitation"], "wrong-address", "Typo in the domain")
    assert "Recorded: the address is wrong." in page.text
    assert "Reported as a wrong address on" in page.text and "Typo in the domain" in page.text

    report = run_jobs(app, days=20)  # long past the reminder's day
    assert report.reminders_queued == 0
    assert recipients(mail_server) == [WRONG]  # nothing more
    assert "wrong address: Typo in the domain" in client.get("/contacts").text


def test_wrong_address_cancels_a_reminder_already_queued(app, client, log_in, scene, mail_server):
    run_jobs(app, days=3)
    with app.app_context():
        invitation = db.session.get(Invitation, scene["invitation"])
        reminder = factories.outbound_email(invitation, EmailPurpose.REMINDER)
        db.session.commit()
        reminder_id = reminder.id
    log_in("sanne@a.example")
    stop(client, scene["invitation"], "wrong-address", "Typo in the domain")
    run_jobs(app, days=20)
    assert len(mail_server.received) == 1
    with app.app_context():
        assert db.session.get(OutboundEmail, reminder_id).status is EmailStatus.CANCELLED


def test_editing_after_sending_is_refused_and_points_to_wrong_address(
    app, client, log_in, scene, mail_server
):
    run_jobs(app, days=3)
    log_in("sanne@a.example")
    client.get("/language/en")
    page = client.get(f"/contacts/{scene['contact']}/edit")
    assert page.status_code == 409
    assert "The invitation has been sent already, so the contact can no longer be changed" in (
        page.text
    )
    assert f'href="/invitations/{scene["invitation"]}"' in page.text
    refused = client.post(f"/contacts/{scene['contact']}/edit", data=edit_form(page.text))
    assert refused.status_code == 409
    detail = client.get(f"/invitations/{scene['invitation']}").text
    assert "Report a wrong address" in detail and "Cancel the invitation" not in detail


def test_another_account_manager_cannot_correct_or_stop_it_but_a_coordinator_can(
    app, client, log_in, scene
):
    log_in("joris@a.example")
    assert client.get(f"/contacts/{scene['contact']}/edit").status_code == 404
    assert client.get(f"/invitations/{scene['invitation']}/cancel").status_code == 404
    assert client.get(f"/invitations/{scene['invitation']}/wrong-address").status_code == 404
    log_out(client)
    log_in("coord@a.example")
    corrected = correct(client, scene["contact"], email=RIGHT, account_manager=scene["sanne"])
    assert corrected.status_code == 302
    assert "Bakkerij" in stop(client, scene["invitation"], "cancel", "Double entry").text
    with app.app_context():
        assert db.session.get(Invitation, scene["invitation"]).state is InvitationState.CANCELLED


def test_corrections_and_cancellations_are_on_the_activity_log(app, client, log_in, scene):
    log_in("sanne@a.example")
    correct(client, scene["contact"], email=RIGHT, subject="Uitbreiding van de winkel")
    stop(client, scene["invitation"], "cancel", "Double entry")
    with app.app_context():
        changed, cancelled = db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type.in_(["Contact", "Invitation"]))
        )
        assert changed.action is Action.CONTACT_CHANGED
        assert changed.subject_type == "Contact" and changed.subject_id == scene["contact"]
        assert changed.detail["changes"] == {
            "email": [WRONG, RIGHT],
            "subject": ["Uitbreiding", "Uitbreiding van de winkel"],
        }
        assert cancelled.action is Action.INVITATION_CANCELLED
        assert cancelled.detail == {"reason": "Double entry"}
    log_out(client)
    log_in("admin@a.example")
    client.get("/language/en")
    activity = client.get("/activity").text
    assert "contact corrected before its invitation was sent" in activity
    assert "planned invitation cancelled" in activity
    assert f"email address: {WRONG} → {RIGHT}" in activity
    assert "subject: Uitbreiding → Uitbreiding van de winkel" in activity
    assert "reason: Double entry" in activity


def test_the_form_shows_the_contact_as_it_is(app, client, log_in, scene):
    with app.app_context():
        db.session.get(Contact, scene["contact"]).registry_number = "0123456749"
        db.session.commit()
    log_in("coord@a.example")
    page = client.get(f"/contacts/{scene['contact']}/edit").text
    assert f'value="{WRONG}"' in page and 'value="0123.456.749"' in page
    assert f'<option selected value="{scene["sanne"]}">' in page
    assert re.search(r'name="locale" value="en"\s+checked', page)
    assert re.search(r'name="channel" value="visit"\s+checked', page)


def test_saving_without_changes_changes_nothing(app, client, log_in, scene):
    log_in("sanne@a.example")
    client.get("/language/en")
    response = correct(client, scene["contact"])
    assert response.status_code == 302
    assert "Nothing was changed." in client.get("/contacts").text
    with app.app_context():
        changes = select(AuditEvent).where(AuditEvent.action == Action.CONTACT_CHANGED)
        assert db.session.scalars(changes).all() == []
        assert db.session.get(Contact, scene["contact"]).email == WRONG
