"""The organisation settings form; the ranges it mentions are the domain's (LIMITS)."""

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
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from survey.accounts.organisation_settings import (
    EVENT_MIN_GROUP_FLOOR,
    LABELS,
    LIMITS,
    PRIVACY_URL_LENGTH,
    time_zones,
)
from survey.request_input import SingleLine, without_nul

WHOLE_NUMBER = _l("Fill in a whole number.")


def _number_field(field: str, hint) -> IntegerField:
    return IntegerField(
        LABELS[field],
        validators=[InputRequired(message=WHOLE_NUMBER)],
        invalid_value_message=WHOLE_NUMBER,
        description=hint,
        # A text box with a number keypad: browsers' number spinners are hard to use.
        render_kw={"inputmode": "numeric", "class": "input-short"},
    )


def _filled_in_when_sent(form, field) -> None:
    """A box sent empty is refused; one not sent at all (a form from before the retention
    settings existed, an API-like post) keeps the stored value, which `obj=` filled in."""
    if field.raw_data and not field.raw_data[0].strip():
        raise StopValidation(str(WHOLE_NUMBER))


def _retention_field(field: str, hint) -> IntegerField:
    return IntegerField(
        LABELS[field],
        validators=[_filled_in_when_sent],
        invalid_value_message=WHOLE_NUMBER,
        description=hint,
        render_kw={"inputmode": "numeric", "class": "input-short"},
    )


def _yes_or_no(value) -> bool | None:
    """The radio buttons' "True"/"False" (or the stored bool) as a bool; None for anything else,
    which the domain refuses with its own message."""
    return {True: True, "True": True, False: False, "False": False}.get(value)


def _range(field: str) -> dict[str, int]:
    low, high = LIMITS[field]
    return {"low": low, "high": high}


class SettingsForm(FlaskForm):
    send_delay_days = _number_field(
        "send_delay_days",
        _l(
            "From %(low)s to %(high)s. Only Monday to Friday count: a contact on Friday with 1 "
            "working day gets its invitation on Monday.",
            **_range("send_delay_days"),
        ),
    )
    send_hour = _number_field(
        "send_hour",
        _l(
            "From %(low)s to %(high)s, in the organisation's time zone: 9 means 09:00.",
            **_range("send_hour"),
        ),
    )
    reminder_after_days = _number_field(
        "reminder_after_days",
        _l(
            "From %(low)s to %(high)s days after the invitation; 0 means no reminder. It must "
            "be fewer than the days the link works.",
            **_range("reminder_after_days"),
        ),
    )
    link_expiry_days = _number_field(
        "link_expiry_days",
        _l(
            "From %(low)s to %(high)s days after the invitation; after that the survey is closed.",
            **_range("link_expiry_days"),
        ),
    )
    fatigue_days = _number_field(
        "fatigue_days",
        _l(
            "From %(low)s to %(high)s. Someone surveyed in this many days is not surveyed "
            "again, also after another contact; 0 means no limit.",
            **_range("fatigue_days"),
        ),
    )
    min_group_size = _number_field(
        "min_group_size",
        _l(
            "From %(low)s to %(high)s. Scores of a smaller group are not shown, so nobody can "
            "tell who answered what.",
            **_range("min_group_size"),
        ),
    )
    event_min_group_size = IntegerField(
        LABELS["event_min_group_size"],
        validators=[Optional()],  # empty: the minimum above applies to events too
        invalid_value_message=WHOLE_NUMBER,
        description=_l(
            "Optional, from %(low)s up to the minimum above. A workshop of ten participants "
            "is normal, so the results of one event may be shown for a smaller group. Leave it "
            "empty to use the minimum above.",
            low=EVENT_MIN_GROUP_FLOOR,
        ),
        render_kw={"inputmode": "numeric", "class": "input-short"},
    )
    timezone = SelectField(
        LABELS["timezone"],
        description=_l("Times in emails and on screens are shown in this zone."),
        # The domain checks the zone, with its own message.
        validate_choice=False,
    )
    locale = RadioField(
        LABELS["locale"],
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        description=_l("Used when the language of an entrepreneur or a colleague is not known."),
        validators=[InputRequired(message=_l("Choose Dutch or English."))],
    )
    contact_email = EmailField(
        LABELS["contact_email"],
        description=_l(
            "Shown to entrepreneurs whose link has expired or who unsubscribed. At most "
            "%(limit)s characters.",
            limit=254,
        ),
        validators=[
            Length(max=254, message=_l("Use at most %(limit)s characters.", limit=254)),
            SingleLine(),
        ],
        filters=[without_nul],
    )
    contact_phone = StringField(
        LABELS["contact_phone"],
        description=_l("Shown with the email address. At most %(limit)s characters.", limit=40),
        validators=[
            Length(max=40, message=_l("Use at most %(limit)s characters.", limit=40)),
            SingleLine(),
        ],
        filters=[without_nul],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    account_managers_see_answers = RadioField(
        LABELS["account_managers_see_answers"],
        choices=[
            SelectChoice(False, _l("Only totals, and remarks without names (recommended)")),
            SelectChoice(True, _l("Also the individual answers of their own contacts, by name")),
        ],
        coerce=_yes_or_no,
        description=_l(
            "Coordinators and administrators always see individual answers. With the first "
            "choice an account manager sees scores only for groups of at least the minimum "
            "number of responses, and remarks without company, person or day. The survey page "
            "and the email tell respondents who sees their answers, following this choice."
        ),
        validate_choice=False,
    )
    privacy_url = URLField(
        LABELS["privacy_url"],
        description=_l(
            "Every survey page and email links to this page (https only). Leave it empty to "
            "link to the built-in statement, which names your organisation and contact address."
        ),
        validators=[Length(max=PRIVACY_URL_LENGTH), SingleLine()],
        filters=[without_nul],
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )

    retention_personal_months = _retention_field(
        "retention_personal_months",
        _l(
            "From %(low)s to %(high)s months after the contact or the event. Then the names, "
            "email addresses, companies, KvK/KBO numbers and subjects of contacts, event "
            "participants and survey invitations are erased. The responses stay in the figures, "
            "without any link to the person; an opt-out stays as a code that cannot be read back.",
            **_range("retention_personal_months"),
        ),
    )
    retention_email_days = _retention_field(
        "retention_email_days",
        _l(
            "From %(low)s to %(high)s days. Then the text of a sent email (with its personal "
            "survey link) is erased; who it went to stays until the months above have passed.",
            **_range("retention_email_days"),
        ),
    )
    retention_audit_years = _retention_field(
        "retention_audit_years",
        _l(
            "From %(low)s to %(high)s years. Older entries of the activity log (who did what, "
            "when) are deleted. Names and addresses in it go earlier, with the records they are "
            "about.",
            **_range("retention_audit_years"),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = list(time_zones())

    def values(self) -> dict:
        """What the form says, by setting name (None where unreadable), for update_settings()."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def add_errors(self, errors: dict[str, str]) -> None:
        """The domain's messages, each beside its field unless the field has one already."""
        for name, message in errors.items():
            if not self[name].errors:
                self[name].errors.append(message)
