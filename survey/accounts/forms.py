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


def _new_password_field(label, missing: str) -> PasswordField:
    long_enough = Length(
        min=MIN_PASSWORD_LENGTH,
        max=1000,
        message=_l("Use at least %(number)s characters.", number=MIN_PASSWORD_LENGTH),
    )
    return PasswordField(
        label,
        validators=[InputRequired(message=missing), long_enough],
        render_kw={"autocomplete": "new-password"},
    )


class _UserForm(FlaskForm):
    """What adding and changing a user have in common: the name and the role."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(message=_l("Please fill in a name.")), Length(max=200)],
    )
    role = RadioField(_l("Role"), validators=[InputRequired(message=_l("Please choose a role."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, role.label) for role in Role]


class NewUserForm(_UserForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Please fill in an email address.")),
            Email(message=_l("Please fill in a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    password = _new_password_field(
        _l("Initial password"), _l("Please fill in an initial password.")
    )


class EditUserForm(_UserForm):
    active = BooleanField(_l("Active: may log in"))


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please fill in your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new = _new_password_field(_l("New password"), _l("Please fill in a new password."))
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
