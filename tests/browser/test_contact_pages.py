"""The contact pages in headless Chromium: axe-core finds no WCAG 2.1 A/AA violations, in Dutch
and English, and logging and importing work as people click through them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import LOCALES, assert_no_violations

pytestmark = pytest.mark.browser


def day(offset: int) -> str:
    moment = utcnow().astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(days=offset)
    return moment.date().strftime("%d-%m-%Y")


@pytest.fixture
def coordinator(app, page):
    """A coordinator with one account manager, logged in through the form."""
    with app.app_context():
        org = factories.organisation()
        factories.user(org, email="sanne@axe.example", name="Sanne")
        factories.user(org, Role.COORDINATOR, email="coord@axe.example", name="Coco")
        db.session.commit()
    log_in_through_form(page, "coord@axe.example")


def submit(page, selector="main form button.primary") -> None:
    with page.expect_navigation():
        page.locator(selector).click()


@pytest.mark.parametrize("locale", LOCALES)
def test_logging_a_contact_works_and_is_accessible(page, coordinator, locale):
    page.goto(f"/language/{locale}?next=/contacts/new")
    assert_no_violations(page, locale)
    submit(page)  # empty: every problem at once
    assert page.locator(".error-summary li").count() >= 4
    assert_no_violations(page, locale)
    page.select_option("#account_manager", label="Sanne")
    page.fill("#company_name", "Café Zoë")
    page.fill("#person_name", "Zoë Martín")
    page.fill("#email", "zoe@cafe.example")
    page.check("#channel-0")
    submit(page)
    assert page.url.endswith("/contacts")
    assert page.locator(".flash").count() == 1
    assert page.locator("td", has_text="Café Zoë").count() == 1
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_importing_works_and_is_accessible(page, coordinator, tmp_path, locale):
    spreadsheet = tmp_path / "contacten.csv"
    spreadsheet.write_bytes(
        (
            "Bedrijfsnaam;Contactpersoon;E-mail;Datum;Kanaal\r\n"
            f"Café Zoë;Zoë;zoe@cafe.example;{day(-1)};bezoek\r\n"
            f"Bakkerij;Piet;piet@;{day(-1)};telefoon\r\n"
        ).encode("cp1252")
    )
    page.goto(f"/language/{locale}?next=/contacts/import")
    assert_no_violations(page, locale)
    page.set_input_files("#file", str(spreadsheet))
    submit(page)
    assert page.locator(".import-problems th[scope=row]").all_inner_texts() == ["3"]
    assert_no_violations(page, locale)
    submit(page, "form.import-actions button.primary")
    assert page.locator(".flash").count() == 1
    assert_no_violations(page, locale)
    with page.expect_download() as download:
        page.locator("main form button.primary").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.goto("/contacts")
    assert page.locator("td", has_text="Café Zoë").count() == 1
    assert_no_violations(page, locale)
