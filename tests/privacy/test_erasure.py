"""A person's rights without HTTP: finding everything about them, the access export, and the
erasure both ways, with the figures equal to a recount after it and no email to them again."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from survey.accounts.models import Role
from survey.analysis.recount import rebuild_tallies
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.contacts.logbook import invitation_of, log_contact
from survey.extensions import db
from survey.invitations.dimensions import Channel
from survey.invitations.models import InvitationState, SuppressionReason
from survey.outbox.models import Suppression
from survey.privacy.access import access_export
from survey.privacy.erasure import ResponseChoice, erase_person
from survey.privacy.subjects import NotAPerson, find_person, read_query
from survey.responding.models import Response
from tests import factories
from tests.privacy.people import (
    EVA,
    KVK,
    everything_stored,
    person_with_everything,
    someone_else,
    tallies,
)


def _find(org, text: str):
    return find_person(org.id, read_query(text))


def test_a_person_is_found_by_address_with_every_kind_of_record(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    person_with_everything(org, manager)
    someone_else(org, manager)
    found = _find(org, "  Eva@Bakkerij.example ")
    assert found.counts() == {
        "contacts": 1,
        "participations": 1,
        "invitations": 2,  # the contact's and the event's
        "emails": 1,
        "responses": 1,
        "opt_outs": 1,
    }
    assert _find(org, "1234 5678").contacts == found.contacts  # by the company's KvK number


def test_another_organisations_person_is_invisible(ctx):
    org, other = factories.organisation(), factories.organisation()
    person_with_everything(other, factories.user(other))
    assert _find(org, EVA).is_empty
    assert _find(org, KVK).is_empty


@pytest.mark.parametrize("typed", ["", "eva@", "not a number", "1234"])
def test_what_is_neither_an_address_nor_a_registry_number_is_refused(ctx, typed):
    with pytest.raises(NotAPerson):
        read_query(typed)


def test_the_access_export_holds_every_record_in_readable_form(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    person_with_everything(org, manager)
    export = access_export(_find(org, EVA), org, utcnow(), "en")
    archive = zipfile.ZipFile(io.BytesIO(export))
    assert set(archive.namelist()) == {
        "person.json",
        "contacts.csv",
        "event_participations.csv",
        "invitations.csv",
        "emails.csv",
        "responses.csv",
        "opt_outs.csv",
    }
    held = json.loads(archive.read("person.json"))
    (contact,) = held["Contacts"]
    assert contact["Email address"] == EVA and contact["KvK/KBO number"] == KVK
    assert contact["Channel"] == "visit"
    (participation,) = held["Event participations"]
    assert participation["Event"] == "Ondernemerscafé"
    assert participation["Name"] == "Eva de Vries"
    answers = {row["Question"]: row["Answer"] for row in held["Responses"]}
    assert "Sneller terugbellen graag." in answers.values()
    assert any(answer.startswith("7") for answer in answers.values())  # the overall grade
    (opt_out,) = held["Opt-outs"]
    assert opt_out["Kind"] == "opted out"
    (email,) = held["Emails"]
    assert email["To"] == EVA and email["Text"]  # the email as it was sent, in full
    contacts_csv = archive.read("contacts.csv").decode("utf-8-sig")
    assert contacts_csv.splitlines()[0].startswith("Date of the contact;Channel;Company")
    assert EVA in contacts_csv


@pytest.mark.parametrize("choice", list(ResponseChoice))
def test_erasure_leaves_no_trace_of_the_address_and_the_tallies_equal_a_recount(ctx, choice):
    org = factories.organisation()
    manager = factories.user(org)
    _invitation, response = person_with_everything(org, manager)
    kept_response = someone_else(org, manager)
    response_id = response.id
    before = tallies()
    counts = erase_person(
        _find(org, EVA), choice, actor=factories.user(org, Role.ADMIN), now=utcnow()
    )
    db.session.flush()
    assert counts["contacts"] == 1 and counts["responses"] == 1
    stored = everything_stored()
    assert EVA not in stored
    assert "eva de vries" not in stored and "bakkerij" not in stored and KVK not in stored
    assert _find(org, EVA).responses == []
    erased = tallies()
    rebuild_tallies(db.session, [org.id])
    assert tallies() == erased  # equal to a recount, in the same transaction
    if choice is ResponseChoice.REMOVE:
        assert db.session.get(Response, response_id) is None
        assert erased != before  # the figures no longer count Eva's answers
    else:
        assert db.session.get(Response, response_id).invitation_id is None
        assert erased == before  # counted as before, without a link to Eva
    assert db.session.get(Response, kept_response.id).invitation_id is not None
    (entry,) = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == Action.PERSONAL_DATA_ERASED)
    )
    assert (
        entry.detail["what_became_of_responses"] == choice.value and entry.detail["contacts"] == 1
    )


def test_an_erased_person_is_not_invited_again_even_after_a_key_rotation(ctx, monkeypatch):
    org = factories.organisation()
    manager = factories.user(org)
    person_with_everything(org, manager)
    erase_person(_find(org, EVA), ResponseChoice.KEEP, actor=None, now=utcnow())
    db.session.flush()
    (suppression,) = db.session.scalars(db.select(Suppression))
    assert EVA not in suppression.email and suppression.email_hash
    monkeypatch.setattr(ctx, "secret_key", "a-new-secret-key-after-rotation")
    monkeypatch.setitem(ctx.config, "SECRET_KEY_FALLBACKS", ["test-secret"])
    contact = log_contact(
        org,
        manager,
        company_name="Bakkerij Van Dam",
        registry_number=None,
        person_name="Eva de Vries",
        email="EVA@bakkerij.example",
        locale="nl",
        contacted_on=date.today(),
        channel=Channel.VISIT,
        subject="Terug na een jaar",
        now=utcnow(),
    )
    invitation = invitation_of(contact)
    assert invitation.state is InvitationState.SUPPRESSED
    assert invitation.suppression_reason is SuppressionReason.OPTED_OUT


def test_an_erasure_of_one_person_leaves_another_organisations_records(ctx):
    org, other = factories.organisation(), factories.organisation()
    person_with_everything(org, factories.user(org))
    person_with_everything(other, factories.user(other))
    erase_person(_find(org, EVA), ResponseChoice.REMOVE, actor=None, now=utcnow())
    db.session.flush()
    assert _find(other, EVA).counts()["responses"] == 1
    (contact,) = _find(other, EVA).contacts
    assert contact.email == EVA and contact.person_name and contact.registry_number == KVK
