"""The benchmark's statistics against values computed here with SciPy, and by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats
from scipy.stats import mstats

from survey.analysis.benchmark import (
    Method,
    Standing,
    channel_weights,
    chi2_quantile,
    control_limits,
    disclose,
    dispersion,
    funnel,
    mean_standard_error,
    nested_disclosure,
    proportion_standard_error,
    standardised_mean,
    winsorised,
)
from survey.analysis.fixed_periods import ended_periods, parse_period


@pytest.mark.parametrize("df", [1, 2, 3, 5, 7, 9, 11, 20, 50])
@pytest.mark.parametrize("p", [0.05, 0.5, 0.95, 0.998])
def test_the_chi_square_quantile_matches_scipy(df, p):
    assert chi2_quantile(p, df) == pytest.approx(stats.chi2.ppf(p, df), rel=1e-9)


@pytest.mark.parametrize("k", [5, 9, 10, 12, 23])
def test_winsorising_pulls_in_the_extreme_tenth_at_each_end_as_scipy_does(k):
    values = list(np.random.default_rng(k).normal(size=k) * 3)
    expected = mstats.winsorize(np.array(values), limits=(0.1, 0.1))
    assert winsorised(values, 0.1) == pytest.approx(list(np.asarray(expected)))


def test_funnel_limits_for_a_mean_are_the_circle_value_plus_or_minus_z_sigma_over_root_n():
    no_spread = dispersion([0.1, -0.2, 0.3], [0.1, 0.1, 0.1], Method.ADDITIVE)
    assert no_spread.method is Method.NONE
    se = mean_standard_error(0.9, 40)
    limits = control_limits(3.8, se, no_spread)
    z95, z998 = stats.norm.ppf(0.975), stats.norm.ppf(0.999)
    assert limits.high_alert == pytest.approx(3.8 + z95 * 0.9 / math.sqrt(40))
    assert limits.low_alert == pytest.approx(3.8 - z95 * 0.9 / math.sqrt(40))
    assert limits.high_alarm == pytest.approx(3.8 + z998 * 0.9 / math.sqrt(40))
    assert limits.low_alarm == pytest.approx(3.8 - z998 * 0.9 / math.sqrt(40))


def test_funnel_limits_for_a_proportion_follow_the_binomial_by_the_normal_approximation():
    none = dispersion([0.0, 0.0], [1.0, 1.0], Method.ADDITIVE)
    se = proportion_standard_error(0.7, 120)
    limits = control_limits(0.7, se, none)
    binomial_sd = stats.binom.std(120, 0.7) / 120
    assert limits.high_alert == pytest.approx(0.7 + stats.norm.ppf(0.975) * binomial_sd)
    assert limits.low_alarm == pytest.approx(0.7 - stats.norm.ppf(0.999) * binomial_sd)


def _members(means, ns, sd=1.0):
    return {
        f"m{i}": (mean, n, sd / math.sqrt(n))
        for i, (mean, n) in enumerate(zip(means, ns, strict=True))
    }


def _reference_dispersion(values, target):
    """Spiegelhalter (2005) section 3.3, computed with numpy and scipy."""
    z = np.array([(v - target) / se for v, _n, se in values.values()])
    w = np.array([1 / se**2 for _v, _n, se in values.values()])
    k = len(z)
    phi = float(np.mean(np.asarray(mstats.winsorize(z, limits=(0.1, 0.1))) ** 2))
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return k, phi, tau2, stats.chi2.ppf(0.95, k - 1)


def test_members_that_differ_more_than_chance_widen_the_limits_by_the_additive_tau2():
    values = _members(
        [3.2, 3.9, 4.4, 3.5, 4.1, 3.0, 4.6, 3.7, 3.95, 4.3],
        [40, 80, 120, 60, 200, 30, 90, 150, 70, 110],
    )
    result = funnel(values, 3.85)
    k, phi, tau2, threshold = _reference_dispersion(values, 3.85)
    assert result.dispersion.phi == pytest.approx(phi)
    assert result.dispersion.tau2 == pytest.approx(tau2)
    assert result.dispersion.threshold == pytest.approx(threshold)
    assert k * phi > threshold and result.dispersion.over_dispersed
    assert result.dispersion.method is Method.ADDITIVE
    point = result.point("m4")
    width = math.sqrt(point.se**2 + tau2)
    assert point.limits.high_alert == pytest.approx(3.85 + stats.norm.ppf(0.975) * width)
    assert point.limits.low_alarm == pytest.approx(3.85 - stats.norm.ppf(0.999) * width)


def test_the_multiplicative_method_widens_the_limits_by_the_root_of_phi():
    values = _members([3.2, 3.9, 4.4, 3.5, 4.1, 3.0, 4.6, 3.7], [40, 80, 120, 60, 200, 30, 90, 150])
    result = funnel(values, 3.8, prefer=Method.MULTIPLICATIVE)
    _k, phi, _tau2, _threshold = _reference_dispersion(values, 3.8)
    assert result.dispersion.method is Method.MULTIPLICATIVE
    point = result.point("m0")
    expected = 3.8 - stats.norm.ppf(0.975) * point.se * math.sqrt(phi)
    assert point.limits.low_alert == pytest.approx(expected)


def test_members_within_chance_get_plain_limits_and_only_the_outlier_is_named():
    # Nine members close to 4.0, one far below: winsorised, the outlier does not count as
    # spread between the members, so it is judged against plain limits.
    means = [4.02, 3.97, 4.05, 3.95, 4.01, 3.99, 4.03, 3.96, 4.04, 3.3]
    values = _members(means, [100] * 10, sd=1.0)
    result = funnel(values, 4.0)
    _k, phi, _tau2, threshold = _reference_dispersion(values, 4.0)
    assert result.dispersion.method is Method.NONE and 10 * phi <= threshold
    assert result.point("m9").standing is Standing.BELOW
    assert result.point("m9").beyond_alarm  # z = -7
    assert {p.standing for p in result.points if p.key != "m9"} == {Standing.WITHIN}


def test_a_small_member_far_from_the_circle_value_may_still_be_within_its_wide_limits():
    values = _members([4.0, 4.0, 4.0, 3.0], [400, 400, 400, 6], sd=1.0)
    result = funnel(values, 4.0)
    # z = -1 / (1 / sqrt 6) = -2.45: below at 95%, not at 99.8%.
    point = result.point("m3")
    assert point.z == pytest.approx(-math.sqrt(6))
    assert point.standing is Standing.BELOW and not point.beyond_alarm
    small = funnel(_members([4.0, 4.0, 4.0, 3.4], [400, 400, 400, 6]), 4.0).point("m3")
    assert small.standing is Standing.WITHIN  # z = -1.47


def test_direct_standardisation_reweights_a_members_channel_means_to_the_circles_mix():
    # The circle: 600 visits, 400 phone calls. The member: mostly phone calls.
    weights = channel_weights({"visit": 600, "phone": 400})
    assert weights == {"visit": 0.6, "phone": 0.4}
    adjusted = standardised_mean({"visit": (10, 4.5), "phone": (40, 3.5)}, weights)
    # By hand: 0.6 * 4.5 + 0.4 * 3.5 = 4.1 (the raw mean is (45 + 140) / 50 = 3.7).
    assert adjusted.mean == pytest.approx(4.1)
    assert adjusted.effective_n == pytest.approx(1 / (0.36 / 10 + 0.16 / 40))
    assert adjusted.missing == ()


def test_a_member_without_answers_in_a_channel_of_the_circle_is_not_adjustable():
    weights = channel_weights({"visit": 600, "phone": 300, "email": 100})
    adjusted = standardised_mean({"visit": (10, 4.5), "phone": (40, 3.5)}, weights)
    assert adjusted.mean is None and adjusted.missing == ("email",)


def test_members_below_their_minimum_are_withheld_and_a_group_needs_three_shown():
    ns = {"a": 12, "b": 4, "c": 30, "d": 9}
    result = disclose(ns, {"a": 5, "b": 5, "c": 5, "d": 10})
    assert result.shown == {"a", "c"} and result.withheld == {"b", "d"}
    assert not result.group_shown  # two members shown: each could work out the other's
    assert disclose({"a": 5, "b": 6, "c": 7}, dict.fromkeys("abc", 5)).group_shown


def test_the_complementary_case_a_group_total_less_the_shown_members_leaves_nothing():
    # One member withheld: if the group figure pooled it, the group total minus the three
    # shown members would be exactly its answers. The group pools the shown members only.
    answers = {"a": [4, 5, 4, 3, 5, 4], "b": [2, 3], "c": [5, 5, 4, 4, 5], "d": [3, 4, 4, 3, 4]}
    ns = {key: len(values) for key, values in answers.items()}
    result = disclose(ns, dict.fromkeys(answers, 5))
    assert result.withheld == {"b"} and result.group_shown
    pooled = [value for key in sorted(result.shown) for value in answers[key]]
    shown_total = sum(sum(answers[key]) for key in result.shown)
    assert sum(pooled) - shown_total == 0 and len(pooled) == sum(ns[k] for k in result.shown)
    # The viewing member "a" knows its own answers; it still cannot reach b's.
    assert sum(pooled) - sum(answers["a"]) == sum(answers["c"]) + sum(answers["d"])


def test_a_year_is_withheld_when_it_less_a_shown_half_and_quarter_leaves_a_few_answers():
    # Quarters 6, 6, 6, 3: Q4 is withheld (3 < 5), but 2026 less H1 less Q3 would be Q4.
    shown = nested_disclosure([6, 6, 6, 3], 5)
    assert {"Q1", "Q2", "Q3", "H1"} <= shown
    assert "Q4" not in shown and "H2" not in shown and "Y" not in shown


def test_a_year_whose_quarters_are_all_small_is_shown_as_a_whole():
    shown = nested_disclosure([3, 2, 4, 3], 5)
    assert shown == {"H1", "H2", "Y"}  # no quarter is shown, so none can be subtracted
    shown = nested_disclosure([2, 2, 0, 1], 5)
    assert shown == {"Y"}  # H2 has only 1; H1 has 4


def test_no_shown_combination_of_a_years_periods_leaves_a_few_answers():
    from itertools import product

    from survey.analysis.benchmark import YEAR_NODES

    for quarters in product([0, 1, 3, 5, 8], repeat=4):
        shown = nested_disclosure(list(quarters), 5)
        n = {node: sum(quarters[q - 1] for q in qs) for node, qs in YEAR_NODES.items()}
        # Any shown period less any shown periods inside it that do not overlap:
        for big in shown:
            for small in shown:
                if set(YEAR_NODES[small]) < set(YEAR_NODES[big]):
                    assert not 0 < n[big] - n[small] < 5, (quarters, big, small)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-Q1", (2026, 1), (2026, 3)),
        ("2025-H2", (2025, 7), (2025, 12)),
        ("2024", (2024, 1), (2024, 12)),
    ],
)
def test_fixed_periods_are_quarters_half_years_and_calendar_years(text, first, last):
    period = parse_period(text)
    assert (period.first_month.year, period.first_month.month) == first
    assert (period.last_month.year, period.last_month.month) == last
    assert period.code == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-Q5",
        "2026-H3",
        "2026-03",
        "2026-01..2026-02",
        "1999",
        "2026-q1",
        "",
        None,
        "2026-Q1\x00",
    ],
)
def test_anything_else_is_not_a_period(text):
    assert parse_period(text) is None


def test_only_ended_periods_are_offered_newest_first():
    periods = [p.code for p in ended_periods(date(2026, 5, 14), years=2)]
    assert periods[:3] == ["2026-Q1", "2025", "2025-H2"]
    assert "2026-Q2" not in periods and "2026-H1" not in periods


def _withheld_until_nothing_changes(quarter_ns, minimum):
    """The rule as first written: withhold, and check again until nothing changes."""
    from itertools import combinations

    from survey.analysis.benchmark import YEAR_NODES

    n = {node: sum(quarter_ns[q - 1] for q in qs) for node, qs in YEAR_NODES.items()}
    shown = {node for node, count in n.items() if count >= minimum}
    changed = True
    while changed:
        changed = False
        for node in sorted(shown, key=lambda name: -len(YEAR_NODES[name])):
            inside = [o for o in shown if set(YEAR_NODES[o]) < set(YEAR_NODES[node])]
            for size in range(1, len(inside) + 1):
                for chosen in combinations(inside, size):
                    quarters = [q for o in chosen for q in YEAR_NODES[o]]
                    left = n[node] - sum(n[o] for o in chosen)
                    if len(quarters) == len(set(quarters)) and 0 < left < minimum:
                        shown.discard(node)
                        changed = True
                        break
                if node not in shown:
                    break
    return shown


def test_one_look_per_period_withholds_what_checking_until_nothing_changes_does():
    from itertools import product

    from survey.analysis.benchmark import YEAR_NODES

    for minimum in (1, 3, 5):
        for quarters in product([0, 1, 2, 4, 5, 7], repeat=4):
            shown = nested_disclosure(list(quarters), minimum)
            assert shown == _withheld_until_nothing_changes(quarters, minimum), quarters
            # A period's fate needs its own quarters only (the pages read no other months).
            for node, own in YEAR_NODES.items():
                alone = [quarters[q - 1] if q in own else 0 for q in range(1, 5)]
                assert (node in nested_disclosure(alone, minimum)) == (node in shown)
