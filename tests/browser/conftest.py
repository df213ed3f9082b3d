"""Browser fixtures: the test app served on a free local port, and Debian's headless Chromium.

One browser per session and a fresh context (cookies, storage) per test keep the suite fast.
Without /usr/bin/chromium the tests skip with a reason, or fail when REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import NamedTuple

import pytest
from werkzeug.serving import make_server

from survey.extensions import db
from survey.invitations.models import InvitationState
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = "Chromium not installed (apt-get install chromium): browser tests skipped"
# Without the background-networking flags Chromium's connections are refused on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server(app):
    """The base URL of `app`, served in a daemon thread; it sees what tests commit."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_CHROMIUM)
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


class SurveyLink(NamedTuple):
    invitation_id: int
    path: str


@pytest.fixture
def survey_link(app):
    """Make a committed contact-survey invitation; gives its id and the path of its link."""

    def survey_link(state=InvitationState.SENT, locale: str = "nl") -> SurveyLink:
        with app.app_context():
            org = factories.organisation(contact_email="loket@testdorp.example")
            invitation = factories.invitation(org, state=state, locale=locale)
            db.session.commit()
            return SurveyLink(invitation.id, f"/s/{factories.survey_token(invitation)}")

    return survey_link


def log_in_through_form(page, email: str, password: str = factories.PASSWORD) -> None:
    """Log in as a person would: the login page, the two fields, the button."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
