"""In a real browser, the email in the Mailbox looks as it would in a mail program, and its
survey link opens in the whole window, as it would for the entrepreneur."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from survey.extensions import db
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.devmail.emails import deliver, survey_email

pytestmark = pytest.mark.browser

WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def logged_in_developer(app, page, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")  # the Mailbox exists only there
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    with app.app_context():
        factories.user(factories.organisation(), email="dev@testdorp.example")
        db.session.commit()
    log_in_through_form(page, "dev@testdorp.example")
    return smtp_server


def test_the_email_keeps_its_styles_runs_no_script_and_its_link_opens_in_the_window(
    page, live_server, logged_in_developer
):
    target = f"{live_server}/account"
    deliver(logged_in_developer, survey_email(survey_url=target))
    page.goto("/dev/mailbox")
    with page.expect_navigation():
        page.get_by_role("link", name="Hoe was uw contact met Gemeente Ölst?").click()

    email = page.frame_locator("iframe.mail-html")
    intro = email.locator("p.intro")
    assert intro.evaluate("p => getComputedStyle(p).color") == "rgb(11, 83, 148)"
    assert email.locator("body").get_attribute("data-ran") is None
    with page.expect_navigation(url=target):
        email.locator("a#survey").click()
    assert page.url == target


def test_the_mailbox_pages_are_accessible(page, logged_in_developer):
    deliver(logged_in_developer, survey_email())
    axe = Axe()
    page.goto("/dev/mailbox")
    detail = page.locator("td a[href^='/dev/mailbox/']").get_attribute("href")
    for path in ("/dev/mailbox", detail):
        assert page.goto(path).status == 200
        results = axe.run(page, options=WCAG_A_AA)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
