"""The dashboard statistics, computed from aggregates, against SciPy on the expanded answers."""

import math

import numpy as np
import pytest
from scipy import stats

from survey.analysis.statistics import (
    Interval,
    Summary,
    mean_interval,
    net_promoter_score,
    pearson_from_sums,
    summarise,
    t_cdf,
    t_quantile,
    top_box_share,
    welch_test,
    wilson_interval,
    z_quantile,
)

RATINGS = {1: 3, 2: 0, 3: 11, 4: 25, 5: 9}
LATER_RATINGS = {1: 1, 2: 4, 3: 6, 4: 30, 5: 21}


def answers(counts):
    """The raw answers a distribution stands for, as a survey export would hold them."""
    return np.repeat(list(counts), list(counts.values()))


def sums(x, y):
    return dict(
        n=len(x),
        sum_x=int(x.sum()),
        sum_y=int(y.sum()),
        sum_xx=int((x * x).sum()),
        sum_yy=int((y * y).sum()),
        sum_xy=int((x * y).sum()),
    )


def scipy_wilson(successes, n, confidence=0.95):
    ci = stats.binomtest(successes, n).proportion_ci(confidence, method="wilson")
    return ci.low, ci.high


# summarise


def test_summary_matches_the_expanded_answers():
    raw = answers(RATINGS)
    summary = summarise(RATINGS)
    assert summary.n == len(raw) == 48
    assert summary.mean == pytest.approx(raw.mean(), rel=1e-12)
    assert summary.variance == pytest.approx(raw.var(ddof=1), rel=1e-12)


def test_summary_of_no_answers_has_no_mean_or_variance():
    assert summarise({}) == Summary(n=0, mean=None, variance=None)
    assert summarise({1: 0, 5: 0}) == Summary(n=0, mean=None, variance=None)


def test_summary_of_one_answer_has_a_mean_but_no_variance():
    assert summarise({4: 1, 5: 0}) == Summary(n=1, mean=4.0, variance=None)


def test_summary_ignores_values_nobody_chose():
    assert summarise({1: 0, 2: 3, 3: 0, 4: 1}) == summarise({2: 3, 4: 1})


def test_summary_of_identical_answers_has_zero_variance():
    assert summarise({3: 7}) == Summary(n=7, mean=3.0, variance=0.0)


def test_summary_of_a_million_answers_is_exact():
    summary = summarise({1: 500_000, 5: 500_000})
    assert summary == Summary(n=1_000_000, mean=3.0, variance=4_000_000 / 999_999)


# t distribution


@pytest.mark.parametrize("df", [0.5, 1, 2.5, 4, 7.3, 30, 1234.56, 2_000_000])
@pytest.mark.parametrize("t", [-12.0, -2.1, -0.3, 0.0, 0.7, 1.96, 3.5, 40.0])
def test_t_cdf_matches_scipy_for_any_degrees_of_freedom(t, df):
    assert t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(("t", "df"), [(-30.0, 5), (-1e3, 10), (-8.0, 123.4), (-1e6, 1.5)])
def test_t_cdf_keeps_its_precision_far_in_the_tail(t, df):
    expected = stats.t.cdf(t, df)
    assert expected < 1e-5
    assert t_cdf(t, df) == pytest.approx(expected, rel=1e-9)


def test_t_cdf_of_the_cauchy_case_is_the_arctangent():
    for t in (-3.0, 0.25, 10.0):
        assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-12)


@pytest.mark.parametrize("df", [0.7, 1, 3, 9.81, 59, 5000, 1e7])
@pytest.mark.parametrize("p", [1e-8, 0.025, 0.1, 0.5, 0.8, 0.975, 0.995, 1 - 1e-9])
def test_t_quantile_matches_scipy(p, df):
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("p", [1e-20, 0.5 + 2**-52, 1 - 2**-53])
def test_t_quantile_reaches_extreme_probabilities(p):
    assert t_quantile(p, 4.5) == pytest.approx(stats.t.ppf(p, 4.5), rel=1e-9)


def test_t_quantile_inverts_t_cdf():
    # SciPy's ppf gives up (inf) at 1e-300; the round trip still checks it.
    for p in (1e-300, 0.01, 0.3, 0.9):
        assert t_cdf(t_quantile(p, 6.5), 6.5) == pytest.approx(p, rel=1e-12)


# A dashboard's 95% intervals: n - 1 for every group size, and Welch's fractional df.
DASHBOARD_DFS = [*range(1, 120), *range(120, 5000, 37), 12_345, 99_999, 1_000_000]
WELCH_DFS = [1.0001, 1.5, 2.73, 9.99, 10.01, 19.5, 57.25, 333.3, 4567.8, 123_456.7]


@pytest.mark.parametrize("df", DASHBOARD_DFS + WELCH_DFS)
def test_t_quantile_of_every_dashboard_interval_matches_scipy(df):
    for p in (0.975, 0.995, 0.95, 0.9):
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


@pytest.mark.parametrize("df", [0.5, 0.7, 1, 1.3, 2, 3.5, 9])
def test_t_quantile_matches_scipy_in_the_heavy_tails_of_few_degrees_of_freedom(df):
    for p in np.geomspace(1e-12, 0.49, 40):
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)
        assert t_quantile(1 - p, df) == pytest.approx(stats.t.ppf(1 - p, df), rel=1e-9)


def test_t_quantile_asked_again_gives_the_same_value():
    first = t_quantile(0.975, 41)
    assert t_quantile(0.975, 41) == first == pytest.approx(stats.t.ppf(0.975, 41), rel=1e-9)
    assert t_quantile(0.025, 41) == pytest.approx(-first, rel=1e-12)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5])
def test_t_quantile_refuses_probabilities_outside_zero_to_one(p):
    with pytest.raises(ValueError):
        t_quantile(p, 10)


def test_t_cdf_refuses_non_positive_degrees_of_freedom():
    with pytest.raises(ValueError):
        t_cdf(1.0, 0)


def test_z_quantile_is_the_normal_quantile():
    assert z_quantile(0.975) == pytest.approx(stats.norm.ppf(0.975), rel=1e-12)


# mean interval


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_mean_interval_matches_student_t(confidence):
    raw = answers(RATINGS)
    low, high = stats.t.interval(
        confidence, len(raw) - 1, loc=raw.mean(), scale=stats.sem(raw, ddof=1)
    )
    interval = mean_interval(summarise(RATINGS), confidence)
    assert interval.low == pytest.approx(low, rel=1e-9)
    assert interval.high == pytest.approx(high, rel=1e-9)


def test_mean_interval_defaults_to_95_percent():
    summary = summarise(RATINGS)
    assert mean_interval(summary) == mean_interval(summary, 0.95)


def test_mean_interval_of_two_answers_uses_one_degree_of_freedom():
    # mean 2, sd sqrt(2), so the half width is t(0.975, 1) * sqrt(2) / sqrt(2) = 12.706...
    interval = mean_interval(summarise({1: 1, 3: 1}))
    assert interval.low == pytest.approx(2 - stats.t.ppf(0.975, 1), rel=1e-9)
    assert interval.high == pytest.approx(2 + stats.t.ppf(0.975, 1), rel=1e-9)


def test_mean_interval_needs_two_answers():
    assert mean_interval(summarise({})) is None
    assert mean_interval(summarise({5: 1})) is None


def test_mean_interval_of_identical_answers_is_the_mean_itself():
    assert mean_interval(summarise({4: 12})) == Interval(4.0, 4.0)


def test_mean_interval_on_a_scale_never_runs_past_its_ends_and_says_it_was_cut():
    # Seen: "2,8 – 5,2" on 1–5: mean 4.0 of {2, 5, 5, 5, 3}, half width 1.2 by Student's t
    summary = summarise({2: 1, 3: 1, 5: 3})
    unbounded = mean_interval(summary)
    assert unbounded.high > 5 and not unbounded.clipped
    bounded = mean_interval(summary, bounds=(1, 5))
    assert bounded == Interval(unbounded.low, 5, clipped=True)


def test_mean_interval_inside_the_scale_is_not_marked_as_cut():
    summary = summarise(RATINGS)
    assert mean_interval(summary, bounds=(1, 5)) == mean_interval(summary)
    assert not mean_interval(summary, bounds=(1, 5)).clipped


def test_mean_interval_of_a_million_answers_is_narrow_and_exact():
    counts = {1: 100_000, 2: 150_000, 3: 250_000, 4: 300_000, 5: 200_000}
    raw = answers(counts)
    half_width = stats.t.ppf(0.975, len(raw) - 1) * raw.std(ddof=1) / math.sqrt(len(raw))
    interval = mean_interval(summarise(counts))
    assert interval.low == pytest.approx(raw.mean() - half_width, rel=1e-12)
    assert interval.high == pytest.approx(raw.mean() + half_width, rel=1e-12)
    assert interval.high - interval.low == pytest.approx(2 * half_width, rel=1e-9)


# Wilson interval


@pytest.mark.parametrize(("successes", "n"), [(1, 2), (7, 20), (13, 13), (0, 40), (512, 1000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_wilson_interval_matches_scipy(successes, n, confidence):
    low, high = scipy_wilson(successes, n, confidence)
    interval = wilson_interval(successes, n, confidence)
    assert interval.low == pytest.approx(low, rel=1e-9, abs=1e-15)
    assert interval.high == pytest.approx(high, rel=1e-9, abs=1e-15)


def test_wilson_interval_matches_the_score_formula_by_hand():
    # 30 of 50 at z = 1.959963984540054
    z = 1.959963984540054
    centre = (0.6 + z * z / 100) / (1 + z * z / 50)
    half = z * math.sqrt(0.6 * 0.4 / 50 + z * z / 10_000) / (1 + z * z / 50)
    assert wilson_interval(30, 50) == Interval(
        pytest.approx(centre - half, rel=1e-12), pytest.approx(centre + half, rel=1e-12)
    )


def test_wilson_interval_with_no_successes_starts_at_zero():
    interval = wilson_interval(0, 25)
    assert interval.low == 0.0
    assert 0.0 < interval.high < 0.2


def test_wilson_interval_with_every_answer_a_success_ends_at_one():
    interval = wilson_interval(25, 25)
    assert interval.high == 1.0
    assert 0.8 < interval.low < 1.0


def test_wilson_interval_needs_answers():
    assert wilson_interval(0, 0) is None


# top box


def test_top_box_share_counts_answers_in_the_top_values():
    assert top_box_share(RATINGS, [4, 5]) == (34, 48)


def test_top_box_share_of_values_nobody_chose_is_zero():
    assert top_box_share({1: 4, 2: 0, 5: 0}, (5, 6)) == (0, 4)
    assert top_box_share({}, [5]) == (0, 0)


def test_top_box_share_feeds_a_wilson_interval():
    assert wilson_interval(*top_box_share(RATINGS, range(4, 6))) == wilson_interval(34, 48)


# Net Promoter Score


def test_nps_groups_promoters_passives_and_detractors():
    counts = {0: 2, 3: 1, 6: 4, 7: 5, 8: 6, 9: 10, 10: 12, 5: 0}
    nps = net_promoter_score(counts)
    assert (nps.n, nps.promoters, nps.passives, nps.detractors) == (40, 22, 11, 7)
    assert nps.score == pytest.approx(37.5, rel=1e-12)


def test_nps_interval_is_the_normal_approximation_for_a_difference_of_shares():
    counts = {0: 2, 3: 1, 6: 4, 7: 5, 8: 6, 9: 10, 10: 12}
    raw = answers(counts)
    # Each answer scores +1, 0 or -1; NPS is their mean, and the multinomial variance is the
    # population variance of those scores over n.
    scores = np.where(raw >= 9, 1, np.where(raw <= 6, -1, 0))
    half = stats.norm.ppf(0.975) * math.sqrt(scores.var(ddof=0) / len(raw)) * 100
    nps = net_promoter_score(counts)
    assert nps.interval.low == pytest.approx(scores.mean() * 100 - half, rel=1e-9)
    assert nps.interval.high == pytest.approx(scores.mean() * 100 + half, rel=1e-9)


def test_nps_interval_follows_the_confidence():
    counts = {2: 10, 8: 10, 10: 10}
    narrow = net_promoter_score(counts, 0.8).interval
    wide = net_promoter_score(counts, 0.99).interval
    assert wide.low < narrow.low < 0 < narrow.high < wide.high


def test_nps_of_only_promoters_is_100_with_no_uncertainty():
    nps = net_promoter_score({9: 4, 10: 6, 3: 0})
    assert nps.score == 100.0
    assert nps.interval == Interval(100.0, 100.0)


def test_nps_of_only_detractors_is_minus_100_with_no_uncertainty():
    nps = net_promoter_score({0: 1, 4: 2, 6: 3})
    assert nps.score == -100.0
    assert nps.interval == Interval(-100.0, -100.0)


def test_nps_of_only_passives_is_zero_with_no_uncertainty():
    assert net_promoter_score({7: 3, 8: 1}).interval == Interval(0.0, 0.0)


def test_nps_interval_is_clipped_to_the_scale():
    nps = net_promoter_score({10: 9, 0: 1})
    assert nps.score == pytest.approx(80.0)
    assert nps.interval.high == 100.0
    assert nps.interval.low == pytest.approx(80 - 1.959963984540054 * math.sqrt(0.036) * 100)


def test_nps_of_one_answer_has_a_score_but_no_interval():
    nps = net_promoter_score({9: 1})
    assert (nps.n, nps.score, nps.interval) == (1, 100.0, None)


def test_nps_of_no_answers_is_none():
    assert net_promoter_score({}) is None
    assert net_promoter_score({10: 0}) is None


def test_nps_refuses_answers_outside_zero_to_ten():
    with pytest.raises(ValueError, match="11"):
        net_promoter_score({10: 3, 11: 1})


def test_nps_of_a_million_answers():
    nps = net_promoter_score({10: 400_000, 7: 350_000, 2: 250_000})
    assert nps.score == pytest.approx(15.0, rel=1e-12)
    half = nps.interval.high - nps.score
    assert half == pytest.approx(1.959963984540054 * math.sqrt((0.65 - 0.15**2) / 1e6) * 100)


# Pearson correlation from sums


def test_pearson_from_sums_matches_scipy():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=200)
    y = np.clip(x + rng.integers(-2, 3, size=200), 1, 5)
    r = pearson_from_sums(**sums(x, y))
    assert r == pytest.approx(stats.pearsonr(x, y).statistic, rel=1e-12)
    assert r > 0.5


def test_pearson_from_sums_sees_a_negative_correlation():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 11, size=500)
    y = np.clip(10 - x + rng.integers(-3, 4, size=500), 0, 10)
    r = pearson_from_sums(**sums(x, y))
    assert r == pytest.approx(stats.pearsonr(x, y).statistic, rel=1e-12)
    assert r < -0.5


def test_pearson_from_sums_of_a_million_pairs():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=1_000_000)
    y = np.clip(x + rng.integers(-3, 4, size=1_000_000), 1, 5)
    expected = stats.pearsonr(x.astype(float), y.astype(float)).statistic
    assert pearson_from_sums(**sums(x, y)) == pytest.approx(expected, rel=1e-9)


def test_pearson_from_float_sums_matches_scipy():
    x = np.array([0.1, 0.4, 0.35, 0.8, 0.62])
    y = np.array([2.5, 1.25, 1.5, 0.3, 0.75])
    r = pearson_from_sums(5, x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
    assert r == pytest.approx(stats.pearsonr(x, y).statistic, rel=1e-9)


def test_pearson_of_a_perfect_line_is_one_at_most():
    x = np.arange(1, 11)
    assert pearson_from_sums(**sums(x, 3 * x + 2)) == pytest.approx(1.0, rel=1e-15)
    assert pearson_from_sums(**sums(x, -x)) == pytest.approx(-1.0, rel=1e-15)
    floats = [0.1 * i for i in range(1, 11)]
    squares = sum(v * v for v in floats)
    assert -1.0 <= pearson_from_sums(10, sum(floats), sum(floats), squares, squares, squares) <= 1.0


def test_pearson_with_a_constant_is_undefined():
    x = np.full(20, 4)
    y = np.arange(20)
    assert pearson_from_sums(**sums(x, y)) is None
    assert pearson_from_sums(**sums(y, x)) is None


def test_pearson_with_a_constant_float_is_undefined_despite_rounding():
    # 3 * 0.03 - 0.3**2 is not exactly zero in floating point.
    assert pearson_from_sums(3, 0.3, 6.0, 3 * 0.1 * 0.1, 14.0, 0.6) is None


def test_pearson_needs_three_pairs():
    x = np.array([1, 2])
    assert pearson_from_sums(**sums(x, x)) is None


# Welch's test


def scipy_welch(before_counts, after_counts, confidence=0.95):
    result = stats.ttest_ind(answers(after_counts), answers(before_counts), equal_var=False)
    return result, result.confidence_interval(confidence)


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_welch_test_matches_scipy(confidence):
    result, ci = scipy_welch(RATINGS, LATER_RATINGS, confidence)
    welch = welch_test(summarise(RATINGS), summarise(LATER_RATINGS), confidence)
    raw_after, raw_before = answers(LATER_RATINGS), answers(RATINGS)
    assert welch.difference == pytest.approx(raw_after.mean() - raw_before.mean(), rel=1e-12)
    assert welch.t == pytest.approx(result.statistic, rel=1e-9)
    assert welch.df == pytest.approx(result.df, rel=1e-9)
    assert welch.df != int(welch.df)
    assert welch.p_value == pytest.approx(result.pvalue, rel=1e-9)
    assert welch.interval.low == pytest.approx(ci.low, rel=1e-9)
    assert welch.interval.high == pytest.approx(ci.high, rel=1e-9)


def test_welch_test_measures_after_minus_before():
    forward = welch_test(summarise(RATINGS), summarise(LATER_RATINGS))
    backward = welch_test(summarise(LATER_RATINGS), summarise(RATINGS))
    assert forward.difference > 0
    assert backward.difference == pytest.approx(-forward.difference)
    assert backward.p_value == pytest.approx(forward.p_value, rel=1e-12)


def test_welch_test_keeps_a_tiny_p_value():
    before, after = {1: 30, 2: 20, 3: 5}, {4: 10, 5: 40, 3: 2}
    result, _ = scipy_welch(before, after)
    welch = welch_test(summarise(before), summarise(after))
    assert 0 < result.pvalue < 1e-40
    assert welch.p_value == pytest.approx(result.pvalue, rel=1e-9)


def test_welch_test_p_value_near_one_when_nothing_changed():
    before, after = {1: 10, 3: 20, 5: 10}, {1: 11, 3: 19, 5: 11}
    result, _ = scipy_welch(before, after)
    welch = welch_test(summarise(before), summarise(after))
    assert welch.p_value > 0.99
    assert welch.p_value == pytest.approx(result.pvalue, rel=1e-12)


# SciPy warns that a constant sample's variance is "nearly identical" data; it is exactly zero.
@pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")
def test_welch_test_with_one_constant_group_matches_scipy():
    before, after = {3: 15}, {2: 4, 3: 6, 4: 9}
    result, ci = scipy_welch(before, after)
    welch = welch_test(summarise(before), summarise(after))
    assert welch.df == pytest.approx(18.0, rel=1e-12)
    assert welch.p_value == pytest.approx(result.pvalue, rel=1e-9)
    assert welch.interval.low == pytest.approx(ci.low, rel=1e-9)


def test_welch_test_of_two_constant_groups_has_no_t():
    welch = welch_test(summarise({2: 5}), summarise({4: 3}))
    assert welch.difference == 2.0
    assert welch.interval == Interval(2.0, 2.0)
    assert (welch.t, welch.df, welch.p_value) == (None, None, None)


def test_welch_test_of_a_million_answers_each_matches_scipy():
    before = {1: 100_000, 2: 150_000, 3: 250_000, 4: 300_000, 5: 200_000}
    after = {1: 99_000, 2: 150_500, 3: 250_000, 4: 300_000, 5: 200_500}
    result, ci = scipy_welch(before, after)
    welch = welch_test(summarise(before), summarise(after))
    assert welch.df > 1_900_000
    assert welch.t == pytest.approx(result.statistic, rel=1e-9)
    assert welch.p_value == pytest.approx(result.pvalue, rel=1e-9)
    assert welch.interval.low == pytest.approx(ci.low, rel=1e-9)
    assert welch.interval.high == pytest.approx(ci.high, rel=1e-9)


def test_welch_test_needs_two_answers_in_each_group():
    assert welch_test(summarise({3: 1}), summarise(LATER_RATINGS)) is None
    assert welch_test(summarise(RATINGS), summarise({})) is None
