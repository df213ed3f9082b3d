"""The coordinator's room-link pages: making the link, the projector view, the count of room
answers, closing early; who may see them; the room link is shown to staff, personal links not."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.responding.links import MASK, room_url, survey_url, without_personal_links
from survey.responding.room_links import RoomLink
from tests import factories
from tests.conftest import csrf_token_in
from tests.events.test_room_qr import readable_address

ANSWERS = {"q_relevance": "4", "q_usefulness": "5", "q_overall": "8"}


def _event(app, role=Role.COORDINATOR, **org_settings):
    with app.app_context():
        org = factories.organisation(**org_settings)
        staff = factories.user(org, role)
        event = factories.event(org, factories.user(org, Role.COORDINATOR), title="Klantarena")
        db.session.commit()
        return staff.email, event.id


def _post(client, page: str, action: str):
    token = csrf_token_in(client.get(page).text)
    return client.post(action, data={"csrf_token": token})


def _links(app) -> list[RoomLink]:
    with app.app_context():
        return list(db.session.scalars(select(RoomLink)))


def _audited(app) -> list[str]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [e.action for e in events if e.action.startswith("room_link")]


def test_a_coordinator_makes_the_room_link_once_and_sees_its_address(app, client, log_in):
    email, event_id = _event(app)
    log_in(email)
    page = client.get(f"/events/{event_id}/room")
    assert page.status_code == 200 and "Zaallink maken" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert _links(app) == []  # looking makes nothing
    made = _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room")
    assert made.status_code == 303
    _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room")  # a second click
    [link] = _links(app)
    assert _audited(app) == [Action.ROOM_LINK_CREATED]
    shown = client.get(f"/events/{event_id}/room").text
    assert readable_address(shown) == f"http://localhost/r/{link.shown_code}"
    assert "<svg" in shown and "Nu sluiten" in shown and "(nu open)" in shown


def test_an_administrator_may_make_it_too(app, client, log_in):
    email, event_id = _event(app, Role.ADMIN)
    log_in(email)
    assert _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room").status_code == 303
    assert len(_links(app)) == 1


def test_making_the_room_link_needs_the_forms_token(app, client, log_in):
    email, event_id = _event(app)
    log_in(email)
    assert client.post(f"/events/{event_id}/room").status_code == 400
    assert _links(app) == []


def test_the_projector_view_has_no_navigation(app, client, log_in):
    email, event_id = _event(app)
    log_in(email)
    _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room")
    page = client.get(f"/events/{event_id}/room/present")
    assert page.status_code == 200
    assert "staff-nav" not in page.text and "Uitloggen" not in page.text
    assert "Klantarena" in page.text and "<svg" in page.text
    assert "Scan de code, of typ dit adres:" in page.text


def test_the_page_counts_the_answers_that_came_in_through_the_room(app, client, log_in):
    email, event_id = _event(app)
    log_in(email)
    _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room")
    [link] = _links(app)
    for _ in range(2):
        browser = app.test_client()
        browser.get(f"/r/{link.shown_code}")
        assert browser.post(f"/r/{link.shown_code}", data=ANSWERS).status_code == 303
    page = client.get(f"/events/{event_id}/room").text
    assert re.search(r'<dd class="room-answers">\s*2\s*</dd>', page)


def test_close_now_stops_the_room_link_at_once(app, client, log_in):
    email, event_id = _event(app)
    log_in(email)
    _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room")
    closed = _post(client, f"/events/{event_id}/room", f"/events/{event_id}/room/close")
    assert closed.status_code == 303
    [link] = _links(app)
    assert link.closed_early_at is not None
    assert Action.ROOM_LINK_CLOSED in _audited(app)
    page = client.get(f"/events/{event_id}/room").text
    assert "(gesloten)" in page and "Nu sluiten" not in page
    browser = app.test_client()
    assert browser.get(f"/r/{link.shown_code}").status_code == 410
    present = client.get(f"/events/{event_id}/room/present").text
    assert "De zaallink is gesloten." in present and "<svg" not in present


def test_account_managers_may_not_see_or_make_room_links(app, client, log_in):
    email, event_id = _event(app, Role.ACCOUNT_MANAGER)
    log_in(email)
    assert client.get(f"/events/{event_id}/room").status_code == 403
    assert client.get(f"/events/{event_id}/room/present").status_code == 403
    token = csrf_token_in(client.get("/account").text)
    for action in (f"/events/{event_id}/room", f"/events/{event_id}/room/close"):
        assert client.post(action, data={"csrf_token": token}).status_code == 403
    assert _links(app) == []


def test_another_organisations_event_is_not_found(app, client, log_in):
    _, event_id = _event(app)
    email, _ = _event(app)  # a coordinator elsewhere
    log_in(email)
    assert client.get(f"/events/{event_id}/room").status_code == 404
    assert client.get(f"/events/{event_id}/room/present").status_code == 404
    own_page = client.get("/events/999999/room")
    assert own_page.status_code == 404
    assert _links(app) == []


def test_the_room_link_is_shown_to_staff_but_personal_links_stay_masked(ctx):
    org = factories.organisation()
    link = room_link_for(factories.event(org), utcnow())
    invitation = factories.invitation(org)
    text = f"Scan {room_url(link)} or answer at {survey_url(invitation)}"
    masked = without_personal_links(text)
    assert room_url(link) in masked
    assert survey_url(invitation) not in masked and f"/s/{MASK}" in masked
