"""Whether an improvement action moved its questions: before against after in equal windows of
whole months, and against circle members without a similar action in the same months
(difference-in-differences), so that a rise every municipality saw is not credited to the action.

Everything is read from the tallies, a question by its code across questionnaires and versions,
contact surveys only (an action aims at the contact with the municipality). A figure resting on
fewer answers than the minimum group size is withheld, and a comparison group of fewer than
three members is not shown, as every group figure of a circle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from babel.numbers import format_decimal
from flask_babel import gettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from survey.analysis.models import RatingTally
from survey.analysis.periods import add_months
from survey.analysis.statistics import (
    Interval,
    Summary,
    WelchTest,
    summarise,
    t_cdf,
    t_quantile,
    welch_test,
)
from survey.invitations.dimensions import OccasionKind
from survey.questionnaires.models import Question

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05
MIN_COMPARISON_MEMBERS = 3
DEFAULT_WINDOW = 6
LONGEST_WINDOW = 12


@dataclass(frozen=True)
class Windows:
    """`months` whole months before the start month, and as many from it on."""

    start: date  # the first day of the action's start month: the first month "after"
    months: int = DEFAULT_WINDOW

    @property
    def first(self) -> date:
        return add_months(self.start, -self.months)

    @property
    def before_last(self) -> date:
        return add_months(self.start, -1)

    @property
    def last(self) -> date:
        return add_months(self.start, self.months - 1)

    def contains(self, month: date) -> bool:
        return self.first <= month <= self.last


@dataclass(frozen=True)
class Member:
    """An organisation as the measurement needs it: whose answers, and from how many on."""

    organisation_id: int
    min_group_size: int


@dataclass(frozen=True)
class Comparison:
    """The members without a similar action, pooled, in the same months; `test` is the
    difference-in-differences (own change minus theirs)."""

    members: int
    shown: bool
    before: Summary | None = None
    after: Summary | None = None
    test: WelchTest | None = None

    @property
    def change(self) -> float | None:
        if not self.shown:
            return None
        return self.after.mean - self.before.mean


@dataclass(frozen=True)
class Effect:
    code: str
    before: Summary
    after: Summary
    shown: bool
    test: WelchTest | None = None
    comparison: Comparison | None = None

    @property
    def change(self) -> float | None:
        return self.test.difference if self.test else None

    @property
    def proven(self) -> bool:
        """A rise larger than chance: before against after (the circle aside)."""
        return bool(self.shown and _significant(self.test) and self.test.difference > 0)


def window_counts(
    session: Session,
    organisation_ids: Iterable[int],
    codes: Iterable[str],
    windows: Windows,
    account_manager_ids: Sequence[int] = (),
) -> dict:
    """{organisation id: {code: {after (bool): {value: answers}}}}, in one GROUP BY."""
    organisation_ids, codes = list(organisation_ids), list(codes)
    if not organisation_ids or not codes:
        return {}
    after = case((RatingTally.month >= windows.start, True), else_=False)
    statement = (
        select(
            RatingTally.organisation_id,
            Question.code,
            after,
            RatingTally.value,
            func.sum(RatingTally.answers),
        )
        .join(Question, Question.id == RatingTally.question_id)
        .where(
            RatingTally.organisation_id.in_(organisation_ids),
            Question.code.in_(codes),
            RatingTally.occasion_kind == OccasionKind.CONTACT.value,
            RatingTally.month >= windows.first,
            RatingTally.month <= windows.last,
        )
        .group_by(RatingTally.organisation_id, Question.code, after, RatingTally.value)
    )
    if account_manager_ids:
        statement = statement.where(RatingTally.account_manager_id.in_(account_manager_ids))
    counts: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))
    for organisation_id, code, is_after, value, answers in session.execute(statement):
        counts[organisation_id][code][bool(is_after)][value] += int(answers)
    return counts


def measure(
    session: Session,
    own: Member,
    codes: Sequence[str],
    windows: Windows,
    others: Mapping[str, Sequence[Member]],
    account_manager_ids: Sequence[int] = (),
) -> list[Effect]:
    """Per code: the own population before against after, and against `others[code]` (the
    members to compare with for that code). Two queries, however many members and codes."""
    mine = window_counts(session, [own.organisation_id], codes, windows, account_manager_ids)
    everyone = {member for group in others.values() for member in group}
    theirs = window_counts(session, {m.organisation_id for m in everyone}, codes, windows)
    effects = []
    for code in codes:
        split = mine.get(own.organisation_id, {}).get(code, {})
        effect = own_effect(code, split.get(False, {}), split.get(True, {}), own.min_group_size)
        comparison = compare(effect, others.get(code, ()), theirs, code)
        effects.append(replace(effect, comparison=comparison))
    return effects


def own_effect(code: str, before: Mapping, after: Mapping, min_group_size: int) -> Effect:
    """Before against after with Welch's test; only the sizes when either side is too small."""
    before, after = summarise(before), summarise(after)
    if min(before.n, after.n) < min_group_size:
        # Only the sizes, so that no page can show a withheld mean by mistake.
        return Effect(code, Summary(before.n, None, None), Summary(after.n, None, None), False)
    return Effect(code, before, after, True, welch_test(before, after, CONFIDENCE))


def compare(effect: Effect, members: Sequence[Member], counts: Mapping, code: str) -> Comparison:
    """The members above their minimum on both sides, pooled; shown from three members on."""
    before: dict[int, int] = defaultdict(int)
    after: dict[int, int] = defaultdict(int)
    pooled = 0
    for member in members:
        split = counts.get(member.organisation_id, {}).get(code, {})
        own_before, own_after = split.get(False, {}), split.get(True, {})
        if min(sum(own_before.values()), sum(own_after.values())) < member.min_group_size:
            continue
        pooled += 1
        for value, answers in own_before.items():
            before[value] += answers
        for value, answers in own_after.items():
            after[value] += answers
    if pooled < MIN_COMPARISON_MEMBERS:
        return Comparison(pooled, False)
    before, after = summarise(before), summarise(after)
    test = None
    if effect.shown:
        test = difference_in_differences(effect.before, effect.after, before, after)
    return Comparison(pooled, True, before, after, test)


def difference_in_differences(
    own_before: Summary,
    own_after: Summary,
    others_before: Summary,
    others_after: Summary,
    confidence: float = CONFIDENCE,
) -> WelchTest | None:
    """(after - before) of the own population minus that of the others, with its interval and
    a t-test: four independent samples, Welch-Satterthwaite degrees of freedom."""
    groups = (own_after, own_before, others_after, others_before)
    if any(group.n < 2 for group in groups):
        return None
    difference = (own_after.mean - own_before.mean) - (others_after.mean - others_before.mean)
    shares = [group.variance / group.n for group in groups]
    variance = sum(shares)
    if variance == 0:
        return WelchTest(difference, Interval(difference, difference), None, None, None)
    df = variance**2 / sum(
        share**2 / (group.n - 1) for share, group in zip(shares, groups, strict=True)
    )
    se = math.sqrt(variance)
    t = difference / se
    half_width = t_quantile((1.0 + confidence) / 2.0, df) * se
    interval = Interval(difference - half_width, difference + half_width)
    # The lower tail of -|t| keeps a tiny p's digits, where 1 - cdf(|t|) would lose them.
    return WelchTest(difference, interval, t, df, 2.0 * t_cdf(-abs(t), df))


def _significant(test: WelchTest | None) -> bool:
    return bool(test and test.p_value is not None and test.p_value < SIGNIFICANCE)


def statement(effect: Effect, question: str, locale: str) -> str | None:
    """The effect in plain words, e.g. "The mean of “…” rose from 3.6 to 4.1; the circle's rose
    0.1 in the same months; a rise this much larger is unlikely to be chance, p = 0.010."
    None when the figures are withheld."""
    if not effect.shown:
        return None
    parts = [_own_words(effect, question.rstrip(". "), locale)]
    comparison = effect.comparison
    if comparison and comparison.shown and comparison.test:
        parts.append(_circle_words(comparison.change, locale))
        parts.append(_conclusion(effect, comparison.test, locale))
    elif effect.test and effect.test.p_value is not None:
        p = p_text(effect.test.p_value, locale)
        if _significant(effect.test):
            parts.append(gettext("a change this large is unlikely to be chance, %(p)s", p=p))
        else:
            parts.append(gettext("a change this large could well be chance, %(p)s", p=p))
    return "; ".join(parts) + "."


def _own_words(effect: Effect, question: str, locale: str) -> str:
    before, after = (decimal_text(s.mean, locale) for s in (effect.before, effect.after))
    if before == after:
        return gettext(
            "The mean of “%(question)s” stayed at %(before)s", question=question, before=before
        )
    if effect.after.mean > effect.before.mean:
        words = gettext("The mean of “%(question)s” rose from %(before)s to %(after)s")
    else:
        words = gettext("The mean of “%(question)s” fell from %(before)s to %(after)s")
    return words % {"question": question, "before": before, "after": after}


def _circle_words(change: float, locale: str) -> str:
    size = decimal_text(abs(change), locale)
    if size == decimal_text(0.0, locale):
        return gettext("the circle's stayed level in the same months")
    if change > 0:
        return gettext("the circle's rose %(change)s in the same months", change=size)
    return gettext("the circle's fell %(change)s in the same months", change=size)


def _conclusion(effect: Effect, test: WelchTest, locale: str) -> str:
    if test.p_value is None:
        return gettext("the answers did not vary, so chance cannot be judged")
    p = p_text(test.p_value, locale)
    if not _significant(test):
        return gettext("a difference this large from the circle could well be chance, %(p)s", p=p)
    if test.difference > 0 and effect.change > 0:
        return gettext("a rise this much larger is unlikely to be chance, %(p)s", p=p)
    if test.difference < 0 and effect.change < 0:
        return gettext("a fall this much larger is unlikely to be chance, %(p)s", p=p)
    return gettext("a difference this large from the circle is unlikely to be chance, %(p)s", p=p)


def decimal_text(value: float, locale: str) -> str:
    """A mean as people read it, to one decimal; never "-0.0"."""
    return format_decimal(round(value, 1) + 0.0, "0.0", locale=locale)


def p_text(p_value: float, locale: str) -> str:
    """p = 0.012, or p < 0.001 where three decimals would show 0."""
    if p_value < 0.001:
        return "p < " + format_decimal(0.001, "0.000", locale=locale)
    return "p = " + format_decimal(p_value, "0.000", locale=locale)
