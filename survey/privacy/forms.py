"""The forms of a privacy request: who is asked about, and the erasure's choice and confirmation.

The person travels as a hidden field of a POST, never in a URL, so that no address or number
ends up in a server's or proxy's log.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.privacy.erasure import RESPONSE_CHOICE_LABELS, ResponseChoice
from survey.privacy.subjects import QUERY_MAX
from survey.request_input import SingleLine, without_nul

PERSON_REQUIRED = _l("Fill in an email address or a KvK/KBO number.")


def _person_field(field_class):
    return field_class(
        _l("Email address or KvK/KBO number"),
        filters=[without_nul],
        validators=[
            InputRequired(message=PERSON_REQUIRED),
            Length(max=QUERY_MAX, message=_l("Use at most %(limit)s characters.", limit=QUERY_MAX)),
            SingleLine(),
        ],
    )


class LookupForm(FlaskForm):
    person = _person_field(StringField)


class ExportForm(FlaskForm):
    person = _person_field(HiddenField)


class ErasureForm(FlaskForm):
    person = _person_field(HiddenField)
    responses = RadioField(
        _l("What becomes of this person's responses?"),
        choices=[
            SelectChoice(choice.value, label) for choice, label in RESPONSE_CHOICE_LABELS.items()
        ],
        validators=[InputRequired(message=_l("Choose what becomes of the responses."))],
        validate_choice=False,  # read by ResponseChoice, with the same message
    )
    confirm = BooleanField(
        _l("I have checked that these records are of the person who asked, and erase them."),
        validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )

    def response_choice(self) -> ResponseChoice | None:
        try:
            return ResponseChoice(self.responses.data)
        except ValueError:
            return None
