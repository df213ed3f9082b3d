"""Which column of an imported list holds which value.

CRMs and spreadsheets name their columns in many ways: "Datum contact", "Contact date
(dd-mm-jjjj)", "E-mailadres contactpersoon", "Account Name", "First Name" and "Last Name".
Headers are compared as words without case, accents or punctuation; a header holds a value
when a known name is the whole header (a sure match) or a run of its words (a likely match).
Each header goes to at most one value, by the first rule that matches it; when two columns
are equally likely for one value, neither is taken and the person chooses. What a person
chose is remembered per organisation, keyed by the kind of list and its set of headers.

Each kind of list names its values, their labels and the rules in a ColumnSet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Organisation, User
from survey.extensions import db
from survey.imports.models import ColumnMapping

PART = "part"  # the rules' mark for part of a person's name
IGNORED = None  # the rules' mark for headers that look like a value but are something else
NAME_PARTS = ("voornaam", "first name", "firstname", "roepnaam", "voorletters", "tussenvoegsel",
              "tussenvoegsels", "middle name", "achternaam", "last name", "lastname", "surname",
              "family name")  # fmt: skip
MAX_COLUMNS = 200
RUN_WORDS = 8  # a header is a few words; a longer one is compared by its first eight
FIRST_VALUES = 3  # shown beside each column when the person chooses

Rules = tuple[tuple[str | None, tuple[str, ...]], ...]


def header_words(name: str) -> list[str]:
    """A header as plain words: no case, accents, punctuation or remarks in brackets.

    A dash, dot or apostrophe inside a word joins it ("E-mail" is "email"), so that the
    compact and the spelled-out forms meet.
    """
    text = unicodedata.normalize("NFKD", name.lstrip("\ufeff"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)  # "(dd-mm-jjjj)"
    text = re.sub(r"(?<=\w)[-.'’](?=\w)", "", text)
    return re.findall(r"[a-z0-9]+", text.replace("_", " "))


def normalised(name: str) -> str:
    return " ".join(header_words(name))


def _runs(words: list[str]) -> set[str]:
    """Every run of consecutive words, written together: "contact", "date", "contactdate"."""
    words = words[:RUN_WORDS]
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def shown(text: str, length: int = 60) -> str:
    """A header or cell as a message shows it: on one line, a long one cut short."""
    text = " ".join(text.lstrip("\ufeff").split())
    return text if len(text) <= length else text[: length - 1] + "…"


class ColumnChoiceError(ValueError):
    """The columns chosen cannot be used; `problems` says why, per value."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True, eq=False)
class ColumnSet:
    """The values one kind of list holds, and the names its columns go by.

    `rules` are tried in order, the first that matches a header wins, so that "Contact date"
    is a date before "contact" is a person. The value `joined` may take several columns that
    together make it (first name and last name), and is made of the PART columns when no
    column holds it whole.
    """

    # Keys the remembered choices apart from another kind's. The contacts' is empty, so that
    # the choices remembered before there were other kinds keep their keys.
    kind: str
    labels: Mapping[str, object]  # value -> its label, in the order the values are offered
    required: tuple[str, ...]
    rules: Rules
    joined: str | None = None
    more_examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @cached_property
    def _compact_rules(self) -> tuple[tuple[str | None, set[str]], ...]:
        return tuple(
            (value, {name.replace(" ", "") for name in names}) for value, names in self.rules
        )

    @property
    def example_names(self) -> dict[str, tuple[str, ...]]:
        """The names the upload page shows as examples, per value."""
        examples = {value: names[:8] for value, names in self.rules if value not in (IGNORED, PART)}
        for value, names in self.more_examples.items():
            examples[value] += names
        return examples

    def explained(self) -> list[tuple[object, tuple[str, ...], bool]]:
        """Per value its label, the names it is recognised by, and whether it is required."""
        return [
            (self.labels[value], names, value in self.required)
            for value, names in self.example_names.items()
        ]

    def recognise(self, name: str) -> tuple[str | None, bool]:
        """The value a header holds by the rules (None for none), and whether it is sure."""
        words = header_words(name)
        whole, runs = "".join(words), _runs(words)
        for value, names in self._compact_rules:
            if names & runs:
                return value, whole in names
        return None, False

    def is_header(self, record: list[str]) -> bool:
        """Whether the list's first line names its columns; a kind that can tell a line of
        values from a header (by an email address, say) may read a list without one."""
        return True

    def read_values(self, reading: HeaderReading, body: list[list[str]]) -> HeaderReading:
        """The columns of a list without a header, told by their values (see `is_header`)."""
        return reading

    def read_header(self, header: list[str]) -> HeaderReading:
        """Read the header by the rules. Parts of a name make the joined value when no column
        holds it whole."""
        reading = HeaderReading(header, self)
        candidates: dict[str | None, list[tuple[int, bool]]] = {}
        for index, name in enumerate(header):
            value, sure = self.recognise(name)
            candidates.setdefault(value, []).append((index, sure))
        for value in self.values:
            if value not in candidates:
                continue
            chosen, ambiguous = _pick(candidates[value])
            if ambiguous:
                reading.ambiguous[value] = tuple(index for index, _ in candidates[value])
            else:
                reading.columns[value] = chosen
        if self.joined and self.joined not in reading.columns and PART in candidates:
            reading.ambiguous.pop(self.joined, None)
            reading.columns[self.joined] = tuple(index for index, _ in candidates[PART])
        return reading

    def chosen_columns(self, header: list[str], choices: list[str]) -> HeaderReading:
        """The reading a person chose: per column a value or "" (ignored). Every required value
        needs a column; only the joined value may take several (first name, last name)."""
        if len(choices) != len(header) or any(c and c not in self.labels for c in choices):
            raise ColumnChoiceError({"": str(_l("The columns chosen do not fit the file."))})
        reading = HeaderReading(header, self)
        for index, value in enumerate(choices):
            if value:
                reading.columns[value] = reading.columns.get(value, ()) + (index,)
        problems = {}
        for value, indexes in reading.columns.items():
            if len(indexes) > 1 and value != self.joined:
                problems[value] = _l(
                    "The columns %(columns)s are all chosen for %(what)s; choose one of them.",
                    columns=reading.named(indexes),
                    what=self.labels[value],
                )
        for value in reading.missing:
            problems[value] = _l("Choose the column that holds: %(what)s.", what=self.labels[value])
        if problems:
            raise ColumnChoiceError({value: str(message) for value, message in problems.items()})
        return reading

    # --- remembered choices ----------------------------------------------------------------

    def header_key(self, header: list[str]) -> str:
        """The kind and the set of headers, as words, in a fixed-length key: same CRM, same key."""
        names = sorted({normalised(name) for name in header})
        lines = [f"kind:{self.kind}", *names] if self.kind else names
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    def remembered_mapping(
        self, organisation: Organisation, header: list[str]
    ) -> ColumnMapping | None:
        return db.session.scalar(
            select(ColumnMapping).where(
                ColumnMapping.organisation_id == organisation.id,
                ColumnMapping.header_key == self.header_key(header),
            )
        )

    def remembered_reading(self, mapping: ColumnMapping, header: list[str]) -> HeaderReading | None:
        """The remembered choice applied to this file's order of columns; None if it no longer
        fits."""
        choices = [mapping.columns.get(normalised(name), "") for name in header]
        try:
            return self.chosen_columns(header, choices)
        except ColumnChoiceError:
            return None


def _pick(candidates: list[tuple[int, bool]]) -> tuple[tuple[int, ...], bool]:
    """The column for one value, and whether the choice is ambiguous."""
    sure = tuple(index for index, is_sure in candidates if is_sure)
    likely = sure or tuple(index for index, _ in candidates)
    return likely[:1], len(likely) > 1


@dataclass
class HeaderReading:
    """How the columns of a list are read: which value each holds, and what is unclear.

    A list without a header line has an empty name for each column."""

    header: list[str]
    column_set: ColumnSet
    columns: dict[str, tuple[int, ...]] = field(default_factory=dict)
    ambiguous: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [value for value in self.column_set.required if value not in self.columns]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.ambiguous

    @property
    def headerless(self) -> bool:
        return not any(name.strip() for name in self.header)

    def choices(self) -> list[str]:
        """Per column the value it holds, or "" when it is ignored: the mapping form's start."""
        chosen = [""] * len(self.header)
        for value, indexes in self.columns.items():
            for index in indexes:
                chosen[index] = value
        return chosen

    def name_of(self, index: int) -> str:
        """The column's header as shown; "column 2" in a list without a header."""
        return shown(self.header[index]) or str(_l("column %(number)s", number=index + 1))

    def named(self, indexes: tuple[int, ...]) -> str:
        return ", ".join(self.name_of(index) for index in indexes)

    def label_of(self, value: str) -> str:
        return str(self.column_set.labels[value])


def remember_mapping(
    organisation: Organisation, reading: HeaderReading, now: datetime, user: User
) -> None:
    """Keep the person's choice for the next list with these headers; flushed, not committed.

    A header that names two columns alike cannot be told apart next time, and a list without a
    header has nothing to recognise it by: neither is remembered.
    """
    names = [normalised(name) for name in reading.header]
    if reading.headerless or len(set(names)) != len(names):
        return
    columns = {name: value for name, value in zip(names, reading.choices(), strict=True) if value}
    column_set = reading.column_set
    mapping = column_set.remembered_mapping(organisation, reading.header)
    if mapping is not None:
        mapping.columns, mapping.saved_at, mapping.saved_by_id = columns, now, user.id
        db.session.flush()
        return
    try:
        with db.session.begin_nested():  # someone else may save the same headers at this moment
            db.session.add(
                ColumnMapping(
                    organisation_id=organisation.id,
                    header_key=column_set.header_key(names),
                    columns=columns,
                    saved_at=now,
                    saved_by_id=user.id,
                )
            )
    except IntegrityError:
        pass  # theirs is kept; the import itself goes on
