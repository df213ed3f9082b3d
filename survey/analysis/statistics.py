"""Statistics for the dashboards, computed from aggregates (answer counts, running sums), never
from rows: means and their intervals, shares, the Net Promoter Score, correlation, Welch's test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

# The t distribution needs tens of terms even at df = 1e8; the cap turns a bug into an error.
_MAX_TERMS = 10_000
# Steps of the quantile search: Halley's steps take a few, halvings (when a step would leave the
# bracket) up to about 60 from [0, 1] to 1e-13 relative width, doublings for a far tail.
_MAX_STEPS = 400
# Halley's method roughly cubes the relative error per step: a step this small leaves an error
# far below the 1e-13 the search aims at, so it is the last.
_LAST_STEP = 1e-5
_RELATIVE_WIDTH = 1e-13
_EPSILON = 1e-15
_TINY = 1e-300
# Below this, n * sum_xx - sum_x**2 from float sums is rounding noise, not variation.
_FLOAT_NOISE = 1e-12


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    clipped: bool = False  # an end was cut back to the end of the answer scale


@dataclass(frozen=True)
class Summary:
    """A rated question's distribution, reduced to what the intervals and tests need."""

    n: int
    mean: float | None
    variance: float | None


@dataclass(frozen=True)
class NetPromoterScore:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float
    interval: Interval | None


@dataclass(frozen=True)
class WelchTest:
    difference: float
    interval: Interval
    t: float | None
    df: float | None
    p_value: float | None


def summarise(counts: Mapping[int, int]) -> Summary:
    n = sum(counts.values())
    total = sum(value * count for value, count in counts.items())
    total_sq = sum(value * value * count for value, count in counts.items())
    mean = total / n if n else None
    # Integer sums keep this exact until the one division, however many answers there are.
    variance = (n * total_sq - total * total) / (n * (n - 1)) if n >= 2 else None
    return Summary(n=n, mean=mean, variance=variance)


def z_quantile(p: float) -> float:
    return NormalDist().inv_cdf(p)


def t_cdf(t: float, df: float) -> float:
    tail = _t_upper_tail(abs(t), df)
    return tail if t < 0 else 1.0 - tail


def t_quantile(p: float, df: float) -> float:
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, not {p}")
    # 1 - p is exact for p >= 0.5, but would lose a small p's digits.
    if p < 0.5:
        return -_solve_upper_tail(p, df)
    if p == 0.5:
        return 0.0
    return _solve_upper_tail(1.0 - p, df)


def mean_interval(
    summary: Summary, confidence: float = 0.95, bounds: tuple[float, float] | None = None
) -> Interval | None:
    """Student's t interval for the mean; with `bounds`, cut back to the answer scale.

    No mean of answers on a scale can lie outside it, so an end past the scale says nothing
    but "up to the end"; the interval says it was cut, for the table's footnote.
    """
    if summary.n < 2:
        return None
    half_width = _two_sided_t(confidence, summary.n - 1) * math.sqrt(summary.variance / summary.n)
    interval = Interval(summary.mean - half_width, summary.mean + half_width)
    return clip_interval(interval, bounds) if bounds else interval


def clip_interval(interval: Interval, bounds: tuple[float, float]) -> Interval:
    low, high = bounds
    if low <= interval.low and interval.high <= high:
        return interval
    return Interval(max(low, interval.low), min(high, interval.high), clipped=True)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    if n == 0:
        return None
    z = z_quantile((1.0 + confidence) / 2.0)
    share = successes / n
    shrink = 1.0 + z * z / n
    centre = (share + z * z / (2 * n)) / shrink
    half_width = z * math.sqrt(share * (1.0 - share) / n + z * z / (4 * n * n)) / shrink
    # At 0 or n successes the bound is 0 or 1 exactly; rounding must not move it off.
    low = 0.0 if successes == 0 else centre - half_width
    high = 1.0 if successes == n else centre + half_width
    return Interval(low, high)


def top_box_share(counts: Mapping[int, int], top_values: Iterable[int]) -> tuple[int, int]:
    top = set(top_values)
    in_top = sum(count for value, count in counts.items() if value in top)
    return in_top, sum(counts.values())


def net_promoter_score(
    counts: Mapping[int, int], confidence: float = 0.95
) -> NetPromoterScore | None:
    outside = sorted(value for value, count in counts.items() if count and not 0 <= value <= 10)
    if outside:
        raise ValueError(f"NPS answers run from 0 to 10, not {outside}")
    n = sum(counts.values())
    if n == 0:
        return None
    promoters = sum(counts.get(value, 0) for value in (9, 10))
    passives = sum(counts.get(value, 0) for value in (7, 8))
    detractors = n - promoters - passives
    score = (promoters - detractors) / n * 100
    interval = _nps_interval(n, promoters, detractors, score, confidence) if n >= 2 else None
    return NetPromoterScore(n, promoters, passives, detractors, score, interval)


def pearson_from_sums(
    n: int, sum_x: float, sum_y: float, sum_xx: float, sum_yy: float, sum_xy: float
) -> float | None:
    if n < 3:
        return None
    spread_x = _spread(n, sum_x, sum_xx)
    spread_y = _spread(n, sum_y, sum_yy)
    if spread_x <= 0 or spread_y <= 0:
        return None
    co_spread = n * sum_xy - sum_x * sum_y
    r = co_spread / (math.sqrt(spread_x) * math.sqrt(spread_y))
    return max(-1.0, min(1.0, r))


def welch_test(before: Summary, after: Summary, confidence: float = 0.95) -> WelchTest | None:
    if before.n < 2 or after.n < 2:
        return None
    difference = after.mean - before.mean
    share_before = before.variance / before.n
    share_after = after.variance / after.n
    variance = share_before + share_after
    if variance == 0:
        return WelchTest(difference, Interval(difference, difference), None, None, None)
    df = variance**2 / (share_before**2 / (before.n - 1) + share_after**2 / (after.n - 1))
    se = math.sqrt(variance)
    t = difference / se
    half_width = _two_sided_t(confidence, df) * se
    interval = Interval(difference - half_width, difference + half_width)
    return WelchTest(difference, interval, t, df, 2.0 * _t_upper_tail(abs(t), df))


def _two_sided_t(confidence: float, df: float) -> float:
    return t_quantile((1.0 + confidence) / 2.0, df)


def _nps_interval(n, promoters, detractors, score, confidence) -> Interval:
    # In integers, so that "every answer in one group" gives a variance of exactly zero.
    variance = (n * (promoters + detractors) - (promoters - detractors) ** 2) / n**3
    half_width = z_quantile((1.0 + confidence) / 2.0) * math.sqrt(variance) * 100
    return clip_interval(Interval(score - half_width, score + half_width), (-100.0, 100.0))


def _spread(n, total, total_sq):
    spread = n * total_sq - total * total
    if isinstance(spread, float) and spread <= _FLOAT_NOISE * n * abs(total_sq):
        return 0.0
    return spread


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0, computed directly so that tiny tails keep their precision."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    if math.isinf(t):
        return 0.0
    # 1 - x is formed without subtraction; near the centre x is within rounding of 1.
    x = df / (df + t * t)
    y = t * t / (df + t * t)
    return 0.5 * _incomplete_beta(df / 2.0, 0.5, x, y)


# A dashboard asks for the same few quantiles again and again: 95% at n - 1 for each question's
# and each month's n, which change only as responses come in.
@lru_cache(maxsize=4096)
def _solve_upper_tail(tail: float, df: float) -> float:
    """The t >= 0 with P(T > t) = tail, by Halley's method on log P(T > t), from the
    Cornish-Fisher expansion (off by less than 1e-5 for a 95% interval from df = 10 on, so one
    step is the last). Each evaluation narrows a bracket around the answer; a step that would
    leave it halves the bracket instead (or doubles its start while it has no upper end), so
    the search cannot diverge, whatever the start."""
    low, high = 0.0, math.inf
    t = _cornish_fisher(tail, df)
    if not 0.0 < t < math.inf:
        t = 1.0
    for _ in range(_MAX_STEPS):
        upper = _t_upper_tail(t, df)
        if upper == tail:
            return t
        if upper > tail:
            low = t
        else:
            high = t
        step = _halley_step(t, df, upper, tail) if upper > 0.0 else math.nan
        if low < t + step < high:
            if abs(step) <= _LAST_STEP * t:
                return t + step
            t += step
        else:
            t = (low + high) / 2.0 if high < math.inf else max(1.0, 2.0 * low)
        if high < math.inf and high - low <= _RELATIVE_WIDTH * high:
            return (low + high) / 2.0
    raise ArithmeticError(f"t quantile did not converge for tail={tail}, df={df}")


def _cornish_fisher(tail: float, df: float) -> float:
    """The t quantile's expansion around the normal one (Abramowitz and Stegun 26.7.5)."""
    z = -z_quantile(tail)
    z2 = z * z
    g1 = (z2 + 1.0) * z / 4.0
    g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
    g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
    g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def _halley_step(t: float, df: float, upper: float, tail: float) -> float:
    """Halley's step towards log P(T > t) = log tail, from t where P(T > t) = upper. On the
    log scale, so that a far tail (1e-300) steps as surely as the centre."""
    log_density = (
        -(df + 1.0) / 2.0 * math.log1p(t * t / df) - _log_beta(df / 2.0, 0.5) - 0.5 * math.log(df)
    )
    hazard = math.exp(log_density - math.log(upper))  # density / upper tail
    gap = math.log(upper) - math.log(tail)
    # d/dt log P(T > t) = -hazard, and its derivative is hazard * (bend - hazard), where bend is
    # -d/dt log density.
    bend = (df + 1.0) * t / (df + t * t)
    return 2.0 * gap / (2.0 * hazard - gap * (bend - hazard))


def _incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """Regularized I_x(a, b), with y = 1 - x passed in to keep its precision."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    # The continued fraction converges fast only below this point; above it, use the symmetry.
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _incomplete_beta(b, a, y, x)
    log_x = math.log1p(-y) if y < 0.5 else math.log(x)
    log_y = math.log1p(-x) if x < 0.5 else math.log(y)
    front = math.exp(a * log_x + b * log_y - _log_beta(a, b)) / a
    return front * _beta_fraction(a, b, x)


def _log_beta(a: float, b: float) -> float:
    small, large = min(a, b), max(a, b)
    if large < 100.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # lgamma(large) is so big that its rounding swamps the answer; Stirling's series for the
    # difference lgamma(large + small) - lgamma(large) keeps every term of order small.
    total = large + small
    difference = (
        (large - 0.5) * math.log1p(small / large)
        + small * math.log(total)
        - small
        + _stirling_correction(total)
        - _stirling_correction(large)
    )
    return math.lgamma(small) - difference


def _stirling_correction(z: float) -> float:
    z2 = z * z
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * z2)) / z2) / z


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction for I_x(a, b), by the modified Lentz method (Numerical Recipes)."""
    c = 1.0
    d = 1.0 / _nonzero(1.0 - (a + b) * x / (a + 1.0))
    result = d
    for m in range(1, _MAX_TERMS):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        for term in (even, odd):
            d = 1.0 / _nonzero(1.0 + term * d)
            c = _nonzero(1.0 + term / c)
            result *= c * d
        if abs(c * d - 1.0) < _EPSILON:
            return result
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _nonzero(value: float) -> float:
    return value if abs(value) > _TINY else _TINY
