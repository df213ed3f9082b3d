"""The export of responses: one row per response, one column per question code, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from survey.analysis.export import csv_chunks, export_filename, xlsx_chunks, xlsx_file
from survey.analysis.population import Population, version_ids
from survey.contacts.models import Channel
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.catalogue import load_definition
from survey.questionnaires.models import Purpose, QuestionType
from survey.responding.models import Answer, Response
from survey.spreadsheets import FORMULA_STARTS
from tests import factories

ZONE = "Europe/Amsterdam"
FIXED = [
    "Response number",
    "Submitted at",
    "Month",
    "Questionnaire version",
    "Account manager",
    "Channel",
    "Company",
    "KvK or KBO number",
    "Language",
]
TOPICS = [{"code": code, "label": {"nl": code, "en": code}} for code in ("permits", "staff", "tax")]
HEARD = [{"code": code, "label": {"nl": code, "en": code}} for code in ("email", "friend")]


def _question(code: str, type_: QuestionType, options=None) -> dict:
    return {
        "code": code,
        "theme": "t",
        "type": type_,
        "text": {"nl": f"Vraag {code}", "en": f"Question {code}"},
        "options": options or [],
        "required": False,
    }


VERSION_1 = [
    _question("speed", QuestionType.SCALE5),
    _question("overall", QuestionType.SCALE10),
    _question("heard_via", QuestionType.CHOICE, HEARD),
    _question("topics", QuestionType.MULTI, TOPICS),
    _question("improve", QuestionType.TEXT),
    _question("old_only", QuestionType.SCALE5),
]
# Version 2 reorders, drops `old_only` and adds `recommend`.
VERSION_2 = [
    _question("overall", QuestionType.SCALE10),
    _question("speed", QuestionType.SCALE5),
    _question("topics", QuestionType.MULTI, TOPICS),
    _question("heard_via", QuestionType.CHOICE, HEARD),
    _question("improve", QuestionType.TEXT),
    _question("recommend", QuestionType.NPS),
]
CODES = ["overall", "speed", "topics", "heard_via", "improve", "recommend", "old_only"]


def _definition(questions: list[dict]) -> dict:
    return {
        "key": "export-test",
        "purpose": Purpose.CONTACT,
        "title": {"nl": "Test", "en": "Test"},
        "intro": {"nl": "", "en": ""},
        "questions": questions,
    }


def _at(month: int, day: int = 10, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def survey(ctx):
    """A questionnaire of every question type in two versions, in organisation A."""
    org = factories.organisation(timezone=ZONE)
    questionnaire = load_definition(_definition(VERSION_1), organisation_id=org.id)
    first = questionnaire.latest_version
    second = load_definition(_definition(VERSION_2), organisation_id=org.id).latest_version
    return {"org": org, "questionnaire": questionnaire, "v1": first, "v2": second}


def _population(survey, **filters) -> Population:
    return Population(survey["org"].id, version_ids(db.session, survey["questionnaire"]), **filters)


def _csv(population: Population, locale: str = "en") -> list[list[str]]:
    text = "".join(csv_chunks(db.session, population, locale, ZONE))
    assert text.startswith("\ufeff"), "the BOM makes Excel read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def _by_number(rows: list[list]) -> dict:
    """Data rows by response number, as {column header: cell}."""
    header, *data = rows
    return {int(row[0]): dict(zip(header, row, strict=True)) for row in data}


def _respond(org, manager, version, answers: dict, at: datetime, channel=Channel.VISIT):
    made = factories.response(
        org, manager, answers, submitted_at=at, version=version, channel=channel
    )
    made.invitation.contact.company_name = "Bakkerij Van Dam"
    made.invitation.contact.registry_number = "12345678"
    db.session.flush()
    return made


def test_a_response_is_one_row_with_a_column_per_question_code(survey):
    manager = factories.user(survey["org"], name="Sanne de Boer")
    answers = {
        "speed": 4,
        "overall": 8,
        "heard_via": "friend",
        "topics": ["permits", "tax"],
        "improve": "Sneller terugbellen, graag.",
        "recommend": 9,
    }
    made = _respond(survey["org"], manager, survey["v2"], answers, _at(3, hour=23, day=31))

    header, row = _csv(_population(survey))

    assert header == FIXED + CODES
    assert row == [
        str(made.id),
        "2026-04-01 01:00",  # 23:00 UTC on 31 March is past midnight in Amsterdam (summer time)
        "2026-04",
        "2",
        "Sanne de Boer",
        "visit",
        "Bakkerij Van Dam",
        "12345678",
        "nl",
        "8",
        "4",
        "permits;tax",
        "friend",
        "Sneller terugbellen, graag.",
        "9",
        "",
    ]


def test_skipped_questions_are_empty_cells(survey):
    manager = factories.user(survey["org"])
    made = _respond(survey["org"], manager, survey["v2"], {"overall": 6}, _at(3))
    row = _by_number(_csv(_population(survey)))[made.id]
    assert row["overall"] == "6"
    assert [row[code] for code in CODES if code != "overall"] == [""] * 6


def test_two_versions_are_merged_by_question_code(survey):
    manager = factories.user(survey["org"])
    old = _respond(
        survey["org"], manager, survey["v1"], {"speed": 2, "old_only": 3, "overall": 5}, _at(2)
    )
    new = _respond(
        survey["org"], manager, survey["v2"], {"speed": 5, "recommend": 10, "overall": 9}, _at(3)
    )

    rows = _by_number(_csv(_population(survey)))

    assert list(rows) == [old.id, new.id]  # oldest response first
    assert {k: rows[old.id][k] for k in ("Questionnaire version", "speed", "overall")} == {
        "Questionnaire version": "1",
        "speed": "2",
        "overall": "5",
    }
    assert (rows[old.id]["old_only"], rows[old.id]["recommend"]) == ("3", "")
    assert (rows[new.id]["old_only"], rows[new.id]["recommend"]) == ("", "10")


def test_the_filters_of_the_population_are_respected(survey):
    org = survey["org"]
    sanne, joris = factories.user(org), factories.user(org)
    in_march = _respond(org, sanne, survey["v2"], {"overall": 8}, _at(3))
    phoned = _respond(org, sanne, survey["v2"], {"overall": 7}, _at(3), channel=Channel.PHONE)
    in_may = _respond(org, sanne, survey["v2"], {"overall": 6}, _at(5))
    by_joris = _respond(org, joris, survey["v2"], {"overall": 5}, _at(3))

    def exported(**filters) -> list[int]:
        return list(_by_number(_csv(_population(survey, **filters))))

    assert exported() == [in_march.id, phoned.id, in_may.id, by_joris.id]
    assert exported(account_manager_ids=(joris.id,)) == [by_joris.id]
    assert exported(channel="phone") == [phoned.id]
    assert exported(first_month=date(2026, 4, 1)) == [in_may.id]
    assert exported(last_month=date(2026, 3, 1), account_manager_ids=(sanne.id,)) == [
        in_march.id,
        phoned.id,
    ]


def test_another_organisations_responses_never_appear(survey):
    ours = _respond(
        survey["org"], factories.user(survey["org"]), survey["v2"], {"overall": 8}, _at(3)
    )
    # The other organisation answers the very same questionnaire version.
    other = factories.organisation()
    _respond(other, factories.user(other), survey["v2"], {"improve": "Geheim"}, _at(3))

    rows = _csv(_population(survey))

    assert list(_by_number(rows)) == [ours.id]
    assert "Geheim" not in str(rows)


def test_cells_that_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(survey):
    manager = factories.user(survey["org"], name="@Evil")
    made = _respond(
        survey["org"], manager, survey["v2"], {"improve": '=HYPERLINK("http://x.example")'}, _at(3)
    )
    made.invitation.contact.company_name = "+31 Bouw"
    db.session.flush()
    others = {"-1+2": "'-1+2", "\tTab": "'\tTab", "Gewoon = goed": "Gewoon = goed"}
    more = [
        _respond(survey["org"], manager, survey["v2"], {"improve": text}, _at(4)) for text in others
    ]

    rows = _by_number(_csv(_population(survey)))

    assert rows[made.id]["improve"] == '\'=HYPERLINK("http://x.example")'
    assert rows[made.id]["Company"] == "'+31 Bouw"
    assert rows[made.id]["Account manager"] == "'@Evil"
    assert [rows[m.id]["improve"] for m in more] == list(others.values())


def test_every_formula_start_is_neutralised_in_the_csv_and_the_xlsx(survey):
    manager = factories.user(survey["org"])
    texts = [f"{start}1+1" for start in FORMULA_STARTS] + ["\x01=1+1"]  # a hidden start too
    made = [
        _respond(survey["org"], manager, survey["v2"], {"improve": text}, _at(3)) for text in texts
    ]
    expected = {m.id: "'" + text.lstrip("\x01") for m, text in zip(made, texts, strict=True)}

    rows = _by_number(_csv(_population(survey)))
    with xlsx_file(db.session, _population(survey), "en", ZONE) as file:
        sheet = load_workbook(file).active
        header = [cell.value for cell in sheet[1]]
        cells = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]

    assert {number: row["improve"] for number, row in rows.items()} == expected
    assert {c["Response number"].value: c["improve"].value for c in cells} == expected
    assert all(c["improve"].data_type == "s" for c in cells)  # text, not a formula


def test_the_fixed_headers_are_in_the_users_language(survey):
    header, *_ = _csv(_population(survey), locale="nl")
    assert header[4:7] == ["Accountmanager", "Kanaal", "Bedrijf"]
    assert header[9:] == CODES  # question columns are codes in every language


def test_an_export_without_responses_is_only_the_header(survey):
    assert _csv(_population(survey)) == [FIXED + CODES]
    with xlsx_file(db.session, _population(survey), "en", ZONE) as file:
        sheet = load_workbook(file).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [FIXED + CODES]


def test_the_xlsx_holds_the_same_cells_with_numbers_as_numbers(survey):
    manager = factories.user(survey["org"], name="Sanne de Boer")
    answers = {"speed": 4, "topics": ["staff"], "improve": "=1+1", "recommend": 0}
    made = _respond(survey["org"], manager, survey["v2"], answers, _at(3, hour=9))
    skipped = _respond(survey["org"], manager, survey["v1"], {"old_only": 1}, _at(3, hour=10))
    population = _population(survey)

    with xlsx_file(db.session, population, "en", ZONE) as file:
        sheet = load_workbook(file, read_only=True).active
        # Write-only sheets record no dimensions: read as wide as the header.
        rows = sheet.iter_rows(values_only=True, max_col=len(FIXED + CODES))
        header, *data = [list(row) for row in rows]
        bold = [cell.font.b for cell in next(sheet.iter_rows())]

    assert header == FIXED + CODES and all(bold)
    assert data[0] == [
        made.id,
        datetime(2026, 3, 10, 10, 0),  # local time, as a spreadsheet date
        "2026-03",
        2,
        "Sanne de Boer",
        "visit",
        "Bakkerij Van Dam",
        "12345678",
        "nl",
        None,
        4,
        "staff",
        None,
        "'=1+1",
        0,
        None,
    ]
    assert data[1][0] == skipped.id and data[1][3] == 1 and data[1][-1] == 1
    assert [_as_csv_text(cell) for cell in data[0]] == _csv(population)[1]


def _as_csv_text(cell) -> str:
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M}"
    return "" if cell is None else str(cell)


def test_the_xlsx_streams_as_byte_chunks_of_one_workbook(survey):
    manager = factories.user(survey["org"])
    _respond(survey["org"], manager, survey["v2"], {"overall": 8}, _at(3))
    whole = b"".join(xlsx_chunks(db.session, _population(survey), "en", ZONE))
    sheet = load_workbook(io.BytesIO(whole), read_only=True).active
    assert len(list(sheet.iter_rows())) == 2


def _bulk_responses(org, version, count: int) -> None:
    """`count` responses with an answer each, inserted in bulk (no tallies: not needed here)."""
    manager = factories.user(org)
    question = next(q for q in version.questions if q.code == "overall")
    invitation_ids = db.session.scalars(
        insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
        [
            {
                "organisation_id": org.id,
                "questionnaire_version_id": version.id,
                "sender_id": manager.id,
                "recipient_email": f"r{n}@example.org",
                "state": InvitationState.ANSWERED,
            }
            for n in range(count)
        ],
    ).all()
    start = _at(3)
    response_ids = db.session.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "invitation_id": invitation_id,
                "organisation_id": org.id,
                "questionnaire_version_id": version.id,
                "submitted_at": start + timedelta(minutes=n),
                "locale": "nl",
                "account_manager_id": manager.id,
                "month": date(2026, 3, 1),
            }
            for n, invitation_id in enumerate(invitation_ids)
        ],
    ).all()
    db.session.execute(
        insert(Answer),
        [{"response_id": r, "question_id": question.id, "value": 7} for r in response_ids],
    )


def test_a_large_csv_export_comes_in_chunks_of_a_thousand_rows(survey):
    _bulk_responses(survey["org"], survey["v2"], 5000)
    chunks = csv_chunks(db.session, _population(survey), "en", ZONE)

    header = next(chunks)
    first = next(chunks)  # arrives while the rest is still unread
    rest = list(chunks)

    assert header.count("\r\n") == 1
    assert first.count("\r\n") == 1000
    assert len(rest) == 4 and all(chunk.count("\r\n") == 1000 for chunk in rest)
    rows = list(csv.reader(io.StringIO(first + "".join(rest))))
    assert len(rows) == 5000 and {row[9] for row in rows} == {"7"}


def test_the_file_name_says_whose_export_and_when(survey):
    now = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    population = _population(survey)
    assert export_filename("demodam", population, "csv", now) == "spiegel-demodam-2026-11-23.csv"
    months = _population(survey, first_month=date(2026, 1, 1), last_month=date(2026, 6, 1))
    assert (
        export_filename("demodam", months, "xlsx", now)
        == "spiegel-demodam-2026-01_2026-06-2026-11-23.xlsx"
    )
