"""A person's erasure: everything the organisation holds about them erased or made anonymous,
in the caller's one transaction. Their responses are removed (the tallies follow in the same
flush, so they still equal a recount) or kept without any link to them, as the administrator
chooses; their opt-out stays as a keyed hash of the address, so they are not emailed again."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l

from survey.accounts.models import Organisation, User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.extensions import db
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import forget_suppressed_address, suppress_address
from survey.privacy.anonymising import (
    anonymise_contact,
    anonymise_email,
    anonymise_invitation,
    anonymise_participant,
    entries_about,
    entries_mentioning,
    forget_in_trail,
    unlink_responses,
)
from survey.privacy.subjects import PersonData


class ResponseChoice(enum.StrEnum):
    """What becomes of the person's responses."""

    REMOVE = "remove"  # deleted with their answers; the figures no longer count them
    KEEP = "keep"  # kept in the figures, without any link to the person

    @property
    def label(self) -> str:
        return str(RESPONSE_CHOICE_LABELS[self])


RESPONSE_CHOICE_LABELS = {
    ResponseChoice.REMOVE: _l("Remove the responses: the figures no longer count them"),
    ResponseChoice.KEEP: _l("Keep the responses in the figures, without any link to the person"),
}


def _handle_responses(data: PersonData, choice: ResponseChoice) -> None:
    if choice is ResponseChoice.REMOVE:
        for response in data.responses:
            db.session.delete(response)  # its answers go with it (cascade)
    else:
        unlink_responses([invitation.id for invitation in data.invitations])


def _keep_opt_outs(data: PersonData, now: datetime) -> int:
    """Every address of the person is suppressed from now on, remembered only as its hash."""
    kept = {}
    for address in sorted(data.addresses):
        suppression = suppress_address(
            data.organisation_id, address, SuppressionKind.OPTED_OUT, now
        )
        kept[suppression.id] = suppression
    for suppression in [*data.suppressions, *kept.values()]:
        forget_suppressed_address(suppression)
    return len(kept)


def erase_person(
    data: PersonData,
    choice: ResponseChoice,
    *,
    actor: User | None,
    now: datetime,
    remote_addr: str | None = None,
) -> dict[str, int]:
    """Erase what `data` found (from subjects.find_person); returns the counts that the
    activity log records. The caller commits, once."""
    if actor is not None and actor.organisation_id != data.organisation_id:
        raise PermissionError("an administrator erases only their own organisation's data")
    addresses = data.addresses
    counts = data.counts()
    _handle_responses(data, choice)
    for contact in data.contacts:
        anonymise_contact(contact)
    for participant in data.participants:
        anonymise_participant(participant)
    for invitation in data.invitations:
        anonymise_invitation(invitation, now)
    for email in data.emails:
        anonymise_email(email)
    db.session.flush()  # the deletes first, so the tallies are corrected in this transaction
    counts["opt_outs"] = _keep_opt_outs(data, now)
    subjects = {
        "Contact": [contact.id for contact in data.contacts],
        "Participant": [participant.id for participant in data.participants],
        "Invitation": [invitation.id for invitation in data.invitations],
        "OutboundEmail": [email.id for email in data.emails],
        "Suppression": [suppression.id for suppression in data.suppressions],
    }
    # The access export's entry names the address or number asked about: it goes too.
    mentions = addresses | {data.query.registry_number} - {None}
    entries = entries_about(data.organisation_id, subjects)
    entries += entries_mentioning(data.organisation_id, mentions)
    counts["log_entries"] = forget_in_trail(entries, mentions)
    record(
        Action.PERSONAL_DATA_ERASED,
        now,
        actor=actor,
        organisation=db.session.get(Organisation, data.organisation_id),
        remote_addr=remote_addr,
        lookup=data.query.kind,
        what_became_of_responses=choice.value,
        **counts,
    )
    return counts
