"""The built-in catalogue, and the rule that a version with responses never changes."""

import pytest
from sqlalchemy import func, select

from survey.clock import utcnow
from survey.extensions import db
from survey.questionnaires.catalogue import (
    CONTACT_SURVEY,
    add_version,
    catalogue_questionnaire,
    load_catalogue,
    load_definition,
)
from survey.questionnaires.models import (
    FrozenVersionError,
    Question,
    QuestionnaireVersion,
    QuestionType,
)
from survey.responding.submission import submit_response
from tests import factories


def test_the_catalogue_ships_a_contact_survey_and_a_workshop_evaluation(ctx):
    load_catalogue()
    contact = catalogue_questionnaire("contact-survey").latest_version
    assert [q.code for q in contact.questions] == [
        "reachability",
        "expertise",
        "speed",
        "agreements",
        "thinking_along",
        "clarity",
        "overall",
        "recommend",
        "improve",
    ]
    workshop = catalogue_questionnaire("workshop-evaluation").latest_version
    assert {"relevance", "speakers", "organisation", "usefulness", "overall", "remarks"} <= {
        q.code for q in workshop.questions
    }
    for version in (contact, workshop):
        assert sum(q.is_overall for q in version.questions) == 1
        assert version.overall_question.type.is_rated
        for question in version.questions:
            assert question.text["nl"] and question.text["en"]
            assert question.text["nl"] != question.text["en"]
            for option in question.options if isinstance(question.options, list) else []:
                assert option["label"]["nl"] and option["label"]["en"]
    assert {QuestionType(q.type) for q in contact.questions} >= {
        QuestionType.SCALE5,
        QuestionType.SCALE10,
        QuestionType.NPS,
        QuestionType.TEXT,
    }


def test_loading_the_catalogue_twice_adds_nothing(ctx):
    load_catalogue()
    load_catalogue()
    assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2


def test_a_changed_definition_becomes_a_new_version_and_the_old_one_stays(ctx):
    load_catalogue()
    changed = {**CONTACT_SURVEY, "questions": CONTACT_SURVEY["questions"][:-1]}
    questionnaire = load_definition(changed)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    assert len(questionnaire.versions[0].questions) == 9
    assert len(questionnaire.versions[1].questions) == 8
    # Codes stay the same, so answers remain comparable across versions.
    assert [q.code for q in questionnaire.versions[1].questions] == [
        q.code for q in questionnaire.versions[0].questions[:-1]
    ]


@pytest.fixture
def answered_version(ctx):
    org = factories.organisation()
    invitation = factories.invitation(org)
    version = invitation.questionnaire_version
    overall = version.overall_question
    recommend = next(q for q in version.questions if q.code == "recommend")
    submit_response(invitation, {overall: 8, recommend: 9}, "nl", utcnow())
    db.session.commit()
    return version


def test_a_version_with_responses_refuses_a_changed_question(answered_version):
    answered_version.questions[0].text = {"nl": "Anders", "en": "Different"}
    with pytest.raises(FrozenVersionError):
        db.session.flush()


def test_a_version_with_responses_refuses_new_and_removed_questions(answered_version, ctx):
    answered_version.questions.append(
        Question(position=99, code="extra", theme="x", type=QuestionType.TEXT, text={"nl": "x"})
    )
    with pytest.raises(FrozenVersionError):
        db.session.flush()
    db.session.rollback()
    # A question of this version: with no ORDER BY, PostgreSQL may return another version's first.
    db.session.delete(
        db.session.scalars(
            select(Question).where(Question.version_id == answered_version.id)
        ).first()
    )
    with pytest.raises(FrozenVersionError):
        db.session.flush()


def test_editing_an_answered_questionnaire_makes_a_new_version(answered_version):
    questionnaire = answered_version.questionnaire
    definitions = [q.definition() for q in answered_version.questions]
    definitions[0]["text"] = {"nl": "Was de accountmanager bereikbaar?", "en": "Reachable?"}
    new = add_version(questionnaire, answered_version.intro, definitions)
    assert new.number == answered_version.number + 1
    assert answered_version.questions[0].text["nl"] == "De accountmanager was goed bereikbaar."


def test_a_version_without_responses_may_still_be_corrected(ctx):
    version = factories.contact_version()
    version.questions[0].theme = "bereikbaarheid"
    db.session.flush()
    assert not version.has_responses()
