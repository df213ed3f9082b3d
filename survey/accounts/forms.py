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
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from survey.accounts.models import Role, User
from survey.accounts.passwords import password_problem
from survey.request_input import SingleLine, without_nul


def _own_email_field() -> EmailField:
    """The address a staff member logs in with, typed by themselves (login, forgotten password)."""
    return EmailField(
        _l("Email address"),
        filters=[without_nul],
        validators=[
            InputRequired(message=_l("Please fill in your email address.")),
            Length(max=254, message=_l("Use at most %(limit)s characters.", limit=254)),
        ],
        render_kw={"autocomplete": "username"},
    )


class LoginForm(FlaskForm):
    email = _own_email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Please fill in your password.")),
            Length(max=1000, message=_l("Use at most %(limit)s characters.", limit=1000)),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def _meets_password_policy(form, field) -> None:
    """The password policy, for the person whose password it will be (`form.owner`)."""
    email, name = form.owner()
    if problem := password_problem(field.data or "", email=email, name=name):
        raise ValidationError(str(problem))


def _new_password_field(label, missing: str | None = None) -> PasswordField:
    required = [InputRequired(message=missing)] if missing else []
    return PasswordField(
        label,
        validators=[*required, _meets_password_policy],
        render_kw={"autocomplete": "new-password"},
    )


class _OwnPasswordForm(FlaskForm):
    """A form that sets the password of a known user (given as `owner=`)."""

    def __init__(self, *args, owner: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner = owner

    def owner(self) -> tuple[str, str]:
        return self._owner.email, self._owner.name


class _UserForm(FlaskForm):
    """What adding and changing a user have in common: the name and the role."""

    name = StringField(
        _l("Name"),
        filters=[without_nul],
        # A line break in a name would break the headers of every email signed with it.
        validators=[
            InputRequired(message=_l("Please fill in a name.")),
            Length(max=200, message=_l("Use at most %(limit)s characters.", limit=200)),
            SingleLine(),
        ],
        description=_l("At most %(limit)s characters.", limit=200),
    )
    role = RadioField(_l("Role"), validators=[InputRequired(message=_l("Please choose a role."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, role.label) for role in Role.municipal()]


class NewUserForm(_UserForm):
    email = EmailField(
        _l("Email address"),
        filters=[without_nul],
        validators=[
            InputRequired(message=_l("Please fill in an email address.")),
            Email(message=_l("Please fill in a valid email address."), check_deliverability=False),
            Length(max=254, message=_l("Use at most %(limit)s characters.", limit=254)),
        ],
        description=_l("At most %(limit)s characters.", limit=254),
    )
    password_choice = RadioField(
        _l("Password"),
        choices=[
            SelectChoice("link", _l("Send a link by email to choose a password")),
            SelectChoice("set", _l("Choose an initial password now")),
        ],
        default="link",
        validators=[InputRequired(message=_l("Please choose how the user gets a password."))],
    )
    password = PasswordField(_l("Initial password"), render_kw={"autocomplete": "new-password"})

    @property
    def sends_link(self) -> bool:
        return self.password_choice.data != "set"

    def owner(self) -> tuple[str, str]:
        return self.email.data or "", self.name.data or ""

    def validate_password(self, field) -> None:
        if self.sends_link:
            field.data = None  # a password typed before choosing the link is not kept
            return
        if not field.data:
            raise ValidationError(str(_l("Please fill in an initial password.")))
        _meets_password_policy(self, field)


class EditUserForm(_UserForm):
    active = BooleanField(_l("Active: may log in"))


class NewPasswordForm(_OwnPasswordForm):
    """Choosing a password through an emailed link (forgotten, or a first one)."""

    new = _new_password_field(_l("New password"), _l("Please fill in a new password."))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordForm(NewPasswordForm):
    """Changing one's own password, which needs the current one."""

    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please fill in your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = _own_email_field()


class LanguageForm(FlaskForm):
    locale = RadioField(
        _l("Language of the screens"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        validators=[InputRequired(message=_l("Please choose a language."))],
    )


class EmailChangeForm(FlaskForm):
    """An administrator gives a staff member's new address; its owner confirms it by email."""

    email = EmailField(
        _l("New email address"),
        filters=[without_nul],
        validators=[
            InputRequired(message=_l("Please fill in the new email address.")),
            Length(max=254),
            SingleLine(),
        ],
    )
