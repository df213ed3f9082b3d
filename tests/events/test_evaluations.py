"""An event's evaluations through the jobs the scheduler runs and a real SMTP server: sent at
the right time and once, a late participant, send now, reschedule, and the one manual reminder."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.events.evaluations import evaluations_are_sent, summaries
from survey.events.models import Event, EventOrganiser, Participant
from survey.events.participants import remove_participant
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import run_all
from survey.outbox.models import EmailPurpose, OutboundEmail, SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def scene(app):
    """Coco's workshop at Gemeente Eedorp, evaluated in an hour, with Anna (English) and Bram;
    Coco signs, Sanne organises too."""
    with app.app_context():
        org = factories.organisation("Gemeente Eedorp")
        coco = factories.user(org, Role.COORDINATOR, email="coco@e.example", name="Coco Evers")
        sanne = factories.user(org, Role.COORDINATOR, email="sanne@e.example", name="Sanne Eek")
        event = factories.event(org, coco, send_at=utcnow() + timedelta(hours=1))
        event.organisers.append(EventOrganiser(user=sanne, user_id=sanne.id, position=1))
        factories.participant(event, "anna@example.org", name="Anna Smith", locale="en")
        factories.participant(event, "bram@example.org", name="Bram Berg")
        db.session.commit()
        return {"org": org.id, "event": event.id, "coco": coco.id}


def jobs(app, hours: float = 0):
    """Every job once, as the scheduler runs them, `hours` from now."""
    with app.app_context():
        return run_all(lambda: utcnow() + timedelta(hours=hours))


def recipients(mail_server) -> list[str]:
    return sorted(address for received in mail_server.received for address in received.recipients)


def text_of(received) -> str:
    return received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_evaluations_go_out_at_the_send_time_once(app, scene, mail_server):
    jobs(app)
    assert mail_server.received == []
    report = jobs(app, hours=1.5)
    assert report.outbox.sent == 2
    jobs(app, hours=2)
    assert recipients(mail_server) == ["anna@example.org", "bram@example.org"]


def test_the_email_asks_about_the_meeting_and_is_signed_by_the_first_organiser(
    app, scene, mail_server
):
    jobs(app, hours=1.5)
    anna = next(r for r in mail_server.received if r.recipients == ["anna@example.org"])
    assert anna.message["Subject"].startswith("How was the meeting of Gemeente Eedorp")
    body = text_of(anna)
    assert "Dear Anna Smith," in body and "you took part in a meeting of" in body
    assert "Kind regards,\nCoco Evers\n" in body
    assert "Coco Evers" in anna.message["From"] and anna.message["Reply-To"] == "coco@e.example"
    bram = next(r for r in mail_server.received if r.recipients == ["bram@example.org"])
    assert bram.message["Subject"].startswith("Hoe was de bijeenkomst van Gemeente Eedorp")


def test_a_participant_added_after_sending_gets_the_evaluation_at_once(app, scene, mail_server):
    jobs(app, hours=1.5)
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        event.send_at = utcnow() - timedelta(minutes=30)  # as if the send time has passed
        factories.participant(event, "chris@example.org")
        db.session.commit()
    jobs(app)
    assert "chris@example.org" in recipients(mail_server)


def test_the_rule_for_sent_evaluations(app, scene):
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        now = utcnow()
        assert not evaluations_are_sent(event, now)
        assert evaluations_are_sent(event, now + timedelta(hours=1))  # the send time passed
        invitation = event.participants[0].invitation
        invitation.mark_sent(now, 30)  # it left the planning early (sent by hand, say)
        db.session.flush()
        assert evaluations_are_sent(event, now)
        db.session.rollback()


def test_the_list_counts_participants_and_answers_and_says_where_the_evaluations_stand(app, scene):
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        now = utcnow()
        carla = factories.participant(event, "carla@example.org", name="Carla")
        db.session.flush()
        remove_participant(carla, now)  # before sending: her invitation is cancelled
        other = factories.event(event.organisation, send_at=now + timedelta(hours=1))
        db.session.flush()

        def summary(of=event):
            shown = {s.event.id: s for s in summaries([event, other], now)}[of.id]
            return shown.participants, shown.answered, shown.sent, shown.being_sent

        assert summary() == (2, 0, False, False)
        assert summary(other) == (0, 0, False, False)
        anna, bram = (p.invitation for p in event.participants)
        anna.mark_sent(now, 30)
        db.session.flush()
        assert summary() == (2, 0, True, True)  # Bram's still waits for the sending job
        bram.mark_sent(now, 30)
        anna.mark_answered(now)
        db.session.flush()
        assert summary() == (2, 1, True, False)
        db.session.rollback()


def page(client, event_id):
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200, response.text
    return response.text


def post(client, event_id, action, **data):
    token = csrf_token_in(page(client, event_id))
    return client.post(f"/events/{event_id}/{action}", data={"csrf_token": token} | data)


def test_send_now(app, client, log_in, scene, mail_server):
    log_in("coco@e.example")
    client.get("/language/en")
    assert "2 evaluations are planned." in page(client, scene["event"])
    response = post(client, scene["event"], "send-now")
    assert response.status_code == 302
    assert "2 evaluations go out within a few minutes." in page(client, scene["event"])
    jobs(app)
    assert recipients(mail_server) == ["anna@example.org", "bram@example.org"]
    refused = post(client, scene["event"], "send-now")
    assert refused.status_code == 409
    assert "There are no planned evaluations to send." in refused.text
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        assert event.evaluations_sent_at is not None
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.EVALUATIONS_SENT_NOW)
        )


def test_reschedule(app, client, log_in, scene, mail_server):
    log_in("coco@e.example")
    client.get("/language/en")
    too_early = post(client, scene["event"], "reschedule", send_on="2020-01-01", send_time="10:00")
    assert too_early.status_code == 422
    assert "Choose a moment in the future." in too_early.text
    later = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Amsterdam"))
    response = post(
        client,
        scene["event"],
        "reschedule",
        send_on=later.strftime("%Y-%m-%d"),
        send_time=later.strftime("%H:%M"),
    )
    assert response.status_code == 302
    assert "The evaluations go out on" in page(client, scene["event"])
    jobs(app, hours=2)
    assert mail_server.received == []  # the old time passes: nothing
    jobs(app, hours=73)
    assert recipients(mail_server) == ["anna@example.org", "bram@example.org"]
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        assert event.send_at == later.replace(second=0, microsecond=0).astimezone(UTC)


def test_the_manual_reminder_reaches_those_who_have_not_answered_once(
    app, client, log_in, scene, mail_server
):
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        factories.participant(event, "chris@example.org", name="Chris")
        factories.participant(event, "dirk@example.org", name="Dirk")
        db.session.commit()
    jobs(app, hours=1.5)
    assert len(mail_server.received) == 4
    with app.app_context():
        answered = db.session.scalar(
            select(Invitation).where(Invitation.recipient_email == "bram@example.org")
        )
        answered.mark_answered(utcnow())
        suppress_address(
            answered.organisation_id, "dirk@example.org", SuppressionKind.OPTED_OUT, utcnow()
        )
        db.session.commit()
    log_in("coco@e.example")
    client.get("/language/en")
    response = post(client, scene["event"], "remind")
    assert response.status_code == 302
    shown = page(client, scene["event"])
    assert "A reminder goes to 2 participants who have not answered." in shown
    assert "to 2 participants who had not answered" in shown
    jobs(app, hours=2)
    reminded = mail_server.received[4:]
    assert sorted(r.recipients[0] for r in reminded) == ["anna@example.org", "chris@example.org"]
    assert all(r.message["Subject"].startswith(("Reminder:", "Herinnering:")) for r in reminded)
    assert "If you have not found the time yet" in text_of(
        next(r for r in reminded if r.recipients == ["anna@example.org"])
    )
    again = post(client, scene["event"], "remind")
    assert again.status_code == 409
    assert "A reminder has been sent by hand already; that is possible once." in again.text
    jobs(app, hours=3)
    assert len(mail_server.received) == 6
    with app.app_context():
        # The invitations stay as they were: the automatic reminder still goes when it is due.
        anna = db.session.scalar(
            select(Invitation).where(Invitation.recipient_email == "anna@example.org")
        )
        assert anna.state is InvitationState.SENT
        assert db.session.scalar(
            select(OutboundEmail.id).where(
                OutboundEmail.invitation_id == anna.id,
                OutboundEmail.purpose == EmailPurpose.MANUAL_REMINDER,
            )
        )


def test_a_reminder_before_anything_was_sent_is_refused(app, client, log_in, scene):
    log_in("coco@e.example")
    client.get("/language/en")
    refused = post(client, scene["event"], "remind")
    assert refused.status_code == 409
    assert "Nobody is waiting to be reminded" in refused.text
    with app.app_context():
        assert db.session.get(Event, scene["event"]).manual_reminder_at is None


def test_each_participant_shows_where_their_evaluation_stands(app, client, log_in, scene):
    with app.app_context():
        event = db.session.get(Event, scene["event"])
        org = db.session.get(Organisation, scene["org"])
        suppress_address(org.id, "erik@example.org", SuppressionKind.BOUNCED, utcnow())
        factories.participant(event, "erik@example.org", name="Erik")
        db.session.commit()
    log_in("coco@e.example")
    client.get("/language/en")
    shown = page(client, scene["event"])
    assert shown.count(">planned</span>") == 2
    assert ">not sent</span>" in shown and "email address bounced" in shown
    with app.app_context():
        participants = db.session.scalars(select(Participant)).all()
        tokens = [p.invitation.nonce for p in participants]
    assert not any(token in shown for token in tokens)  # staff never see a personal link


def test_the_room_link_closes_with_the_emailed_links_when_the_evaluations_move(ctx):
    from survey.events.evaluations import reschedule
    from survey.events.rooms import room_link_for

    org = factories.organisation(link_expiry_days=14)
    event = factories.event(org, send_at=utcnow() + timedelta(hours=1))
    factories.participant(event)
    link = room_link_for(event, utcnow())
    later = utcnow() + timedelta(days=3)
    reschedule(event, later, utcnow())
    assert link.closes_at == later + timedelta(days=14)
