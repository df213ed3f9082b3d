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
from survey.contacts.models import Contact
from survey.invitations.models import Invitation
from survey.outbox.models import OutboundEmail, Suppression
from survey.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from survey.responding.models import Answer, Response

__all__ = [
    "Answer",
    "AuditEvent",
    "Contact",
    "DriverTally",
    "Invitation",
    "InvitationTally",
    "OptionTally",
    "Organisation",
    "OutboundEmail",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "RatingTally",
    "Response",
    "ResponseTally",
    "Suppression",
    "User",
]
