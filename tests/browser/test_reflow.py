"""Every staff page reflows (WCAG 1.4.10): no sideways scrolling at 320 px, the menu within
reach, and at 1280 px the data pages use the width while dates in tables stay on one line.

The pages come from the app's URL map: every GET route without a path argument, and the routes
with one through PAGE_ARGUMENTS, so a new page is visited too (or this test says it is missing).
The data is the worst seen: a 10,000-character unbroken company name and long email addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import url_for

from survey.accounts.models import Role
from survey.analysis.fixed_periods import PeriodKind, ended_periods
from survey.circles.actions import PracticeDetails, share_practice
from survey.clock import utcnow
from survey.contacts.models import COMPANY_NAME_MAX
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import assert_no_violations
from tests.circles import factories as circles
from tests.circles.action_factories import HIGH, LOW, months_of_answers
from tests.circles.action_factories import action as improvement_action
from tests.conftest import csrf_token_in
from tests.devmail.emails import deliver, survey_email
from tests.events.test_results import evaluate, workshop_answers

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 320, 1280
# One unbroken word as long as a company name may be (the column holds no more, on PostgreSQL).
LONG_NAME = "Bakkerij" + "X" * (COMPANY_NAME_MAX - len("Bakkerij"))
LONG_EMAIL = "eva.de.vries.van.der.bakkerij.aan.de.lange.kade.te.ergens@" + "sub." * 8 + "example"
ADMIN_EMAIL = "beheerder.met.een.heel.lang.adres@gemeente-met-een-lange-naam.example"
MANAGER_EMAIL = "accountmanager.met.een.lang.adres@gemeente-met-een-lange-naam.example"
OPERATOR_EMAIL = "platformbeheerder.met.een.lang.adres@spiegel-platform-met-een-lange-naam.example"
# Unbroken words as long as their columns allow: a circle's or a member's name, an event's title.
LONG_WORD = "Langedorpsgemeentehuis" * 8

# Not staff pages: files, redirects, the respondents' and the logged-out pages (tested elsewhere).
NOT_STAFF_PAGES = {
    "static",
    "plotly_asset.plotly_js",
    "dashboards.export",
    "dashboards.export_download",
    "dashboards.export_progress",
    "events.export",
    "circles.export",
    "health.healthz",
    "health.readyz",
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
    "room.page",
    "room.thanks",
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
    # An event with answered evaluations, in a series, with a room link.
    event: int = 0
    series: int = 0
    # A circle the organisation shares its figures in, one it has not consented to yet.
    circles: list[int] = field(default_factory=list)
    action: int = 0  # an improvement action, shared as a good practice
    organisations: list[int] = field(default_factory=list)  # the admin's and another member's
    export_job: int = 0  # a large export made in the background (where that exists)


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
    **{
        endpoint: lambda site: [{"event_id": site.event}]
        for endpoint in (
            "events.detail",
            "events.edit",
            "events.import_upload",
            "events.results",
            "events.room_link",
            "events.room_present",
            "events.summary",
        )
    },
    "events.series": lambda site: [{"series_id": site.series}],
    "circles.show": lambda site: [{"circle_id": site.circles[0]}],
    "circles.report": lambda site: [{"circle_id": site.circles[0]}],
    "circles.consent": lambda site: [{"circle_id": c} for c in site.circles],
    **{
        endpoint: lambda site: [{"action_id": site.action}]
        for endpoint in ("actions.detail", "actions.edit", "actions.share")
    },
    "platform.organisation": lambda site: [{"organisation_id": o} for o in site.organisations],
    "platform.circle": lambda site: [{"circle_id": c} for c in site.circles],
    "dashboards.export_job": lambda site: [{"job_id": site.export_job}],
}
# Query strings that show another face of a page.
PAGE_VARIANTS = {
    "dashboards.index": ["questionnaire=workshop-evaluation", "first=2026-13"],
    "contacts.index": [f"q={'X' * 200}"],
    "invitations.home": ["state=scheduled"],
    # A year with too few answers everywhere, a size class, the channel adjustment.
    "circles.show": [f"period={utcnow().year - 1}", "group=s", "adjust=1"],
    "circles.report": ["group=s&adjust=1"],
    "actions.detail": ["months=3"],
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
        org = factories.organisation("Gemeente " + "Langedorpsgemeentehuis" * 4, size_class="s")
        admin = factories.user(org, Role.ADMIN, email=ADMIN_EMAIL, name="Beheerder " + "Lang " * 20)
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
        event, series = _seed_event(org, admin)
        shared, unshared, member = _seed_circles(org)
        action = _seed_action(org, admin, manager)
        platform = factories.organisation("Spiegel platform", is_platform=True)
        factories.user(
            platform, Role.OPERATOR, email=OPERATOR_EMAIL, name="Operator " + "Lang " * 20
        )
        db.session.commit()
        invitations = [answered.id, planned.id, failed.id, sent.id]
        site = Site(invitations, planned.contact.id, email.id, manager.id, "", opted_out.id)
        site.event, site.series, site.action = event, series, action
        site.circles, site.organisations = [shared, unshared], [org.id, member]
    deliver(smtp_server, survey_email(subject="Hoe was uw contact? " + "Lang" * 100))
    site.mail_key = next(smtp_server.mail_dir.glob("*/*")).name
    if "dashboards.export_job" in app.view_functions:
        site.export_job = _export_in_the_background(app)
    return site


def _seed_event(org, organiser) -> tuple[int, int]:
    """A past event in a series with long names, six answered evaluations with long remarks, a
    participant still to answer, and its room link."""
    event = factories.event(
        org,
        organiser,
        starts_at=utcnow() - timedelta(days=10),
        series_title="Lerend netwerk " + LONG_WORD[:150],
        speakers=("Fatima " + LONG_WORD[:150], "Jan de Vries"),
        title="Workshop " + LONG_WORD[:180],
    )
    event.place = "Raadzaal " + LONG_WORD[:180]
    event.description = "Omschrijving " + "heel" * 400
    remark = "Meer tijd voor vragen" + "alstublieft" * 80
    for number, grade in enumerate((6, 7, 8, 9, 7, 8)):
        evaluate(event, workshop_answers(grade, remark=remark), email=f"{number}.{LONG_EMAIL}")
    # A person's name is long but breaks, as the contacts' (an unbroken one is the company's).
    name = "Deelnemer " + "de Vries-" * 12 + "Bakker"
    waiting = factories.participant(event, f"wacht.{LONG_EMAIL}", name=name)
    waiting.organisation_name = LONG_NAME[:200]
    room_link_for(event, utcnow())
    return event.id, event.series_id


def _last_quarter():
    """The newest quarter that has ended (the benchmark's default period) and a day in it."""
    quarter = next(p for p in ended_periods(utcnow().date()) if p.kind is PeriodKind.QUARTER)
    middle = quarter.first_month + timedelta(days=40)
    return quarter, datetime(middle.year, middle.month, 15, 12, tzinfo=UTC)


def _seed_circles(org) -> tuple[int, int, int]:
    """A circle of four members with long names that share their figures, answered in the last
    quarter; and a second circle the organisation has not consented to yet."""
    _, day = _last_quarter()
    others = [
        circles.municipality(f"Gemeente {LONG_WORD[:170]}{letter}", size_class=size)
        for letter, size in (("A", "s"), ("B", "m"), ("C", "m"))
    ]
    members = [org, *others]
    for index, member in enumerate(members):
        circles.answered(
            member, 6 + index, on=day, overall=[5, 7, 8, 9], statements=[2, 3, 4, 5], seed=index
        )
    shared = circles.circle(*members, name="Kring " + LONG_WORD[:180])
    unshared = circles.circle(others[0], name="Kring Zuid " + LONG_WORD[:150])
    circles.join(unshared, org, consented=False)
    return shared.id, unshared.id, others[0].id


def _seed_action(org, admin, manager) -> int:
    """An improvement action with answers before and after its start, shared as a good
    practice with long texts."""
    today = utcnow().date()
    start = date(today.year, today.month, 1) - timedelta(days=120)
    start = date(start.year, start.month, 1)
    before = [_months_before(start, n) for n in (3, 2, 1)]
    after = [_months_before(start, -n) for n in (0, 1, 2)]
    months_of_answers(org, manager, before, LOW)
    months_of_answers(org, manager, after, HIGH)
    made = improvement_action(
        org,
        start,
        ("speed", "reachability", "overall"),
        title="Terugbelbelofte " + LONG_WORD[:180],
        managers=(manager,),
        contact_person=admin,
    )
    made.description = "Binnen één werkdag terugbellen" + "altijd" * 300
    details = PracticeDetails(
        title=made.title,
        what_was_done="Iedereen belt terug" + "binnen" * 300,
        effect="Snelheid steeg" + "aanzienlijk" * 100,
        contact_name=admin.name,
        contact_email=ADMIN_EMAIL,
    )
    share_practice(made, details, utcnow(), admin)
    return made.id


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _export_in_the_background(app) -> int:
    """The administrator asks for an XLSX export that is made in the background (every export
    is, for this once); gives the export's page's job id."""
    client = app.test_client()
    form = client.get("/login").text
    client.post(
        "/login",
        data={
            "email": ADMIN_EMAIL,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_in(form),
        },
    )
    before = app.config.get("EXPORT_DIRECT_ROWS")
    app.config["EXPORT_DIRECT_ROWS"] = 0
    try:
        asked = client.get("/dashboard/export.xlsx")
    finally:
        app.config["EXPORT_DIRECT_ROWS"] = before
    assert asked.status_code == 303, asked.status_code
    return int(asked.headers["Location"].rstrip("/").split("/")[-1])


@pytest.fixture
def site(app, monkeypatch, smtp_server) -> Site:
    monkeypatch.setitem(app.config, "ENV_NAME", "development")  # the Mailbox exists only there
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    return _seed(app, smtp_server)


def staff_pages(app, site: Site, *, platform: bool | None = None) -> list[str]:
    """Every staff page's path: the GET routes, with their ids and their other faces. With
    `platform` True only the operator's platform pages, with False all the others."""
    paths, unlisted = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_STAFF_PAGES:
                continue
            if rule.arguments and rule.endpoint not in PAGE_ARGUMENTS:
                unlisted.append(rule.rule)
                continue
            if platform is not None and rule.endpoint.startswith("platform.") != platform:
                continue
            arguments = PAGE_ARGUMENTS[rule.endpoint](site) if rule.arguments else [{}]
            for values in arguments:
                path = url_for(rule.endpoint, **values)
                paths += [path] + [f"{path}?{q}" for q in PAGE_VARIANTS.get(rule.endpoint, [])]
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


def sideways_scrolling(
    page, paths: list[str], skip: tuple[int, ...] = (), opened: list[str] | None = None
) -> list[str]:
    """The pages among `paths` that scroll sideways at a phone's or a desktop's width; a page
    answered with a status in `skip` (not this person's page) is left out. The paths of the
    pages that did open are added to `opened`."""
    found = []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(path)
            if response.status in skip:
                continue
            assert response.status in (200, 422), f"{response.status} on {path}"
            if opened is not None and width == PHONE:
                opened.append(path)
            too_wide = page.evaluate(OVERFLOW)
            if too_wide:
                found.append(f"{width} px {path}: {too_wide}")
    return found


# The forms whose pages with errors are checked too: a municipality's, and the operator's.
MUNICIPAL_FORMS = (
    "/contacts/new",
    "/users/new",
    "/contacts/import",
    "/events/new",
    "/circles/actions/new",
    "/privacy-requests/",
)
PLATFORM_FORMS = ("/platform/organisations/new", "/platform/circles/new")


def posted_pages_scrolling(page, forms=MUNICIPAL_FORMS, imports: bool = True) -> list[str]:
    """The pages that come after a form (errors, the import preview) at both widths."""
    found = []

    def check(what: str) -> None:
        for width in (PHONE, DESKTOP):
            too_wide = too_wide_at(page, width)
            if too_wide:
                found.append(f"{width} px {what}: {too_wide}")

    for path in forms:
        if page.goto(path).status == 403:
            continue
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        assert page.locator(".error-summary").count() == 1, f"{path}: no errors shown"
        check(f"{path} with errors")
    for name, spreadsheet in IMPORT_FILES.items() if imports else ():
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
    paths = staff_pages(app, site, platform=False)
    log_in_through_form(page, ADMIN_EMAIL)
    failures = sideways_scrolling(page, paths) + posted_pages_scrolling(page)
    failures += person_page_scrolling(page, f"{site.invitations[0]}.{LONG_EMAIL}")
    assert not failures, "\n".join(failures)


def person_page_scrolling(page, email: str) -> list[str]:
    """What the organisation holds about a person with a long address and company name (a
    privacy request), at both widths."""
    if page.goto("/privacy-requests/").status == 404:
        return []  # no privacy requests in this version
    page.fill("#person", email)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.get_by_text(LONG_NAME[:40]).count() >= 1, "the person's records are not shown"
    found = []
    for width in (PHONE, DESKTOP):
        too_wide = too_wide_at(page, width)
        if too_wide:
            found.append(f"{width} px a privacy request's person page: {too_wide}")
    return found


def test_no_page_of_the_platform_operator_scrolls_sideways(app, page, site):
    """The platform pages, and the circles' aggregates the operator sees too; a municipality's
    own pages are refused to the operator."""
    log_in_through_form(page, OPERATOR_EMAIL)
    assert page.url.endswith("/platform/")  # where the operator lands
    failures = sideways_scrolling(page, staff_pages(app, site, platform=True))
    opened = []
    others = staff_pages(app, site, platform=False)
    failures += sideways_scrolling(page, others, skip=(403,), opened=opened)
    assert {"/circles", f"/circles/{site.circles[0]}"} <= set(opened), opened
    failures += posted_pages_scrolling(page, PLATFORM_FORMS, imports=False)
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


# Where the administrator's menu leads, and the operator's: nothing of a municipality's own.
ADMIN_MENU = [
    "/dashboard", "/contacts", "/events", "/circles", "/", "/outbox", "/settings", "/users/",
    "/activity", "/account", "/dev/mailbox",
]  # fmt: skip
OPERATOR_MENU = ["/platform/", "/circles", "/account", "/dev/mailbox"]
MENU_TARGETS = "() => [...document.querySelectorAll('nav.staff-nav a')].map(a => a.pathname)"


@pytest.mark.parametrize(
    "email, menu, start, link, lands",
    [
        (ADMIN_EMAIL, ADMIN_MENU, "/contacts", "Activiteit", "/activity"),
        (OPERATOR_EMAIL, OPERATOR_MENU, "/platform/", "Kringen", "/circles"),
    ],
    ids=["administrator", "operator"],
)
def test_the_whole_menu_is_within_reach_on_a_phone_without_javascript(
    browser, live_server, site, email, menu, start, link, lands
):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": PHONE, "height": 640}
    )
    page = context.new_page()
    log_in_through_form(page, email)
    page.goto(start)
    assert [reachable for _, reachable in page.evaluate(MENU_LINKS)] == [False] * len(menu)
    page.locator("nav.staff-nav summary").click()
    links = page.evaluate(MENU_LINKS)
    assert page.evaluate(MENU_TARGETS) == menu
    assert all(reachable for _, reachable in links), links
    with page.expect_navigation():
        page.locator("nav.staff-nav").get_by_role("link", name=link, exact=True).click()
    assert page.url.endswith(lands)
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
