"""An open link's page comes from a frame drawn once per frozen version, language and
municipality: it must be, byte for byte, the page drawn afresh for that link, never show another
link's token or line, and never show a renamed municipality or changed setting out of date."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from survey.accounts.staff import remove_user
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.languages import use_locale, use_timezone
from survey.questionnaires.cache import survey_form
from survey.responding.opening import LinkGlance, glance_at_link, invitation_with_page
from survey.responding.routes import _draw_survey_page
from survey.responding.tokens import Purpose, make_token
from tests import factories


def _token(app, invitation: Invitation) -> str:
    return make_token(invitation, Purpose.SURVEY, app.secret_key)


def _frozen_link(app, *, staff: str = "with", locale: str = "nl", **settings) -> str:
    """An open link to the contact survey, whose version has a response already."""
    with app.app_context():
        org = factories.organisation(**settings)
        manager = factories.user(org, name="Sanne de Vries")
        invitation = factories.invitation(org, manager, locale=locale)
        factories.response(org, manager, {"overall": 8})
        if staff == "none":
            invitation.staff_member_id = None
        elif staff == "no day":  # as an event's invitation: no line about the contact
            invitation.occasion_on = None
        elif staff == "removed":
            admin = factories.user(org, factories.Role.ADMIN)
            remove_user(manager, actor=admin, now=utcnow())
        db.session.commit()
        return _token(app, invitation)


def _drawn_afresh(app, token: str, locale: str) -> str:
    """The page as the template draws it for this link, without any frame."""
    with app.test_request_context(f"/s/{token}"):
        glance = glance_at_link(token)
        use_locale(locale)
        use_timezone(glance.timezone)
        invitation = invitation_with_page(glance.invitation_id)
        form = survey_form(invitation.questionnaire_version, locale)(formdata=None)
        page = _draw_survey_page(invitation, token, form, locale)
        db.session.remove()
        return page


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("staff", ["with", "none", "removed", "no day"])
def test_the_framed_page_is_the_page_drawn_afresh(app, client, staff, locale):
    token = _frozen_link(app, staff=staff)
    first = client.get(f"/s/{token}?lang={locale}")  # draws the frame
    again = client.get(f"/s/{token}?lang={locale}")  # fills it
    expected = _drawn_afresh(app, token, locale)
    assert first.status_code == again.status_code == 200
    assert first.text == again.text == expected
    assert f'action="/s/{token}"' in expected
    assert ('class="occasion"' in expected) is (staff != "no day")


def test_each_link_shows_its_own_token_and_contact_never_another_links(app, client):
    with app.app_context():
        org = factories.organisation()
        sanne, joris = factories.user(org, name="Sanne"), factories.user(org, name="Joris")
        factories.response(org, sanne, {"overall": 8})
        first, second = factories.invitation(org, sanne), factories.invitation(org, joris)
        db.session.commit()
        tokens = _token(app, first), _token(app, second)
    pages = [client.get(f"/s/{token}").text for token in tokens]
    assert f'action="/s/{tokens[0]}"' in pages[0] and tokens[1] not in pages[0]
    assert f'action="/s/{tokens[1]}"' in pages[1] and tokens[0] not in pages[1]
    assert "contact met Sanne op" in pages[0] and "Joris" not in pages[0]
    assert "contact met Joris op" in pages[1] and "Sanne" not in pages[1]
    for token, page in zip(tokens, pages, strict=True):
        assert page == _drawn_afresh(app, token, "nl")


def test_a_name_with_markup_is_escaped_in_the_filled_line(app, client):
    with app.app_context():
        org = factories.organisation()
        manager = factories.user(org, name="Jan <b>&</b> Co")
        factories.response(org, manager, {"overall": 8})
        token = _token(app, factories.invitation(org, manager))
        db.session.commit()
    client.get(f"/s/{token}")
    page = client.get(f"/s/{token}").text
    assert "Jan &lt;b&gt;&amp;&lt;/b&gt; Co" in page and "<b>&</b>" not in page


def test_a_changed_municipality_shows_at_once_on_an_open_link(app, client):
    token = _frozen_link(app, account_managers_see_answers=False)
    before = client.get(f"/s/{token}").text
    with app.app_context():
        invitation = glance_at_link_in(app, token)
        organisation = invitation.organisation
        organisation.name = "Gemeente Nieuwe Naam"
        organisation.privacy_url = "https://nieuwenaam.example/privacy"
        organisation.account_managers_see_answers = True
        db.session.commit()
    after = client.get(f"/s/{token}").text
    assert "Gemeente Nieuwe Naam" in after
    assert 'href="https://nieuwenaam.example/privacy"' in after
    assert after == _drawn_afresh(app, token, "nl")
    assert after != before


def glance_at_link_in(app, token: str) -> Invitation:
    with app.test_request_context(f"/s/{token}"):
        invitation_id = glance_at_link(token).invitation_id
    return db.session.get(Invitation, invitation_id)


def test_the_glance_reads_what_the_loaded_invitation_says(app):
    for staff in ("with", "none", "removed"):
        token = _frozen_link(app, staff=staff, privacy_url="https://x.example/p")
        with app.test_request_context(f"/s/{token}"):
            glance = glance_at_link(token)
            loaded = LinkGlance.of_invitation(invitation_with_page(glance.invitation_id))
            assert glance == loaded
            assert glance.version_frozen
            db.session.remove()


def test_a_tampered_or_outdated_token_gets_no_glance(app):
    token = _frozen_link(app)
    with app.test_request_context("/"):
        assert glance_at_link(token[:-2] + ("A" if token[-1] != "A" else "B") + "x") is None
        invitation = db.session.get(Invitation, glance_at_link(token).invitation_id)
        invitation.nonce = "renewed-nonce"
        db.session.commit()
        assert glance_at_link(token) is None


def test_an_open_link_once_framed_is_one_statement_without_a_transaction(app, client):
    token = _frozen_link(app)
    client.get(f"/s/{token}")
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(f"/s/{token}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert len(statements) == 1, statements
    assert not any(s.strip().upper().startswith(("BEGIN", "ROLLBACK")) for s in statements)


def test_a_message_waiting_in_the_session_is_shown_and_kept_out_of_the_frame(app, client):
    token = _frozen_link(app)
    client.get(f"/s/{token}")  # the frame exists
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Een bericht voor deze bezoeker")]
    shown = client.get(f"/s/{token}").text
    assert "Een bericht voor deze bezoeker" in shown
    other = _frozen_link(app)
    assert "Een bericht voor deze bezoeker" not in client.get(f"/s/{other}").text
    assert "Een bericht voor deze bezoeker" not in client.get(f"/s/{token}").text
