"""The CSV import as plain functions: reading what Excel saves, previewing, importing once."""

import codecs
import csv
import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.contacts.columns import CONTACT_COLUMNS
from survey.contacts.csv_files import parse_channel, parse_date
from survey.contacts.imports import import_rows, preview_import
from survey.contacts.logbook import LIMITS
from survey.contacts.models import Channel, Contact, Source
from survey.extensions import db
from survey.imports.files import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    decode_upload,
    parse_locale,
    sniff_separator,
)
from survey.imports.preview import ColumnsUnclear, rejected_csv
from survey.invitations.models import Invitation
from survey.spreadsheets import FORMULA_STARTS
from tests import factories

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

DUTCH = ["Bedrijfsnaam", "KvK", "Contactpersoon", "E-mail", "Taal", "Datum", "Kanaal", "Onderwerp"]
ENGLISH = ["Company name", "Registry number", "Contact person", "Email", "Language", "Date",
           "Channel", "Subject"]  # fmt: skip


def csv_bytes(rows, separator=";", encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def org(ctx):
    return factories.organisation(locale="nl")


@pytest.fixture
def sanne(org):
    return factories.user(org, email="sanne@testdorp.example", name="Sanne")


@pytest.fixture
def coordinator(org):
    return factories.user(org, Role.COORDINATOR, email="coord@testdorp.example", name="Coco")


def contacts_in_database() -> int:
    return db.session.scalar(select(func.count(Contact.id)))


# --- reading the file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Café Zoë".encode(),
        codecs.BOM_UTF8 + "Café Zoë".encode(),
        "Café Zoë".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_the_text_is_read_in_the_encodings_excel_saves(data):
    assert decode_upload(data) == "Café Zoë"


def test_utf16_with_a_byte_order_mark_is_read_too():
    assert decode_upload("Café".encode("utf-16")) == "Café"


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_the_one_in_the_header(separator):
    text = separator.join(["Bedrijf", "Naam, voornaam", "E-mail"]) + "\r\n"
    assert sniff_separator(f"\r\n{text}a{separator}b{separator}c") == separator


@pytest.mark.parametrize(
    "text, day",
    [
        ("31-12-2025", date(2025, 12, 31)),
        ("1-2-2026", date(2026, 2, 1)),
        ("2026-02-01", date(2026, 2, 1)),
        ("31/12/2025", date(2025, 12, 31)),
        ("31.12.2025", date(2025, 12, 31)),
        ("31-12-25", date(2025, 12, 31)),
        ("2026-02-01 14:30", date(2026, 2, 1)),
        ("2026-02-01T14:30:00", date(2026, 2, 1)),
        (" 01-02-2026 ", date(2026, 2, 1)),
    ],
)
def test_dates_are_read_day_first_or_iso(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["12/31/2025", "31-02-2026", "31-12/2025", "2026/02/01", "gisteren", "1-2-226"]
)
def test_anything_else_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    "text, channel",
    [
        ("bezoek", Channel.VISIT),
        ("Visit", Channel.VISIT),
        ("TELEFOON", Channel.PHONE),
        ("phone", Channel.PHONE),
        ("E-mail", Channel.EMAIL),
        ("email", Channel.EMAIL),
        ("balie", Channel.COUNTER),
        ("Loket", Channel.COUNTER),
        ("counter", Channel.COUNTER),
        ("evenement", Channel.EVENT),
        ("bijeenkomst", Channel.EVENT),
        ("event", Channel.EVENT),
    ],
)
def test_channels_are_read_in_dutch_and_english(text, channel):
    assert parse_channel(text) is channel


@pytest.mark.parametrize(
    "text, code",
    [("nl", "nl"), ("EN", "en"), ("Nederlands", "nl"), ("Engels", "en"), ("Dutch", "nl"),
     ("English", "en"), ("", None)],
)  # fmt: skip
def test_languages_are_read_by_code_or_name(text, code):
    assert parse_locale(text) == code


def test_headers_match_whatever_case_spaces_dashes_and_underscores():
    header = ["  BEDRIJF ", "kvk_nummer", "Contact-Person", "e_mail", "TAAL", "contact date",
              "kanaal", "Onderwerp", "Account Manager", "Opmerkingen"]  # fmt: skip
    assert CONTACT_COLUMNS.read_header(header).columns == {
        "company_name": (0,),
        "registry_number": (1,),
        "person_name": (2,),
        "email": (3,),
        "locale": (4,),
        "contacted_on": (5,),
        "channel": (6,),
        "subject": (7,),
        "account_manager": (8,),
    }


def test_missing_required_columns_are_named_with_the_columns_found(org, sanne):
    with pytest.raises(ColumnsUnclear) as unclear:
        preview_import(b"Bedrijf;Naam;Onderwerp\r\nBakkerij;Piet;Brood\r\n", org, sanne, None, NOW)
    assert unclear.value.messages == [
        "The file has these columns: Bedrijf, Naam, Onderwerp.",
        "No column was recognised for: Email address, Date, Channel.",
    ]
    assert unclear.value.first_values == [["Bakkerij"], ["Piet"], ["Brood"]]


def test_two_columns_equally_likely_for_one_value_are_left_to_the_person(org, sanne):
    header = ["Bedrijf", "Bedrijfsnaam", "Naam", "E-mail", "Datum", "Kanaal"]
    data = csv_bytes([header, ["Bakkerij", "Bakkerij BV", "Piet", "p@x.example", "", "bezoek"]])
    with pytest.raises(ColumnsUnclear) as unclear:
        preview_import(data, org, sanne, None, NOW)
    assert unclear.value.messages[1:] == [
        "The columns Bedrijf, Bedrijfsnaam could each hold: Company name."
    ]
    assert unclear.value.reading.choices()[:2] == ["", ""]  # neither is chosen for them


# --- the preview ---------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
@pytest.mark.parametrize("header", [DUTCH, ENGLISH], ids=["dutch", "english"])
def test_a_file_as_excel_saves_it_is_previewed_row_by_row(
    org, sanne, separator, encoding, bom, header
):
    data = csv_bytes(
        [
            header,
            [
                "Café Zoë",
                "0123.456.749",
                "Zoë Martín",
                "zoe@cafe.example",
                "Engels",
                "30-11-2026",
                "Bezoek",
                "Terras, vergunning",
            ],
            [
                "Smederij Kees",
                "",
                "Kees Smit",
                "KEES@smederij.example",
                "",
                "2026-11-27",
                "phone",
                "",
            ],
        ],  # fmt: skip
        separator,
        encoding,
        bom,
    )
    preview = preview_import(data, org, sanne, None, NOW)
    assert preview.separator == separator
    assert [row.line for row in preview.rows] == [2, 3]
    assert [row.problems for row in preview.rows] == [[], []]
    cafe, smederij = (row.details for row in preview.rows)
    assert cafe.company_name == "Café Zoë" and cafe.person_name == "Zoë Martín"
    assert cafe.registry_number == "0123456749"
    assert (cafe.locale, cafe.contacted_on, cafe.channel) == ("en", date(2026, 11, 30), "visit")
    assert cafe.subject == "Terras, vergunning"
    assert smederij.email == "kees@smederij.example"
    assert (smederij.locale, smederij.contacted_on) == ("nl", date(2026, 11, 27))
    assert contacts_in_database() == 0  # a preview writes nothing


def bad_file(separator=";") -> bytes:
    return csv_bytes(
        [
            DUTCH + ["Opmerking"],
            [
                "Bakkerij",
                "12345678",
                "Piet",
                "piet@bakkerij.example",
                "nl",
                "01-12-2026",
                "bezoek",
                "",
                "goed",
            ],
            ["", "1234", "Jan", "jan@", "de", "31-02-2026", "fax", "", ""],
            [],
            ["Slagerij", "", "Els", "els@slagerij.example", "", "03-12-2026", "balie", "", ""],
            [
                "Drukkerij",
                "",
                "Anna",
                "anna@drukkerij.example",
                "en",
                "02-12-2026",
                "e-mail",
                "Offerte\nmet twee regels",
                "",
            ],
            ["Zaak", "", '=HYPERLINK("x")', "=1+1", "", "02-12-2026", "telefoon", "", ""],
        ],  # fmt: skip
        separator,
    )


def test_problems_are_listed_per_row_by_its_line_in_the_spreadsheet(org, sanne):
    preview = preview_import(bad_file(), org, sanne, None, NOW)
    problems = {row.line: row.problems for row in preview.rows}
    assert list(problems) == [2, 3, 5, 6, 7]  # line 4 is empty; the header is line 1
    assert problems[2] == [] and problems[6] == []
    assert problems[3] == [
        "Company name: Please fill in the company name.",
        "KvK or KBO number: 1234 has 4 digits. A KvK number has 8 digits, a KBO number 10.",
        "Email address: jan@ is not a valid email address.",
        "Language: de is not a language: use nl or en.",
        "Date: 31-02-2026 is not a date: write it as 31-12-2026 or 2026-12-31.",
        "Channel: fax is not a channel: use visit, phone, email, counter or event (or bezoek, "
        "telefoon, e-mail, balie, evenement).",
    ]
    assert problems[5] == [
        "Date: The date of the contact is in the future. Log a contact once it has taken place."
    ]
    assert len(preview.importable) == 2 and len(preview.rejected) == 3
    assert contacts_in_database() == 0


def test_good_rows_are_imported_and_bad_ones_offered_back_as_csv(org, sanne):
    preview = preview_import(bad_file(), org, sanne, None, NOW)
    result = import_rows(preview, org, NOW, sanne)
    assert (result.imported, result.skipped, result.rejected) == (2, 0, 3)
    contacts = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    assert [c.company_name for c in contacts] == ["Bakkerij", "Drukkerij"]
    assert {c.source for c in contacts} == {Source.CSV}
    assert {c.account_manager_id for c in contacts} == {sanne.id}
    assert contacts[1].subject == "Offerte met twee regels"
    invitations = db.session.scalar(select(func.count(Invitation.id)))
    assert invitations == 2

    data = rejected_csv(preview, "problemen")
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == DUTCH + ["Opmerking", "problemen"]
    assert [row[0] for row in rows[1:]] == ["", "Slagerij", "Zaak"]
    assert rows[1][:8] == ["", "1234", "Jan", "jan@", "de", "31-02-2026", "fax", ""]
    assert "Please fill in the company name." in rows[1][-1]
    # A cell Excel would run as a formula is neutralised.
    assert rows[3][2] == '\'=HYPERLINK("x")' and rows[3][3] == "'=1+1"
    assert rows[3][-1].startswith("Email address:")


def test_the_problem_rows_neutralise_every_formula_start_also_in_the_header(org, sanne):
    rows = [DUTCH + ["@Notitie"]] + [
        [f"{start}Zaak", "", "Jan", "jan@", "", "02-12-2026", "telefoon", "", f"{start}1+1"]
        for start in FORMULA_STARTS
    ]
    preview = preview_import(csv_bytes(rows), org, sanne, None, NOW)
    data = rejected_csv(preview, "problemen")
    header, *back = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    assert header[-2:] == ["'@Notitie", "problemen"]
    assert [row[0] for row in back] == [f"'{start}Zaak" for start in FORMULA_STARTS]
    assert [row[-2] for row in back] == [f"'{start}1+1" for start in FORMULA_STARTS]


def test_the_rejected_rows_keep_the_files_separator_and_replace_an_old_problems_column(org, sanne):
    preview = preview_import(bad_file(","), org, sanne, None, NOW)
    first = rejected_csv(preview, "problems")
    again = preview_import(first, org, sanne, None, NOW)
    assert again.separator == ","
    rows = list(csv.reader(io.StringIO(rejected_csv(again, "problems").decode("utf-8-sig"))))
    assert rows[0] == DUTCH + ["Opmerking", "problems"]
    assert len(rows) == 4


def test_the_same_file_twice_imports_nothing_twice(org, sanne):
    data = bad_file()
    import_rows(preview_import(data, org, sanne, None, NOW), org, NOW, sanne)
    again = preview_import(data, org, sanne, None, NOW)
    assert [row.line for row in again.rows if row.already_imported] == [2, 6]
    assert again.importable == []
    result = import_rows(again, org, NOW, sanne)
    assert (result.imported, result.skipped, result.rejected) == (0, 2, 3)
    assert contacts_in_database() == 2


def test_a_row_repeated_in_the_file_is_imported_once(org, sanne):
    row = ["Bakkerij", "", "Piet", "piet@bakkerij.example", "", "01-12-2026", "bezoek", ""]
    data = csv_bytes([DUTCH, row, ["Bakkerij", "", "Piet", "PIET@bakkerij.example", "",
                                   "2026-12-01", "visit", "ander onderwerp"]])  # fmt: skip
    preview = preview_import(data, org, sanne, None, NOW)
    assert preview.rows[1].same_as_line == 2
    assert import_rows(preview, org, NOW, sanne).imported == 1


def with_account_managers(*names: str) -> bytes:
    header = ["Bedrijf", "Naam", "E-mail", "Datum", "Kanaal", "Accountmanager"]
    return csv_bytes(
        [header]
        + [
            [f"Bedrijf {n}", f"Persoon {n}", f"p{n}@bedrijf.example", "01-12-2026", "bezoek", name]
            for n, name in enumerate(names)
        ]
    )


def test_a_coordinator_assigns_rows_to_account_managers_by_their_email(org, sanne, coordinator):
    joris = factories.user(org, email="joris@testdorp.example", name="Joris")
    retired = factories.user(org, email="oud@testdorp.example", name="Oud")
    retired.active = False
    data = with_account_managers("SANNE@testdorp.example", "", "nobody@testdorp.example",
                                 "oud@testdorp.example")  # fmt: skip
    preview = preview_import(data, org, coordinator, joris, NOW)
    assert [row.account_manager for row in preview.rows[:2]] == [sanne, joris]
    assert preview.rows[2].problems == [
        "Account manager: nobody@testdorp.example is not a member of staff of your organisation."
    ]
    assert "not an active member of staff" in preview.rows[3].problems[0]
    import_rows(preview, org, NOW, coordinator)
    owners = db.session.scalars(select(Contact.account_manager_id).order_by(Contact.id)).all()
    assert owners == [sanne.id, joris.id]


def test_a_coordinator_without_a_default_must_name_the_account_manager(org, coordinator):
    preview = preview_import(with_account_managers(""), org, coordinator, None, NOW)
    assert preview.rows[0].problems == [
        "Account manager: Please choose the account manager of this contact."
    ]


def test_an_account_manager_imports_their_own_contacts_only(org, sanne, coordinator):
    data = with_account_managers("", "sanne@testdorp.example", "coord@testdorp.example")
    preview = preview_import(data, org, sanne, coordinator, NOW)  # the default is ignored
    assert [row.account_manager for row in preview.rows[:2]] == [sanne, sanne]
    assert preview.rows[2].problems == [
        "Account manager: You import your own contacts only; this row names coord@testdorp.example."
    ]


@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "empty"),
        (b"\r\n;;\r\n", "empty"),
        (csv_bytes([DUTCH]), "no contacts"),
        (b"PK\x03\x04rest of a workbook", "Excel workbook"),
        (b"x" * (MAX_BYTES + 1), "larger than 2 MB"),
        (csv_bytes([DUTCH] + [["a"] * 8] * (MAX_ROWS + 1)), f"more than {MAX_ROWS} rows"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(org, sanne, data, says):
    with pytest.raises(ImportFileError) as refused:
        preview_import(data, org, sanne, None, NOW)
    assert says in str(refused.value.args[0])


def test_a_file_of_the_maximum_size_is_accepted(org, sanne):
    rows = [["Bedrijf", "", "Naam", f"p{n}@x.example", "", "01-12-2026", "bezoek", ""]
            for n in range(MAX_ROWS)]  # fmt: skip
    preview = preview_import(csv_bytes([DUTCH] + rows), org, sanne, None, NOW)
    assert len(preview.importable) == MAX_ROWS


def test_a_row_with_a_too_long_value_has_a_problem_and_the_others_import(org, sanne):
    rows = [["Bedrijf " * 1250, "", "Piet", "piet@x.example", "", "01-12-2026", "bezoek", ""],
            ["Bakkerij", "", "Anna", "anna@x.example", "", "01-12-2026", "bezoek", ""]]  # fmt: skip
    preview = preview_import(csv_bytes([DUTCH] + rows), org, sanne, None, NOW)
    assert preview.rows[0].problems == [
        f"Company name: Use at most {LIMITS['company_name']} characters."
    ]
    assert [row.line for row in preview.importable] == [3]
