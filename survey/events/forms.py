"""Forms of the event pages: an event, one participant, and a new time for the evaluations.

Times are typed as the organisation's clock shows them and stored in UTC (events/timing.py).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.accounts.models import User
from survey.circles.meetings import circles_to_choose
from survey.circles.models import Circle
from survey.contacts.forms import LANGUAGES, ONE_LINE, ContactDateField
from survey.events.models import (
    DESCRIPTION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    PLACE_MAX,
    TITLE_MAX,
    Event,
    EventKind,
)
from survey.events.planning import TEXT_FIELDS, EventDetails
from survey.events.timing import at_local, default_send_at, local_parts
from survey.extensions import db
from survey.questionnaires.models import Questionnaire, localized
from survey.request_input import FIRST_YEAR, LAST_YEAR, SingleLine, without_nul

MAX_SPEAKERS = 50


class ClockField(TimeField):
    """A time of day from the browser's time picker (hours and minutes), or typed as 14:30."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, format=["%H:%M", "%H:%M:%S", "%H.%M"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please fill in a time like 14:30.")) from None


class WithinYears:
    """A date in the years the service plans for; a typo such as 0202 or 20266 is caught here,
    before it becomes a moment the database or the time zones cannot hold."""

    def __call__(self, form, field) -> None:
        if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(
                _l(
                    "Choose a date in the years %(first)s to %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )


def _record_id(value: object) -> int | None:
    """A chosen id; None for the empty choice (InputRequired then says what to choose)."""
    if value in (None, ""):
        return None
    return int(value)


def _limit(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(limit)s characters.", limit=limit))


def _line(label, limit: int, required=None, description=None) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired(message=required) if required else Optional(),
            _limit(limit),
            SingleLine(),
        ],
        description=description or _l("At most %(limit)s characters.", limit=limit),
        **ONE_LINE,
    )


def speaker_names(text: str | None) -> list[str]:
    """One name per line, spaces tidied, empty lines left out."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _staff_choices(staff: list[User], empty: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(user.id, user.name) for user in staff]
    return [SelectChoice("", empty), *choices] if empty else choices


class EventForm(FlaskForm):
    """An event: what, when, where, who, and how it is evaluated."""

    title = _line(_l("Title"), TITLE_MAX, _l("Please fill in the title of the event."))
    kind = SelectField(_l("Kind of event"))
    circle = SelectField(
        _l("Circle"),
        coerce=_record_id,
        description=_l(
            "For a circle meeting: the comparison circle it is for. Its evaluations then appear "
            "on the circle's page, as figures only. Only circles your organisation shares its "
            "figures with can be chosen."
        ),
    )
    day = ContactDateField(
        _l("Date"),
        validators=[
            InputRequired(message=_l("Please fill in the date of the event.")),
            WithinYears(),
        ],
    )
    starts = ClockField(
        _l("Start time"),
        validators=[InputRequired(message=_l("Please fill in when the event starts."))],
    )
    ends = ClockField(
        _l("End time"),
        validators=[InputRequired(message=_l("Please fill in when the event ends."))],
    )
    place = _line(_l("Place"), PLACE_MAX, description=_l("Such as the room and the address."))
    online = BooleanField(_l("Online: the event has no place"))
    signer = SelectField(
        _l("Organiser who signs the evaluation email"),
        coerce=_record_id,
        validators=[
            InputRequired(message=_l("Please choose the organiser who signs the evaluation email."))
        ],
        description=_l(
            "The first organiser. Participants get the evaluation from this person, who reads "
            "their replies."
        ),
    )
    organisers = SelectMultipleField(_l("Other organisers"), coerce=int)
    speakers = TextAreaField(
        _l("Speakers"),
        validators=[Optional()],
        filters=[without_nul],
        description=_l(
            "One name per line, each at most %(limit)s characters. Results per speaker are "
            "grouped on the name.",
            limit=NAME_MAX,
        ),
    )
    series = _line(
        _l("Series"),
        TITLE_MAX,
        description=_l(
            "Sessions that belong together, such as “Lerend netwerk 2027”. Leave empty when the "
            "event is not part of a series."
        ),
    )
    questionnaire = SelectField(_l("Questionnaire"), coerce=_record_id)
    locale = RadioField(
        _l("Language of the evaluation"),
        choices=LANGUAGES,
        validators=[InputRequired(message=_l("Please choose the language of the evaluation."))],
        description=_l("For participants whose own language is not known."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), _limit(DESCRIPTION_MAX)],
        filters=[without_nul],
        description=_l("At most %(limit)s characters.", limit=DESCRIPTION_MAX),
    )
    send_on = ContactDateField(
        _l("Send the evaluations on"), validators=[Optional(), WithinYears()]
    )
    send_time = ClockField(_l("Send the evaluations at"), validators=[Optional()])

    def __init__(
        self,
        *args,
        staff: list[User],
        questionnaires: list[Questionnaire],
        series_titles: list[str] | None = None,
        circles: list[Circle] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if circles is None:
            circles = circles_to_choose(current_user.organisation_id)
        current = (kwargs.get("data") or {}).get("circle")
        if current and current not in {circle.id for circle in circles}:
            # The event's circle stays on offer after consent is revoked, so that saving
            # another change does not drop it (the circle's page hides it meanwhile).
            circles = [*circles, db.session.get(Circle, current)]
        self.circle.choices = [
            SelectChoice("", _l("No circle")),
            *(SelectChoice(circle.id, circle.name) for circle in circles),
        ]
        self.circles = {circle.id: circle for circle in circles}
        self.kind.choices = [
            SelectChoice(kind.value, kind.label.capitalize()) for kind in EventKind
        ]
        self.signer.choices = _staff_choices(staff, str(_l("Choose an organiser")))
        self.organisers.choices = _staff_choices(staff)
        self.questionnaire.choices = [
            SelectChoice(questionnaire.id, _questionnaire_label(questionnaire))
            for questionnaire in questionnaires
        ]
        self.staff = {user.id: user for user in staff}
        self.questionnaires = {questionnaire.id: questionnaire for questionnaire in questionnaires}
        self.series_titles = series_titles or []

    def validate_ends(self, field) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_place(self, field) -> None:
        if not (field.data or "").strip() and not self.online.data:
            raise ValidationError(_l("Please fill in the place, or tick “online”."))

    def validate_speakers(self, field) -> None:
        names = speaker_names(field.data)
        if len(names) > MAX_SPEAKERS:
            raise ValidationError(_l("Name at most %(limit)s speakers.", limit=MAX_SPEAKERS))
        if any(len(name) > NAME_MAX for name in names):
            raise ValidationError(
                _l("Each name may have at most %(limit)s characters.", limit=NAME_MAX)
            )

    def validate_send_time(self, field) -> None:
        if bool(self.send_on.data) != bool(field.data) and not self.send_on.errors:
            raise ValidationError(
                _l("Fill in both the date and the time, or leave both empty for the default.")
            )

    def validate_send_on(self, field) -> None:
        known = field.data and self.send_time.data and self.day.data and self.starts.data
        if known and (field.data, self.send_time.data) < (self.day.data, self.starts.data):
            raise ValidationError(_l("The evaluations cannot go out before the event starts."))

    def details(self, timezone: str) -> EventDetails:
        """The event as the form gives it (validated), times in UTC."""
        day = self.day.data
        send_at = None
        if self.send_on.data and self.send_time.data:
            send_at = at_local(self.send_on.data, self.send_time.data, timezone)
        signer = self.staff[self.signer.data]
        others = [self.staff[user_id] for user_id in self.organisers.data if user_id != signer.id]
        return EventDetails(
            title=self.title.data.strip(),
            kind=EventKind(self.kind.data),
            starts_at=at_local(day, self.starts.data, timezone),
            ends_at=at_local(day, self.ends.data, timezone),
            questionnaire=self.questionnaires[self.questionnaire.data],
            locale=self.locale.data,
            description=(self.description.data or "").strip(),
            place="" if self.online.data else " ".join((self.place.data or "").split()),
            online=bool(self.online.data),
            series_title=self.series.data or "",
            organisers=[signer, *others],
            speakers=speaker_names(self.speakers.data),
            send_at=send_at,
            circle=self.circles.get(self.circle.data),
        )

    def keep_unposted(self, formdata, values: dict) -> None:
        """Fields the browser did not send keep the event's values (the locked edit page sends
        only the title and the description)."""
        for name, value in values.items():
            if name not in formdata:
                self[name].data = value

    def changed_besides_text(self, values: dict) -> list[str]:
        """The fields besides the title and the description whose posted value differs from the
        event's (after keep_unposted)."""
        changed = []
        for name, value in values.items():
            data = self[name].data
            if name == "speakers":
                data, value = speaker_names(data), speaker_names(value)
            elif name == "organisers":
                data, value = list(data or []), list(value or [])
            if name not in TEXT_FIELDS and data != value:
                changed.append(name)
        return changed

    def validate_text(self) -> bool:
        """Check only what can change once the evaluations are sent (and the CSRF token)."""
        return all([self[name].validate(self) for name in ("csrf_token", *TEXT_FIELDS)])

    @property
    def anchors(self) -> list[tuple]:
        """Each field with the id its error links to (a radio or checkbox group's first one)."""
        groups = {self.locale.name, self.organisers.name}
        return [
            (field, f"{field.id}-0" if field.name in groups else field.id)
            for field in self
            if field.name != "csrf_token"
        ]


def _questionnaire_label(questionnaire: Questionnaire) -> str:
    title = localized(questionnaire.title, str(get_locale()))
    if questionnaire.organisation_id is None:
        return str(_l("%(title)s (standard)", title=title))
    return title


def values_of(event: Event) -> dict:
    """The form's fields filled in with the event as it is (times in the organisation's zone).

    The send time is left empty when it is the default, so that moving the end moves it too.
    """
    zone = event.organisation.timezone
    day, starts = local_parts(event.starts_at, zone)
    _day, ends = local_parts(event.ends_at, zone)
    values = {
        "title": event.title,
        "kind": event.kind.value,
        "day": day,
        "starts": starts,
        "ends": ends,
        "place": event.place,
        "online": event.online,
        "signer": event.signer.id if event.signer else None,
        "organisers": [organiser.user_id for organiser in event.organisers[1:]],
        "speakers": "\n".join(speaker.name for speaker in event.speakers),
        "series": event.series.title if event.series else "",
        "questionnaire": event.questionnaire_id,
        "locale": event.locale,
        "description": event.description,
        "send_on": None,
        "send_time": None,
        "circle": event.circle_id,
    }
    if event.send_at != default_send_at(event.ends_at, event.organisation):
        values["send_on"], values["send_time"] = local_parts(event.send_at, zone)
    return values


def new_event_values(organisation, me: User, questionnaires: list[Questionnaire]) -> dict:
    """A new event's form: the evaluation in the organisation's language with the standard
    questionnaire, signed by whoever makes it."""
    return {
        "locale": organisation.locale,
        "signer": me.id,
        "questionnaire": questionnaires[0].id if questionnaires else None,
    }


class ParticipantForm(FlaskForm):
    """One participant; the rules (a valid address, once per event) are participants.py's."""

    name = _line(_l("Name"), NAME_MAX)
    email = _line(
        _l("Email address"), EMAIL_MAX, _l("Please fill in the participant's email address.")
    )
    organisation_name = _line(_l("Organisation"), NAME_MAX)
    locale = RadioField(
        _l("Language of the evaluation"),
        choices=[SelectChoice("", _l("The event's language")), *LANGUAGES],
        default="",
        validate_choice=False,
    )

    @property
    def anchors(self) -> list[tuple]:
        return [
            (field, f"{field.id}-0" if field.name == "locale" else field.id)
            for field in self
            if field.name != "csrf_token"
        ]


class RescheduleForm(FlaskForm):
    """A new moment for the planned evaluations, in the organisation's zone."""

    send_on = ContactDateField(
        _l("Date"), validators=[InputRequired(message=_l("Please fill in a date.")), WithinYears()]
    )
    send_time = ClockField(
        _l("Time"), validators=[InputRequired(message=_l("Please fill in a time."))]
    )

    def moment(self, timezone: str) -> datetime:
        return at_local(self.send_on.data, self.send_time.data, timezone)
