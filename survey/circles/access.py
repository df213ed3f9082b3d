"""Who may see which circle: the administrators and coordinators of a member that shares its
figures (a standing consent), and the platform operator for every circle, aggregates only.
Anyone else gets a 404, so a circle's id reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import or_, select

from survey.accounts.models import Organisation, Role, User
from survey.analysis.circle_figures import Member
from survey.circles.membership import sharing_organisation_ids
from survey.circles.models import Circle, CircleMember
from survey.extensions import db

# Account managers see their own contacts' feedback; comparing municipalities is the work of
# those who see the whole organisation.
VIEWING_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.OPERATOR)


@dataclass(frozen=True)
class Membership:
    """A circle as the viewer sees it in their list."""

    circle: Circle
    sharing: bool  # the viewer's organisation shares (and so sees the others)
    members: int  # members sharing now


def is_operator(user: User) -> bool:
    return user.role is Role.OPERATOR


def viewer_circles(user: User, now: datetime) -> list[Membership]:
    """Every circle for the operator; for a municipality the circles it is a member of now."""
    statement = select(Circle).order_by(Circle.name)
    if not is_operator(user):
        statement = statement.join(CircleMember).where(
            CircleMember.organisation_id == user.organisation_id,
            or_(CircleMember.removed_at.is_(None), CircleMember.removed_at > now),
        )
    found = []
    for circle in db.session.scalars(statement).unique():
        sharing = sharing_organisation_ids(circle.id, now)
        mine = is_operator(user) or user.organisation_id in sharing
        found.append(Membership(circle, mine, len(sharing)))
    return found


def circle_for_viewer(user: User, circle_id: int, now: datetime) -> Circle:
    """The circle if `user` may see its figures; 404 otherwise."""
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        abort(404)
    if is_operator(user):
        return circle
    if user.organisation_id not in sharing_organisation_ids(circle.id, now):
        abort(404)
    return circle


def sharing_members(circle: Circle, now: datetime) -> list[Member]:
    """The members whose figures may be shown now, by name, as the analysis takes them."""
    ids = sharing_organisation_ids(circle.id, now)
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
    )
    return [Member(o.id, o.name, o.size_class, max(o.min_group_size, 1)) for o in organisations]
