"""Answer validation per question type, on the built form, without HTTP."""

import pytest
from werkzeug.datastructures import MultiDict

from survey.questionnaires.forms import answers_from_form, build_survey_form
from survey.questionnaires.models import QuestionType
from tests import factories


@pytest.fixture
def contact_form(app):
    with app.test_request_context():
        version = factories.contact_version()

        def validate(locale="en", **data):
            form = build_survey_form(version, locale)(formdata=MultiDict(data))
            return form.validate(), form

        yield validate


@pytest.fixture
def workshop_form(app):
    with app.test_request_context():
        version = factories.workshop_version()

        def validate(locale="en", **data):
            items = [
                (k, v)
                for k, values in data.items()
                for v in (values if isinstance(values, list) else [values])
            ]
            form = build_survey_form(version, locale)(formdata=MultiDict(items))
            return form.validate(), form

        yield validate


REQUIRED_CONTACT = {"q_overall": "7", "q_recommend": "8"}
REQUIRED_WORKSHOP = {"q_relevance": "4", "q_usefulness": "5", "q_overall": "9"}


def test_a_minimal_valid_answer_passes(contact_form):
    valid, form = contact_form(**REQUIRED_CONTACT)
    assert valid, form.errors
    assert {q.code: v for q, v in answers_from_form(form).items()} == {"overall": 7, "recommend": 8}


@pytest.mark.parametrize(
    ("field", "accepted", "refused"),
    [
        ("q_speed", ["1", "5"], ["0", "6", "x", "3.5"]),  # scale5: 1..5
        ("q_overall", ["1", "10"], ["0", "11", "-1"]),  # scale10: 1..10
        ("q_recommend", ["0", "10"], ["11", "-1", "ten"]),  # nps: 0..10
    ],
)
def test_rated_questions_accept_only_their_scale(contact_form, field, accepted, refused):
    for value in accepted:
        valid, form = contact_form(**{**REQUIRED_CONTACT, field: value})
        assert valid, (value, form.errors)
    for value in refused:
        valid, form = contact_form(**{**REQUIRED_CONTACT, field: value})
        assert not valid and field in form.errors, value


def test_a_required_rated_question_left_open_gets_a_message(contact_form):
    valid, form = contact_form(q_overall="7")
    assert not valid
    assert form.errors == {"q_recommend": ["Please choose an answer to this question."]}


def test_messages_come_in_the_respondents_language(contact_form):
    valid, form = contact_form(locale="nl", q_overall="7")
    assert not valid
    assert form.errors["q_recommend"] != ["Please choose an answer to this question."]


def test_an_optional_rated_question_may_be_skipped(contact_form):
    valid, form = contact_form(**REQUIRED_CONTACT, q_speed="")
    assert valid, form.errors
    assert "speed" not in {q.code for q in answers_from_form(form)}


def test_a_choice_question_accepts_only_its_options(workshop_form):
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_heard_via="newsletter")
    assert valid, form.errors
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_heard_via="carrier-pigeon")
    assert not valid and "q_heard_via" in form.errors


def test_a_multi_question_takes_several_known_options_once_each(workshop_form):
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_next_topics=["staff", "digital", "staff"])
    assert valid, form.errors
    answers = {q.code: v for q, v in answers_from_form(form).items()}
    assert answers["next_topics"] == ["staff", "digital"]
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_next_topics=["staff", "bogus"])
    assert not valid and "q_next_topics" in form.errors


def test_open_answers_are_trimmed_limited_and_optional(workshop_form):
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_remarks="  Graag vaker!  ")
    assert valid
    assert {q.code: v for q, v in answers_from_form(form).items()}["remarks"] == "Graag vaker!"
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_remarks="   ")
    assert valid and "remarks" not in {q.code for q in answers_from_form(form)}
    valid, form = workshop_form(**REQUIRED_WORKSHOP, q_remarks="x" * 2001)
    assert not valid and "q_remarks" in form.errors


def test_every_option_label_is_words_not_a_bare_number(app):
    from survey.questionnaires.forms import option_choices

    with app.test_request_context():
        for version in (factories.contact_version(), factories.workshop_version()):
            for question in version.questions:
                if question.type is QuestionType.TEXT:
                    continue
                for locale in ("nl", "en"):
                    for choice in option_choices(question, locale):
                        assert not choice.label.strip().isdigit(), (question.code, choice.label)
