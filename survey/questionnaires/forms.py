"""The form builder: a WTForms form made from a questionnaire version, in one language."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.questionnaires.models import Question, QuestionnaireVersion, QuestionType, localized

MAX_TEXT_LENGTH = 2000
FIELD_PREFIX = "q_"


class SurveyForm(FlaskForm):
    """Base of every built survey form; the signed link already proves who may post."""

    class Meta:
        # The link is the credential: a cross-site forger would need the secret link itself,
        # and a CSRF token would expire on a respondent who leaves the page open for a day.
        csrf = False

    questions: list[Question]

    def field_for(self, question: Question) -> Field:
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


def field_name(question: Question) -> str:
    return FIELD_PREFIX + question.code


def option_choices(question: Question, locale: str) -> list[SelectChoice]:
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


def _validators(question: Question) -> list[Any]:
    if question.required:
        if question.type is QuestionType.TEXT:
            message = gettext("Please fill in an answer to this question.")
        elif question.type is QuestionType.MULTI:
            message = gettext("Please choose at least one option.")
        else:
            message = gettext("Please choose an answer to this question.")
        return [InputRequired(message=message)]
    return [Optional()]


def _field(question: Question, locale: str) -> Field:
    label = localized(question.text, locale)
    validators = _validators(question)
    if question.type is QuestionType.TEXT:
        too_long = gettext(
            "Please keep your answer to at most %(max)s characters.", max=MAX_TEXT_LENGTH
        )
        return TextAreaField(
            label, validators=[*validators, Length(max=MAX_TEXT_LENGTH, message=too_long)]
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
    with force_locale(locale):
        fields = {field_name(q): _field(q, locale) for q in version.questions}
    form_class = type("BuiltSurveyForm", (SurveyForm,), fields)
    form_class.questions = list(version.questions)
    return form_class


def answers_from_form(form: SurveyForm) -> dict[Question, Any]:
    """What the respondent gave per question: an int, a list of option codes, or text."""
    answers: dict[Question, Any] = {}
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
