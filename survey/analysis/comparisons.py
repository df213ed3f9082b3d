"""Groups side by side on the same questions: account managers, the sessions of a series, and
speakers (each speaker's sessions pooled). The minimum group size holds per group, as in
report.py, whose per-question figures these are."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.analysis import aggregates
from survey.analysis.population import Population
from survey.analysis.report import QuestionResult, question_results


@dataclass(frozen=True)
class GroupFigures:
    """One group's rated figures (an account manager's, a session's, a speaker's), by code."""

    key: int | str
    name: str
    responses: int
    results: dict[str, QuestionResult]

    def shown(self, min_group_size: int) -> bool:
        return self.responses >= min_group_size


def _rated_by_code(questions, counts, min_group_size, locale) -> dict[str, QuestionResult]:
    results = question_results(questions, counts, {}, min_group_size, locale)
    return {r.code: r for r in results if r.type.is_rated}


def compare_managers(
    session: Session,
    population: Population,
    managers: dict[int, str],
    min_group_size: int,
    locale: str,
) -> list[GroupFigures]:
    """Each account manager's rated figures side by side, in the order of `managers`."""
    questions = aggregates.question_set(session, population)
    responses = aggregates.responses_by(session, population, "account_manager_id")
    ratings = aggregates.rating_counts(
        session, population, questions.code_of, by=aggregates.BY_MANAGER
    )
    return [
        GroupFigures(
            manager_id,
            name,
            responses.get(manager_id, 0),
            _rated_by_code(questions, ratings.get(manager_id, {}), min_group_size, locale),
        )
        for manager_id, name in managers.items()
    ]


@dataclass(frozen=True)
class SessionComparison:
    sessions: list[GroupFigures]  # in the order given: over time
    speakers: list[GroupFigures]  # each speaker's sessions pooled


def compare_sessions(
    session: Session,
    population: Population,
    sessions: dict[int, str],
    speakers: dict[str, tuple[int, ...]],
    min_group_size: int,
    locale: str,
) -> SessionComparison:
    """Each event's rated figures side by side (`sessions`: event id -> label), and each
    speaker's over the events they spoke at (`speakers`: name -> event ids), pooled.

    Three queries whatever the number of sessions: the pooling is done on the counts.
    """
    questions = aggregates.question_set(session, population)
    responses = aggregates.responses_by(session, population, "event_id")
    ratings = aggregates.rating_counts(
        session, population, questions.code_of, by=aggregates.BY_EVENT
    )
    columns = [
        GroupFigures(
            event_id,
            label,
            responses.get(event_id, 0),
            _rated_by_code(questions, ratings.get(event_id, {}), min_group_size, locale),
        )
        for event_id, label in sessions.items()
    ]
    pooled = []
    for name, event_ids in speakers.items():
        counts = _pooled([ratings.get(event_id, {}) for event_id in event_ids])
        total = sum(responses.get(event_id, 0) for event_id in event_ids)
        figures = _rated_by_code(questions, counts, min_group_size, locale)
        pooled.append(GroupFigures(name, name, total, figures))
    return SessionComparison(columns, pooled)


def _pooled(groups: list[dict]) -> dict:
    """{code: {value: answers}} of several groups added up."""
    total: dict = {}
    for group in groups:
        for code, counts in group.items():
            merged = total.setdefault(code, {})
            for value, answers in counts.items():
                merged[value] = merged.get(value, 0) + answers
    return total
