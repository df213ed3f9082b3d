"""What staff see of invitations: the recent ones, and how many are in each state."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.listing import count_per_value


def recent_invitations(
    scope: Select, state: InvitationState | None = None, limit: int = 50, offset: int = 0
) -> list[Invitation]:
    """Newest first, from a statement already scoped to what the viewer may see."""
    statement = scope.options(
        joinedload(Invitation.contact), joinedload(Invitation.sender)
    ).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    if state is not None:
        statement = statement.where(Invitation.state == state)
    return list(db.session.scalars(statement.limit(limit).offset(offset)))


def count_by_state(scope: Select) -> dict[InvitationState, int]:
    return count_per_value(scope, Invitation.state, InvitationState)
