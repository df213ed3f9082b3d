"""How the bulk demo's respondents answer, so that the dashboards find something real.

Each respondent has one satisfaction. Every statement reflects it, some strongly (speed, keeping
agreements: the real drivers of the overall grade) and some weakly (reachability). Account
managers differ in their strengths, and an improvement action lifts a weak point from a given
month on, so a before/after comparison shows an effect.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from survey.demo.comments import CONTACT_REMARKS, Remarks
from survey.questionnaires.models import QuestionnaireVersion, QuestionType

# How strongly a statement reflects the respondent's satisfaction.
LOADINGS = {
    "speed": 0.8,
    "agreements": 0.75,
    "proactive": 0.6,
    "expertise": 0.55,
    "clarity": 0.5,
    "thinking_along": 0.45,
    "reachability": 0.25,
}
# How much a manager's strength in a statement moves the overall grade.
GRADE_WEIGHTS = {"speed": 0.35, "agreements": 0.3, "expertise": 0.15, "proactive": 0.1}
# Where a statement sits for an average manager (people rate expertise higher than speed).
LEVELS = {"expertise": 0.35, "reachability": 0.2, "clarity": 0.1, "speed": -0.15}
CUTS = (-2.0, -1.25, -0.4, 0.8)  # latent score -> 1..5 (mostly "agree")
SKIPPED = 0.08  # an optional statement that "does not fit my contact"


@dataclass(frozen=True)
class Asked:
    """A question of a version, with what the model needs to answer it."""

    id: int
    code: str
    type: QuestionType
    required: bool
    loading: float
    level: float
    noise: float
    options: tuple[str, ...] = ()  # the codes of a choice question's options


def questions_of(
    version: QuestionnaireVersion, loadings: dict = LOADINGS, levels: dict = LEVELS
) -> list[Asked]:
    asked = []
    for question in version.questions:
        loading = loadings.get(question.code, 0.4)
        options = question.options if isinstance(question.options, list) else []
        asked.append(
            Asked(
                question.id,
                question.code,
                question.type,
                question.required,
                loading,
                levels.get(question.code, 0.0),
                (1 - loading * loading) ** 0.5,
                tuple(option["code"] for option in options if isinstance(option, dict)),
            )
        )
    return asked


@dataclass(frozen=True)
class Improvement:
    """An improvement action: from `from_month` (index in the demo's months) on, `code` rises."""

    code: str
    from_month: int
    lift: float = 0.8


@dataclass
class Profile:
    """An account manager's strengths: how far each statement sits above or below average."""

    offsets: dict[str, float] = field(default_factory=dict)
    improvement: Improvement | None = None

    def in_month(self, month: int) -> dict[str, float]:
        lift = self.improvement
        if lift is None or month < lift.from_month:
            return self.offsets
        return {**self.offsets, lift.code: self.offsets.get(lift.code, 0.0) + lift.lift}


def profile_for(
    rng: random.Random,
    strengths: Iterable[str] = (),
    weakness: str | None = None,
    improvement: Improvement | None = None,
) -> Profile:
    offsets = {code: rng.gauss(0, 0.2) for code in LOADINGS}
    for code in strengths:
        offsets[code] += 0.5
    if weakness:
        offsets[weakness] -= 0.6
    return Profile(offsets, improvement)


def answers(
    questions: list[Asked], offsets: dict[str, float], english: bool, rng: random.Random
) -> list[tuple[int, int | None, str | None]]:
    """One response's answers as (question id, value, text)."""
    satisfaction = rng.gauss(0, 1)
    rows, latent = statements(questions, offsets, satisfaction, rng)
    grade_lift = sum(weight * offsets.get(code, 0.0) for code, weight in GRADE_WEIGHTS.items())
    mood = 0.85 * satisfaction + grade_lift + 0.5 * rng.gauss(0, 1)
    grade = min(10, max(1, round(7.3 + 1.2 * mood)))
    for question in questions:
        if question.type is QuestionType.SCALE10:
            rows.append((question.id, grade, None))
        elif question.type is QuestionType.NPS:
            likely = 7.6 + 1.8 * (0.85 * mood + 0.5 * rng.gauss(0, 1))
            rows.append((question.id, min(10, max(0, round(likely))), None))
        elif question.type is QuestionType.TEXT and rng.random() < (0.35 if grade <= 6 else 0.2):
            rows.append((question.id, None, comment(latent, grade, english, rng)))
    return rows


def statements(questions, offsets, satisfaction, rng):
    """The five-point statements' answers as rows, and each statement's latent score."""
    rows, latent = [], {}
    gauss = rng.gauss
    for question in questions:
        if question.type is not QuestionType.SCALE5:
            continue
        score = (
            question.level
            + question.loading * satisfaction
            + offsets.get(question.code, 0.0)
            + question.noise * gauss(0, 1)
        )
        latent[question.code] = score
        if question.required or rng.random() >= SKIPPED:
            rows.append((question.id, 1 + bisect_right(CUTS, score), None))
    return rows, latent


def comment(
    latent: dict[str, float],
    grade: int,
    english: bool,
    rng: random.Random,
    remarks: Remarks = CONTACT_REMARKS,
) -> str:
    """A remark: praise for what went best, or a complaint about what went worst."""
    if english:
        return rng.choice(remarks.english)
    if not latent or (grade >= 8 and rng.random() < 0.3):
        return rng.choice(remarks.general)
    if grade >= 8:
        return rng.choice(remarks.praise.get(max(latent, key=latent.get), remarks.general))
    return rng.choice(remarks.complaints.get(min(latent, key=latent.get), remarks.general))
