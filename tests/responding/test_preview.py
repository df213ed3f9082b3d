"""Staff see the questionnaire as the recipient will, clearly marked, and can store nothing with
it: a preview, never the recipient's live link (no self-rating)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responding.models import Response
from tests import factories
from tests.conftest import csrf_token_in

ANSWERS = factories.CONTACT_FORM_ANSWERS


@pytest.fixture
def scene(app):
    """Sanne's open invitation to an English-speaking entrepreneur; Joris, a colleague; a
    coordinator; and an administrator of another organisation."""
    with app.app_context():
        org, elsewhere = factories.organisation(), factories.organisation("Gemeente Elders")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne de Vries")
        factories.user(org, email="joris@a.example")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        factories.user(elsewhere, Role.ADMIN, email="admin@b.example")
        invitation = factories.invitation(org, sanne, locale="en")
        db.session.commit()
        return {"id": invitation.id, "token": factories.survey_token(invitation)}


def invitation_row(app, invitation_id: int) -> dict:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return {c.name: getattr(invitation, c.key) for c in Invitation.__table__.columns}


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_the_preview_is_the_survey_page_marked_as_a_preview(client, log_in, scene):
    log_in("sanne@a.example")
    page = client.get(f"/invitations/{scene['id']}/preview")

    assert page.status_code == 200
    assert '<html lang="en">' in page.text  # the recipient's language
    assert "Preview – answers are not saved" in page.text
    assert page.text.count("<fieldset") == 9
    assert scene["token"] not in page.text and "/s/" not in page.text
    dutch = client.get(f"/invitations/{scene['id']}/preview?lang=nl").text
    assert "Voorbeeld – antwoorden worden niet opgeslagen" in dutch


def test_sending_the_preview_stores_nothing_and_says_so(app, client, log_in, scene):
    log_in("sanne@a.example")
    before = invitation_row(app, scene["id"])
    page = client.get(f"/invitations/{scene['id']}/preview")

    sent = client.post(
        f"/invitations/{scene['id']}/preview",
        data={**ANSWERS, "locale": "en", "csrf_token": csrf_token_in(page.text)},
    )

    assert sent.status_code == 200
    assert "This was a preview: your answers were not saved." in sent.text
    assert responses(app) == 0
    assert invitation_row(app, scene["id"]) == before
    assert client.get(f"/s/{scene['token']}").status_code == 200  # the real link still open


def test_the_preview_checks_answers_like_the_real_page(client, log_in, scene):
    log_in("sanne@a.example")
    page = client.get(f"/invitations/{scene['id']}/preview")
    sent = client.post(
        f"/invitations/{scene['id']}/preview",
        data={"locale": "en", "csrf_token": csrf_token_in(page.text)},
    )
    assert sent.status_code == 422
    assert "Please check your answers" in sent.text


def test_the_preview_switches_language_keeping_what_was_filled_in(client, log_in, scene):
    log_in("sanne@a.example")
    page = client.get(f"/invitations/{scene['id']}/preview")
    switched = client.post(
        f"/invitations/{scene['id']}/preview",
        data={
            "q_overall": "8",
            "locale": "en",
            "switch_locale": "nl",
            "csrf_token": csrf_token_in(page.text),
        },
    )
    assert switched.status_code == 200
    assert '<html lang="nl">' in switched.text
    assert re.search(r'name="q_overall" value="8"\s+checked', switched.text)


def test_the_preview_needs_a_login_and_a_form_token(app, client, log_in, scene):
    url = f"/invitations/{scene['id']}/preview"
    assert client.get(url).status_code == 302
    log_in("sanne@a.example")
    assert client.post(url, data={**ANSWERS, "locale": "en"}).status_code == 400
    assert responses(app) == 0


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("coord@a.example", 200), ("joris@a.example", 404), ("admin@b.example", 404)],
)
def test_who_may_preview_an_invitation(client, log_in, scene, viewer, status):
    log_in(viewer)
    assert client.get(f"/invitations/{scene['id']}/preview").status_code == status
