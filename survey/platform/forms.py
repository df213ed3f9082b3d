"""The operator's forms: an organisation with its size and first administrator, a circle, a
member to add."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from survey.accounts.organisation_settings import time_zones
from survey.circles.models import NAME_MAX, TEXT_MAX
from survey.circles.sizes import SizeClass
from survey.platform.organisations import MAX_COUNT
from survey.request_input import SingleLine, without_nul

WHOLE_NUMBER = _l("Fill in a whole number.")


def _count_field(label, hint) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_COUNT,
                message=_l("Give a whole number from 0 to %(high)s.", high="100000000"),
            ),
        ],
        invalid_value_message=WHOLE_NUMBER,
        description=hint,
        render_kw={"inputmode": "numeric", "class": "input-short"},
    )


def _line(label, limit: int, missing) -> StringField:
    return StringField(
        label,
        filters=[without_nul],
        validators=[
            InputRequired(message=missing),
            Length(max=limit, message=_l("Use at most %(limit)s characters.", limit=limit)),
            SingleLine(),
        ],
        description=_l("At most %(limit)s characters.", limit=limit),
    )


class SizeForm(FlaskForm):
    size_class = SelectField(
        _l("Size class"),
        description=_l(
            "Members of a circle are compared with those of their own size class. Leave it on "
            "\u201cfrom the number of inhabitants\u201d to let the number below choose."
        ),
        validate_choice=False,  # the domain checks the class, with its own message
    )
    inhabitants = _count_field(
        _l("Inhabitants"), _l("Optional. The number of inhabitants, e.g. 48250.")
    )
    companies = _count_field(
        _l("Companies"), _l("Optional. The number of companies registered in the municipality.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.size_class.choices = [
            SelectChoice("", _l("from the number of inhabitants")),
            *(SelectChoice(c.value, c.label) for c in SizeClass),
        ]


class AdministratorForm(FlaskForm):
    """The first administrator: they get an email with a link to choose a password."""

    admin_name = _line(_l("Name of the first administrator"), 200, _l("Please fill in a name."))
    admin_email = EmailField(
        _l("Email address of the first administrator"),
        filters=[without_nul],
        validators=[
            InputRequired(message=_l("Please fill in an email address.")),
            Email(message=_l("Please fill in a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("Use at most %(limit)s characters.", limit=254)),
        ],
        description=_l("They get an email with a link to choose a password."),
    )


class OrganisationForm(SizeForm, AdministratorForm):
    name = _line(_l("Name"), 200, _l("Please fill in a name."))
    slug = _line(_l("Short name"), 80, _l("Please fill in a short name."))
    locale = RadioField(
        _l("Default language"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        default="nl",
        validators=[InputRequired(message=_l("Please choose a language."))],
    )
    timezone = SelectField(
        _l("Time zone"),
        default="Europe/Amsterdam",
        # The domain checks the zone, with its own message.
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slug.description = _l(
            "Lower-case letters, digits and hyphens, e.g. gemeente-utrecht. At most 80 characters."
        )
        self.timezone.choices = list(time_zones())


class CircleForm(FlaskForm):
    name = _line(_l("Name"), NAME_MAX, _l("Please fill in a name."))
    description = TextAreaField(
        _l("Description"),
        filters=[without_nul],
        validators=[
            Optional(),
            Length(max=TEXT_MAX, message=_l("Use at most %(limit)s characters.", limit=TEXT_MAX)),
        ],
        description=_l(
            "Optional. What the circle is, for its members. At most %(limit)s characters.",
            limit=TEXT_MAX,
        ),
    )


class MemberForm(FlaskForm):
    organisation = SelectField(
        _l("Organisation"),
        coerce=int,
        validators=[InputRequired(message=_l("Please choose an organisation."))],
    )
