"""The one guard against formula injection, for every file written for a spreadsheet."""

from __future__ import annotations

import pytest

from survey.spreadsheets import FORMULA_STARTS, neutralised

# OWASP's list of the characters with which a spreadsheet starts a formula.
OWASP_FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def test_the_list_is_owasps():
    assert sorted(FORMULA_STARTS) == sorted(OWASP_FORMULA_STARTS)


@pytest.mark.parametrize("start", OWASP_FORMULA_STARTS)
def test_a_cell_starting_like_a_formula_gets_a_leading_apostrophe(start):
    assert neutralised(f'{start}HYPERLINK("http://x.example")') == (
        f'\'{start}HYPERLINK("http://x.example")'
    )


@pytest.mark.parametrize(
    "text", ["Gewoon = goed", "3-0 gewonnen", "info@bakkerij.example", "'al tekst", ""]
)
def test_other_text_stays_as_it_is(text):
    assert neutralised(text) == text


@pytest.mark.parametrize("hidden", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f"])
def test_a_control_character_cannot_hide_a_formula(hidden):
    # XLSX cannot hold these characters: they are taken out, and then "=1+1" is what remains.
    assert neutralised(f"{hidden}=1+1") == "'=1+1"
    assert neutralised(f"Goed{hidden}") == "Goed"


def test_line_breaks_and_tabs_inside_the_text_are_kept():
    assert neutralised("Regel een\r\nregel\ttwee") == "Regel een\r\nregel\ttwee"
