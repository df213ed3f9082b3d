"""The answer box counts down the characters left while typing, says so to screen readers,
and warns before sending; nothing typed or pasted is ever cut off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BOX = "#q_improve"
SHOWN = "#q_improve-count span[aria-hidden=true]"
SPOKEN = "#q_improve-count [aria-live=polite]"


def test_the_count_follows_typing_and_a_long_paste_is_kept_whole(page, survey_link):
    page.goto(survey_link().path)
    assert page.locator(SHOWN).text_content() == "Nog 2000 van de 2000 tekens over"
    page.locator(BOX).fill("Sneller terugbellen")
    assert page.locator(SHOWN).text_content() == "Nog 1981 van de 2000 tekens over"
    # Read out after a pause in typing, not after every letter.
    expect(page.locator(SPOKEN)).to_have_text("Nog 1981 van de 2000 tekens over")

    pasted = "Het loket was dicht. " * 500  # 10,500 characters
    page.locator(BOX).fill(pasted)
    assert len(page.locator(BOX).input_value()) == len(pasted)  # no maxlength cut it
    warning = page.locator(SHOWN).text_content()
    assert warning.startswith("Te lang: 10500 tekens")

    with page.expect_navigation():
        page.locator("#survey-form button.primary").click()
    assert "Uw antwoord heeft 10500 tekens" in page.locator(".error-summary").text_content()
    assert page.locator(BOX).input_value() == pasted.replace("\r\n", "\n")
