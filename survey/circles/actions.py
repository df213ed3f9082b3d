"""Improvement actions: recording them, measuring whether they worked (before against after, and
against the circle: survey/analysis/effects.py), sharing them with the circles as good
practices, and naming a circle's largest proven progress of a year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from survey.accounts.models import Organisation, User
from survey.analysis.effects import (
    DEFAULT_WINDOW,
    Effect,
    Member,
    Windows,
    measure,
    own_effect,
    statement,
    window_counts,
)
from survey.circles.membership import sharing_organisation_ids
from survey.circles.models import Circle, CircleMember, GoodPractice, ImprovementAction
from survey.clock import utcnow
from survey.extensions import db
from survey.questionnaires.catalogue import catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import localized

CONTACT_SURVEY = "contact-survey"


@dataclass(frozen=True)
class ActionDetails:
    """What the action form gives: the action as its organisation describes it."""

    title: str
    description: str
    starts_on: date  # the first day of the start month
    question_codes: tuple[str, ...]
    account_manager_ids: tuple[int, ...] = ()  # none: the whole organisation
    contact_person_id: int | None = None


@dataclass(frozen=True)
class TargetQuestion:
    """A rated question of the contact survey an action can aim at, by its code."""

    code: str
    text: str
    scale: tuple[int, int]


def target_questions(locale: str) -> list[TargetQuestion]:
    """The rated questions of the catalogue's contact survey, in its order: the codes every
    member's contact survey shares, so that the circle can be compared on them."""
    if catalogue_questionnaire(CONTACT_SURVEY) is None:
        load_catalogue()
    version = catalogue_questionnaire(CONTACT_SURVEY).latest_version
    return [
        TargetQuestion(q.code, localized(q.text, locale), (q.type.scale[0], q.type.scale[-1]))
        for q in version.questions
        if q.type.is_rated
    ]


def record_action(
    organisation: Organisation, details: ActionDetails, now: datetime, by: User | None
) -> ImprovementAction:
    action = ImprovementAction(
        organisation=organisation, created_at=now, created_by_id=by.id if by else None
    )
    change_action(action, details)
    db.session.add(action)
    db.session.flush()
    return action


def change_action(action: ImprovementAction, details: ActionDetails) -> None:
    action.title = details.title
    action.description = details.description
    action.starts_on = details.starts_on
    action.question_codes = list(details.question_codes)
    action.account_manager_ids = sorted(details.account_manager_ids)
    action.contact_person_id = details.contact_person_id


def details_of(action: ImprovementAction) -> ActionDetails:
    return ActionDetails(
        action.title,
        action.description,
        action.starts_on,
        tuple(action.question_codes),
        tuple(action.account_manager_ids),
        action.contact_person_id,
    )


def action_markers(organisation_id: int, question_code: str) -> list[tuple[date, str]]:
    """Where the organisation's actions on a question start, for the trend charts' markers:
    (start month, title), oldest first."""
    actions = db.session.scalars(
        select(ImprovementAction)
        .where(ImprovementAction.organisation_id == organisation_id)
        .order_by(ImprovementAction.starts_on, ImprovementAction.id)
    )
    return [(a.starts_on, a.title) for a in actions if question_code in a.question_codes]


# Who shares with whom ----------------------------------------------------------------------


def sharing_members(circle_ids: Iterable[int], now: datetime) -> dict[int, set[int]]:
    """{circle id: ids of the organisations sharing their figures in it at `now`}."""
    return {circle_id: set(sharing_organisation_ids(circle_id, now)) for circle_id in circle_ids}


def sharing_circles(organisation_id: int, now: datetime) -> list[Circle]:
    """The circles the organisation shares its figures in now, by name."""
    member_of = select(CircleMember.circle_id).where(
        CircleMember.organisation_id == organisation_id
    )
    circles = list(
        db.session.scalars(select(Circle).where(Circle.id.in_(member_of)).order_by(Circle.name))
    )
    sharing = sharing_members([c.id for c in circles], now)
    return [c for c in circles if organisation_id in sharing[c.id]]


# Measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    windows: Windows
    effects: list[Effect]
    circles: list[Circle]  # the circles whose members the action is compared with


def measure_action(action: ImprovementAction, months: int, now: datetime) -> Measurement:
    """Before against after in windows of `months` months, and against the members of the
    organisation's circles without a similar action in the same months."""
    windows = Windows(action.starts_on, months)
    circles = sharing_circles(action.organisation_id, now)
    own = Member(action.organisation_id, action.organisation.min_group_size)
    others = comparison_members(action, windows, circles, now)
    effects = measure(
        db.session, own, action.question_codes, windows, others, action.account_manager_ids
    )
    return Measurement(windows, effects, circles)


def comparison_members(
    action: ImprovementAction, windows: Windows, circles: list[Circle], now: datetime
) -> dict[str, list[Member]]:
    """Per target code, the sharing members of the circles without a similar action: none of
    theirs on the same question starts within the months compared."""
    ids = set().union(*sharing_members([c.id for c in circles], now).values())
    ids.discard(action.organisation_id)
    if not ids:
        return {code: [] for code in action.question_codes}
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.id)
    ).all()
    similar: dict[int, set[str]] = defaultdict(set)
    for other in db.session.scalars(
        select(ImprovementAction).where(
            ImprovementAction.organisation_id.in_(ids),
            ImprovementAction.starts_on >= windows.first,
            ImprovementAction.starts_on <= windows.last,
        )
    ):
        similar[other.organisation_id].update(other.question_codes)
    return {
        code: [Member(o.id, o.min_group_size) for o in organisations if code not in similar[o.id]]
        for code in action.question_codes
    }


def statements(measurement: Measurement, locale: str) -> dict[str, str]:
    """The plain-words statement per code, for the effects that could be measured."""
    texts = {q.code: q.text for q in target_questions(locale)}
    found = {}
    for effect in measurement.effects:
        words = statement(effect, texts.get(effect.code, effect.code), locale)
        if words:
            found[effect.code] = words
    return found


# Good practices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeDetails:
    title: str
    what_was_done: str
    effect: str
    contact_name: str
    contact_email: str


def practice_draft(action: ImprovementAction, now: datetime, locale: str) -> PracticeDetails:
    """What the share form starts from: the action, its effect as measured today (default
    windows), and its contact person."""
    if action.good_practice is not None:
        shared = action.good_practice
        return PracticeDetails(
            shared.title,
            shared.what_was_done,
            shared.effect,
            shared.contact_name,
            shared.contact_email,
        )
    measured = statements(measure_action(action, DEFAULT_WINDOW, now), locale)
    person = action.contact_person
    return PracticeDetails(
        action.title,
        action.description,
        "\n".join(measured.values()),
        person.name if person and person.removed_at is None else "",
        person.email if person and person.removed_at is None else "",
    )


def share_practice(
    action: ImprovementAction, details: PracticeDetails, now: datetime, by: User | None
) -> GoodPractice:
    """Share (or share again, after a withdrawal or with new words) with every circle."""
    practice = action.good_practice or GoodPractice(action=action)
    practice.organisation_id = action.organisation_id
    practice.title = details.title
    practice.what_was_done = details.what_was_done
    practice.effect = details.effect
    practice.contact_name = details.contact_name
    practice.contact_email = details.contact_email
    practice.shared_at = now
    practice.shared_by_id = by.id if by else None
    practice.withdrawn_at = None
    db.session.add(practice)
    db.session.flush()
    return practice


def withdraw_practice(practice: GoodPractice, now: datetime) -> None:
    if practice.withdrawn_at is None:
        practice.withdrawn_at = now


def is_shared(action: ImprovementAction) -> bool:
    return action.good_practice is not None and action.good_practice.withdrawn_at is None


def circle_practices(circle_id: int, now: datetime | None = None) -> list[GoodPractice]:
    """The good practices shared in the circle: those of members sharing their figures in it
    now, not withdrawn; newest first. (For the circle page and the circle report.)"""
    now = now or utcnow()
    members = sharing_organisation_ids(circle_id, now)
    if not members:
        return []
    return list(
        db.session.scalars(
            select(GoodPractice)
            .where(
                GoodPractice.organisation_id.in_(members),
                GoodPractice.withdrawn_at.is_(None),
                GoodPractice.shared_at <= now,
            )
            .order_by(GoodPractice.shared_at.desc(), GoodPractice.id.desc())
        )
    )


# The largest proven progress -----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A member's biggest proven rise of a year: second half against first half."""

    organisation: Organisation
    code: str
    effect: Effect
    scale: tuple[int, int]

    @property
    def share_of_scale(self) -> float:
        """The rise as a share of the scale's length, so that a grade and a statement compare."""
        low, high = self.scale
        return self.effect.change / (high - low)


def progress_windows(year: int) -> Windows:
    """January to June against July to December: equal windows within the year."""
    return Windows(date(year, 7, 1), 6)


def largest_progress(circle_id: int, year: int, now: datetime | None = None) -> Progress | None:
    """The member (sharing now) with the biggest significant rise (Welch, p < 0.05) on the
    contact survey's rated questions in `year`; None when no member rose provably."""
    now = now or utcnow()
    ids = sharing_organisation_ids(circle_id, now)
    questions = {q.code: q for q in target_questions("nl")}
    if not ids or not questions:
        return None
    organisations = {
        o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    counts = window_counts(db.session, ids, questions, progress_windows(year))
    candidates = []
    for organisation_id, by_code in counts.items():
        organisation = organisations[organisation_id]
        for code, split in by_code.items():
            effect = own_effect(
                code, split.get(False, {}), split.get(True, {}), organisation.min_group_size
            )
            if effect.proven:
                candidates.append(Progress(organisation, code, effect, questions[code].scale))
    # The biggest rise first; the smaller p, then the name settle a tie the same way each time.
    candidates.sort(key=lambda p: (-p.share_of_scale, p.effect.test.p_value, p.organisation.name))
    return candidates[0] if candidates else None
