"""The survey page behind a personal link: every link state, GET without effects, one response."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.responding.models import Answer, Response
from tests import factories

CONTACT_ANSWERS = factories.CONTACT_FORM_ANSWERS


def _open_invitation(app, **options):
    with app.app_context():
        org = factories.organisation(contact_email="loket@testdorp.example")
        invitation = factories.invitation(org, **options)
        db.session.commit()
        return invitation.id, factories.survey_token(invitation)


def _count_responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def _invitation_row(app, invitation_id):
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return {c.name: getattr(invitation, c.key) for c in Invitation.__table__.columns}


def test_the_survey_page_shows_every_question_as_a_fieldset_with_nothing_chosen(app, client):
    _, token = _open_invitation(app)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="nl">' in html
    assert html.count("<fieldset") == 9 and html.count("<legend") == 9
    assert "Welk rapportcijfer geeft u dit contact met de gemeente?" in html
    assert "Helemaal mee eens" in html  # options are labelled in words
    assert " checked" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_opening_the_link_changes_nothing(app, client):
    """Mail scanners open every link first: a GET must not use up or mark the invitation."""
    invitation_id, token = _open_invitation(app)
    before = _invitation_row(app, invitation_id)
    for _ in range(3):
        assert client.get(f"/s/{token}").status_code == 200
        assert client.head(f"/s/{token}").status_code == 200
    assert _invitation_row(app, invitation_id) == before
    assert _count_responses(app) == 0


def test_the_page_speaks_the_invitations_language_and_switches_on_request(app, client):
    _, token = _open_invitation(app, locale="en")
    english = client.get(f"/s/{token}")
    assert '<html lang="en">' in english.text
    assert "Overall, how would you rate this contact with the municipality?" in english.text
    dutch = client.get(f"/s/{token}?lang=nl")
    assert '<html lang="nl">' in dutch.text
    assert "Welk rapportcijfer" in dutch.text


def test_switching_language_keeps_what_was_filled_in_and_stores_nothing(app, client):
    _, token = _open_invitation(app)
    page = client.post(
        f"/s/{token}",
        data={"locale": "nl", "switch_locale": "en", "q_speed": "2", "q_improve": "Meer uitleg"},
    )
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert re.search(r'value="2"\s+checked', page.text.replace("\n", " ")) or re.search(
        r'name="q_speed" value="2"\s*checked', page.text
    )
    assert "Meer uitleg</textarea>" in page.text
    assert "error-summary" not in page.text
    assert _count_responses(app) == 0
    # The hidden field carries the new language into the real submit.
    assert 'name="locale" value="en"' in page.text


def test_a_complete_answer_is_stored_once_and_thanked_for(app, client):
    invitation_id, token = _open_invitation(app)
    posted = client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS})
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith(f"/s/{token}/thanks")
    thanks = client.get(posted.headers["Location"])
    assert thanks.status_code == 200
    assert "thanks" in thanks.request.path
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.invitation_id == invitation_id and response.locale == "nl"
        assert factories.stored_answers(response) == factories.CONTACT_STORED_ANSWERS
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation.state is InvitationState.ANSWERED
        assert invitation.answered_at == response.submitted_at


def test_skipped_optional_questions_store_no_answer(app, client):
    _, token = _open_invitation(app)
    client.post(f"/s/{token}", data={"locale": "nl", "q_overall": "6", "q_recommend": "5"})
    with app.app_context():
        codes = sorted(a.question.code for a in db.session.scalars(select(Answer)))
    assert codes == ["overall", "recommend"]


def test_missing_required_answers_are_listed_at_the_top_and_beside_the_field(app, client):
    _, token = _open_invitation(app)
    page = client.post(f"/s/{token}", data={"locale": "nl", "q_speed": "2", "q_recommend": "7"})
    assert page.status_code == 422
    html = page.text
    assert 'class="error-summary"' in html
    assert 'href="#q_overall-0"' in html  # links to the first option of the question
    assert 'id="q_overall-error"' in html
    assert 'href="#q_recommend-0"' not in html
    assert re.search(r'name="q_speed" value="2"\s*checked', html)
    assert _count_responses(app) == 0


def test_a_forged_option_is_refused_with_a_message(app, client):
    _, token = _open_invitation(app)
    answers = {**CONTACT_ANSWERS, "q_overall": "11", "q_speed": "0"}
    page = client.post(f"/s/{token}", data={"locale": "nl", **answers})
    assert page.status_code == 422
    assert 'href="#q_overall-0"' in page.text and 'href="#q_speed-0"' in page.text
    assert _count_responses(app) == 0


def test_a_double_submit_makes_one_response_and_a_thank_you(app, client):
    _, token = _open_invitation(app)
    first = client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS})
    second = client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS})
    assert first.status_code == 303
    assert second.status_code == 200
    assert 'class="link-state answered"' in second.text
    assert _count_responses(app) == 1


def test_a_response_racing_in_from_another_tab_is_caught_by_the_database(app, client):
    """The other tab committed between our state check and our insert: the constraint decides."""
    invitation_id, token = _open_invitation(app)
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        factories.response_from_another_tab(invitation)
        db.session.commit()  # state still "sent": as seen by a request that read it earlier
    page = client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS})
    assert page.status_code == 200
    assert 'class="link-state answered"' in page.text
    assert _count_responses(app) == 1


def test_an_answered_link_shows_a_thank_you_not_the_form(app, client):
    _, token = _open_invitation(app, state=InvitationState.ANSWERED)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert 'class="link-state answered"' in page.text
    assert "<fieldset" not in page.text


def test_an_expired_link_says_whom_to_contact_with_410(app, client):
    _, token = _open_invitation(app, state=InvitationState.EXPIRED)
    page = client.get(f"/s/{token}")
    assert page.status_code == 410
    assert "loket@testdorp.example" in page.text
    assert "<fieldset" not in page.text
    posted = client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS})
    assert posted.status_code == 410
    assert _count_responses(app) == 0


def test_a_link_past_its_expiry_date_is_expired_even_before_the_job_marks_it(app, client):
    _, token = _open_invitation(app, sent_at=utcnow() - timedelta(days=22))
    assert client.get(f"/s/{token}").status_code == 410


def test_unknown_tampered_and_unsent_links_get_404_and_reveal_nothing(app, client):
    invitation_id, token = _open_invitation(app)
    _, unsent = _open_invitation(app, state=InvitationState.SCHEDULED)
    _, suppressed = _open_invitation(app, state=InvitationState.SUPPRESSED)
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    for link in ("/s/nonsense", f"/s/{tampered}", f"/s/{unsent}", f"/s/{suppressed}"):
        page = client.get(link)
        assert page.status_code == 404, link
        assert 'class="link-state unknown"' in page.text
        assert "Gemeente Testdorp" not in page.text
        assert client.post(link, data=CONTACT_ANSWERS).status_code == 404
    assert _count_responses(app) == 0


def test_the_thank_you_page_of_an_unanswered_link_leads_back_to_the_survey(app, client):
    _, token = _open_invitation(app)
    page = client.get(f"/s/{token}/thanks")
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/s/{token}")


def test_links_signed_with_a_retired_key_keep_working(app, client):
    with app.app_context():
        invitation = factories.invitation(factories.organisation())
        db.session.commit()
        old_token = factories.survey_token(invitation, secret_key="retired-key")
    assert client.get(f"/s/{old_token}").status_code == 404
    app.config["SECRET_KEY_FALLBACKS"] = ["retired-key"]
    try:
        assert client.get(f"/s/{old_token}").status_code == 200
    finally:
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_simultaneous_submits_make_one_response_and_no_error(app):
    """A double click sends two POSTs at once: one stores, the other thanks; nobody sees a 500."""
    import threading

    _, token = _open_invitation(app)
    barrier = threading.Barrier(4)
    statuses = []

    def submit():
        client = app.test_client()
        barrier.wait()
        statuses.append(
            client.post(f"/s/{token}", data={"locale": "nl", **CONTACT_ANSWERS}).status_code
        )

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 303]
    assert _count_responses(app) == 1
