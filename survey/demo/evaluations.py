"""How the demo's participants answer an event's evaluation, for the small demo and the bulk
demo alike.

As after a contact (respondents.py), each participant has one satisfaction that every statement
reflects. Relevance and usefulness drive the overall grade most; the speakers' statement follows
who spoke and the organisation statement the venue and the programme. An event's own quality
moves each statement (`offsets`), so the sessions of a series differ and a trend shows.
"""

from __future__ import annotations

import random

from survey.demo.comments import EVENT_REMARKS
from survey.demo.respondents import Asked, comment, questions_of, statements
from survey.questionnaires.models import Question, QuestionnaireVersion, QuestionType

# How strongly a statement reflects the participant's satisfaction.
EVENT_LOADINGS = {"relevance": 0.75, "usefulness": 0.7, "speakers": 0.55, "organisation": 0.35}
# Where a statement sits for an average meeting (people are kind about the organisation).
EVENT_LEVELS = {"relevance": 0.35, "usefulness": 0.05, "speakers": 0.25, "organisation": 0.45}
# How much an event's quality on a statement moves the overall grade.
EVENT_GRADE_WEIGHTS = {"relevance": 0.35, "usefulness": 0.3, "speakers": 0.2, "organisation": 0.1}
# How people heard of a meeting, and what they want next, as shares of those who say.
HEARD_VIA = {"invitation": 0.5, "newsletter": 0.18, "social": 0.08, "network": 0.19, "other": 0.05}
TOPICS = {"financing": 0.25, "sustainability": 0.3, "staff": 0.35, "digital": 0.2, "permits": 0.3}

# One answer as (question id, value, option, text), as writing.ANSWER stores it.
AnswerRow = tuple[int, int | None, str | None, str | None]


def evaluation_questions(version: QuestionnaireVersion) -> list[Asked]:
    return questions_of(version, EVENT_LOADINGS, EVENT_LEVELS)


def evaluation(
    questions: list[Asked], offsets: dict[str, float], english: bool, rng: random.Random
) -> list[AnswerRow]:
    """One participant's answers to the evaluation of an event of this quality."""
    satisfaction = rng.gauss(0, 1)
    rated, latent = statements(questions, offsets, satisfaction, rng)
    rows: list[AnswerRow] = [(question_id, value, None, None) for question_id, value, _ in rated]
    lift = sum(weight * offsets.get(code, 0.0) for code, weight in EVENT_GRADE_WEIGHTS.items())
    mood = 0.85 * satisfaction + lift + 0.5 * rng.gauss(0, 1)
    grade = min(10, max(1, round(7.5 + 1.1 * mood)))
    for question in questions:
        if question.type is QuestionType.SCALE10:
            rows.append((question.id, grade, None, None))
        elif question.type is QuestionType.NPS:
            rows.append((question.id, min(10, max(0, round(7 + 1.8 * mood))), None, None))
        elif question.type is QuestionType.CHOICE and question.options and rng.random() < 0.85:
            weights = [HEARD_VIA.get(option, 0.1) for option in question.options]
            rows.append((question.id, None, rng.choices(question.options, weights)[0], None))
        elif question.type is QuestionType.MULTI:
            for option in question.options:
                if rng.random() < TOPICS.get(option, 0.2):
                    rows.append((question.id, None, option, None))
        elif question.type is QuestionType.TEXT and rng.random() < (0.5 if grade <= 6 else 0.25):
            remark = comment(latent, grade, english, rng, EVENT_REMARKS)
            rows.append((question.id, None, None, remark))
    return rows


def as_submitted(version: QuestionnaireVersion, rows: list[AnswerRow]) -> dict[Question, object]:
    """The rows as the survey form hands them to `submit_response`: a value, an option, a list
    of options or a text per question."""
    by_id = {question.id: question for question in version.questions}
    answers: dict[Question, object] = {}
    for question_id, value, option, text in rows:
        question = by_id[question_id]
        if question.type is QuestionType.MULTI:
            answers.setdefault(question, []).append(option)
        else:
            answers[question] = value if value is not None else option or text
    return answers
