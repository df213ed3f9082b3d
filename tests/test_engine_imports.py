"""The engine knows no kind of occasion: the survey page, the outbox and the analysis read the
dimensions recorded on the invitation and the response, never a contact or an event."""

import ast
from pathlib import Path

import pytest

SURVEY = Path(__file__).resolve().parent.parent / "survey"
ENGINE = ("responding", "outbox", "analysis")
OCCASIONS = ("survey.contacts", "survey.events")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or ""
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


@pytest.mark.parametrize("layer", ENGINE)
def test_the_engine_imports_nothing_from_an_occasion_package(layer):
    found = [
        f"{path.relative_to(SURVEY.parent)}:{line} imports {module}"
        for path in sorted((SURVEY / layer).rglob("*.py"))
        for line, module in _imports(path)
        if module == "survey" or module.startswith(tuple(f"{o}." for o in OCCASIONS) + OCCASIONS)
    ]
    assert found == []
