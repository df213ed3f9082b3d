"""The Outbox's one form: the reason an administrator gives for lifting an opt-out."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from survey.outbox.suppressions import REASON_LENGTH
from survey.request_input import SingleLine, without_nul


class LiftOptOutForm(FlaskForm):
    reason = StringField(
        _l("Why (who asked, and when)"),
        filters=[without_nul],
        validators=[
            InputRequired(
                message=_l("Say why the opt-out is lifted, e.g. who asked for it and when.")
            ),
            Length(
                max=REASON_LENGTH,
                message=_l("Use at most %(number)s characters.", number=REASON_LENGTH),
            ),
            SingleLine(),
        ],
    )
