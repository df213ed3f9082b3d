"""An event's room link, as the people in the room use it: the questionnaire for anyone, answered
anonymously, once per browser, only while the evaluation is open; a GET stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.analysis.models import TALLIES
from survey.analysis.periods import reporting_month
from survey.analysis.recount import rebuild_tallies
from survey.clock import utcnow
from survey.events.rooms import close_room_link, follow_event_times, room_link_for
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.responding.models import Response
from survey.responding.room import BROWSER_COOKIE
from survey.responding.room_links import (
    CODE_ALPHABET,
    RoomAnswerMark,
    RoomLink,
    RoomState,
    stored_code,
)
from tests import factories

ANSWERS = {
    "q_relevance": "4",
    "q_usefulness": "5",
    "q_overall": "8",
    "q_heard_via": "newsletter",
    "q_next_topics": ["financing", "digital"],
    "q_remarks": "Meer voorbeelden uit de praktijk graag.",
}


def _room(app, *, starts_in=timedelta(hours=-1), send_in=timedelta(hours=2), **org_settings):
    """A room link of an event that started `starts_in` from now; its path and ids."""
    with app.app_context():
        org = factories.organisation(**org_settings)
        now = utcnow()
        event = factories.event(org, starts_at=now + starts_in, send_at=now + send_in)
        factories.participant(event)
        link = room_link_for(event, now)
        db.session.commit()
        return f"/r/{link.shown_code}", link.id, event.id


def _count(app, model=Response) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _room_responses(app) -> list[Response]:
    with app.app_context():
        responses = db.session.scalars(select(Response).where(Response.room_link_id.is_not(None)))
        return [{c.name: getattr(r, c.key) for c in Response.__table__.columns} for r in responses]


def test_a_room_link_has_a_short_code_without_look_alike_characters(ctx):
    org = factories.organisation()
    event = factories.event(org)
    link = room_link_for(event, utcnow())
    assert len(link.code) == 8 and set(link.code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert link.shown_code == f"{link.code[:4]}-{link.code[4:]}"
    assert room_link_for(event, utcnow()) is link  # one per event
    # People type it as they like: lower case, without the dash.
    assert stored_code(link.shown_code.lower()) == link.code
    assert stored_code(link.code) == link.code
    assert stored_code("ABCD-EFG0") is None


def test_the_room_link_records_the_events_dimensions_and_window(ctx):
    org = factories.organisation(link_expiry_days=10)
    event = factories.event(org, locale="en")
    link = room_link_for(event, utcnow())
    assert link.organisation_id == org.id and link.event_id == event.id
    assert link.questionnaire_version_id == event.questionnaire.latest_version.id
    assert link.occasion_kind is OccasionKind.EVENT_PARTICIPANT
    assert link.channel is Channel.EVENT
    assert link.staff_member_id == event.signer.id
    assert link.locale == "en"
    assert link.opens_at == event.starts_at
    assert link.closes_at == event.send_at + timedelta(days=10)


def test_an_open_room_link_follows_the_events_new_times_but_a_closed_one_stays_closed(ctx):
    org = factories.organisation()
    event = factories.event(org)
    link = room_link_for(event, utcnow())
    event.starts_at += timedelta(days=1)
    event.send_at += timedelta(days=1)
    follow_event_times(event)
    assert link.opens_at == event.starts_at
    assert link.closes_at == event.send_at + timedelta(days=org.link_expiry_days)
    other = factories.contact_version()
    event.questionnaire = other.questionnaire  # before any answer came in through the room
    follow_event_times(event)
    assert link.questionnaire_version_id == other.id
    now = utcnow()
    close_room_link(link, now)
    event.send_at += timedelta(days=5)
    follow_event_times(event)
    assert link.state_at(now + timedelta(days=2)) is RoomState.CLOSED


def test_the_room_page_shows_the_questionnaire_and_says_answers_are_anonymous(app, client):
    path, _, _ = _room(app)
    page = client.get(path)
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Uw antwoorden zijn anoniem" in page.text
    assert page.text.count("<fieldset") == 8
    assert page.headers["Cache-Control"] == "no-store"
    english = client.get(f"{path}?lang=en")
    assert '<html lang="en">' in english.text and "Your answers are anonymous" in english.text


def test_opening_the_room_page_stores_nothing_and_gives_the_browser_a_cookie(app, client):
    path, _, _ = _room(app)
    for _ in range(3):
        assert client.get(path).status_code == 200
    assert _count(app) == 0 and _count(app, RoomAnswerMark) == 0
    cookie = client.get_cookie(BROWSER_COOKIE, path="/r/")
    assert cookie is not None and len(cookie.value) >= 40
    assert cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None  # kept while the evaluation is open, not only a session


def test_a_room_answer_is_stored_anonymously_with_the_events_dimensions(app, client):
    path, link_id, event_id = _room(app)
    client.get(path)
    sent = client.post(path, data={**ANSWERS, "locale": "nl"})
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "Bedankt voor uw antwoorden" in thanks.text
    [response] = _room_responses(app)
    assert response["invitation_id"] is None
    assert response["room_link_id"] == link_id and response["event_id"] == event_id
    assert response["occasion_kind"] is OccasionKind.EVENT_PARTICIPANT
    assert response["channel"] is Channel.EVENT
    assert response["account_manager_id"] is not None
    assert response["month"] == reporting_month(response["submitted_at"], "Europe/Amsterdam")
    with app.app_context():
        [mark] = db.session.scalars(select(RoomAnswerMark))
        cookie = client.get_cookie(BROWSER_COOKIE, path="/r/").value
        assert cookie not in mark.browser and len(mark.browser) == 64  # a keyed hash only


def test_one_browser_answers_once_and_another_browser_may_answer_too(app, client):
    path, _, _ = _room(app)
    client.get(path)
    assert client.post(path, data=ANSWERS).status_code == 303
    again = client.post(path, data=ANSWERS)
    assert again.status_code == 200 and "al geantwoord" in again.text
    assert _count(app) == 1 and _count(app, RoomAnswerMark) == 1
    other = app.test_client()
    other.get(path)
    assert other.post(path, data=ANSWERS).status_code == 303
    assert _count(app) == 2


def test_a_post_without_the_browser_cookie_stores_nothing_and_keeps_the_answers(app, client):
    path, _, _ = _room(app)
    refused = client.post(path, data=ANSWERS)
    assert refused.status_code == 400
    assert "cookies" in refused.text and "Meer voorbeelden uit de praktijk" in refused.text
    assert _count(app) == 0
    # The refusal offered the cookie, so sending again works.
    assert client.post(path, data=ANSWERS).status_code == 303
    assert _count(app) == 1


def test_incomplete_answers_are_shown_again_and_nothing_is_stored(app, client):
    path, _, _ = _room(app)
    client.get(path)
    page = client.post(path, data={"q_relevance": "4"})
    assert page.status_code == 422 and "Controleer wat u hebt ingevuld" in page.text
    assert _count(app) == 0


def test_switching_language_keeps_the_answers_and_stores_nothing(app, client):
    path, _, _ = _room(app)
    client.get(path)
    page = client.post(path, data={**ANSWERS, "switch_locale": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Meer voorbeelden uit de praktijk" in page.text
    assert _count(app) == 0


def test_before_the_event_starts_the_room_link_takes_no_answers(app, client):
    path, _, _ = _room(app, starts_in=timedelta(hours=3), send_in=timedelta(hours=8))
    page = client.get(path)
    assert page.status_code == 200 and "nog niet open" in page.text
    client.set_cookie(BROWSER_COOKIE, "b" * 43, path="/r/")
    refused = client.post(path, data=ANSWERS)
    assert refused.status_code == 409
    assert _count(app) == 0


def test_after_the_evaluation_closes_the_room_link_is_gone(app, client):
    path, _, _ = _room(
        app, starts_in=timedelta(days=-30), send_in=timedelta(days=-29), link_expiry_days=7
    )
    assert client.get(path).status_code == 410
    client.set_cookie(BROWSER_COOKIE, "b" * 43, path="/r/")
    refused = client.post(path, data=ANSWERS)
    assert refused.status_code == 410 and "gesloten" in refused.text
    assert _count(app) == 0


def test_a_room_link_closed_early_takes_no_more_answers(app, client):
    path, link_id, _ = _room(app)
    client.get(path)
    with app.app_context():
        close_room_link(db.session.get(RoomLink, link_id), utcnow())
        db.session.commit()
    assert client.get(f"{path}?lang=en").status_code == 410
    refused = client.post(path, data={**ANSWERS, "locale": "en"})
    assert refused.status_code == 410 and "This survey has closed" in refused.text
    assert _count(app) == 0


@pytest.mark.parametrize("code", ["ABCD-EFGH", "abcd", "K7Q2-M9X0", "x" * 300])
def test_an_unknown_code_is_not_found(app, client, code):
    _room(app)
    page = client.get(f"/r/{code}")
    assert page.status_code == 404 and "Controleer de code" in page.text
    assert client.post(f"/r/{code}", data=ANSWERS).status_code == 404


def test_the_code_may_be_typed_in_lower_case_without_the_dash(app, client):
    path, _, _ = _room(app)
    typed = path.lower().replace("-", "")
    assert client.get(typed).status_code == 200
    assert client.post(typed, data=ANSWERS).status_code == 303
    assert _count(app) == 1


def test_many_answers_from_one_address_are_slowed_down_in_the_visitors_language(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "ROOM_ANSWER_LIMIT_PER_ADDRESS", "3 per 10 minutes")
    path, _, _ = _room(app)
    for number in range(3):
        browser = app.test_client()
        browser.get(path)
        assert browser.post(path, data=ANSWERS).status_code == 303, number
    late = app.test_client()
    late.get(path)
    refused = late.post(path, data={**ANSWERS, "locale": "en"})
    assert refused.status_code == 429 and "Many answers at once" in refused.text
    assert _count(app) == 3


def test_room_answers_keep_the_tallies_equal_to_a_recount(app, client):
    path, _, _ = _room(app)
    for grade in ("6", "8", "9"):
        browser = app.test_client()
        browser.get(path)
        assert browser.post(path, data={**ANSWERS, "q_overall": grade}).status_code == 303
    assert browser.post(path, data=ANSWERS).status_code == 200  # refused: counted nowhere
    with app.app_context():
        kept = _snapshot()
        assert kept["ResponseTally"]
        rebuild_tallies(db.session)
        assert _snapshot() == kept


def _snapshot() -> dict:
    return {
        tally.__name__: sorted(tuple(row) for row in db.session.execute(db.select(tally.__table__)))
        for tally in TALLIES
    }
