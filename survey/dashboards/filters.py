"""The dashboard filters: kind of occasion, questionnaire, account manager (or organiser),
channel, months, and an action month.

They come in the query string, so a filtered dashboard is a link that can be shared or bookmarked.
Contact surveys and event evaluations are kept apart: the kind of occasion is always one of
them (contact surveys unless asked), and the questionnaires, people and channels offered follow
it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from survey.accounts.models import Role, User
from survey.analysis.models import ResponseTally
from survey.analysis.periods import add_months, month_text
from survey.analysis.population import Population, version_ids
from survey.invitations.dimensions import CHANNEL_LABELS, Channel, OccasionKind
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion, localized
from survey.request_input import Month, SingleLine, without_nul
from survey.request_input import month as parse_month

DEFAULT_MONTHS = 12
_month = [Optional(), SingleLine(), Month()]
OCCASION_LABELS = {
    OccasionKind.CONTACT: _l("Contact surveys"),
    OccasionKind.EVENT_PARTICIPANT: _l("Event evaluations"),
}


class DashboardFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing: a filtered page is a shareable link

    occasion = SelectField(
        _l("Kind of occasion"),
        default=OccasionKind.CONTACT.value,
        choices=[SelectChoice(kind.value, label) for kind, label in OCCASION_LABELS.items()],
        validate_choice=True,
    )
    questionnaire = SelectField(_l("Questionnaire"), coerce=int, validate_choice=True)
    manager = SelectField(_l("Account manager"), default="", validate_choice=True)
    channel = SelectField(_l("Channel"), default="", validate_choice=True)
    first = StringField(_l("From month"), validators=_month, filters=[without_nul])
    last = StringField(_l("Up to and including month"), validators=_month, filters=[without_nul])
    since = StringField(
        _l("Improvement action from month"), validators=_month, filters=[without_nul]
    )

    def validate_last(self, field) -> None:
        first = self.first
        if not (first.data and field.data) or first.errors or field.errors:
            return
        if parse_month(field.data) < parse_month(first.data):
            raise ValidationError(_l("The last month comes before the first month."))


def occasion_asked(args) -> OccasionKind:
    """The kind of occasion in the query string; contact surveys when none or another value is
    asked (the form then says the value cannot be used)."""
    try:
        return OccasionKind(args.get("occasion") or OccasionKind.CONTACT)
    except ValueError:
        return OccasionKind.CONTACT


@dataclass(frozen=True)
class Choices:
    questionnaires: list[Questionnaire]
    managers: list[User]  # empty for an account manager, who sees only their own figures
    sees_whole_organisation: bool
    occasion: OccasionKind = OccasionKind.CONTACT

    @property
    def of_events(self) -> bool:
        return self.occasion is OccasionKind.EVENT_PARTICIPANT


def choices_for(
    session: Session, user: User, occasion: OccasionKind = OccasionKind.CONTACT
) -> Choices:
    """The questionnaires the organisation has responses to for this kind of occasion, and the
    people to filter on: the account managers, or for events the organisers with responses."""
    used = select(ResponseTally.questionnaire_version_id).where(
        ResponseTally.organisation_id == user.organisation_id,
        ResponseTally.occasion_kind == occasion.value,
    )
    questionnaires = list(
        session.scalars(
            select(Questionnaire)
            .join(QuestionnaireVersion)
            .where(QuestionnaireVersion.id.in_(used))
            .group_by(Questionnaire.id)
            .order_by(func.min(Questionnaire.id))
        )
    )
    managers = []
    if user.role.sees_whole_organisation:
        people = select(User).where(User.organisation_id == user.organisation_id)
        if occasion is OccasionKind.CONTACT:
            people = people.where(User.role == Role.ACCOUNT_MANAGER)
        else:
            organisers = select(ResponseTally.account_manager_id).where(
                ResponseTally.organisation_id == user.organisation_id,
                ResponseTally.occasion_kind == occasion.value,
            )
            people = people.where(User.id.in_(organisers))
        managers = list(session.scalars(people.order_by(User.name)))
    return Choices(questionnaires, managers, user.role.sees_whole_organisation, occasion)


def bind_filters(args, choices: Choices, locale: str, this_month: date) -> DashboardFilters:
    """The form filled from the query string, with the defaults a first visit gets."""
    args = args.copy()
    if not choices.sees_whole_organisation:
        args.pop("manager", None)  # an account manager's dashboard is always their own
    if choices.of_events:
        args.pop("channel", None)  # every evaluation of an event comes through channel "event"
    form = DashboardFilters(formdata=args)
    form.questionnaire.choices = [
        (questionnaire.id, localized(questionnaire.title, locale))
        for questionnaire in choices.questionnaires
    ]
    form.manager.choices = [("", _l("Everyone"))] + [
        (str(user.id), user.name) for user in choices.managers
    ]
    if choices.of_events:
        form.manager.label.text = _l("Organiser")
    form.channel.choices = [("", _l("All channels"))] + [
        (channel.value, label)
        for channel, label in CHANNEL_LABELS.items()
        if channel is not Channel.EVENT  # only events come through it
    ]
    if not args.get("questionnaire") and choices.questionnaires:
        form.questionnaire.data = choices.questionnaires[0].id
    if "first" not in args and "last" not in args:
        form.first.data = month_text(add_months(this_month, 1 - DEFAULT_MONTHS))
        form.last.data = month_text(this_month)
    return form


def population_from(
    session: Session, form: DashboardFilters, choices: Choices, user: User
) -> Population | None:
    """Whose responses the dashboard shows; None while there is no questionnaire to show."""
    questionnaire = next(
        (q for q in choices.questionnaires if q.id == form.questionnaire.data), None
    )
    if questionnaire is None:
        return None
    if user.role.sees_whole_organisation:
        managers = (int(form.manager.data),) if form.manager.data else ()
    else:
        managers = (user.id,)
    return Population(
        user.organisation_id,
        version_ids(session, questionnaire),
        account_manager_ids=managers,
        channel=None if choices.of_events else form.channel.data or None,
        first_month=parse_month(form.first.data),
        last_month=parse_month(form.last.data),
        occasion_kind=choices.occasion,
    )
