"""Forms of the improvement action pages: an action, and the good practice it is shared as."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.accounts.models import User
from survey.analysis.periods import month_text
from survey.circles.actions import ActionDetails, PracticeDetails, TargetQuestion
from survey.circles.models import NAME_MAX, TEXT_MAX, TITLE_MAX, ImprovementAction
from survey.request_input import Month, SingleLine, without_nul
from survey.request_input import month as parse_month

EMAIL_MAX = 254
CHECKBOX_GROUPS = ("question_codes", "managers")


def _limit(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(limit)s characters.", limit=limit))


def _line(label, limit: int, required=None, description=None, field_class=StringField):
    return field_class(
        label,
        validators=[
            InputRequired(message=required) if required else Optional(),
            _limit(limit),
            SingleLine(),
        ],
        description=description or _l("At most %(limit)s characters.", limit=limit),
        filters=[without_nul],
    )


def _text(label, required=None, description=None) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[InputRequired(message=required) if required else Optional(), _limit(TEXT_MAX)],
        description=description or _l("At most %(limit)s characters.", limit=TEXT_MAX),
        filters=[without_nul],
    )


def _record_id(value: object) -> int | None:
    """A chosen id; None for the empty choice."""
    if value in (None, ""):
        return None
    return int(value)


class _Anchored:
    @property
    def anchors(self) -> list[tuple]:
        """Each field with the id its error links to (a checkbox group's first box)."""
        return [
            (field, f"{field.id}-0" if field.name in CHECKBOX_GROUPS else field.id)
            for field in self
            if field.name != "csrf_token"
        ]


class ActionForm(_Anchored, FlaskForm):
    title = _line(_l("Title"), TITLE_MAX, _l("Please fill in the title of the action."))
    description = _text(
        _l("What the action does"),
        description=_l(
            "What changed, for whom, and why. At most %(limit)s characters.", limit=TEXT_MAX
        ),
    )
    starts = StringField(
        _l("Start month"),
        validators=[
            InputRequired(message=_l("Please fill in the month the action started.")),
            SingleLine(),
            Month(),
        ],
        description=_l(
            "The first month in which the action was in effect, as year-month, for example "
            "2026-03. Its effect is measured from this month on."
        ),
        filters=[without_nul],
    )
    question_codes = SelectMultipleField(
        _l("Questions it should improve"),
        validators=[InputRequired(message=_l("Please choose at least one question."))],
    )
    managers = SelectMultipleField(
        _l("Account managers it concerns"),
        coerce=int,
        description=_l("Tick none when the action concerns the whole organisation."),
    )
    contact_person = SelectField(
        _l("Contact person"),
        coerce=_record_id,
        description=_l("Whom colleagues in the circle can ask about the action."),
    )

    def __init__(
        self,
        *args,
        questions: list[TargetQuestion],
        managers: list[User],
        staff: list[User],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.question_codes.choices = [SelectChoice(q.code, q.text) for q in questions]
        self.managers.choices = [SelectChoice(user.id, user.name) for user in managers]
        self.contact_person.choices = [SelectChoice("", _l("No one")), *_people(staff)]

    def details(self) -> ActionDetails:
        return ActionDetails(
            title=self.title.data.strip(),
            description=(self.description.data or "").strip(),
            starts_on=parse_month(self.starts.data),
            question_codes=tuple(self.question_codes.data),
            account_manager_ids=tuple(self.managers.data or ()),
            contact_person_id=self.contact_person.data,
        )


def _people(staff: list[User]) -> list[SelectChoice]:
    return [SelectChoice(user.id, user.name) for user in staff]


def action_values(action: ImprovementAction) -> dict:
    """The form's values for an existing action."""
    return {
        "title": action.title,
        "description": action.description,
        "starts": month_text(action.starts_on),
        "question_codes": list(action.question_codes),
        "managers": list(action.account_manager_ids),
        "contact_person": action.contact_person_id,
    }


class PracticeForm(_Anchored, FlaskForm):
    title = _line(_l("Title"), TITLE_MAX, _l("Please fill in the title of the good practice."))
    what_was_done = _text(
        _l("What was done"),
        _l("Please describe what was done."),
    )
    effect = _text(
        _l("Effect as measured"),
        description=_l(
            "Filled in from the action's measurement; you may add to it. Members read it as "
            "you write it here. At most %(limit)s characters.",
            limit=TEXT_MAX,
        ),
    )
    contact_name = _line(_l("Contact person"), NAME_MAX)
    contact_email = _line(
        _l("Email address of the contact person"), EMAIL_MAX, field_class=EmailField
    )

    def validate_contact_email(self, field) -> None:
        if not field.data:
            return
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(
                _l("%(email)s is not a valid email address.", email=field.data)
            ) from None

    def details(self) -> PracticeDetails:
        return PracticeDetails(
            title=self.title.data.strip(),
            what_was_done=(self.what_was_done.data or "").strip(),
            effect=(self.effect.data or "").strip(),
            contact_name=(self.contact_name.data or "").strip(),
            contact_email=(self.contact_email.data or "").strip(),
        )
