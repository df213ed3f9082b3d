"""The import's column step in headless Chromium: a CRM export whose columns are not recognised
is mapped by hand, imported, and the next export of the same CRM is read without asking; a
participant list pasted into an event's import has its columns chosen the same way."""

from __future__ import annotations

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import LOCALES, assert_no_violations
from tests.browser.test_contact_pages import day, submit
from tests.browser.test_reflow import PHONE, too_wide_at

pytestmark = pytest.mark.browser

HEADER = "Klant;Contact;Mail;Dag;Wijze;Notitie\r\n"


@pytest.fixture
def coordinator(app, page):
    with app.app_context():
        org = factories.organisation()
        factories.user(org, email="sanne@map.example", name="Sanne")
        coordinator = factories.user(org, Role.COORDINATOR, email="coord@map.example", name="Coco")
        event = factories.event(org, coordinator, title="Lerend netwerk, sessie 1")
        db.session.commit()
        event_id = event.id
    log_in_through_form(page, "coord@map.example")
    return event_id


@pytest.mark.parametrize("locale", LOCALES)
def test_a_crm_export_is_mapped_by_hand_once_then_read_without_asking(
    page, coordinator, tmp_path, locale
):
    first = tmp_path / "zaakwijzer.csv"
    first.write_text(
        HEADER + f"Café Zoë;Zoë Martín;zoe@cafe.example;{day(-1)};bezoek;binnen gelopen\r\n",
        encoding="utf-8",
    )
    page.goto(f"/language/{locale}?next=/contacts/import")
    page.set_input_files("#file", str(first))
    submit(page)

    # The columns found, each with its first value and a labelled select.
    assert page.locator(".import-columns select").count() == 6
    assert page.locator(".import-columns .hint", has_text="Zoë Martín").count() == 1
    assert (
        page.locator(".column-messages li")
        .first.inner_text()
        .endswith("Klant, Contact, Mail, Dag, Wijze, Notitie.")
    )
    assert page.get_by_label("4: Dag").input_value() == ""
    assert_no_violations(page, locale)

    submit(page)  # as recognised: the date and the channel are still missing
    assert page.locator(".error-summary li").count() == 2
    assert_no_violations(page, locale)
    page.get_by_label("4: Dag").select_option("contacted_on")
    page.get_by_label("5: Wijze").select_option("channel")
    submit(page)

    assert page.locator("form.import-actions button.primary").count() == 1
    assert_no_violations(page, locale)
    submit(page, "form.import-actions button.primary")
    assert page.locator(".flash").count() == 1
    assert page.locator("td", has_text="Café Zoë").count() == 1

    second = tmp_path / "zaakwijzer-december.csv"
    second.write_text(
        HEADER + f"Bakkerij;Piet;piet@bakkerij.example;{day(-1)};telefoon;\r\n",
        encoding="utf-8",
    )
    page.goto("/contacts/import")
    page.set_input_files("#file", str(second))
    submit(page)
    assert page.locator("p.column-reading").count() == 1
    assert page.locator("form.import-actions button.primary").count() == 1
    assert_no_violations(page, locale)

    # The remembered columns can be changed from the preview.
    with page.expect_navigation():
        page.locator("form.import-actions button[formaction$='/columns']").click()
    assert page.get_by_label("4: Dag").input_value() == "contacted_on"
    assert page.get_by_label("6: Notitie").input_value() == ""


@pytest.mark.parametrize("locale", LOCALES)
def test_a_pasted_participant_list_with_two_address_columns_is_mapped_and_added(
    page, coordinator, locale
):
    page.goto(f"/language/{locale}?next=/events/{coordinator}/participants/import")
    assert_no_violations(page, locale)
    submit(page)  # nothing pasted, no file
    assert page.locator(".error-summary li").count() == 1
    assert too_wide_at(page, PHONE) == ""
    assert_no_violations(page, locale)
    page.locator("textarea").fill(
        "Anna de Vries\tanna@example.org\tinfo@korf.example\n"
        "Piet Jansen\tpiet@\tinfo@aastad.example\n"
    )
    submit(page)

    # Two columns hold addresses: which one is the participant's?
    assert page.locator(".import-columns select").count() == 3
    assert too_wide_at(page, PHONE) == ""
    assert_no_violations(page, locale)
    page.locator(".import-columns select").nth(1).select_option("email")
    submit(page)

    assert page.locator(".import-problems th[scope=row]").all_inner_texts() == ["2"]
    assert page.locator("form.import-actions button.primary").count() == 1
    assert too_wide_at(page, PHONE) == ""
    assert_no_violations(page, locale)
    submit(page, "form.import-actions button.primary")
    assert page.url.endswith(f"/events/{coordinator}")
    assert page.locator(".flash").count() == 1
    assert page.locator("main", has_text="anna@example.org").count() == 1
