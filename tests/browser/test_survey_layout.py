"""The survey page reflows to a 320 px wide screen; its choices stay visible in high contrast."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SCROLL_WIDTH = "document.documentElement.scrollWidth"
LABEL_BACKGROUND = "id => getComputedStyle(document.getElementById(id).labels[0]).backgroundColor"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_survey_page_fits_a_320_pixel_screen_without_sideways_scrolling(
    page, survey_link, locale
):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(survey_link(locale=locale).path)
    assert page.evaluate(SCROLL_WIDTH) <= 320
    with page.expect_navigation():
        page.locator("#survey-form button.primary").click()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate(SCROLL_WIDTH) <= 320


def test_the_chosen_mark_on_a_rating_grid_survives_forced_colours(page, survey_link):
    """Windows high contrast drops background colours; the chosen box must still stand out."""
    page.emulate_media(forced_colors="active")
    page.goto(survey_link().path)
    page.locator("#q_overall-6").focus()
    page.keyboard.press("Space")
    assert page.locator("#q_overall-6").is_checked()
    chosen, unchosen = (
        page.evaluate(LABEL_BACKGROUND, id_) for id_ in ("q_overall-6", "q_overall-5")
    )
    assert chosen != unchosen
