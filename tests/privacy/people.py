"""A person who left every kind of trace, for the privacy tests; and what the figures say."""

from __future__ import annotations

from datetime import timedelta

from survey.accounts.models import Role
from survey.analysis.models import TALLIES
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from survey.responding.submission import submit_response
from tests import factories

EVA = "eva@bakkerij.example"
KVK = "12345678"


def person_with_everything(org, manager, address: str = EVA):
    """A contact (with KvK number) whose invitation was emailed and answered, an event
    participation, an entry on the activity log naming the address, and an opt-out."""
    invitation = factories.invitation(org, manager, email=address)
    invitation.contact.registry_number = KVK
    invitation.registry_number = KVK
    factories.outbound_email(invitation)
    version = invitation.questionnaire_version
    questions = {question.code: question for question in version.questions}
    answers = {**factories.rated_answers(7), "improve": "Sneller terugbellen graag."}
    response = submit_response(
        invitation, {questions[code]: value for code, value in answers.items()}, "nl", utcnow()
    )
    event = factories.event(org, factories.user(org, Role.COORDINATOR), title="Ondernemerscafé")
    factories.participant(event, address, name="Eva de Vries")
    record(Action.INVITATION_RESENT, utcnow(), actor=manager, subject=invitation, recipient=address)
    suppress_address(org.id, address, SuppressionKind.OPTED_OUT, utcnow() + timedelta(hours=1))
    db.session.flush()
    return invitation, response


def someone_else(org, manager):
    """Another entrepreneur's answered survey: their figures must stay whatever Eva asks."""
    return factories.response(org, manager, factories.rated_answers(9))


def tallies() -> dict:
    return {
        tally.__name__: sorted(tuple(row) for row in db.session.execute(db.select(tally.__table__)))
        for tally in TALLIES
    }


def everything_stored() -> str:
    """Every row of every table, as text: to check that an address is nowhere any more."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [str(tuple(row)) for row in db.session.execute(db.select(table))]
    return "\n".join(rows).lower()
