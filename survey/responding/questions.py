"""The questions of a survey form as the respondent's pages draw them (the personal link, its
staff preview, the room link), through templates/responding/_questions.html."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from survey.questionnaires.cache import blank_questions
from survey.questionnaires.forms import SurveyForm
from survey.questionnaires.models import QuestionnaireVersion


def blank_questions_of(
    version: QuestionnaireVersion, form: SurveyForm, locale: str
) -> Markup | None:
    """The questions' markup kept for the version when nothing was posted (the page as it
    opens), else None, for the template to draw the answers and errors afresh."""
    if form.is_submitted():
        return None
    return blank_questions(
        version, locale, lambda: render_template("responding/_questions.html", form=form)
    )
