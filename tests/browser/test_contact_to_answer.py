"""The whole journey in a real browser, as a newcomer takes it with `make run`: log a contact,
run the jobs, open the invitation in the Mailbox page, and answer the survey from its link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.responding.models import Response
from tests import factories
from tests.browser.conftest import log_in_through_form

pytestmark = pytest.mark.browser


def test_log_a_contact_run_the_jobs_open_the_email_and_answer(
    app, page, live_server, smtp_server, monkeypatch
):
    for name, value in {
        "ENV_NAME": "development",  # the Mailbox exists only there
        "DEV_MAILBOX_DIR": str(smtp_server.mail_dir),
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "BASE_URL": live_server,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        org = factories.organisation("Gemeente Spiegelstad")
        factories.user(org, email="sanne@spiegelstad.example", name="Sanne de Vries")
        db.session.commit()

    log_in_through_form(page, "sanne@spiegelstad.example")

    page.goto("/contacts/new")
    page.fill("#company_name", "Bakkerij Van Dam")
    page.fill("#person_name", "Eva de Vries")
    page.fill("#email", "eva@bakkerij.example")
    page.locator("input[name=channel][value=visit]").check()
    page.fill("#subject", "Uitbreiding van de winkel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("table").get_by_text("Bakkerij Van Dam").count() == 1

    # The jobs, run from the Mailbox page (the invitation would wait for 09:00 tomorrow).
    page.goto("/dev/mailbox")
    with page.expect_navigation():
        page.locator("form[action$='/dev/mailbox/send-now'] button").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Hoe was uw contact met Sanne de Vries").click()
    email = page.frame_locator("iframe")
    with page.expect_navigation():
        email.get_by_role("link", name="Vragenlijst invullen").click()
    assert "/s/" in page.url

    for code, value in {
        "reachability": "4",
        "expertise": "5",
        "speed": "3",
        "agreements": "4",
        "thinking_along": "5",
        "clarity": "4",
        "overall": "8",
        "recommend": "9",
    }.items():
        page.locator(f"input[name=q_{code}][value='{value}']").check(force=True)
    page.fill("textarea[name=q_improve]", "Sneller terugbellen graag.")
    with page.expect_navigation():
        page.locator("#survey-form button[type=submit]:not([name])").click()
    assert page.locator(".link-state.thanks").count() == 1

    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.state is InvitationState.ANSWERED
        assert db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
