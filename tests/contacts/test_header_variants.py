"""Columns as CRMs and spreadsheets really name them: recognised, or left to the person to choose.

Each header set is modelled on a real kind of export (Salesforce, Dynamics, HubSpot, Pipedrive,
Zoho, a municipality's own spreadsheet or relation manager); the names of the municipal systems
are made up.
"""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.contacts.columns import CONTACT_COLUMNS
from survey.contacts.imports import preview_import
from survey.extensions import db
from survey.imports.columns import header_words, remember_mapping
from survey.imports.models import ColumnMapping
from survey.imports.preview import ColumnsUnclear
from tests import factories
from tests.contacts.test_imports import csv_bytes

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
read_header = CONTACT_COLUMNS.read_header  # a contact list's columns, by their names

RECOGNISED = {
    "a municipality's own spreadsheet": (
        ["Bedrijfsnaam", "KvK-nummer", "Naam contactpersoon", "E-mailadres contactpersoon",
         "Taal", "Datum contact", "Contactvorm", "Onderwerp"],
        {"company_name": "Bedrijfsnaam", "registry_number": "KvK-nummer",
         "person_name": "Naam contactpersoon", "email": "E-mailadres contactpersoon",
         "locale": "Taal", "contacted_on": "Datum contact", "channel": "Contactvorm",
         "subject": "Onderwerp"},
    ),
    "the issue's example with a date format in brackets": (
        ["Company name", "Contact date (dd-mm-jjjj)", "E-mailadres contactpersoon",
         "Naam contactpersoon", "Type activiteit", "Omschrijving"],
        {"company_name": "Company name", "contacted_on": "Contact date (dd-mm-jjjj)",
         "email": "E-mailadres contactpersoon", "person_name": "Naam contactpersoon",
         "channel": "Type activiteit", "subject": "Omschrijving"},
    ),
    "Salesforce activity report": (
        ["Activity ID", "Account Name", "First Name", "Last Name", "Email", "Activity Date",
         "Type", "Subject", "Assigned"],
        {"company_name": "Account Name", "person_name": "First Name, Last Name",
         "email": "Email", "contacted_on": "Activity Date", "channel": "Type",
         "subject": "Subject", "account_manager": "Assigned"},
    ),
    "Pipedrive activities": (
        ["Organization - Name", "Person - Name", "Person - Email", "Activity - Due date",
         "Activity - Type", "Activity - Subject", "Activity - Owner", "Activity - Done"],
        {"company_name": "Organization - Name", "person_name": "Person - Name",
         "email": "Person - Email", "contacted_on": "Activity - Due date",
         "channel": "Activity - Type", "subject": "Activity - Subject",
         "account_manager": "Activity - Owner"},
    ),
    "Zoho CRM activities": (
        ["Subject", "Activity Type", "Due Date", "Related To", "Contact Name", "Email",
         "Activity Owner", "Account Name", "Created Time"],
        {"subject": "Subject", "channel": "Activity Type", "contacted_on": "Due Date",
         "person_name": "Contact Name", "email": "Email", "account_manager": "Activity Owner",
         "company_name": "Account Name"},
    ),
    "a Flemish municipality (KBO)": (
        ["Ondernemingsnummer", "Onderneming", "Aanspreekpersoon", "E-mail", "Taal",
         "Datum bezoek", "Kanaal"],
        {"registry_number": "Ondernemingsnummer", "company_name": "Onderneming",
         "person_name": "Aanspreekpersoon", "email": "E-mail", "locale": "Taal",
         "contacted_on": "Datum bezoek", "channel": "Kanaal"},
    ),
    "an English spreadsheet": (
        ["Chamber of Commerce number", "Company", "Full name", "Email address", "Date",
         "Channel", "Account owner"],
        {"registry_number": "Chamber of Commerce number", "company_name": "Company",
         "person_name": "Full name", "email": "Email address", "contacted_on": "Date",
         "channel": "Channel", "account_manager": "Account owner"},
    ),
    "relation manager 'Ondernemersloket' (name in three parts)": (
        ["Relatienaam", "Vestigingsnummer", "KvK nr.", "Voornaam", "Tussenvoegsel",
         "Achternaam", "E-mailadres", "Datum afspraak", "Soort contact", "Behandelaar",
         "Omschrijving", "Telefoon"],
        {"company_name": "Relatienaam", "registry_number": "KvK nr.",
         "person_name": "Voornaam, Tussenvoegsel, Achternaam", "email": "E-mailadres",
         "contacted_on": "Datum afspraak", "channel": "Soort contact",
         "account_manager": "Behandelaar", "subject": "Omschrijving"},
    ),
    "column names as a database writes them": (
        ["company_name", "contact_person", "e_mail", "contact_date", "channel_code",
         "created_at"],
        {"company_name": "company_name", "person_name": "contact_person", "email": "e_mail",
         "contacted_on": "contact_date", "channel": "channel_code"},
    ),
    "relation system 'Gemeentelijk Klantbeeld' (Dutch labels of a CRM)": (
        ["Organisatie", "KvK", "Contactpersoon", "E-mail contactpersoon", "Datum aangemaakt",
         "Gespreksdatum", "Contactkanaal", "Eigenaar", "Gewijzigd op"],
        {"company_name": "Organisatie", "registry_number": "KvK",
         "person_name": "Contactpersoon", "email": "E-mail contactpersoon",
         "contacted_on": "Gespreksdatum", "channel": "Contactkanaal",
         "account_manager": "Eigenaar"},
    ),
}  # fmt: skip

NEEDS_THE_PERSON = {
    "HubSpot contacts (no channel column recognised)": (
        ["Record ID", "First Name", "Last Name", "Email", "Company Name", "Associated Company",
         "Contact owner", "Last Activity Date", "Create Date", "Lifecycle Stage"],
        ["channel"], {},
    ),
    "Dynamics 365 phone calls in Dutch (date column by another name)": (
        ["Onderwerp", "Account", "Contactpersoon", "E-mail (Contactpersoon)", "Activiteitstype",
         "Werkelijk einde", "Eigenaar"],
        ["contacted_on"], {},
    ),
    "case system 'Zaakwijzer' with short labels": (
        ["Klant", "Contact", "Mail", "Dag", "Wijze"], ["contacted_on", "channel"], {},
    ),
    "two date columns, equally likely": (
        ["Bedrijf", "Naam", "E-mail", "Datum bezoek", "Datum telefoongesprek", "Kanaal"],
        ["contacted_on"], {"contacted_on": (3, 4)},
    ),
}  # fmt: skip


@pytest.mark.parametrize("header, expected", RECOGNISED.values(), ids=RECOGNISED.keys())
def test_realistic_headers_are_recognised(header, expected):
    reading = read_header(header)
    assert reading.complete
    assert {value: reading.named(indexes) for value, indexes in reading.columns.items()} == (
        expected
    )


@pytest.mark.parametrize(
    "header, missing, ambiguous", NEEDS_THE_PERSON.values(), ids=NEEDS_THE_PERSON.keys()
)
def test_what_the_rules_cannot_tell_is_left_to_the_person(header, missing, ambiguous):
    reading = read_header(header)
    assert not reading.complete
    assert reading.missing == missing
    assert reading.ambiguous == ambiguous


@pytest.mark.parametrize(
    "header", [h for h, *_ in [*RECOGNISED.values(), *NEEDS_THE_PERSON.values()]]
)
def test_no_column_is_taken_for_two_values(header):
    taken = [index for indexes in read_header(header).columns.values() for index in indexes]
    assert len(taken) == len(set(taken))


@pytest.mark.parametrize(
    "name, words",
    [
        ("  Contact-datum (dd-mm-jjjj) ", ["contactdatum"]),
        ("\ufeffE-MAILADRES", ["emailadres"]),
        ("Organisatie – naam", ["organisatie", "naam"]),
        ("Café's _ Zoë", ["cafes", "zoe"]),
        ("KvK nr.", ["kvk", "nr"]),
        ("Datum/tijd [UTC]", ["datum", "tijd"]),
    ],
)
def test_headers_are_compared_without_case_accents_punctuation_or_remarks(name, words):
    assert header_words(name) == words


def test_a_sure_name_wins_over_a_likely_one():
    reading = read_header(["Company Name", "Associated Company", "Naam", "Email", "Datum",
                           "Kanaal"])  # fmt: skip
    assert reading.complete and reading.columns["company_name"] == (0,)


def test_parts_of_a_name_count_only_without_a_column_for_the_whole_name():
    reading = read_header(["Bedrijf", "Voornaam", "Naam", "Achternaam", "Email", "Datum",
                           "Kanaal"])  # fmt: skip
    assert reading.columns["person_name"] == (2,)


def test_a_very_long_header_is_read_without_trouble():
    reading = read_header(["Datum " + "heel lang " * 5000, "Bedrijf"])
    assert reading.columns["contacted_on"] == (0,)


@pytest.fixture
def org(ctx):
    with force_locale("en"):
        yield factories.organisation(locale="nl")


def test_the_parts_of_a_name_are_joined_into_the_contact_person(org):
    sanne = factories.user(org, email="sanne@testdorp.example", name="Sanne de Vries")
    header = RECOGNISED["relation manager 'Ondernemersloket' (name in three parts)"][0]
    row = ["Bakkerij Jansen", "000012345678", "12345678", "Jan", "van", "Dijk",
           "jan@bakkerij.example", "01-12-2026 14:00", "telefoon", "Sanne de Vries",
           "Vergunning terras", "0612345678"]  # fmt: skip
    preview = preview_import(csv_bytes([header, row]), org, sanne, None, NOW)
    (read,) = preview.rows
    assert read.problems == []
    assert read.details.person_name == "Jan van Dijk"
    assert read.account_manager == sanne  # named by name, as CRMs write the owner


def test_a_chosen_mapping_is_remembered_for_the_same_headers_in_any_order(org):
    sanne = factories.user(org, email="sanne@testdorp.example")
    header = ["Klant", "Contact", "Mail", "Dag", "Wijze"]
    data = csv_bytes([header, ["Bakkerij", "Piet", "piet@x.example", "01-12-2026", "bezoek"]])
    with pytest.raises(ColumnsUnclear):
        preview_import(data, org, sanne, None, NOW)
    choices = ["company_name", "person_name", "email", "contacted_on", "channel"]
    preview = preview_import(data, org, sanne, None, NOW, choices)
    remember_mapping(org, preview.reading, NOW, sanne)

    reordered = ["WIJZE", "dag", "Klant ", "Contact", "Mail"]
    assert CONTACT_COLUMNS.header_key(reordered) == CONTACT_COLUMNS.header_key(header)
    again = preview_import(
        csv_bytes([reordered, ["bezoek", "01-12-2026", "Bakkerij", "Piet", "piet@x.example"]]),
        org, sanne, None, NOW,
    )  # fmt: skip
    assert again.mapping is not None and again.mapping.saved_at == NOW
    assert again.importable and again.rows[0].details.company_name == "Bakkerij"

    elsewhere = factories.organisation("Gemeente Elders")
    assert CONTACT_COLUMNS.remembered_mapping(elsewhere, header) is None


def test_a_remembered_mapping_that_no_longer_fits_is_not_used(org):
    sanne = factories.user(org, email="sanne@testdorp.example")
    header = ["Klant", "Contact", "Mail", "Dag", "Wijze"]
    reading = read_header(header)
    reading.columns |= {"contacted_on": (3,), "channel": (4,)}
    remember_mapping(org, reading, NOW, sanne)
    mapping = CONTACT_COLUMNS.remembered_mapping(org, header)
    mapping.columns = {"klant": "company_name"}  # say, an older version of the rules
    assert CONTACT_COLUMNS.remembered_reading(mapping, header) is None


def test_changing_the_columns_replaces_the_remembered_choice(org):
    sanne = factories.user(org, email="sanne@testdorp.example")
    header = ["Klant", "Contact", "Mail", "Dag", "Wijze", "Notitie"]
    first = ["company_name", "person_name", "email", "contacted_on", "channel", "subject"]
    remember_mapping(org, CONTACT_COLUMNS.chosen_columns(header, first), NOW, sanne)
    later = NOW + timedelta(days=30)
    remember_mapping(org, CONTACT_COLUMNS.chosen_columns(header, first[:5] + [""]), later, sanne)
    mapping = CONTACT_COLUMNS.remembered_mapping(org, header)
    assert mapping.saved_at == later and "notitie" not in mapping.columns
    assert db.session.scalar(select(func.count(ColumnMapping.id))) == 1


def test_a_long_header_or_value_is_shown_cut_short_on_one_line(org):
    sanne = factories.user(org, email="sanne@testdorp.example")
    data = csv_bytes([["Bedrijf", "x" * 10_000], ["Bakkerij\r\nJansen", "y" * 10_000]])
    with pytest.raises(ColumnsUnclear) as unclear:
        preview_import(data, org, sanne, None, NOW)
    assert unclear.value.first_values == [["Bakkerij Jansen"], ["y" * 59 + "…"]]
    assert ("x" * 59 + "….") in unclear.value.messages[0]
