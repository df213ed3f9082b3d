"""An action's measured effect: before against after in equal windows, and against circle members
without a similar action (difference-in-differences), read from the tallies of real responses."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from flask_babel import force_locale
from scipy import stats

from survey.accounts.models import Role
from survey.analysis.effects import (
    Member,
    Windows,
    difference_in_differences,
    measure,
    statement,
)
from survey.analysis.statistics import summarise
from survey.circles.actions import measure_action
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.circles.action_factories import HIGH, LOW, action, circle, months_of_answers

START = date(2026, 5, 1)
BEFORE = (date(2026, 3, 1), date(2026, 4, 1))
AFTER = (date(2026, 5, 1), date(2026, 6, 1))
WINDOWS = Windows(START, 2)


def _municipality(name, before=LOW, after=HIGH, **settings):
    org = factories.organisation(name, **settings)
    manager = factories.user(org, Role.ACCOUNT_MANAGER)
    months_of_answers(org, manager, BEFORE, before)
    months_of_answers(org, manager, AFTER, after)
    return org, manager


def _own_effect(org):
    return measure(db.session, Member(org.id, org.min_group_size), ["speed"], WINDOWS, {})[0]


def test_a_planted_rise_is_found(ctx):
    org, _ = _municipality("Gemeente Stijgt")

    effect = _own_effect(org)

    assert effect.shown and effect.proven
    assert (effect.before.n, effect.after.n) == (12, 12)
    assert effect.before.mean == pytest.approx(3.0) and effect.after.mean == pytest.approx(4.0)
    reference = stats.ttest_ind(HIGH * 2, LOW * 2, equal_var=False)
    assert effect.test.p_value == pytest.approx(reference.pvalue, rel=1e-6)
    assert effect.test.interval.low > 0
    with force_locale("en"):
        words = statement(effect, "My question was taken up quickly.", "en")
    assert words.startswith("The mean of “My question was taken up quickly” rose from 3.0 to 4.0")
    assert "unlikely to be chance" in words
    with force_locale("nl"):
        assert "steeg van 3,0 naar 4,0" in statement(effect, "Mijn vraag werd snel opgepakt.", "nl")


def test_no_effect_is_not_found(ctx):
    org, _ = _municipality("Gemeente Vlak", after=LOW)

    effect = _own_effect(org)

    assert effect.shown and not effect.proven
    assert effect.change == pytest.approx(0.0)
    assert effect.test.p_value > 0.05
    with force_locale("en"):
        words = statement(effect, "Speed", "en")
    assert "stayed at 3.0" in words and "could well be chance" in words


def test_too_few_answers_withhold_the_means(ctx):
    org = factories.organisation("Gemeente Klein", min_group_size=13)
    manager = factories.user(org)
    months_of_answers(org, manager, BEFORE, LOW)
    months_of_answers(org, manager, AFTER, HIGH)

    effect = _own_effect(org)

    assert not effect.shown and effect.test is None
    assert (effect.before.n, effect.after.n) == (12, 12)
    assert effect.before.mean is None and effect.after.mean is None
    assert statement(effect, "Speed", "en") is None


def test_the_difference_in_differences_matches_a_hand_computation():
    own_before, own_after = [2, 3, 3, 4, 3, 2, 3], [4, 4, 5, 3, 4, 5]
    others_before, others_after = [3, 3, 4, 3, 2, 4, 3, 3], [3, 4, 3, 4, 3, 4, 4, 3, 4]
    samples = [np.array(s, float) for s in (own_after, own_before, others_after, others_before)]
    shares = [s.var(ddof=1) / len(s) for s in samples]
    se = np.sqrt(sum(shares))
    df = sum(shares) ** 2 / sum(v**2 / (len(s) - 1) for v, s in zip(shares, samples, strict=True))
    expected = (samples[0].mean() - samples[1].mean()) - (samples[2].mean() - samples[3].mean())

    test = difference_in_differences(
        *(summarise({v: s.count(v) for v in set(s)}) for s in (own_before, own_after)),
        *(summarise({v: s.count(v) for v in set(s)}) for s in (others_before, others_after)),
    )

    assert test.difference == pytest.approx(expected)
    assert test.df == pytest.approx(df)
    assert test.p_value == pytest.approx(2 * stats.t.sf(abs(expected / se), df), rel=1e-6)
    half = stats.t.ppf(0.975, df) * se
    interval = (test.interval.low, test.interval.high)
    assert interval == pytest.approx((expected - half, expected + half))


def _circle_of_three(own, *, after=HIGH):
    others = [_municipality(f"Gemeente Buur {i}", after=after)[0] for i in range(3)]
    circle(own, *others)
    return others


def test_a_circle_wide_rise_is_not_credited_to_the_action(ctx):
    own, _ = _municipality("Gemeente Eigen")
    _circle_of_three(own, after=HIGH)  # every member rose as much
    made = action(own, START)

    effect = measure_action(made, 2, utcnow()).effects[0]

    assert effect.proven  # before against after alone: a clear rise
    comparison = effect.comparison
    assert comparison.shown and comparison.members == 3
    assert comparison.change == pytest.approx(1.0)
    assert comparison.test.difference == pytest.approx(0.0)
    assert comparison.test.p_value > 0.05
    with force_locale("en"):
        words = statement(effect, "Speed", "en")
    assert "the circle's rose 1.0 in the same months" in words
    assert "could well be chance" in words


def test_a_rise_the_circle_did_not_see_is_found(ctx):
    own, _ = _municipality("Gemeente Eigen")
    _circle_of_three(own, after=LOW)  # the others stayed where they were
    made = action(own, START)

    effect = measure_action(made, 2, utcnow()).effects[0]

    comparison = effect.comparison
    assert comparison.change == pytest.approx(0.0)
    assert comparison.test.difference == pytest.approx(1.0)
    assert comparison.test.p_value < 0.05 and comparison.test.interval.low > 0
    with force_locale("en"):
        words = statement(effect, "Speed", "en")
    assert "the circle's stayed level in the same months" in words
    assert "a rise this much larger is unlikely to be chance, p" in words


def test_members_with_a_similar_action_are_left_out_of_the_comparison(ctx):
    own, _ = _municipality("Gemeente Eigen")
    others = _circle_of_three(own, after=LOW)
    action(others[0], date(2026, 4, 1), ("speed",))  # in the months compared, same question
    action(others[1], date(2026, 4, 1), ("clarity",))  # another question: stays in
    action(others[2], date(2025, 1, 1), ("speed",))  # long before: stays in
    made = action(own, START)

    effect = measure_action(made, 2, utcnow()).effects[0]

    # Two members left: fewer than three, so the comparison is withheld.
    assert effect.comparison.members == 2 and not effect.comparison.shown
    assert effect.comparison.test is None and effect.comparison.change is None
    with force_locale("en"):
        assert "circle" not in statement(effect, "Speed", "en")


def test_only_members_sharing_their_figures_are_compared_with(ctx):
    own, _ = _municipality("Gemeente Eigen")
    sharing = [_municipality(f"Gemeente Deelt {i}", after=LOW)[0] for i in range(3)]
    silent = _municipality("Gemeente Zwijgt", after=LOW)[0]
    circle(own, *sharing)
    circle(silent, own, name="Kring West", consent=False)
    made = action(own, START)

    effect = measure_action(made, 2, utcnow()).effects[0]

    assert effect.comparison.members == 3


def test_no_comparison_for_an_organisation_that_does_not_share(ctx):
    own, _ = _municipality("Gemeente Eigen")
    others = [_municipality(f"Gemeente Buur {i}", after=LOW)[0] for i in range(3)]
    circle(*others)
    circle(own, *others, name="Kring Zonder Instemming", consent=False)
    made = action(own, START)

    measurement = measure_action(made, 2, utcnow())

    assert measurement.circles == []
    assert measurement.effects[0].comparison.members == 0


def test_a_scope_of_account_managers_narrows_the_own_population(ctx):
    org = factories.organisation("Gemeente Gemengd")
    improving, other = factories.user(org), factories.user(org)
    months_of_answers(org, improving, BEFORE, LOW)
    months_of_answers(org, improving, AFTER, HIGH)
    months_of_answers(org, other, BEFORE, HIGH)
    months_of_answers(org, other, AFTER, LOW)

    whole = measure_action(action(org, START), 2, utcnow()).effects[0]
    scoped = measure_action(action(org, START, managers=[improving]), 2, utcnow()).effects[0]

    assert whole.change == pytest.approx(0.0) and whole.before.n == 24
    assert scoped.proven and scoped.before.n == 12 and scoped.change == pytest.approx(1.0)


def test_the_windows_are_equal_and_end_where_asked():
    windows = Windows(date(2026, 1, 1), 6)
    assert (windows.first, windows.before_last, windows.last) == (
        date(2025, 7, 1),
        date(2025, 12, 1),
        date(2026, 6, 1),
    )
