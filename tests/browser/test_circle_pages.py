"""The circle pages in a real browser, as a municipality's administrator uses them: the benchmark
of a fixed period with its funnel plots and the tables that say the same, the printable circle
report, an improvement action shared as a good practice, the circle's good practices, and the
data-sharing terms accepted for a second circle.

Every page passes axe-core (WCAG 2.1 A and AA) in Dutch and in English, at a phone's width and a
desktop's, and scrolls no sideways at 320 px (WCAG 1.4.10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import LOCALES, assert_no_violations
from tests.browser.test_reflow import DESKTOP, OVERFLOW, PHONE
from tests.circles.action_factories import HIGH, LOW, months_of_answers
from tests.circles.action_factories import action as improvement_action
from tests.circles.factories import answered, circle, join, municipality

pytestmark = pytest.mark.browser

# A fixed period that has ended, within the three years the benchmark offers.
YEAR = utcnow().year - 1
PERIOD = f"{YEAR}-Q2"
ADMIN = "beheer@aastad.example"
OPERATOR = "beheer@spiegel-platform.example"
ACTION_TITLE = "Terugbelbelofte: binnen één werkdag terug"
# Whether every chart of the page is drawn (plotly.js draws them after the page has loaded).
CHARTS_DRAWN = """() => document.querySelectorAll('script.chart-data').length
  <= document.querySelectorAll('.js-plotly-plot[data-drawn="true"]').length"""


@dataclass
class World:
    circle: int  # the circle the administrator's municipality shares its figures in
    later: int  # a circle it has joined but whose terms nobody has accepted yet
    action: int
    names: list[str]  # the members, the administrator's first


@pytest.fixture
def world(app) -> World:
    """Four municipalities of two size classes that share their figures in Kring Noord, each
    with a year of answers and more in the second quarter. The first (whose administrator logs
    in) answered faster from July on, when its improvement action started; the others did not
    change. The first is also a member of Kring Zuid, without consent."""
    with app.app_context():
        factories.contact_version()
        sizes = {"Aastad": "s", "Beedorp": "s", "Ceestad": "m", "Deeveen": "m"}
        members = [municipality(f"Gemeente {name}", size) for name, size in sizes.items()]
        own = members[0]
        admin = factories.user(own, Role.ADMIN, email=ADMIN, name="Anna Beheer")
        first_half = [date(YEAR, month, 1) for month in range(1, 7)]
        second_half = [date(YEAR, month, 1) for month in range(7, 13)]
        for index, org in enumerate(members):
            manager = factories.user(org)
            months_of_answers(org, manager, first_half, LOW)
            months_of_answers(org, manager, second_half, HIGH if org is own else LOW)
            in_may = datetime(YEAR, 5, 20, 11, tzinfo=UTC)
            grades = {"overall": [5, 6, 7, 8, 9], "statements": [2, 3, 4, 5]}
            answered(org, 4 + 3 * index, on=in_may, seed=index, **grades)
        kring = circle(*members, name="Kring Noord")
        later = circle(members[1], members[2], name="Kring Zuid")
        join(later, own, consented=False)
        action = improvement_action(
            own, date(YEAR, 7, 1), ("speed",), title=ACTION_TITLE, contact_person=admin
        )
        platform = factories.organisation("Spiegel platform", is_platform=True)
        factories.user(platform, Role.OPERATOR, email=OPERATOR)
        db.session.commit()
        return World(kring.id, later.id, action.id, [org.name for org in members])


def check_here(page, locale: str) -> None:
    """The open page in `locale`: no wider than a phone's window at 320 px, and without axe-core
    violations at a phone's and a desktop's width."""
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function(CHARTS_DRAWN)
        assert page.evaluate(OVERFLOW) == "", f"{page.url} at {width} px"
        assert_no_violations(page, locale)


def check_page(page, path: str, locale: str) -> None:
    """Open `path` in `locale` (loaded at a phone's width) and check it: see check_here."""
    page.set_viewport_size({"width": PHONE, "height": 800})
    response = page.goto(f"/language/{locale}?next={quote(path, safe='/')}")
    assert response.status == 200, f"{response.status} on {path}"
    assert page.url.endswith(path)
    check_here(page, locale)


def member_rows(table) -> list[str]:
    """The members a benchmark table names, in its order (the own one marked)."""
    return [name.split("(")[0].strip() for name in table.locator("tbody th").all_inner_texts()]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_benchmark_shows_funnel_plots_with_tables_that_say_the_same(page, world, locale):
    log_in_through_form(page, ADMIN)
    check_page(page, "/circles", locale)
    assert page.get_by_role("link", name="Kring Noord").count() == 1

    check_page(page, f"/circles/{world.circle}?period={PERIOD}", locale)
    funnel = page.locator("#chart-overall")
    # The funnel plot drawn, with a point for each member (plotly's SVG, hidden from assistive
    # technology), and labelled as an image whose numbers are in the table below it.
    assert funnel.locator("svg.main-svg").count() >= 1
    assert funnel.locator(".scatterlayer .point").count() >= len(world.names)
    assert funnel.get_attribute("role") == "img" and funnel.get_attribute("aria-label")
    assert funnel.locator("svg").first.get_attribute("aria-hidden") == "true"
    table = page.locator("section[aria-labelledby=q-overall] table.benchmark-table")
    assert table.locator("caption").inner_text()
    assert sorted(member_rows(table)) == sorted(world.names)
    assert table.locator("tr.own th").inner_text().startswith(world.names[0])
    assert table.locator("thead th[scope=col]").count() >= 5
    assert table.locator("tfoot th[scope=row]").count() == 1  # the circle's own figure

    # Another face: a size class, adjusted for channel mix.
    check_page(page, f"/circles/{world.circle}?period={PERIOD}&group=s&adjust=1", locale)
    table = page.locator("section[aria-labelledby=q-overall] table.benchmark-table")
    assert sorted(member_rows(table)) == sorted(world.names[:2])
    # Two members are too few for a group figure: withheld, as disclosure control asks.
    assert table.locator("tfoot .withheld").count() == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_the_circle_report_prints_a_page_per_member_with_its_funnel_plots(page, world, locale):
    log_in_through_form(page, ADMIN)
    check_page(page, f"/circles/{world.circle}/report?period={PERIOD}", locale)
    members = page.locator("section.member-page")
    assert sorted(members.locator("h2").all_inner_texts()) == sorted(world.names)
    # The funnel plots are drawn on the server, so they print without scripts.
    assert members.first.locator("figure.funnel-figure svg").count() >= 1
    assert members.first.locator("table.benchmark-table caption").count() == 1
    page.emulate_media(media="print")
    assert not page.locator("p.no-print").first.is_visible()  # no links on paper
    assert members.first.locator("figure.funnel-figure svg").first.is_visible()


@pytest.mark.parametrize("locale", LOCALES)
def test_an_improvement_action_is_measured_and_shared_as_a_good_practice(page, world, locale):
    log_in_through_form(page, ADMIN)
    check_page(page, "/circles/actions", locale)
    check_page(page, f"/circles/actions/{world.action}", locale)
    # Before against after in plain words, and against the circle members without an action.
    assert page.locator("p.statement").count() == 1
    assert page.locator("dl.figures > div").count() == 7

    check_page(page, f"/circles/actions/{world.action}/share", locale)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/circles/actions/{world.action}")
    check_here(page, locale)  # the action, now shared

    check_page(page, "/circles/actions/practices", locale)
    practice = page.locator("article.practice")
    assert practice.locator("h4").inner_text() == ACTION_TITLE
    assert world.names[0] in practice.locator(".meta").inner_text()
    # The year's largest proven progress: this municipality, from the first half to the second.
    assert page.locator("main strong", has_text=world.names[0]).count() == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_an_administrator_reads_and_accepts_a_circles_terms(page, world, locale):
    log_in_through_form(page, ADMIN)
    check_page(page, "/circles/consent", locale)
    check_page(page, f"/circles/{world.circle}/consent", locale)  # shared: the revoke button
    assert page.locator(f"form[action='/circles/{world.circle}/consent/revoke']").count() == 1

    check_page(page, f"/circles/{world.later}/consent", locale)  # not yet: the terms to accept
    accept = page.locator(f"form[action='/circles/{world.later}/consent'] button")
    with page.expect_navigation():
        accept.click()
    check_here(page, locale)
    assert page.locator(f"form[action='/circles/{world.later}/consent/revoke']").count() == 1
    assert page.goto(f"/circles/{world.later}?period={PERIOD}").status == 200  # now shared


@pytest.mark.parametrize("locale", LOCALES)
def test_the_operator_sees_the_benchmark_and_the_report_without_an_own_municipality(
    page, world, locale
):
    log_in_through_form(page, OPERATOR)
    check_page(page, f"/circles/{world.circle}?period={PERIOD}", locale)
    assert page.locator("#chart-overall svg.main-svg").count() >= 1
    assert page.locator("tr.own").count() == 0
    check_page(page, f"/circles/{world.circle}/report?period={PERIOD}", locale)
    assert page.locator("section.member-page").count() == len(world.names)
