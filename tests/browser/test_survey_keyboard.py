"""The survey works with the keyboard alone, and its error summary leads to each question."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.responding.models import Response
from tests import factories

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), name: e.getAttribute("name"), value: e.value,
          checked: e.checked === true, classes: e.className};
}"""
# A focus ring on the element, or on its label when the input itself is visually hidden.
FOCUS_RING = """() => {
  const e = document.activeElement;
  const shown = getComputedStyle(e).opacity === "0" ? e.labels[0] : e;
  return getComputedStyle(shown).outlineStyle !== "none";
}"""

QUESTION_ON_SCREEN = """() => {
  const option = document.activeElement;
  const legend = option.closest("fieldset").querySelector("legend");
  const shown = (e) => {
    const box = e.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  };
  return {legend: shown(legend), option: shown(option)};
}"""


def press(page, key: str, times: int = 1) -> dict:
    for _ in range(times):
        page.keyboard.press(key)
    return page.evaluate(FOCUSED)


def assert_on_question(focused: dict, code: str, value: str) -> None:
    """Focus is on the option `value` of question `code`, and that option is chosen."""
    assert (focused["name"], focused["value"], focused["checked"]) == (f"q_{code}", value, True)


def test_the_contact_survey_can_be_answered_by_keyboard_alone(app, page, survey_link):
    link = survey_link()
    page.goto(link.path)

    assert "skip-link" in press(page, "Tab")["classes"]
    assert press(page, "Tab")["name"] == "switch_locale"
    # A radio group is one Tab stop; the arrow keys choose within it.
    assert press(page, "Tab")["name"] == "q_reachability"
    assert_on_question(press(page, "ArrowDown", 3), "reachability", "4")
    assert press(page, "Tab")["name"] == "q_expertise"
    assert_on_question(press(page, "Space"), "expertise", "1")
    assert_on_question(press(page, "ArrowDown", 3), "expertise", "4")
    press(page, "Tab")
    assert_on_question(press(page, "ArrowDown", 2), "speed", "3")
    # Back one group to change an answer: focus returns to the chosen option.
    assert_on_question(press(page, "Shift+Tab"), "expertise", "4")
    assert_on_question(press(page, "ArrowDown"), "expertise", "5")
    assert_on_question(press(page, "Tab"), "speed", "3")
    press(page, "Tab")
    assert_on_question(press(page, "ArrowDown", 3), "agreements", "4")
    press(page, "Tab")
    assert_on_question(press(page, "ArrowDown", 4), "thinking_along", "5")
    press(page, "Tab")
    assert_on_question(press(page, "ArrowDown", 3), "clarity", "4")
    # The 1-10 and 0-10 grids hide the native radio; its label must show the focus.
    assert press(page, "Tab")["name"] == "q_overall"
    assert_on_question(press(page, "ArrowRight", 7), "overall", "8")
    assert page.evaluate(FOCUS_RING), "no visible focus on the rating grid"
    assert press(page, "Tab")["name"] == "q_recommend"
    assert_on_question(press(page, "Space"), "recommend", "0")
    assert_on_question(press(page, "ArrowRight", 9), "recommend", "9")
    assert page.evaluate(FOCUS_RING), "no visible focus on the rating grid"
    assert press(page, "Tab")["name"] == "q_improve"
    page.keyboard.type("Sneller terugbellen graag.")
    submit = press(page, "Tab")
    assert submit["tag"] == "button" and "primary" in submit["classes"]
    assert page.evaluate(FOCUS_RING), "no visible focus on the submit button"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.split("?")[0].endswith(f"{link.path}/thanks")
    assert page.locator(".link-state.thanks h1").is_visible()
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        assert len(responses) == 1
        response = responses[0]
        assert factories.stored_answers(response) == factories.CONTACT_STORED_ANSWERS
        assert response.invitation_id == link.invitation_id and response.locale == "nl"
        invitation = db.session.get(Invitation, link.invitation_id)
        assert invitation.state is InvitationState.ANSWERED


def test_the_error_summary_takes_focus_and_its_links_show_the_question(app, page, survey_link):
    page.set_viewport_size({"width": 400, "height": 700})
    page.goto(survey_link().path)
    with page.expect_navigation():
        page.locator("#survey-form button.primary").click()
    assert "error-summary" in page.evaluate(FOCUSED)["classes"]
    assert press(page, "Tab")["tag"] == "a"
    focused = press(page, "Enter")
    assert (focused["name"], focused["value"]) == ("q_overall", "1")
    # The question's text and the focused option are both on screen, not scrolled off the top.
    assert page.evaluate(QUESTION_ON_SCREEN) == {"legend": True, "option": True}
    with app.app_context():
        assert db.session.scalars(select(Response)).first() is None
