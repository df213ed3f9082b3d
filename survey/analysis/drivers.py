"""Strengths and priorities by importance–performance analysis.

Importance is a question's correlation with the overall-satisfaction item over the respondents
who answered both; performance is its mean. The quadrants cross at the averages of both, so a
strength is important and high, a priority important and low.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from survey.analysis.aggregates import DriverSums
from survey.analysis.statistics import pearson_from_sums
from survey.questionnaires.models import QuestionType

TOP = 3  # how many strengths and priorities the page names


class Quadrant(StrEnum):
    STRENGTH = "strengths"  # important, high
    PRIORITY = "priorities"  # important, low
    MAINTAIN = "maintain"  # less important, high
    LESS_IMPORTANT = "less_important"  # less important, low


@dataclass(frozen=True)
class Driver:
    code: str
    text: str
    importance: float  # Pearson r with the overall item
    performance: float  # the mean answer
    pairs: int
    quadrant: Quadrant


@dataclass(frozen=True)
class DriverAnalysis:
    drivers: list[Driver]
    mean_importance: float
    mean_performance: float

    @property
    def strengths(self) -> list[Driver]:
        return self._top(Quadrant.STRENGTH)

    @property
    def priorities(self) -> list[Driver]:
        return self._top(Quadrant.PRIORITY)

    def _top(self, quadrant: Quadrant) -> list[Driver]:
        chosen = [driver for driver in self.drivers if driver.quadrant is quadrant]
        return sorted(chosen, key=lambda driver: -driver.importance)[:TOP]


def driver_analysis(results, sums: Mapping[str, DriverSums], min_group_size: int):
    """The analysis over the rated questions that may be shown; None with fewer than three.

    The overall item itself and NPS (an outcome, like the overall item) are not drivers.
    """
    candidates = []
    for result in results:
        if not _is_driver(result):
            continue
        pair_sums = sums.get(result.code)
        if pair_sums is None or pair_sums.pairs < min_group_size:
            continue
        r = pearson_from_sums(*pair_sums.astuple())
        if r is not None:
            candidates.append((result, r, pair_sums.pairs))
    if len(candidates) < 3:
        return None
    mean_importance = sum(r for _, r, _ in candidates) / len(candidates)
    mean_performance = sum(result.mean for result, _, _ in candidates) / len(candidates)
    drivers = [
        Driver(
            result.code,
            result.text,
            r,
            result.mean,
            pairs,
            _quadrant(r >= mean_importance, result.mean >= mean_performance),
        )
        for result, r, pairs in candidates
    ]
    return DriverAnalysis(drivers, mean_importance, mean_performance)


def _is_driver(result) -> bool:
    return (
        result.shown
        and result.type.is_rated
        and result.type is not QuestionType.NPS
        and not result.is_overall
    )


def _quadrant(important: bool, high: bool) -> Quadrant:
    if important:
        return Quadrant.STRENGTH if high else Quadrant.PRIORITY
    return Quadrant.MAINTAIN if high else Quadrant.LESS_IMPORTANT
