"""The form builder: a WTForms form made from a questionnaire version, in one language."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from survey.questionnaires.models import (
    LocalizedText,
    Question,
    QuestionnaireVersion,
    QuestionType,
    localized,
)

MAX_TEXT_LENGTH = 2000
FIELD_PREFIX = "q_"


@dataclass(frozen=True, eq=False)
class SurveyQuestion:
    """A question as the survey page asks it: a copy of its record, with no database session
    behind it, so that a built form can serve every request of a process (survey/questionnaires/
    cache.py). Compared and hashed by identity, like the record."""

    id: int
    position: int
    code: str
    theme: str
    type: QuestionType
    text: LocalizedText
    options: Any
    required: bool
    is_overall: bool

    @classmethod
    def of(cls, question: Question | SurveyQuestion) -> SurveyQuestion:
        if isinstance(question, SurveyQuestion):
            return question
        return cls(
            id=question.id,
            position=question.position,
            code=question.code,
            theme=question.theme,
            type=question.type,
            # Copies: the JSON the session loaded is not the shared form's to hold on to.
            text=copy.deepcopy(question.text),
            options=copy.deepcopy(question.options),
            required=question.required,
            is_overall=question.is_overall,
        )

    @property
    def option_codes(self) -> list[str]:
        return [option["code"] for option in self.options or []]


class SurveyForm(FlaskForm):
    """Base of every built survey form; the signed link already proves who may post."""

    class Meta:
        # The link is the credential: a cross-site forger would need the secret link itself,
        # and a CSRF token would expire on a respondent who leaves the page open for a day.
        csrf = False

    questions: tuple[SurveyQuestion, ...]
    max_text_length = MAX_TEXT_LENGTH

    def field_for(self, question: SurveyQuestion) -> Field:
        return self[field_name(question)]

    def error_targets(self) -> list[tuple[Field, str]]:
        """Each field with the id its error-summary link jumps to (a group's first input)."""
        return [
            (
                field := self.field_for(q),
                field.id if q.type is QuestionType.TEXT else f"{field.id}-0",
            )
            for q in self.questions
        ]


def field_name(question: Question | SurveyQuestion) -> str:
    return FIELD_PREFIX + question.code


def option_choices(question: Question | SurveyQuestion, locale: str) -> list[SelectChoice]:
    """Value and label of each option; every label is words, never a bare number."""
    scale = question.type.scale
    if scale is None or isinstance(question.options, list):
        return [
            SelectChoice(o["code"], localized(o["label"], locale)) for o in question.options or []
        ]
    anchors = question.options or {}
    choices = []
    for point in scale:
        if point == scale.start and "low" in anchors:
            label = f"{point} – {localized(anchors['low'], locale)}"
        elif point == scale.stop - 1 and "high" in anchors:
            label = f"{point} – {localized(anchors['high'], locale)}"
        else:
            with force_locale(locale):
                label = gettext("%(point)s of %(top)s", point=point, top=scale.stop - 1)
        choices.append(SelectChoice(str(point), label))
    return choices


class _AllowedOptions:
    """Every submitted option must be one the question offers (a forged post gets a message)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        allowed = {choice.value for choice in field.choices}
        data = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in allowed for value in data if value not in (None, "")):
            raise ValidationError(gettext("Choose one of the options given."))


class _AtMostCharacters:
    """Refuses an over-long answer with its length in the message; the page keeps what was typed
    (no maxlength on the textarea: browsers cut a longer paste silently)."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def __call__(self, form: FlaskForm, field: Field) -> None:
        length = len(field.data or "")
        if length > self.maximum:
            raise ValidationError(
                gettext(
                    "Your answer has %(length)s characters; at most %(max)s fit. Please shorten "
                    "it: what you wrote is still here.",
                    length=length,
                    max=self.maximum,
                )
            )


def one_kind_of_line_break(text: str | None) -> str | None:
    """Browsers send a line break as two characters (CRLF) but count it as one: so do we, so
    the live count and the server agree on the length."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _validators(question: SurveyQuestion) -> list[Any]:
    if question.required:
        if question.type is QuestionType.TEXT:
            message = gettext("Please fill in an answer to this question.")
        elif question.type is QuestionType.MULTI:
            message = gettext("Please choose at least one option.")
        else:
            message = gettext("Please choose an answer to this question.")
        return [InputRequired(message=message)]
    return [Optional()]


def _field(question: SurveyQuestion, locale: str) -> Field:
    label = localized(question.text, locale)
    validators = _validators(question)
    if question.type is QuestionType.TEXT:
        return TextAreaField(
            label,
            validators=[*validators, _AtMostCharacters(MAX_TEXT_LENGTH)],
            filters=[one_kind_of_line_break],
        )
    choices = option_choices(question, locale)
    if question.type is QuestionType.MULTI:
        return SelectMultipleField(
            label,
            choices=choices,
            validators=[*validators, _AllowedOptions()],
            validate_choice=False,
        )
    return RadioField(
        label,
        choices=choices,
        validators=[*validators, _AllowedOptions()],
        validate_choice=False,
    )


def build_survey_form(version: QuestionnaireVersion, locale: str) -> type[SurveyForm]:
    """A form class for this version with labels and messages in `locale`."""
    return build_form(version.questions, locale)


def build_form(questions: Iterable[Question | SurveyQuestion], locale: str) -> type[SurveyForm]:
    """A form class asking these questions, in this order, in `locale`."""
    asked = tuple(SurveyQuestion.of(q) for q in questions)
    with force_locale(locale):
        fields = {field_name(q): _field(q, locale) for q in asked}
    form_class = type("BuiltSurveyForm", (SurveyForm,), fields)
    form_class.questions = asked
    return form_class


def answers_from_form(form: SurveyForm) -> dict[SurveyQuestion, Any]:
    """What the respondent gave per question: an int, a list of option codes, or text."""
    answers: dict[SurveyQuestion, Any] = {}
    for question in form.questions:
        data = form.field_for(question).data
        if data in (None, "", []):
            continue
        if question.type.is_rated:
            answers[question] = int(data)
        elif question.type is QuestionType.TEXT:
            text = data.strip()
            if text:
                answers[question] = text
        elif question.type is QuestionType.MULTI:
            answers[question] = list(dict.fromkeys(data))
        else:
            answers[question] = data
    return answers
