"""The contact survey's two versions in the bulk demo: the catalogue's, and a revision of it that
rewords one statement and adds one. Questions keep their codes, so answers stay comparable."""

from __future__ import annotations

import copy

from survey.questionnaires.catalogue import (
    AGREEMENT,
    CONTACT_SURVEY,
    add_version,
    catalogue_questionnaire,
)
from survey.questionnaires.models import QuestionnaireVersion, QuestionType

REWORDED = {
    "reachability": {
        "nl": "Ik kon de accountmanager makkelijk bereiken (telefoon, e-mail of langskomen).",
        "en": "I could easily reach the account manager (by phone, email or in person).",
    }
}
ADDED_AFTER = "clarity"
ADDED = {
    "code": "proactive",
    "theme": "proactivity",
    "type": QuestionType.SCALE5,
    "text": {
        "nl": "De accountmanager hield mij uit zichzelf op de hoogte van de voortgang.",
        "en": "The account manager kept me informed of progress without my asking.",
    },
    "options": AGREEMENT,
    "required": False,
}


def revised_contact_survey() -> dict:
    """The catalogue's contact survey with one statement reworded and one added."""
    revised = copy.deepcopy(CONTACT_SURVEY)
    questions = []
    for question in revised["questions"]:
        question["text"] = REWORDED.get(question["code"], question["text"])
        questions.append(question)
        if question["code"] == ADDED_AFTER:
            questions.append(copy.deepcopy(ADDED))
    revised["questions"] = questions
    return revised


def _matches(version: QuestionnaireVersion, definition: dict) -> bool:
    wanted = [(question["code"], question["text"]) for question in definition["questions"]]
    return [(question.code, question.text) for question in version.questions] == wanted


def contact_survey_versions() -> tuple[QuestionnaireVersion, QuestionnaireVersion]:
    """The catalogue's version and the revised one, which is added once (the catalogue must be
    loaded)."""
    questionnaire = catalogue_questionnaire(CONTACT_SURVEY["key"])
    original = next(
        (v for v in questionnaire.versions if _matches(v, CONTACT_SURVEY)),
        questionnaire.versions[0],
    )
    revised_definition = revised_contact_survey()
    revised = next(
        (v for v in questionnaire.versions if _matches(v, revised_definition)), None
    ) or add_version(questionnaire, revised_definition["intro"], revised_definition["questions"])
    return original, revised
