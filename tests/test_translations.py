"""Dutch is the default language: every user-facing string must have a Dutch translation.

The messages are extracted from the current sources (as `make extract-messages` does), so a
new English string without a Dutch translation fails here, not in front of an entrepreneur.
After changing strings: `make extract-messages`, translate the new entries in
survey/translations/nl/LC_MESSAGES/messages.po, then `make translations`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "survey" / "translations"
DUTCH_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
DUTCH_MO = DUTCH_PO.with_suffix(".mo")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
# The extractor for each method named in babel.cfg, spelled out so the test does not depend on
# which packages registered Babel entry points.
EXTRACTORS = {"python": "python", "jinja2": "jinja2.ext:babel_extract"}
PLACEHOLDER = re.compile(r"%\(([^)]*)\)")
HOW_TO_FIX = (
    "Run `make extract-messages`, translate these entries in "
    "survey/translations/nl/LC_MESSAGES/messages.po (no fuzzy entries), then `make translations`."
)


def _method_map() -> tuple[list[tuple[str, str]], dict]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, filename="babel.cfg")
    methods = {method for _, method in method_map}
    assert {"python", "jinja2"} <= methods, f"babel.cfg no longer maps python and jinja2: {methods}"
    method_map = [(pattern, EXTRACTORS.get(method, method)) for pattern, method in method_map]
    return method_map, options_map


def _extracted() -> dict[tuple[str | tuple[str, ...], str | None], list[str]]:
    """Every translatable message in survey/ and templates/, with where it is used."""
    method_map, options_map = _method_map()
    found: dict[tuple[str | tuple[str, ...], str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    messages = _extracted()
    files = {place.split(":")[0] for places in messages.values() for place in places}
    # A broken extraction (a wrong path or method) must not pass as "nothing to translate".
    assert any(f.startswith("survey") for f in files), "no messages extracted from survey/"
    assert any(f.startswith("templates") for f in files), "no messages extracted from templates/"
    return messages


@pytest.fixture(scope="module")
def dutch():
    with open(DUTCH_PO, "rb") as po:
        return read_po(po, locale="nl")


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _describe(message_id, places) -> str:
    singular = _forms(message_id)[0]
    return f"  {singular!r}  ({', '.join(places[:3])})"


def test_every_message_has_a_dutch_translation(extracted, dutch):
    missing = []
    for (message_id, context), places in sorted(extracted.items(), key=str):
        key = _forms(message_id)[0]
        entry = dutch.get(key, context)
        if (
            entry is None
            or entry.fuzzy
            or _forms(entry.id) != _forms(message_id)
            or not all(form.strip() for form in _forms(entry.string))
            or len(_forms(entry.string)) < len(_forms(message_id))
        ):
            missing.append(_describe(message_id, places))
    assert not missing, (
        f"{len(missing)} user-facing string(s) have no (or only a fuzzy) Dutch translation:\n"
        + "\n".join(missing)
        + f"\n{HOW_TO_FIX}"
    )


def test_dutch_translations_keep_the_placeholders(dutch):
    wrong = []
    for entry in dutch:
        if not entry.id or not any(_forms(entry.string)):
            continue
        ids, strings = _forms(entry.id), _forms(entry.string)
        for index, string in enumerate(strings):
            if not string:
                continue
            # Dutch has the English plural rule: form 0 is the singular, form 1 the plural.
            source = ids[min(index, len(ids) - 1)]
            expected, actual = set(PLACEHOLDER.findall(source)), set(PLACEHOLDER.findall(string))
            if expected != actual:
                wrong.append(
                    f"  {source!r} -> {string!r}: expects {sorted(expected)}, has {sorted(actual)}"
                )
    assert not wrong, "Dutch translations with different %(placeholders)s:\n" + "\n".join(wrong)


def test_the_compiled_dutch_catalogue_is_current(dutch):
    assert DUTCH_MO.exists(), (
        f"{DUTCH_MO.relative_to(ROOT)} is missing: run `make translations` to compile it."
    )
    with open(DUTCH_MO, "rb") as mo:
        compiled = read_mo(mo)
    stale = [
        f"  {_forms(entry.id)[0]!r}"
        for entry in dutch
        if entry.id
        and not entry.fuzzy
        and any(_forms(entry.string))
        and (
            compiled.get(_forms(entry.id)[0], entry.context) is None
            or _forms(compiled.get(_forms(entry.id)[0], entry.context).string)
            != _forms(entry.string)
        )
    ]
    assert not stale, (
        "The compiled catalogue is older than messages.po: run `make translations`.\n"
        + "\n".join(stale)
    )


def test_the_app_speaks_dutch_by_default_and_english_on_request(app):
    assert DUTCH_MO.exists(), (
        f"{DUTCH_MO.relative_to(ROOT)} is missing: run `make translations` to compile it."
    )
    from flask_babel import force_locale, gettext

    with app.test_request_context():
        with force_locale("nl"):
            assert gettext("Log in") == "Inloggen"
            assert gettext("%(point)s of %(top)s", point=3, top=10) == "3 van 10"
        with force_locale("en"):
            assert gettext("Log in") == "Log in"


def test_the_login_page_is_in_dutch_by_default(app, client):
    assert DUTCH_MO.exists(), (
        f"{DUTCH_MO.relative_to(ROOT)} is missing: run `make translations` to compile it."
    )
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "<h1>Inloggen</h1>" in page.text
    assert "Direct naar de inhoud" in page.text
