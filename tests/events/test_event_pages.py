"""The event pages over HTTP as a coordinator uses them: the list, creating and changing an event,
adding and removing participants; who may see them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.events.models import Event, Participant
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import run_all
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def scene(app):
    """Gemeente Eedorp (Europe/Amsterdam): coordinator Coco, Sanne (account manager), an
    administrator; Gemeente Veldorp with an event of its own."""
    with app.app_context():
        org = factories.organisation("Gemeente Eedorp")
        coco = factories.user(org, Role.COORDINATOR, email="coco@e.example", name="Coco Evers")
        sanne = factories.user(org, email="sanne@e.example", name="Sanne Eek")
        factories.user(org, Role.ADMIN, email="admin@e.example", name="Ad Eek")
        other = factories.organisation("Gemeente Veldorp")
        elsewhere = factories.event(other, title="Elders")
        factories.workshop_version()
        db.session.commit()
        return {"org": org.id, "coco": coco.id, "sanne": sanne.id, "elsewhere": elsewhere.id}


def event_form(page_html: str, coco: int, **changes) -> dict:
    """What a coordinator fills in for a workshop on Wednesday 13 March 2030, 14:00 to 16:30."""
    data = {
        "csrf_token": csrf_token_in(page_html),
        "title": "Klantarena vergunningen",
        "kind": "klantarena",
        "day": "2030-03-13",
        "starts": "14:00",
        "ends": "16:30",
        "place": "Raadzaal, Markt 1",
        "signer": str(coco),
        "speakers": "Jan de Vries\r\n\r\n  Fatima  El Amrani \r\n",
        "series": "Ondernemersavonden 2030",
        "locale": "nl",
        "description": "Samen zoeken naar verbeteringen.",
        "send_on": "",
        "send_time": "",
    }
    return data | changes


def create(client, coco: int, **changes):
    page = client.get("/events/new")
    assert page.status_code == 200, page.text
    return client.post("/events/new", data=event_form(page.text, coco, **changes))


def the_event(app, title="Klantarena vergunningen") -> Event:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == title))
        db.session.expunge_all()
        return event


def test_a_coordinator_creates_an_event_and_lands_on_its_page(app, client, log_in, scene):
    log_in("coco@e.example")
    client.get("/language/en")
    response = create(client, scene["coco"])
    assert response.status_code == 302
    page = client.get(response.location)
    assert "The event has been created. Add its participants below." in page.text
    assert "Klantarena vergunningen" in page.text and "Raadzaal, Markt 1" in page.text
    assert "Coco Evers (signs the evaluation email)" in page.text
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Klantarena vergunningen"))
        # Entered on Amsterdam's clock (winter time, UTC+1), stored in UTC.
        assert event.starts_at == datetime(2030, 3, 13, 13, 0, tzinfo=UTC)
        assert event.ends_at == datetime(2030, 3, 13, 15, 30, tzinfo=UTC)
        assert [speaker.name for speaker in event.speakers] == ["Jan de Vries", "Fatima El Amrani"]
        assert event.series.title == "Ondernemersavonden 2030"
        assert event.questionnaire.key == "workshop-evaluation"
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.EVENT_CREATED)
        )


def test_the_default_send_time_is_explained_and_stored(app, client, log_in, scene):
    log_in("coco@e.example")
    client.get("/language/en")
    page = client.get("/events/new")
    assert "two hours after the end, or at 09:00 on the next working morning" in page.text
    client.get("/language/nl")
    assert "twee uur na afloop" in client.get("/events/new").text
    # Ends at 16:30: two hours later. A Friday evening: Monday morning at 09:00.
    assert create(client, scene["coco"]).status_code == 302
    assert (
        create(
            client, scene["coco"], title="Avond", day="2030-03-15", starts="19:00", ends="21:30"
        ).status_code
        == 302
    )
    assert the_event(app).send_at == datetime(2030, 3, 13, 17, 30, tzinfo=UTC)
    assert the_event(app, "Avond").send_at == datetime(2030, 3, 18, 8, 0, tzinfo=UTC)


def test_a_chosen_send_time_is_kept(app, client, log_in, scene):
    log_in("coco@e.example")
    response = create(client, scene["coco"], send_on="2030-03-14", send_time="10:15")
    assert response.status_code == 302
    assert the_event(app).send_at == datetime(2030, 3, 14, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The end must be after the start."), ("nl", "Het einde moet na het begin liggen.")],
)
def test_an_end_before_the_start_is_refused_in_the_users_language(
    app, client, log_in, scene, language, message
):
    log_in("coco@e.example")
    client.get(f"/language/{language}")
    response = create(client, scene["coco"], ends="13:00")
    assert response.status_code == 422
    assert message in response.text
    assert the_event(app) is None


def test_an_event_needs_an_organiser_to_sign_the_email(app, client, log_in, scene):
    log_in("coco@e.example")
    client.get("/language/en")
    response = create(client, scene["coco"], signer="")
    assert response.status_code == 422
    assert "Please choose the organiser who signs the evaluation email." in response.text
    client.get("/language/nl")
    response = create(client, scene["coco"], signer="", place="", title="")
    assert response.status_code == 422
    assert "Kies de organisator die de evaluatiemail ondertekent." in response.text
    assert "Vul de titel van de bijeenkomst in." in response.text
    assert the_event(app) is None


def test_other_organisers_follow_the_one_who_signs(app, client, log_in, scene):
    log_in("coco@e.example")
    response = create(client, scene["coco"], organisers=[str(scene["sanne"]), str(scene["coco"])])
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.title == "Klantarena vergunningen"))
        assert [o.user.name for o in event.organisers] == ["Coco Evers", "Sanne Eek"]
        assert event.signer.name == "Coco Evers"


def edit(client, event_id: int, **changes):
    page = client.get(f"/events/{event_id}/edit")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_token_in(page.text)}
    return page, client.post(f"/events/{event_id}/edit", data=form | changes)


def planned_event(app, scene, send_in=timedelta(days=2)):
    """Coco's workshop with two participants whose evaluations are planned (or not)."""
    with app.app_context():
        org = db.session.get(Organisation, scene["org"])
        coco = db.session.get(User, scene["coco"])
        event = factories.event(org, coco, send_at=utcnow() + send_in, title="Werkplaats")
        factories.participant(event, "anna@example.org")
        factories.participant(event, "bram@example.org")
        db.session.commit()
        return event.id


def test_before_sending_a_new_end_replans_the_evaluations(app, client, log_in, scene):
    event_id = planned_event(app, scene)
    log_in("coco@e.example")
    client.get("/language/en")
    page = client.get(f"/events/{event_id}/edit")
    form = event_form(page.text, scene["coco"], title="Werkplaats", ends="16:00")
    response = client.post(f"/events/{event_id}/edit", data=form)
    assert response.status_code == 302
    assert "2 planned evaluations go out on" in client.get(response.location).text
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.send_at == datetime(2030, 3, 13, 17, 0, tzinfo=UTC)  # 16:00 + 2 h, UTC+1
        invitations = db.session.scalars(select(Invitation).where(Invitation.event_id == event_id))
        assert {i.scheduled_at for i in invitations} == {event.send_at}
        changed = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.EVENT_CHANGED)
        )
        assert set(changed.detail["changes"]) >= {"starts_at", "ends_at", "send_at", "place"}


def test_after_sending_only_the_title_and_the_description_change(app, client, log_in, scene):
    event_id = planned_event(app, scene, send_in=-timedelta(minutes=5))
    log_in("coco@e.example")
    client.get("/language/en")
    page, response = edit(
        client, event_id, title="Werkplaats (verslag)", description="Met dank aan iedereen."
    )
    assert "only the title and the description can be changed" in page.text
    assert 'name="place"' not in page.text and 'name="ends"' not in page.text
    assert response.status_code == 302
    _page, refused = edit(client, event_id, title="Werkplaats", place="Elders", ends="23:00")
    assert refused.status_code == 409
    assert "The evaluations have been sent, so only the title and the description" in refused.text
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.title == "Werkplaats (verslag)"
        assert event.description == "Met dank aan iedereen."
        assert event.place == ""


def add(client, event_id: int, **fields):
    page = client.get(f"/events/{event_id}")
    data = {"csrf_token": csrf_token_in(page.text), "name": "", "organisation_name": ""}
    return client.post(f"/events/{event_id}/participants", data=data | fields)


def test_adding_one_participant(app, client, log_in, scene):
    event_id = planned_event(app, scene)
    log_in("coco@e.example")
    client.get("/language/en")
    response = add(
        client, event_id, name="Chris Cools", email="Chris@Example.org",
        organisation_name="Cools BV", locale="en",
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "chris@example.org has been added. The evaluation goes out on" in page
    assert "Chris Cools" in page and "Cools BV" in page and "3 participants" in page
    with app.app_context():
        found = db.session.scalar(select(Participant).where(Participant.name == "Chris Cools"))
        assert found.invitation.state is InvitationState.SCHEDULED
        assert found.invitation.locale == "en"


def test_a_bad_or_repeated_address_is_refused_beside_the_field(app, client, log_in, scene):
    event_id = planned_event(app, scene)
    log_in("coco@e.example")
    client.get("/language/en")
    bad = add(client, event_id, email="chris@@example")
    assert bad.status_code == 422
    assert 'id="email-error"' in bad.text and "is not a valid email address" in bad.text
    twice = add(client, event_id, email="ANNA@example.org")
    assert twice.status_code == 422
    assert "anna@example.org is a participant of this event already." in twice.text
    client.get("/language/nl")
    assert (
        "is al deelnemer van deze bijeenkomst"
        in add(client, event_id, email="anna@example.org").text
    )


def remove(client, event_id: int, participant_id: int):
    page = client.get(f"/events/{event_id}")
    return client.post(
        f"/events/{event_id}/participants/{participant_id}/remove",
        data={"csrf_token": csrf_token_in(page.text)},
    )


def participant_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Participant.id).where(Participant.email == email))


def test_a_participant_removed_before_sending_gets_nothing(app, client, log_in, scene, mail_server):
    event_id = planned_event(app, scene, send_in=timedelta(hours=1))
    log_in("coco@e.example")
    client.get("/language/en")
    response = remove(client, event_id, participant_id(app, "anna@example.org"))
    assert response.status_code == 302
    assert "anna@example.org has been removed" in client.get(response.location).text
    with app.app_context():
        run_all(lambda: utcnow() + timedelta(hours=2))
    assert [r.recipients for r in mail_server.received] == [["bram@example.org"]]


def test_a_participant_whose_evaluation_went_out_stays(app, client, log_in, scene, mail_server):
    event_id = planned_event(app, scene, send_in=-timedelta(minutes=1))
    with app.app_context():
        run_all()
    log_in("coco@e.example")
    client.get("/language/en")
    page = client.get(f"/events/{event_id}").text
    assert "/remove" not in page
    refused = remove(client, event_id, participant_id(app, "anna@example.org"))
    assert refused.status_code == 409
    assert "The evaluation was sent already; the participant stays on the list." in refused.text
    assert participant_id(app, "anna@example.org") is not None


def test_the_list_shows_upcoming_events_first_then_past_ones_newest_first(
    app, client, log_in, scene
):
    with app.app_context():
        org = db.session.get(Organisation, scene["org"])
        coco = db.session.get(User, scene["coco"])
        now = utcnow()
        for title, days in [("Lang geleden", -60), ("Vorige week", -7), ("Morgen", 1),
                            ("Volgende maand", 30)]:  # fmt: skip
            factories.event(org, coco, title=title, starts_at=now + timedelta(days=days))
        past = db.session.scalar(select(Event).where(Event.title == "Vorige week"))
        factories.participant(past, "anna@example.org")
        db.session.commit()
    log_in("coco@e.example")
    client.get("/language/en")
    page = client.get("/events").text
    order = [page.index(t) for t in ("Morgen", "Volgende maand", "Vorige week", "Lang geleden")]
    assert order == sorted(order)
    assert "Elders" not in page  # another organisation's
    assert "New event" in page


def test_only_coordinators_and_administrators_run_events(app, client, log_in, scene):
    event_id = planned_event(app, scene)
    log_in("sanne@e.example")
    for path in ("/events", "/events/new", f"/events/{event_id}", f"/events/{event_id}/edit"):
        assert client.get(path).status_code == 403
    assert ">Events<" not in client.get("/contacts").text
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/contacts").text)})
    log_in("admin@e.example")
    client.get("/language/en")
    assert client.get(f"/events/{event_id}").status_code == 200
    assert ">Events<" in client.get("/contacts").text


def test_another_organisations_event_is_not_found(app, client, log_in, scene):
    log_in("coco@e.example")
    elsewhere = scene["elsewhere"]
    assert client.get(f"/events/{elsewhere}").status_code == 404
    assert client.get(f"/events/{elsewhere}/edit").status_code == 404
    page = client.get("/events")
    token = csrf_token_in(page.text)
    for action in ("send-now", "remind", "participants"):
        response = client.post(f"/events/{elsewhere}/{action}", data={"csrf_token": token})
        assert response.status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"day": "0001-01-01"},
        {"day": "9999-12-31", "starts": "23:58", "ends": "23:59"},
        {"kind": "party", "questionnaire": "10000000000000000000", "signer": "x"},
        {"organisers": ["x", "-1"], "starts": "25:00", "send_time": "9"},
        {"title": "Twee\nregels", "speakers": "x" * 201, "description": "y" * 2001},
    ],
)
def test_odd_input_is_answered_with_a_message_not_an_error(app, client, log_in, scene, changes):
    log_in("coco@e.example")
    client.get("/language/en")
    response = create(client, scene["coco"], **changes)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert the_event(app) is None
