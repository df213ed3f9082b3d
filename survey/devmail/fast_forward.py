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


def send_planned_now(organisation_id: int, clock: Callable[[], datetime]) -> tuple[int, RunReport]:
    """Bring the organisation's planned invitations forward to now, then run every job once.

    Only the viewer's own organisation: another one's invitations keep their time. The jobs
    themselves do only what the scheduler would do anyway for what is already due.
    """
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == organisation_id,
            Invitation.state == InvitationState.SCHEDULED,
            Invitation.scheduled_at > clock(),
        )
        .values(scheduled_at=clock())
    )
    db.session.commit()
    return result.rowcount, run_all(clock)
