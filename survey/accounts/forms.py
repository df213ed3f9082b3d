from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length


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
