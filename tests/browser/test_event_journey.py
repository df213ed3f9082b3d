"""An event from its creation to its results, in a real browser as a coordinator runs it: create
the event (in a series, with a speaker), import participants from a pasted list, add one by hand,
send the evaluations now, answer one from its email, make the room link and answer it
anonymously from two other browsers, and read the results, the series and the A4 summary.

Every event page on the way, the room pages and the public room page are checked in Dutch and in
English by axe-core (WCAG 2.1 A and AA) and for sideways scrolling at 320 px (WCAG 1.4.10).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.events.models import Event, Participant
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import run_all
from survey.responding.models import Response
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, log_in_through_form
from tests.browser.test_accessibility import WCAG_A_AA, axe
from tests.browser.test_reflow import OVERFLOW, PHONE

pytestmark = pytest.mark.browser

# Dutch last: the journey goes on in the default language after each page's check.
LOCALES = ("en", "nl")
DESKTOP = {"width": 1280, "height": 800}
ZONE = "Europe/Amsterdam"
COORDINATOR = "coco@spiegelstad.example"
ADMIN = "ad@spiegelstad.example"
SERIES = "Lerend netwerk 2027"
SPEAKER = "Fatima El Amrani"
# A header line in Dutch, three good lines and one without an address.
PASTED_LIST = (
    "Naam;E-mail;Organisatie;Taal\n"
    "Anna de Vries;anna@example.org;Bakkerij De Korf;en\n"
    "Bram Bakker;bram@example.org;Fietsenmaker Bakker;nl\n"
    "Chris Jansen;chris@example.org;;\n"
    "Dirk;geen-adres;;\n"
)
# The shared rules, reporting only the violations: half the time on these many pages.
AXE_OPTIONS = {**WCAG_A_AA, "resultTypes": ["violations"]}
# The path of a room link's address, as printed under its QR code.
ROOM_PATH = re.compile(r"/r/[^/?#\s]+$")
# Whether every chart of the page is drawn (plotly.js draws them after the page has loaded).
CHARTS_DRAWN = """() => document.querySelectorAll('script.chart-data').length
  <= document.querySelectorAll('.js-plotly-plot[data-drawn="true"]').length"""


def check_here(page, locale: str, go: Callable[[], None]) -> None:
    """The page `go` opens, loaded at a phone's width, is no wider than the window (WCAG
    1.4.10); at a desktop's width it passes axe-core in `locale`."""
    page.set_viewport_size({"width": PHONE, "height": 800})
    go()
    page.wait_for_function(CHARTS_DRAWN)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} at {PHONE} px: {page.evaluate(OVERFLOW)}"
    page.set_viewport_size(DESKTOP)
    assert page.locator("html").get_attribute("lang") == locale
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def check_staff_page(page, path: str, then: Callable[[], None] | None = None) -> None:
    """The staff page at `path` (or the page `then` leads to from it, for a page that comes
    after a form), in Dutch and in English: see check_here."""

    def go(locale: str) -> None:
        response = page.goto(f"/language/{locale}?next={quote(path, safe='/')}")
        assert response.status == 200, f"{response.status} on {path}"
        if then is not None:
            then()

    for locale in LOCALES:
        check_here(page, locale, lambda: go(locale))  # noqa: B023 (called at once)


def check_public_page(page, path: str) -> None:
    """A respondent's page, whose language comes with its address: the same checks."""

    def go(locale: str) -> None:
        response = page.goto(f"{path}?lang={locale}")
        assert response.status == 200, f"{response.status} on {path}"

    for locale in LOCALES:
        check_here(page, locale, lambda: go(locale))  # noqa: B023 (called at once)


def submit(page, form: str = "main form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


def yesterday_and_tomorrow() -> tuple[str, str]:
    today = datetime.now(ZoneInfo(ZONE)).date()
    return str(today - timedelta(days=1)), str(today + timedelta(days=1))


@pytest.fixture
def journey_app(app, live_server, smtp_server, monkeypatch):
    """The app sending to the local SMTP server with links to the live server, its Mailbox
    page on, and Gemeente Spiegelstad with a coordinator and an administrator."""
    for name, value in {
        "ENV_NAME": "development",  # the Mailbox exists only there
        "DEV_MAILBOX_DIR": str(smtp_server.mail_dir),
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": smtp_server.port,
        "BASE_URL": live_server,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    with app.app_context():
        org = factories.organisation("Gemeente Spiegelstad", timezone=ZONE)
        factories.user(org, Role.COORDINATOR, email=COORDINATOR, name="Coco Evers")
        factories.user(org, Role.ADMIN, email=ADMIN, name="Ad Admiraal")
        factories.workshop_version()  # the standard questionnaires
        db.session.commit()
    return app


def run_the_jobs(app) -> None:
    with app.app_context():
        run_all()


def answer_the_evaluation(page, relevance: int, usefulness: int, overall: int, remark: str):
    for code, value in {
        "relevance": relevance,
        "usefulness": usefulness,
        "overall": overall,
    }.items():
        page.locator(f"input[name=q_{code}][value='{value}']").check(force=True)
    page.fill("textarea[name=q_remarks]", remark)
    with page.expect_navigation():
        page.locator("#survey-form button[type=submit]:not([name])").click()


def answer_in_the_room(
    browser, live_server, room_path: str, locale: str, check: bool, **answers
) -> None:
    """Someone in the room scans the code with their own phone and answers, anonymously; with
    `check`, the room's page and its thanks are checked first (see check_here)."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    if check:
        check_public_page(phone, room_path)
    phone.goto(f"{room_path}?lang={locale}")
    assert phone.locator(".anonymous-note").is_visible()
    answer_the_evaluation(phone, **answers)
    assert re.search(r"/r/[^/]+/thanks", phone.url), phone.url
    assert phone.locator("html").get_attribute("lang") == locale
    if check:
        check_public_page(phone, phone.url.split("?")[0])
    context.close()


def set_the_event_minimum(browser, live_server, minimum: int) -> None:
    """The administrator lowers the minimum for event results: a workshop is small."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in_through_form(page, ADMIN)
    page.goto("/settings")
    page.fill("#event_min_group_size", str(minimum))
    submit(page)
    assert page.locator("#event_min_group_size").input_value() == str(minimum)
    assert page.locator(".error-summary").count() == 0
    context.close()


def test_a_coordinator_runs_an_event_from_creating_it_to_reading_its_results(
    journey_app, page, browser, live_server
):
    app = journey_app
    page.set_viewport_size(DESKTOP)
    log_in_through_form(page, COORDINATOR)

    # The event: yesterday afternoon, in a series, with a speaker; evaluations planned tomorrow.
    yesterday, tomorrow = yesterday_and_tomorrow()
    check_staff_page(page, "/events/new")
    page.fill("#title", "Lerend netwerk sessie 1")
    page.select_option("#kind", "learning_network")
    page.fill("#day", yesterday)
    page.fill("#starts", "14:00")
    page.fill("#ends", "16:00")
    page.fill("#place", "Raadzaal, Markt 1")
    page.fill("#speakers", SPEAKER)
    page.fill("#series", SERIES)
    page.fill("#send_on", tomorrow)
    page.fill("#send_time", "09:00")
    submit(page)
    assert re.search(r"/events/\d+$", page.url), page.url
    event_path = page.url.removeprefix(live_server)
    event_id = int(event_path.rsplit("/", 1)[1])
    assert page.locator("dl.facts").get_by_text(SPEAKER).count() == 1
    assert page.locator("dl.facts").get_by_text(SERIES).count() == 1
    check_staff_page(page, f"{event_path}/edit")
    assert page.locator("#title").input_value() == "Lerend netwerk sessie 1"  # not locked yet

    # The participants: a pasted list, its columns checked, its preview, then confirmed.
    import_path = f"{event_path}/participants/import"

    def paste_the_list() -> None:
        page.fill("#pasted", PASTED_LIST)
        submit(page)
        assert page.locator(".import-counts dd").all_inner_texts() == ["3", "0", "1"]

    def look_at_the_columns() -> None:
        paste_the_list()
        with page.expect_navigation():
            page.locator("form.import-actions button[formaction$='/columns']").click()
        assert page.locator("form select").count() == 4

    check_staff_page(page, import_path)
    check_staff_page(page, import_path, then=paste_the_list)
    check_staff_page(page, import_path, then=look_at_the_columns)
    submit(page)  # the columns as they are read
    assert page.locator(".import-counts dd").all_inner_texts() == ["3", "0", "1"]
    submit(page, "form.import-actions")  # "Add 3 participants"
    assert page.url.endswith(event_path)
    assert page.locator("table.stack tbody tr").count() == 3

    # One more by hand.
    page.fill("#name", "Eva Smit")
    page.fill("#email", "eva@example.org")
    page.fill("#organisation_name", "Kapsalon Eva")
    submit(page, "form[action$='/participants']")
    assert page.locator("table.stack tbody tr").count() == 4
    check_staff_page(page, event_path)
    assert page.locator("table.stack .state-planned").count() == 4

    # Send now, instead of tomorrow at 09:00; the jobs send them through the SMTP server.
    submit(page, "form[action$='/send-now']")
    run_the_jobs(app)
    with app.app_context():
        states = db.session.scalars(
            select(Invitation.state).where(Invitation.event_id == event_id)
        ).all()
        assert states == [InvitationState.SENT] * 4

    # Anna opens her email (in English, her language) and answers from its link.
    page.goto("/dev/mailbox")
    rows = page.locator("main tbody tr")
    assert rows.count() == 4
    with page.expect_navigation():
        rows.filter(has_text="anna@example.org").get_by_role("link").click()
    with page.expect_navigation():
        page.frame_locator("iframe").get_by_role("link", name="Answer the questions").click()
    assert page.url.startswith(f"{live_server}/s/")
    assert page.locator("html").get_attribute("lang") == "en"
    answer_the_evaluation(page, 4, 5, 8, "Heel nuttig, graag meer voorbeelden.")
    assert page.locator(".link-state.thanks").count() == 1

    # The room link, made and shown on the projector; two people in the room answer it.
    room_page = f"{event_path}/room"
    check_staff_page(page, room_page)
    submit(page, f"form[action$='{room_page}']")
    room_url = page.locator(".room-url").first.inner_text().replace("\n", "").strip()
    room_path = ROOM_PATH.search(room_url).group(0)
    assert room_url == f"{live_server}{room_path}"
    check_staff_page(page, room_page)
    check_staff_page(page, f"{room_page}/present")
    assert page.locator(".room-present svg.room-qr-code").count() == 1
    answer_in_the_room(
        browser, live_server, room_path, "nl", True,
        relevance=5, usefulness=4, overall=9, remark="Fijne sprekers.",
    )  # fmt: skip
    answer_in_the_room(
        browser, live_server, room_path, "en", False,
        relevance=3, usefulness=3, overall=7, remark="A bit long.",
    )  # fmt: skip
    page.goto(room_page)
    assert page.locator(".room-answers").inner_text() == "2"

    # Three answers: enough once the administrator has set the event minimum to three.
    set_the_event_minimum(browser, live_server, 3)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Response).where(Response.event_id == event_id)
            )
            == 3
        )

    # The results: 3 responses, 1 of the 4 emailed, 2 through the room link, the mean grade.
    results_path = f"{event_path}/results"
    check_staff_page(page, results_path)
    figures = page.locator(".key-figures dl.figures > div")
    assert figures.nth(0).locator("dd strong").inner_text() == "3"
    assert "1 van 4" in figures.nth(1).inner_text()
    assert figures.nth(2).locator("dd strong").inner_text() == "2"
    assert figures.nth(3).locator("dd strong").inner_text() == "8,0"  # (8 + 9 + 7) / 3
    assert page.locator("main .notice[role=status]").count() == 0  # the figures are shown
    remarks = page.locator("ol.open-answers blockquote").all_inner_texts()
    assert sorted(remarks) == sorted(
        ["Heel nuttig, graag meer voorbeelden.", "Fijne sprekers.", "A bit long."]
    )

    # The series, reached from the results: the session with its responses and its speaker.
    series_link = page.locator("main .page-actions a[href^='/events/series/']")
    series_path = series_link.get_attribute("href")
    check_staff_page(page, series_path)
    assert page.locator("h1").inner_text().endswith(SERIES)
    session = page.locator("section[aria-labelledby=sessions-title] tbody tr")
    assert session.count() == 1
    assert session.locator("td").all_inner_texts() == [SPEAKER, "3"]
    speakers = page.locator("section[aria-labelledby=speakers-title] thead")
    assert speakers.get_by_text(SPEAKER).count() == 1

    # The one-page summary for the organisers and the speaker.
    check_staff_page(page, f"{event_path}/summary")
    response_line = page.locator(".summary-response").inner_text()
    assert response_line.startswith("3 reacties") and "2 via de zaallink" in response_line, (
        response_line
    )
    # Relevance (4, 5, 3), usefulness (5, 4, 3) and the grade; the two optional statements,
    # which nobody answered, say "too few".
    assert page.locator("table.summary-figures tbody tr").count() == 5
    means = page.locator("table.summary-figures tbody td strong").all_inner_texts()
    assert means == ["4,0", "4,0", "8,0"]

    # A reminder by hand for the three who have not answered; the event, now locked.
    page.goto(event_path)
    submit(page, "form[action$='/remind']")
    run_the_jobs(app)
    page.goto("/dev/mailbox")
    rows = page.locator("main tbody tr")
    assert rows.count() == 4 + 3
    reminded = [rows.nth(row).locator("td").nth(1).inner_text() for row in range(3)]
    assert sorted(reminded) == ["bram@example.org", "chris@example.org", "eva@example.org"]
    check_staff_page(page, event_path)
    assert page.locator("form[action$='/remind']").count() == 0  # once per event
    assert page.locator("table.stack .state-answered").count() == 1
    assert page.locator("table.stack td", has_text="met de hand herinnerd").count() == 3
    check_staff_page(page, f"{event_path}/edit")
    assert page.locator("#day").count() == 0  # only the title and the description now
    check_staff_page(page, "/events")
    assert page.locator("main tbody tr").count() == 1

    # The dashboards, filtered to event evaluations.
    for path in ("/dashboard", "/dashboard/managers", "/dashboard/open-answers"):
        check_staff_page(page, f"{path}?occasion=event_participant")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 4
        assert db.session.get(Event, event_id).evaluations_sent_at is not None


@pytest.fixture
def seeded_event(app):
    """A planned workshop of Gemeente Spiegelstad with one participant."""
    with app.app_context():
        org = factories.organisation("Gemeente Spiegelstad", timezone=ZONE)
        coco = factories.user(org, Role.COORDINATOR, email=COORDINATOR, name="Coco Evers")
        event = factories.event(
            org, coco, title="Klantarena vergunningen", series_title=SERIES, speakers=(SPEAKER,)
        )
        factories.participant(event, "anna@example.org", name="Anna de Vries")
        db.session.commit()
        return event.id


def test_the_event_forms_with_errors_are_accessible_and_reflow(page, seeded_event):
    page.set_viewport_size(DESKTOP)
    log_in_through_form(page, COORDINATOR)
    event_path = f"/events/{seeded_event}"

    def expect_errors() -> None:
        assert page.locator(".error-summary").first.is_visible()

    def empty_event() -> None:
        submit(page)
        expect_errors()

    def wrong_participant() -> None:
        page.fill("#email", "geen-adres")
        submit(page, "form[action$='/participants']")
        expect_errors()

    def nothing_to_import() -> None:
        submit(page)
        expect_errors()

    def a_moment_in_the_past() -> None:
        page.fill("#send_on", "2026-01-05")
        page.fill("#send_time", "09:00")
        submit(page, "form[action$='/reschedule']")
        expect_errors()

    def unknown_columns() -> None:
        page.fill("#pasted", "Wie;Waar;Hoe\nAnna;anna@example.org;nl\n")
        submit(page)
        assert page.locator("form select").count() == 3

    check_staff_page(page, "/events/new", then=empty_event)
    check_staff_page(page, event_path, then=wrong_participant)
    check_staff_page(page, event_path, then=a_moment_in_the_past)
    check_staff_page(page, f"{event_path}/participants/import", then=nothing_to_import)
    check_staff_page(page, f"{event_path}/participants/import", then=unknown_columns)
