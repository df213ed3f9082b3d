"""Importing an event's participants from a pasted or uploaded list, without HTTP: with and
without a header line, Dutch and English headers, commas, semicolons and tabs, problems per
line, duplicates in the list and with the event's participants, and column choices that a
participant list and a contact list keep apart."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.clock import utcnow
from survey.contacts.columns import CONTACT_COLUMNS
from survey.contacts.imports import preview_import
from survey.events.models import Participant
from survey.events.participant_import import (
    PARTICIPANT_COLUMNS,
    import_participants,
    preview_participants,
)
from survey.extensions import db
from survey.imports.columns import remember_mapping
from survey.imports.files import ImportFileError
from survey.imports.models import ColumnMapping
from survey.imports.preview import ColumnsUnclear, rejected_csv
from survey.invitations.dimensions import OccasionKind
from survey.invitations.models import Invitation, InvitationState
from tests import factories


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def org(ctx):
    return factories.organisation(locale="nl")


@pytest.fixture
def event(org):
    return factories.event(org, send_at=utcnow() + timedelta(hours=2), locale="nl")


def pasted(text: str) -> bytes:
    """A list as the upload page hands over what was pasted into its text box."""
    return text.encode("utf-8")


def spreadsheet(rows, separator=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def read(preview) -> list[tuple]:
    return [
        (row.details.name, row.details.email, row.details.organisation_name, row.details.locale)
        for row in preview.importable
    ]


def participants_of(event) -> list[str]:
    return list(
        db.session.scalars(
            select(Participant.email).where(Participant.event_id == event.id).order_by("email")
        )
    )


# --- lists without a header line ----------------------------------------------------------


def test_a_typed_list_of_name_address_and_organisation_needs_no_header(event):
    preview = preview_participants(
        pasted(
            "Anna de Vries, anna@example.org, Bakkerij De Korf\n"
            "Piet Jansen, Piet@Example.org, Gemeente Aastad\n"
        ),
        event,
    )
    assert preview.reading.headerless
    assert [row.line for row in preview.rows] == [1, 2]  # the first line is a participant too
    assert read(preview) == [
        ("Anna de Vries", "anna@example.org", "Bakkerij De Korf", None),
        ("Piet Jansen", "piet@example.org", "Gemeente Aastad", None),
    ]


def test_a_list_of_addresses_one_per_line_is_enough(event):
    preview = preview_participants(pasted("anna@example.org\r\n\r\npiet@example.org\r\n"), event)
    assert read(preview) == [
        ("", "anna@example.org", "", None),
        ("", "piet@example.org", "", None),
    ]
    assert [row.line for row in preview.rows] == [1, 3]


def test_a_list_copied_from_a_spreadsheet_is_tab_separated_and_may_name_a_language(event):
    preview = preview_participants(
        pasted("Anna de Vries\tanna@example.org\tBakkerij, De Korf\ten\n"), event
    )
    assert read(preview) == [("Anna de Vries", "anna@example.org", "Bakkerij, De Korf", "en")]


def test_a_list_with_two_address_columns_asks_which_is_the_email(event):
    data = pasted("Anna, anna@example.org, info@korf.example\n")
    with pytest.raises(ColumnsUnclear) as unclear:
        preview_participants(data, event)
    assert unclear.value.reading.ambiguous == {"email": (1, 2)}
    assert unclear.value.messages == [
        "The list has no line naming its columns.",
        "The columns column 2, column 3 could each hold: Email address.",
    ]
    preview = preview_participants(data, event, ["name", "email", ""])
    assert read(preview) == [("Anna", "anna@example.org", "", None)]


# --- lists with a header line -------------------------------------------------------------


@pytest.mark.parametrize(
    "header, separator",
    [
        (["Naam", "E-mailadres", "Organisatie", "Taal"], ";"),
        (["Name", "Email", "Organization", "Language"], ","),
        (["Deelnemer", "Emailadres", "Bedrijf", "Voorkeurstaal"], "\t"),
        (["Full name", "E-mail", "Company", "Language"], ";"),
    ],
    ids=["Dutch", "English", "Dutch synonyms, tabs", "English synonyms"],
)
def test_dutch_and_english_headers_are_recognised(event, header, separator):
    data = spreadsheet(
        [header, ["Anna de Vries", "anna@example.org", "Bakkerij De Korf", "Engels"]], separator
    )
    preview = preview_participants(data, event)
    assert not preview.reading.headerless and preview.mapping is None
    assert read(preview) == [("Anna de Vries", "anna@example.org", "Bakkerij De Korf", "en")]
    assert preview.rows[0].line == 2


def test_first_and_last_name_make_the_name_and_other_columns_are_ignored(event):
    data = spreadsheet(
        [
            ["Voornaam", "Achternaam", "Telefoon", "E-mail", "Organisatie", "Dieetwensen"],
            ["Anna", "de Vries", "0612345678", "anna@example.org", "De Korf", "vegetarisch"],
        ],
        encoding="cp1252",
    )
    assert read(preview_participants(data, event)) == [
        ("Anna de Vries", "anna@example.org", "De Korf", None)
    ]


def test_a_header_without_an_email_column_asks_for_the_columns(event):
    with pytest.raises(ColumnsUnclear) as unclear:
        preview_participants(spreadsheet([["Naam", "Adres"], ["Anna", "anna@example.org"]]), event)
    assert unclear.value.reading.missing == ["email"]
    assert unclear.value.first_values == [["Anna"], ["anna@example.org"]]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"Naam;E-mail\r\n", "The list has a header line but no participants."),
        (b"PK\x03\x04rest", "This is an Excel workbook"),
    ],
)
def test_a_list_that_cannot_be_read_says_why(event, data, message):
    with pytest.raises(ImportFileError) as refused:
        preview_participants(data, event)
    assert message in str(refused.value)


# --- problems and duplicates --------------------------------------------------------------


BAD_LIST = (
    "Naam;E-mail;Organisatie;Taal\n"
    "Anna de Vries;anna@example.org;De Korf;\n"
    "Piet;piet@;Gemeente Aastad;nl\n"
    "Els;;;\n"
    "Joris;joris@example.org;;fr\n"
    "Anna nogmaals;ANNA@example.org;De Korf;en\n"
    "Kees;kees@example.org;;en\n"
)


def test_each_line_says_what_is_wrong_with_it(event):
    preview = preview_participants(pasted(BAD_LIST), event)
    problems = {row.line: row.problems for row in preview.rejected}
    assert problems == {
        3: ["Email address: piet@ is not a valid email address."],
        4: ["Email address: Please fill in the participant's email address."],
        5: ["Language: fr is not a language: use nl or en."],
    }
    assert [row.line for row in preview.importable] == [2, 7]
    assert preview.rows[4].same_as_line == 2  # the same address in another case


def test_problems_are_told_in_the_language_of_the_person_importing(event):
    with force_locale("nl"):
        preview = preview_participants(pasted(BAD_LIST), event)
        assert preview.rejected[2].problems == ["Taal: fr is geen taal: gebruik nl of en."]


def test_importing_adds_the_good_rows_with_their_evaluation_and_skips_the_rest(event):
    coordinator = event.signer
    preview = preview_participants(pasted(BAD_LIST), event)
    result = import_participants(preview, event, utcnow(), coordinator)
    db.session.commit()
    assert (result.imported, result.skipped, result.rejected) == (2, 1, 3)
    assert participants_of(event) == ["anna@example.org", "kees@example.org"]
    kees = db.session.scalar(select(Participant).where(Participant.email == "kees@example.org"))
    assert kees.locale == "en" and kees.added_by_id == coordinator.id
    assert kees.invitation.occasion_kind is OccasionKind.EVENT_PARTICIPANT
    assert kees.invitation.scheduled_at == event.send_at


def test_importing_the_same_list_twice_adds_nobody_twice(event):
    factories.participant(event, "kees@example.org")
    first = preview_participants(pasted(BAD_LIST), event)
    assert [row.line for row in first.rows if row.already_imported] == [7]
    import_participants(first, event, utcnow(), event.signer)
    again = preview_participants(pasted(BAD_LIST), event)
    assert again.importable == []
    assert [row.line for row in again.rows if row.already_imported] == [2, 6, 7]
    result = import_participants(again, event, utcnow(), event.signer)
    assert result.imported == 0
    assert participants_of(event) == ["anna@example.org", "kees@example.org"]
    assert db.session.scalar(select(func.count(Invitation.id))) == 2


def test_participants_imported_after_the_evaluations_went_out_are_invited_at_once(org):
    event = factories.event(org, send_at=utcnow() - timedelta(hours=3))
    before = utcnow()
    preview = preview_participants(pasted("anna@example.org\n"), event)
    import_participants(preview, event, utcnow(), event.signer)
    (invitation,) = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id))
    assert invitation.state is InvitationState.SCHEDULED
    assert before <= invitation.scheduled_at <= utcnow()


def test_the_rows_with_problems_of_a_list_without_header_come_back_with_one(event):
    preview = preview_participants(
        pasted("Piet, piet@, Aastad\nAnna, anna@example.org, Korf\n"), event
    )
    data = rejected_csv(preview, "problems")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Email address", "Organisation", "problems"],
        ["Piet", " piet@", " Aastad", "Email address: piet@ is not a valid email address."],
    ]
    assert data.startswith(codecs.BOM_UTF8)
    corrected = data.replace(b"piet@,", b"piet@aastad.example,")
    again = preview_participants(corrected, event)  # recognised by its header now
    assert not again.reading.headerless
    assert read(again) == [("Piet", "piet@aastad.example", "Aastad", None)]


# --- remembered column choices ------------------------------------------------------------


def test_a_column_choice_for_participants_is_remembered_for_participant_lists_only(org, event):
    coordinator = event.signer
    header = ["Wie", "Waar", "Adres"]
    data = spreadsheet([header, ["Anna", "De Korf", "anna@example.org"]])
    with pytest.raises(ColumnsUnclear):
        preview_participants(data, event)
    choices = ["name", "organisation_name", "email"]
    remember_mapping(org, preview_participants(data, event, choices).reading, utcnow(), coordinator)

    again = preview_participants(data, factories.event(org))
    assert again.mapping is not None
    assert read(again) == [("Anna", "anna@example.org", "De Korf", None)]

    assert PARTICIPANT_COLUMNS.header_key(header) != CONTACT_COLUMNS.header_key(header)
    assert CONTACT_COLUMNS.remembered_mapping(org, header) is None
    with pytest.raises(ColumnsUnclear):  # a contact list with these columns still asks
        preview_import(data, org, coordinator, coordinator, utcnow())


def test_a_list_without_header_leaves_no_column_choice_behind(org, event):
    data = pasted("Anna, anna@example.org, info@korf.example\n")
    preview = preview_participants(data, event, ["name", "email", ""])
    remember_mapping(org, preview.reading, utcnow(), event.signer)
    assert db.session.scalar(select(func.count(ColumnMapping.id))) == 0
