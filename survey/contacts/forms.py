"""Forms of the contact pages: log or correct a contact, upload a CSV file to import (the forms
that carry it to the confirmation are import_forms.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional

from survey.accounts.models import User
from survey.contacts.logbook import CHANNEL_LABELS
from survey.contacts.models import (
    COMPANY_NAME_MAX,
    EMAIL_MAX,
    PERSON_NAME_MAX,
    REGISTRY_NUMBER_TYPED_MAX,
    SUBJECT_MAX,
)
from survey.request_input import SingleLine, without_nul

LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]
ONE_LINE = {"filters": [without_nul]}  # with SingleLine() among the validators


class ContactDateField(DateField):
    """A date from the browser's date picker, or typed the Dutch way where there is none."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please fill in a date like 31-12-2026.")) from None


def _staff_choices(staff: list[User]) -> list[SelectChoice]:
    return [SelectChoice(user.id, user.name) for user in staff]


def _text_field(label, limit: int, required=None, description=None, field_class=StringField):
    """A one-line text field of a contact, its maximum (contacts/models.py) stated and enforced.

    WTForms renders Length's maximum as the input's `maxlength`, so the browser keeps to it too.
    """
    return field_class(
        label,
        validators=[
            InputRequired(message=required) if required else Optional(),
            Length(max=limit, message=_l("Use at most %(limit)s characters.", limit=limit)),
            SingleLine(),
        ],
        description=description or _l("At most %(limit)s characters.", limit=limit),
        **ONE_LINE,
    )


class ContactForm(FlaskForm):
    """One contact. The account manager is chosen only by those who log for others."""

    company_name = _text_field(
        _l("Company name"), COMPANY_NAME_MAX, _l("Please fill in the company name.")
    )
    registry_number = _text_field(
        _l("KvK or KBO number"),
        REGISTRY_NUMBER_TYPED_MAX,
        description=_l("KvK: 8 digits. KBO: 10 digits, such as 0123.456.749."),
    )
    person_name = _text_field(
        _l("Contact person"),
        PERSON_NAME_MAX,
        _l("Please fill in the name of the contact person."),
    )
    email = _text_field(
        _l("Email address of the contact person"),
        EMAIL_MAX,
        _l("Please fill in the email address of the contact person."),
        field_class=EmailField,
    )
    locale = RadioField(
        _l("Language of the survey"),
        choices=LANGUAGES,
        validators=[InputRequired(message=_l("Please choose the language of the survey."))],
    )
    contacted_on = ContactDateField(
        _l("Date of the contact"),
        validators=[InputRequired(message=_l("Please fill in the date of the contact."))],
    )
    channel = RadioField(
        _l("How did the contact take place?"),
        validators=[InputRequired(message=_l("Please choose how the contact took place."))],
    )
    # Sent verbatim: the email says "you were in touch with ... about: <subject>."
    subject = _text_field(
        _l("Subject"),
        SUBJECT_MAX,
        description=_l(
            "The entrepreneur reads this in the email: “On 1 December you were in touch "
            "with (your name) of (your organisation) about: (subject).” At most %(limit)s "
            "characters.",
            limit=SUBJECT_MAX,
        ),
    )
    account_manager = SelectField(_l("Account manager"), coerce=int)

    def __init__(self, *args, staff: list[User] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = [
            SelectChoice(channel.value, str(label).capitalize())
            for channel, label in CHANNEL_LABELS.items()
        ]
        if staff is None:
            del self.account_manager
        else:
            self.account_manager.choices = _staff_choices(staff)

    @property
    def anchors(self) -> list[tuple]:
        """Each field with the id its error links to (a radio group's first button)."""
        radios = {self.locale.name, self.channel.name}
        fields = [field for field in self if field.name != "csrf_token"]
        # In the order of the page, where the account manager comes first.
        fields.sort(key=lambda field: field.name != "account_manager")
        return [(field, f"{field.id}-0" if field.name in radios else field.id) for field in fields]


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Please choose a CSV file."))],
        render_kw={"accept": ".csv,.txt,text/csv"},
    )
    account_manager = SelectField(_l("Account manager for rows that name none"), coerce=int)

    def __init__(self, *args, staff: list[User] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if staff is None:
            del self.account_manager
        else:
            self.account_manager.choices = _staff_choices(staff)
