"""The feedback dashboard with the demo data, in a real browser: the charts are drawn under the
Content-Security-Policy without a complaint, the pages pass axe-core, and the print is clean."""

from __future__ import annotations

import pytest

from survey.clock import utcnow
from survey.demo.data import load_demo
from survey.extensions import db
from tests.browser.conftest import log_in_through_form
from tests.browser.test_accessibility import LOCALES, assert_no_violations

pytestmark = pytest.mark.browser

CHARTS = {
    "means": ".scatterlayer .point",
    "drivers": ".scatterlayer .point",
    "distribution": ".barlayer .bars",
    "trend": ".scatterlayer .point",
}


@pytest.fixture
def coordinator(app, page):
    """The demo municipality, and its coordinator logged in; complaints collects console errors."""
    with app.app_context():
        load_demo(utcnow())
        db.session.commit()
    complaints: list[str] = []
    page.on(
        "console",
        lambda m: complaints.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )
    page.on("response", lambda r: complaints.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP refused ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    log_in_through_form(page, "coordinator@demodam.example", "demo-coord-2026")
    return complaints


@pytest.mark.parametrize("locale", LOCALES)
def test_the_dashboard_draws_its_charts_and_is_accessible(page, coordinator, locale):
    page.goto(f"/language/{locale}?next=/dashboard")
    for name, trace in CHARTS.items():
        chart = page.locator(f'#chart-{name}[data-drawn="true"]')
        chart.wait_for()
        assert chart.locator(trace).count() > 0, name
        assert chart.get_attribute("role") == "img"
        # The same numbers as a table, right after the chart.
        assert page.locator(f"#chart-{name} ~ .table-scroll table").count() > 0, name
    assert page.locator("#drivers-title ~ div ol li").count() > 0  # named in words
    assert coordinator == []
    assert_no_violations(page, locale)


def test_the_other_dashboard_pages_are_accessible(page, coordinator):
    for path in ("/dashboard/managers", "/dashboard/open-answers", "/dashboard?since=2026-11"):
        page.goto(path)
        drawn = page.locator(".chart")
        for index in range(drawn.count()):
            page.locator(f".chart >> nth={index}").and_(page.locator("[data-drawn]")).wait_for()
        assert_no_violations(page, "nl")
    refused = page.goto("/dashboard?first=2026-13")
    assert refused.status == 422 and page.locator(".error-summary").is_visible()
    assert_no_violations(page, "nl")
    # The 422 itself is the only complaint (the browser reports it as a failed load).
    assert [complaint for complaint in coordinator if "first=2026-13" not in complaint] == []


def test_the_dashboard_prints_on_a4_without_navigation(page, coordinator):
    page.goto("/dashboard")
    page.locator('#chart-means[data-drawn="true"]').wait_for()
    page.emulate_media(media="print")
    assert not page.locator("nav.staff-nav").is_visible()
    assert not page.locator("form.filters").is_visible()
    assert page.locator("#chart-means svg.main-svg").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
