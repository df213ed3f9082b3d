"""Development only: run the jobs now, with planned invitations brought forward to now.

Invitations wait for the next working day at 09:00; someone trying the app wants to see the
email of the contact they just logged without waiting until tomorrow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.jobs.tasks import RunReport, run_all


def send_planned_now(clock: Callable[[], datetime]) -> tuple[int, RunReport]:
    """Bring every planned invitation forward to now, then run every job once."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.state == InvitationState.SCHEDULED, Invitation.scheduled_at > clock())
        .values(scheduled_at=clock())
    )
    db.session.commit()
    return result.rowcount, run_all(clock)
