"""An open answer is never cut silently: the page states the limit, the answer box carries no
maxlength (browsers cut a longer paste without a word), and the server refuses an over-long
answer with its length while keeping every character typed."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey.extensions import db
from survey.responding.models import Answer, Response
from tests import factories

TEXTAREA = re.compile(r"<textarea([^>]*)>(.*?)</textarea>", re.S)


def _link(app) -> str:
    with app.app_context():
        invitation = factories.invitation(factories.organisation())
        db.session.commit()
        return f"/s/{factories.survey_token(invitation)}"


def _answers(improve: str) -> dict:
    return {**factories.CONTACT_FORM_ANSWERS, "q_improve": improve}


def test_the_answer_box_states_the_limit_and_has_no_maxlength_that_cuts_a_paste(app, client):
    html = client.get(_link(app)).text
    attributes, _ = TEXTAREA.search(html).groups()
    assert "maxlength" not in attributes
    assert 'data-max-length="2000"' in attributes
    assert "Hoogstens 2000 tekens." in html
    assert 'aria-describedby="q_improve-hint"' in attributes
    assert 'src="/static/js/character-count.js"' in html
    assert 'data-left="Nog {left} van de 2000 tekens over"' in html


def test_a_10000_character_answer_is_refused_with_its_length_and_kept_whole(app, client):
    written = ("Het loket was dicht en niemand belde terug. " * 230)[:10_000]
    page = client.post(_link(app), data=_answers(written))
    assert page.status_code == 422
    assert "Uw antwoord heeft 10000 tekens; er passen er hoogstens 2000." in page.text
    attributes, kept = TEXTAREA.search(page.text).groups()
    assert kept == written  # nothing cut: the respondent can shorten it themselves
    assert 'aria-invalid="true"' in attributes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_line_break_counts_as_one_character_as_in_the_browser(app, client):
    """Browsers send a line break as CR LF but count it as one: 1,995 letters and 5 line
    breaks are 2,000 characters on screen, so they fit."""
    text = "\r\n".join(["a" * 335] + ["a" * 332] * 5)
    assert len(text.replace("\r\n", "\n")) == 2000 and len(text) == 2005
    page = client.post(_link(app), data=_answers(text))
    assert page.status_code == 303, page.text[:500]
    with app.app_context():
        stored = db.session.scalar(select(Answer.text).where(Answer.text.is_not(None)))
        assert stored == text.replace("\r\n", "\n")
