"""The built-in catalogue: the contact survey and the workshop evaluation, in Dutch and English.

Loading is idempotent: an unchanged definition adds nothing, a changed one adds a new version
(the old one may have responses and stays as it was).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from survey.extensions import db
from survey.questionnaires.models import (
    Purpose,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)


def _t(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


AGREEMENT = [
    {"code": "1", "label": _t("Helemaal mee oneens", "Strongly disagree")},
    {"code": "2", "label": _t("Mee oneens", "Disagree")},
    {"code": "3", "label": _t("Neutraal", "Neither agree nor disagree")},
    {"code": "4", "label": _t("Mee eens", "Agree")},
    {"code": "5", "label": _t("Helemaal mee eens", "Strongly agree")},
]
GRADE = {"low": _t("zeer slecht", "very poor"), "high": _t("uitstekend", "excellent")}
LIKELIHOOD = {
    "low": _t("zeer onwaarschijnlijk", "not at all likely"),
    "high": _t("zeer waarschijnlijk", "extremely likely"),
}


def _statement(code: str, theme: str, nl: str, en: str, required: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "theme": theme,
        "type": QuestionType.SCALE5,
        "text": _t(nl, en),
        "options": AGREEMENT,
        "required": required,
    }


CONTACT_SURVEY = {
    "key": "contact-survey",
    "purpose": Purpose.CONTACT,
    "title": _t(
        "Hoe was uw contact met de gemeente?", "How was your contact with the municipality?"
    ),
    "intro": _t(
        "U had onlangs contact met een accountmanager van de gemeente. Wilt u in twee minuten "
        "vertellen hoe dat ging? Uw antwoorden helpen ons ondernemers beter te helpen. "
        "Past een vraag niet bij uw contact, sla hem dan over.",
        "You were recently in touch with one of the municipality's account managers. Would you "
        "take two minutes to tell us how it went? Your answers help us serve entrepreneurs "
        "better. If a question does not fit your contact, just skip it.",
    ),
    "questions": [
        _statement(
            "reachability",
            "accessibility",
            "De accountmanager was goed bereikbaar.",
            "The account manager was easy to reach.",
        ),
        _statement(
            "expertise",
            "expertise",
            "De accountmanager had verstand van zaken.",
            "The account manager knew what they were talking about.",
        ),
        _statement(
            "speed",
            "responsiveness",
            "Mijn vraag werd snel opgepakt.",
            "My question was taken up quickly.",
        ),
        _statement(
            "agreements",
            "reliability",
            "De accountmanager kwam afspraken na.",
            "The account manager did what was agreed.",
        ),
        _statement(
            "thinking_along",
            "empathy",
            "De accountmanager dacht met mij mee als ondernemer.",
            "The account manager thought along with me as an entrepreneur.",
        ),
        _statement(
            "clarity",
            "communication",
            "De informatie die ik kreeg was duidelijk.",
            "The information I was given was clear.",
        ),
        {
            "code": "overall",
            "theme": "overall",
            "type": QuestionType.SCALE10,
            "text": _t(
                "Welk rapportcijfer geeft u dit contact met de gemeente?",
                "Overall, how would you rate this contact with the municipality?",
            ),
            "options": GRADE,
            "required": True,
            "is_overall": True,
        },
        {
            "code": "recommend",
            "theme": "loyalty",
            "type": QuestionType.NPS,
            "text": _t(
                "Hoe waarschijnlijk is het dat u de gemeente als aanspreekpunt voor ondernemers "
                "aanbeveelt aan een andere ondernemer?",
                "How likely are you to recommend the municipality's business service to "
                "another entrepreneur?",
            ),
            "options": LIKELIHOOD,
            "required": True,
        },
        {
            "code": "improve",
            "theme": "open",
            "type": QuestionType.TEXT,
            "text": _t("Wat kunnen wij beter doen?", "What could we do better?"),
            "required": False,
        },
    ],
}

WORKSHOP_EVALUATION = {
    "key": "workshop-evaluation",
    "purpose": Purpose.WORKSHOP,
    "title": _t("Hoe was de bijeenkomst?", "How was the meeting?"),
    "intro": _t(
        "Bedankt dat u erbij was. Wilt u in twee minuten laten weten wat u ervan vond? "
        "Zo maken we de volgende bijeenkomst nog beter.",
        "Thank you for joining us. Would you take two minutes to tell us what you thought? "
        "It helps us make the next meeting even better.",
    ),
    "questions": [
        _statement(
            "relevance",
            "content",
            "De inhoud was relevant voor mij.",
            "The content was relevant to me.",
            required=True,
        ),
        _statement(
            "speakers",
            "speakers",
            "De sprekers brachten hun onderwerp goed over.",
            "The speakers got their subject across well.",
        ),
        _statement(
            "organisation",
            "organisation",
            "De bijeenkomst was goed georganiseerd (locatie, tijd, informatie vooraf).",
            "The meeting was well organised (venue, timing, information beforehand).",
        ),
        _statement(
            "usefulness",
            "usefulness",
            "Ik kan wat ik heb gehoord gebruiken in mijn eigen werk.",
            "I can use what I heard in my own work.",
            required=True,
        ),
        {
            "code": "overall",
            "theme": "overall",
            "type": QuestionType.SCALE10,
            "text": _t(
                "Welk rapportcijfer geeft u deze bijeenkomst?",
                "Overall, how would you rate this meeting?",
            ),
            "options": GRADE,
            "required": True,
            "is_overall": True,
        },
        {
            "code": "heard_via",
            "theme": "reach",
            "type": QuestionType.CHOICE,
            "text": _t(
                "Hoe hoorde u van deze bijeenkomst?", "How did you hear about this meeting?"
            ),
            "options": [
                {
                    "code": "invitation",
                    "label": _t("Uitnodiging van de gemeente", "Invitation from the municipality"),
                },
                {"code": "newsletter", "label": _t("Nieuwsbrief", "Newsletter")},
                {"code": "social", "label": _t("Sociale media", "Social media")},
                {
                    "code": "network",
                    "label": _t(
                        "Via een collega of ondernemersvereniging",
                        "Through a colleague or business association",
                    ),
                },
                {"code": "other", "label": _t("Anders", "Other")},
            ],
            "required": False,
        },
        {
            "code": "next_topics",
            "theme": "interest",
            "type": QuestionType.MULTI,
            "text": _t(
                "Over welke onderwerpen wilt u een volgende bijeenkomst? (meerdere mogelijk)",
                "Which topics would you like a next meeting about? (choose any)",
            ),
            "options": [
                {"code": "financing", "label": _t("Financiering", "Financing")},
                {"code": "sustainability", "label": _t("Verduurzaming", "Sustainability")},
                {
                    "code": "staff",
                    "label": _t("Personeel vinden en houden", "Finding and keeping staff"),
                },
                {"code": "digital", "label": _t("Digitalisering", "Going digital")},
                {
                    "code": "permits",
                    "label": _t("Vergunningen en regels", "Permits and regulations"),
                },
            ],
            "required": False,
        },
        {
            "code": "remarks",
            "theme": "open",
            "type": QuestionType.TEXT,
            "text": _t(
                "Heeft u nog opmerkingen of tips voor een volgende keer?",
                "Any remarks or tips for next time?",
            ),
            "required": False,
        },
    ],
}

BUILT_IN = (CONTACT_SURVEY, WORKSHOP_EVALUATION)


def _question_fields(definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": definition["code"],
        "theme": definition["theme"],
        "type": QuestionType(definition["type"]),
        "text": definition["text"],
        "options": definition.get("options", []),
        "required": definition.get("required", True),
        "is_overall": definition.get("is_overall", False),
    }


def _as_definition(version: QuestionnaireVersion) -> tuple:
    return (version.intro, [_question_fields(q.definition()) for q in version.questions])


def add_version(
    questionnaire: Questionnaire, intro: dict, questions: list[dict]
) -> QuestionnaireVersion:
    """A new version after the latest, with these questions in this order."""
    latest = questionnaire.latest_version
    version = QuestionnaireVersion(
        questionnaire=questionnaire, number=(latest.number + 1) if latest else 1, intro=intro
    )
    for position, definition in enumerate(questions, start=1):
        version.questions.append(Question(position=position, **_question_fields(definition)))
    db.session.add(version)
    db.session.flush()
    return version


def load_definition(
    definition: dict[str, Any], organisation_id: int | None = None
) -> Questionnaire:
    questionnaire = db.session.scalar(
        select(Questionnaire).where(
            Questionnaire.key == definition["key"],
            Questionnaire.organisation_id.is_(None)
            if organisation_id is None
            else Questionnaire.organisation_id == organisation_id,
        )
    )
    if questionnaire is None:
        questionnaire = Questionnaire(
            key=definition["key"],
            purpose=definition["purpose"],
            title=definition["title"],
            organisation_id=organisation_id,
        )
        db.session.add(questionnaire)
    questionnaire.title = definition["title"]
    wanted = (definition["intro"], [_question_fields(q) for q in definition["questions"]])
    latest = questionnaire.latest_version
    if latest is None or _as_definition(latest) != wanted:
        add_version(questionnaire, definition["intro"], definition["questions"])
    return questionnaire


def load_catalogue() -> list[Questionnaire]:
    """Make sure the shared catalogue holds the current built-in questionnaires."""
    return [load_definition(definition) for definition in BUILT_IN]


def catalogue_questionnaire(key: str) -> Questionnaire | None:
    return db.session.scalar(
        select(Questionnaire).where(
            Questionnaire.key == key, Questionnaire.organisation_id.is_(None)
        )
    )
