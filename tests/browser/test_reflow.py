"""Every staff page reflows (WCAG 1.4.10): no sideways scrolling at 320 px, the menu within
reach, and at 1280 px the data pages use the width while dates in tables stay on one line.

The pages come from the app's URL map: every GET route without a path argument, and the routes
with one through PAGE_ARGUMENTS, so a new page is visited too (or this test says it is missing).
The data is the worst seen: a 10,000-character unbroken company name and long email addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import url_for

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.contacts.models import COMPANY_NAME_MAX
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import assert_no_violations
from tests.devmail.emails import deliver, survey_email

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 320, 1280
# One unbroken word as long as a company name may be (the column holds no more, on PostgreSQL).
LONG_NAME = "Bakkerij" + "X" * (COMPANY_NAME_MAX - len("Bakkerij"))
LONG_EMAIL = "eva.de.vries.van.der.bakkerij.aan.de.lange.kade.te.ergens@" + "sub." * 8 + "example"
ADMIN_EMAIL = "beheerder.met.een.heel.lang.adres@gemeente-met-een-lange-naam.example"
MANAGER_EMAIL = "accountmanager.met.een.lang.adres@gemeente-met-een-lange-naam.example"

# Not staff pages: files, redirects, the respondents' and the logged-out pages (tested elsewhere).
NOT_STAFF_PAGES = {
    "static",
    "plotly_asset.plotly_js",
    "dashboards.export",
    "languages.switch",
    "mailbox.html",
    "accounts.login",
    "accounts.forgot_password",
    "accounts.choose_password",
    "accounts.reset_password",
    "accounts.confirm_email",
    "responding.survey",
    "responding.thanks",
    "unsubscribe.page",
    "privacy.statement",
}


@dataclass
class Site:
    """The records whose pages have an id in their path."""

    invitations: list[int]  # answered (with its answers), planned, not sent, sent
    contact: int  # the planned invitation's, which can still be edited
    email: int
    user: int
    mail_key: str
    suppression: int = 0  # an opted-out address, whose opt-out can be lifted


# Every staff page with a path argument: the values to visit it with.
PAGE_ARGUMENTS = {
    "invitations.detail": lambda site: [{"invitation_id": i} for i in site.invitations],
    "responding.preview": lambda site: [{"invitation_id": site.invitations[0]}],
    "invitations.cancel": lambda site: [{"invitation_id": site.invitations[1]}],
    "invitations.wrong_address": lambda site: [{"invitation_id": site.invitations[3]}],
    "contacts.edit": lambda site: [{"contact_id": site.contact}],
    "outbox.detail": lambda site: [{"email_id": site.email}],
    "outbox.lift": lambda site: [{"suppression_id": site.suppression}],
    "users.edit": lambda site: [{"user_id": site.user}],
    "mailbox.message": lambda site: [{"key": site.mail_key}],
}
# Query strings that show another face of a page.
PAGE_VARIANTS = {
    "dashboards.index": ["questionnaire=workshop-evaluation", "first=2026-13"],
    "contacts.index": [f"q={'X' * 200}"],
    "invitations.home": ["state=scheduled"],
}


def _lengthen(invitation, company_name: str = LONG_NAME) -> None:
    invitation.contact.company_name = invitation.company_name = company_name
    invitation.contact.person_name = "Eva " + "de Vries-" * 12 + "Bakker"
    invitation.recipient_name = invitation.contact.person_name
    email = f"{invitation.id}.{LONG_EMAIL}"
    invitation.contact.email = invitation.recipient_email = email
    invitation.contact.subject = "Vergunning" * 30


def _seed(app, smtp_server) -> Site:
    """An organisation with a long name, answers with long text, and every kind of record."""
    with app.app_context():
        org = factories.organisation("Gemeente " + "Langedorpsgemeentehuis" * 4)
        factories.user(org, Role.ADMIN, email=ADMIN_EMAIL, name="Beheerder " + "Lang " * 20)
        manager = factories.user(org, email=MANAGER_EMAIL, name="Accountmanager " + "Lang " * 20)
        for overall in (9, 8, 7, 6, 5, 8):
            improve = "Sneller" + "terugbellen" * 60
            made = factories.response(
                org, manager, {**factories.rated_answers(overall), "improve": improve}
            )
            _lengthen(made.invitation)
        answered = made.invitation
        planned = factories.invitation(org, manager, state=InvitationState.SCHEDULED)
        failed = factories.invitation(org, manager, state=InvitationState.FAILED)
        sent = factories.invitation(org, manager)
        for invitation in (planned, failed, sent):
            _lengthen(invitation)
        factories.contact(org, manager, email=LONG_EMAIL).company_name = LONG_NAME
        email = factories.outbound_email(answered, now=utcnow() - timedelta(days=2))
        email.last_error = "550 " + "mailbox-unavailable" * 20
        opted_out = suppress_address(org.id, LONG_EMAIL, SuppressionKind.OPTED_OUT, utcnow())
        db.session.commit()
        invitations = [answered.id, planned.id, failed.id, sent.id]
        site = Site(invitations, planned.contact.id, email.id, manager.id, "", opted_out.id)
    deliver(smtp_server, survey_email(subject="Hoe was uw contact? " + "Lang" * 100))
    site.mail_key = next(smtp_server.mail_dir.glob("*/*")).name
    return site


@pytest.fixture
def site(app, monkeypatch, smtp_server) -> Site:
    monkeypatch.setitem(app.config, "ENV_NAME", "development")  # the Mailbox exists only there
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    return _seed(app, smtp_server)


def staff_pages(app, site: Site) -> list[str]:
    """Every staff page's path: the GET routes, with their ids and their other faces."""
    paths, unlisted = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_STAFF_PAGES:
                continue
            if rule.arguments and rule.endpoint not in PAGE_ARGUMENTS:
                unlisted.append(rule.rule)
                continue
            arguments = PAGE_ARGUMENTS[rule.endpoint](site) if rule.arguments else [{}]
            paths += [url_for(rule.endpoint, **values) for values in arguments]
            variants = PAGE_VARIANTS.get(rule.endpoint, [])
            paths += [f"{url_for(rule.endpoint)}?{query}" for query in variants]
    assert not unlisted, f"add values for these staff pages to PAGE_ARGUMENTS: {unlisted}"
    return paths


# The page's width beyond the window, and what sticks out (for the failure message).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const extra = document.documentElement.scrollWidth - width;
  const out = e => e.getBoundingClientRect().right > width + 1;
  const name = e => [e.tagName.toLowerCase(), ...e.classList].join('.');
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => out(e) && !out(e.parentElement)).slice(0, 3).map(name);
  return extra > 0 ? `${extra} px too wide (${culprits.join(', ')})` : '';
}"""


def too_wide_at(page, width: int) -> str:
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate(OVERFLOW)


def sideways_scrolling(page, paths: list[str], skip: tuple[int, ...] = ()) -> list[str]:
    """The pages among `paths` that scroll sideways at a phone's or a desktop's width; a page
    answered with a status in `skip` (not this person's page) is left out."""
    found = []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(path)
            if response.status in skip:
                continue
            assert response.status in (200, 422), f"{response.status} on {path}"
            too_wide = page.evaluate(OVERFLOW)
            if too_wide:
                found.append(f"{width} px {path}: {too_wide}")
    return found


def posted_pages_scrolling(page) -> list[str]:
    """The pages that come after a form (errors, the import preview) at both widths."""
    found = []

    def check(what: str) -> None:
        for width in (PHONE, DESKTOP):
            too_wide = too_wide_at(page, width)
            if too_wide:
                found.append(f"{width} px {what}: {too_wide}")

    for path in ("/contacts/new", "/users/new", "/contacts/import"):
        if page.goto(path).status == 403:
            continue
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        check(f"{path} with errors")
    for name, spreadsheet in IMPORT_FILES.items():
        page.goto("/contacts/import")
        page.set_input_files("input[type=file]", spreadsheet)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        check(name)
    return found


ROWS = (
    f"{LONG_NAME};12345678;Eva de Vries;{LONG_EMAIL};nl;24-11-2026;bezoek\r\n"
    f"Bakkerij Van Dam;;{'Jan' * 300};jan@bakkerij.example;nl;2026-11-25;telefoon\r\n"
    "Slagerij;;Piet;geen-adres;xx;31-02-2026;duif\r\n"
)
HEADERS = {
    "the import preview": "Bedrijfsnaam;KvK;Contactpersoon;E-mail;Taal;Datum;Kanaal",
    "the import's column choice": f"Klant;Nummer;Wie;{'Adres' * 40};Taal;Wanneer;Hoe",
}
IMPORT_FILES = {
    name: {
        "name": "contacten.csv",
        "mimeType": "text/csv",
        "buffer": f"{header}\r\n{ROWS}".encode(),
    }
    for name, header in HEADERS.items()
}


def test_no_staff_page_scrolls_sideways_on_a_phone_or_a_desktop(app, page, site):
    paths = staff_pages(app, site)
    log_in_through_form(page, ADMIN_EMAIL)
    failures = sideways_scrolling(page, paths) + posted_pages_scrolling(page)
    assert not failures, "\n".join(failures)


def test_no_page_of_an_account_manager_scrolls_sideways(app, page, site):
    paths = staff_pages(app, site)
    log_in_through_form(page, MANAGER_EMAIL)
    failures = sideways_scrolling(page, paths, skip=(403,)) + posted_pages_scrolling(page)
    assert not failures, "\n".join(failures)


# Each menu link: its name, and whether it lies within the window (and is shown at all).
MENU_LINKS = """() => [...document.querySelectorAll('nav.staff-nav a')].map(a => {
  const box = a.getBoundingClientRect();
  return [a.textContent, a.checkVisibility() && box.left >= 0 && box.right <= window.innerWidth];
})"""


def test_the_whole_menu_is_within_reach_on_a_phone_without_javascript(browser, live_server, site):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": PHONE, "height": 640}
    )
    page = context.new_page()
    log_in_through_form(page, ADMIN_EMAIL)
    page.goto("/contacts")
    assert [reachable for _, reachable in page.evaluate(MENU_LINKS)] == [False] * 9
    page.locator("nav.staff-nav summary").click()
    links = page.evaluate(MENU_LINKS)
    assert len(links) == 9 and all(reachable for _, reachable in links), links
    with page.expect_navigation():
        page.get_by_role("link", name="Activiteit").click()
    assert page.url.endswith("/activity")
    page.set_viewport_size({"width": DESKTOP, "height": 800})  # a desktop needs no disclosure
    assert not page.locator("nav.staff-nav summary").is_visible()
    assert all(reachable for _, reachable in page.evaluate(MENU_LINKS))
    context.close()


# Whether the first line of text in each date cell of the page's tables stays on one line.
DATES_ON_ONE_LINE = """() => [...document.querySelectorAll('td.date')].map(cell => {
  const range = document.createRange();
  if (cell.firstChild) range.selectNodeContents(cell.firstChild);
  return [cell.textContent.trim(), range.getClientRects().length <= 1];
})"""


def test_data_pages_use_a_desktop_screen_and_keep_dates_on_one_line(page, site):
    log_in_through_form(page, ADMIN_EMAIL)
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    for path in ("/outbox", "/activity", "/", "/contacts", "/users/"):
        page.goto(path)
        region = page.locator("main .table-scroll").first
        assert region.bounding_box()["width"] > 1200, path
        # A 10,000-character company name wraps in its cell instead of widening the table.
        assert region.evaluate("r => r.scrollWidth <= r.clientWidth"), path
        dates = page.evaluate(DATES_ON_ONE_LINE)
        assert dates and all(one_line for _, one_line in dates), (path, dates)
    page.goto("/contacts/new")  # a form keeps a line length one can read
    assert page.locator("main form").bounding_box()["width"] <= 48 * 16


# Each cell of a stacked list: its label, its column's header, and whether it fits the window.
STACKED_CELLS = """() => [...document.querySelectorAll('table.stack tbody td')].map(cell => {
  const header = cell.closest('table').querySelectorAll('thead th')[cell.cellIndex];
  const box = cell.getBoundingClientRect();
  return [cell.dataset.label, header.textContent.replace(/\\s+/g, ' ').trim(),
          box.right <= window.innerWidth];
})"""


def test_lists_become_stacked_rows_labelled_by_their_columns_on_a_phone(page, site):
    log_in_through_form(page, ADMIN_EMAIL)
    page.set_viewport_size({"width": PHONE, "height": 800})
    for path in ("/", "/contacts", "/outbox", "/activity", "/users/"):
        page.goto(path)
        cells = page.evaluate(STACKED_CELLS)
        assert cells, path
        for label, header, fits in cells:
            assert label == header and fits, (path, label, header, fits)
        region = page.locator("main .table-scroll").first
        assert region.evaluate("r => r.scrollWidth <= r.clientWidth"), path


def test_the_phone_layout_passes_axe_core(page, site):
    log_in_through_form(page, ADMIN_EMAIL)
    page.set_viewport_size({"width": PHONE, "height": 800})
    for path in ("/", "/contacts", "/outbox", "/activity"):
        page.goto(path)
        page.locator("nav.staff-nav summary").click()  # the menu open, too
        assert_no_violations(page, "nl")
