"""Forms of the invitation pages: the reason for cancelling an invitation or for a wrong
address, one line each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from survey.invitations.models import REASON_MAX
from survey.request_input import SingleLine, without_nul


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _reason_field(label, missing) -> StringField:
    return StringField(
        label,
        filters=[without_nul, _stripped],
        validators=[
            DataRequired(message=missing),
            Length(
                max=REASON_MAX, message=_l("Use at most %(limit)s characters.", limit=REASON_MAX)
            ),
            SingleLine(),
        ],
        description=_l("At most %(limit)s characters.", limit=REASON_MAX),
    )


class CancelForm(FlaskForm):
    reason = _reason_field(
        _l("Why is the invitation cancelled?"),
        _l("Please say why the invitation is cancelled."),
    )


class WrongAddressForm(FlaskForm):
    reason = _reason_field(
        _l("What is wrong with the address?"),
        _l("Please say what is wrong with the address."),
    )
