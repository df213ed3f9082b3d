"""Staff forms: login, managing users, one's own password and language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length

from survey.accounts.models import Role
from survey.accounts.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Please fill in your email address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Please fill in your password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


def _name_field() -> StringField:
    required = InputRequired(message=_l("Please fill in a name."))
    return StringField(_l("Name"), validators=[required, Length(max=200)])


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


class NewUserForm(FlaskForm):
    name = _name_field()
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Please fill in an email address.")),
            Email(message=_l("Please fill in a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    role = RadioField(_l("Role"), validators=[InputRequired(message=_l("Please choose a role."))])
    password = PasswordField(
        _l("Initial password"),
        validators=[
            InputRequired(message=_l("Please fill in an initial password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=_l("Use at least %(number)s characters.", number=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class EditUserForm(FlaskForm):
    name = _name_field()
    role = RadioField(_l("Role"), validators=[InputRequired(message=_l("Please choose a role."))])
    active = BooleanField(_l("Active: may log in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please fill in your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(message=_l("Please fill in a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=_l("Use at least %(number)s characters.", number=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(FlaskForm):
    locale = RadioField(
        _l("Language of the screens"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        validators=[InputRequired(message=_l("Please choose a language."))],
    )
