"""Every model, imported in one place so metadata (and Alembic) sees the whole schema."""

from survey.accounts.models import Organisation, User
from survey.analysis import tallies  # noqa: F401  (registers the flush listener that keeps them)
from survey.analysis.models import (
    DriverTally,
    InvitationTally,
    OptionTally,
    RatingTally,
    ResponseTally,
)
from survey.audit.models import AuditEvent
from survey.circles.models import (
    Circle,
    CircleMember,
    GoodPractice,
    ImprovementAction,
    SharingConsent,
)
from survey.contacts.models import Contact
from survey.events.models import Event, EventOrganiser, EventSeries, EventSpeaker, Participant
from survey.exports.models import ExportJob
from survey.imports.models import ColumnMapping
from survey.invitations.models import Invitation
from survey.operations.heartbeat import SchedulerHeartbeat
from survey.outbox.models import OutboundEmail, Suppression
from survey.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink

__all__ = [
    "Answer",
    "AuditEvent",
    "Circle",
    "CircleMember",
    "ColumnMapping",
    "Contact",
    "DriverTally",
    "Event",
    "EventOrganiser",
    "EventSeries",
    "EventSpeaker",
    "ExportJob",
    "GoodPractice",
    "ImprovementAction",
    "Invitation",
    "InvitationTally",
    "OptionTally",
    "Organisation",
    "OutboundEmail",
    "Participant",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "RatingTally",
    "Response",
    "ResponseTally",
    "RoomAnswerMark",
    "RoomLink",
    "SchedulerHeartbeat",
    "SharingConsent",
    "Suppression",
    "User",
]
