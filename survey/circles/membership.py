"""Who is in which circle, and who shares: the operator creates circles and adds or removes
members; a member's administrator gives or revokes consent to share its figures.

`sharing_organisation_ids` is the one answer every circle figure uses: a member's aggregates are
shown only while it is a member and its consent stands.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from survey.accounts.models import Organisation, User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.circles.models import NAME_MAX, TEXT_MAX, Circle, CircleMember, SharingConsent
from survey.extensions import db
from survey.request_input import CONTROL_CHARACTERS

# The version of the data-sharing terms an administrator accepts (templates/circles/
# consent_terms.html). Raise it when the terms change in substance: consent is to these words.
TERMS_VERSION = "2026-1"

# A description may have paragraphs; any other control character is refused.
LINE_BREAKS = re.compile(r"[\r\n\t]")


class MembershipError(ValueError):
    """A circle, membership or consent could not be changed; the message says why."""


class ConsentState(enum.Enum):
    NOT_GIVEN = "not_given"  # never accepted
    SHARING = "sharing"  # a consent stands
    REVOKED = "revoked"  # the latest consent was revoked

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_STATE_LABELS = {
    ConsentState.NOT_GIVEN: _l("terms not accepted yet: not sharing"),
    ConsentState.SHARING: _l("sharing its figures"),
    ConsentState.REVOKED: _l("consent revoked: not sharing"),
}


def _audit(change: str, now: datetime, actor: User | None, organisation, subject, **detail):
    """On the activity log of the organisation concerned (the operator's changes too)."""
    record(Action(change), now, actor=actor, organisation=organisation, subject=subject, **detail)


def create_circle(name: str, description: str, *, actor: User | None, now: datetime) -> Circle:
    name, description = " ".join((name or "").split()), (description or "").strip()
    if not name:
        raise MembershipError(_l("A circle needs a name."))
    if len(name) > NAME_MAX:
        raise MembershipError(_l("Use at most %(limit)s characters.", limit=NAME_MAX))
    if len(description) > TEXT_MAX:
        raise MembershipError(_l("Use at most %(limit)s characters.", limit=TEXT_MAX))
    if CONTROL_CHARACTERS.search(LINE_BREAKS.sub("", description)):
        raise MembershipError(_l("The description holds characters that cannot be shown."))
    if db.session.scalar(select(Circle).where(func.lower(Circle.name) == name.lower())):
        raise MembershipError(_l("A circle named %(name)s exists already.", name=name))
    circle = Circle(name=name, description=description, created_at=now, created_by_id=_id(actor))
    db.session.add(circle)
    db.session.flush()
    _audit("circle_created", now, actor, _organisation(actor), circle, name=name)
    return circle


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _organisation(user: User | None) -> Organisation | None:
    return user.organisation if user is not None else None


def add_member(
    circle: Circle, organisation: Organisation, *, actor: User | None, now: datetime
) -> CircleMember:
    """Make the organisation a member. It shares nothing until its administrator consents; a
    former member comes back on the same row, without its old consent."""
    if organisation.is_platform:
        raise MembershipError(_l("The platform organisation cannot be a member of a circle."))
    member = db.session.scalar(
        select(CircleMember).where(
            CircleMember.circle_id == circle.id, CircleMember.organisation_id == organisation.id
        )
    )
    if member is not None and member.removed_at is None:
        raise MembershipError(
            _l("%(name)s is a member of this circle already.", name=organisation.name)
        )
    if member is None:
        member = CircleMember(circle_id=circle.id, organisation_id=organisation.id)
        db.session.add(member)
    member.added_at, member.added_by_id = now, _id(actor)
    member.removed_at = member.removed_by_id = None
    db.session.flush()
    _audit("circle_member_added", now, actor, organisation, member, circle=circle.name)
    return member


def remove_member(member: CircleMember, *, actor: User | None, now: datetime) -> None:
    """From now on the organisation's figures leave the circle; a standing consent ends with the
    membership, so coming back asks for consent again."""
    if member.removed_at is not None:
        raise MembershipError(_l("This organisation has left the circle already."))
    if consent := standing_consent(member):
        consent.revoked_at, consent.revoked_by_id = now, _id(actor)
    member.removed_at, member.removed_by_id = now, _id(actor)
    _audit(
        "circle_member_removed",
        now,
        actor,
        member.organisation,
        member,
        circle=member.circle.name,
    )


def standing_consent(member: CircleMember) -> SharingConsent | None:
    return next((c for c in member.consents if c.revoked_at is None), None)


def give_consent(member: CircleMember, *, actor: User, now: datetime) -> SharingConsent:
    """The administrator accepts the terms (TERMS_VERSION): from now on the circle sees the
    organisation's aggregates, named."""
    if member.removed_at is not None:
        raise MembershipError(_l("Your organisation is no longer a member of this circle."))
    if standing_consent(member) is not None:
        raise MembershipError(_l("Your organisation shares its figures with this circle already."))
    consent = SharingConsent(
        member_id=member.id, terms_version=TERMS_VERSION, given_at=now, given_by_id=actor.id
    )
    db.session.add(consent)
    db.session.flush()
    db.session.refresh(member, ["consents"])
    _audit(
        "sharing_consent_given",
        now,
        actor,
        member.organisation,
        consent,
        circle=member.circle.name,
        terms_version=TERMS_VERSION,
    )
    return consent


def revoke_consent(member: CircleMember, *, actor: User, now: datetime) -> SharingConsent:
    """From now on the organisation's figures are hidden from the circle."""
    consent = standing_consent(member)
    if consent is None:
        raise MembershipError(_l("Your organisation does not share its figures with this circle."))
    consent.revoked_at, consent.revoked_by_id = now, actor.id
    _audit(
        "sharing_consent_revoked",
        now,
        actor,
        member.organisation,
        consent,
        circle=member.circle.name,
    )
    return consent


def sharing_organisation_ids(circle_id: int, now: datetime) -> list[int]:
    """The organisations whose figures the circle may show at `now`: members at that moment whose
    consent stood at that moment. Every circle figure is limited to these."""
    return list(
        db.session.scalars(
            select(CircleMember.organisation_id)
            .join(SharingConsent, SharingConsent.member_id == CircleMember.id)
            .where(
                CircleMember.circle_id == circle_id,
                CircleMember.added_at <= now,
                or_(CircleMember.removed_at.is_(None), CircleMember.removed_at > now),
                SharingConsent.given_at <= now,
                or_(SharingConsent.revoked_at.is_(None), SharingConsent.revoked_at > now),
            )
            .distinct()
            .order_by(CircleMember.organisation_id)
        )
    )


@dataclass(frozen=True)
class MemberState:
    """A member as the operator and its own administrator see it: the latest consent says who
    accepted or revoked the terms, and when."""

    member: CircleMember
    state: ConsentState
    latest: SharingConsent | None


def member_state(member: CircleMember) -> MemberState:
    latest = member.consents[-1] if member.consents else None
    if latest is None:
        state = ConsentState.NOT_GIVEN
    elif latest.revoked_at is None:
        state = ConsentState.SHARING
    else:
        state = ConsentState.REVOKED
    return MemberState(member, state, latest)


def current_members(circle: Circle) -> list[MemberState]:
    """The members now, by name, with their consent state."""
    members = [m for m in circle.members if m.removed_at is None]
    members.sort(key=lambda m: m.organisation.name.lower())
    return [member_state(m) for m in members]


def memberships_of(organisation_id: int) -> list[MemberState]:
    """The circles an organisation is a member of now, by circle name, with its consent state."""
    members = db.session.scalars(
        select(CircleMember)
        .join(Circle)
        .where(CircleMember.organisation_id == organisation_id, CircleMember.removed_at.is_(None))
        .order_by(Circle.name)
    )
    return [member_state(m) for m in members]


def membership_or_none(organisation_id: int, circle_id: int) -> CircleMember | None:
    """The organisation's current membership of this circle; None if it is not a member now."""
    return db.session.scalar(
        select(CircleMember).where(
            CircleMember.organisation_id == organisation_id,
            CircleMember.circle_id == circle_id,
            CircleMember.removed_at.is_(None),
        )
    )


def circle_named(name: str) -> Circle | None:
    return db.session.scalar(
        select(Circle).where(func.lower(Circle.name) == " ".join(name.split()).lower())
    )


def circle_names_by_organisation() -> dict[int, list[str]]:
    """For the operator's list of organisations: the circles each is a member of now."""
    rows = db.session.execute(
        select(CircleMember.organisation_id, Circle.name)
        .join(Circle)
        .where(CircleMember.removed_at.is_(None))
        .order_by(Circle.name)
    )
    names: dict[int, list[str]] = {}
    for organisation_id, name in rows:
        names.setdefault(organisation_id, []).append(name)
    return names
