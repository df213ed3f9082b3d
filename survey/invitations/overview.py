"""What staff see of invitations: the recent ones, how many are in each state, and why one was
not sent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.listing import Count, Order, Page, SortColumn, count_per_value, keyset_page
from survey.request_input import Cursor

# Newest first, on the index of the organisation's invitations by time (of one state: by
# state and time).
NEWEST_FIRST = Order(
    SortColumn(Invitation.created_at, datetime, descending=True),
    SortColumn(Invitation.id, int, descending=True),
)


def recent_invitations(
    scope: Select,
    state: InvitationState | None = None,
    cursor: Cursor | None = None,
    per_page: int = 50,
) -> Page[Invitation]:
    """A page of invitations, newest first, from a statement already scoped to what the viewer
    may see."""
    statement = scope.options(joinedload(Invitation.contact), joinedload(Invitation.staff_member))
    if state is not None:
        statement = statement.where(Invitation.state == state)
    return keyset_page(statement, NEWEST_FIRST, cursor, per_page)


def count_by_state(scope: Select) -> dict[InvitationState, Count]:
    """Counted newest first, on the index of the organisation's invitations by state and time
    (the one a list of one state pages on), so each count reads at most its limit."""
    return count_per_value(scope, Invitation.state, InvitationState, order=NEWEST_FIRST)


def why_not_invited(invitation: Invitation, now: datetime, zone: ZoneInfo) -> str:
    """The reason a suppressed invitation is not sent, as the account manager reads it."""
    reason = invitation.suppression_reason
    earlier = invitation.previously_invited_at
    if reason is not SuppressionReason.RECENTLY_INVITED or earlier is None:
        return reason.label if reason else ""
    if earlier > now:
        return _("an invitation to this person is already planned")
    days = (now.astimezone(zone).date() - earlier.astimezone(zone).date()).days
    if days == 0:
        return _("invited today already")
    return ngettext("invited %(num)d day ago", "invited %(num)d days ago", days)
