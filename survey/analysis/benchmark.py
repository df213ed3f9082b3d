"""The statistics of the circle benchmark: funnel-plot control limits with over-dispersion
(Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in Medicine
2005), direct standardisation to the circle's channel mix, and disclosure control.

Plain functions on numbers: no database, no HTTP. A member is only called above or below the
circle outside the (adjusted) control limits, so that noise in small numbers shames nobody.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from survey.analysis.statistics import z_quantile

ALERT, ALARM = 0.95, 0.998  # the two funnels: two-sided coverage
WINSOR = 0.10  # Spiegelhalter winsorises the 10% most extreme z-scores at each end
DISPERSION_TEST = 0.95
GROUP_MINIMUM_MEMBERS = 3  # a group figure needs at least three members shown

_GAMMA_TERMS = 1_000
_EPSILON = 1e-15
_BISECTIONS = 200


class Method(enum.StrEnum):
    NONE = "none"  # the members differ no more than chance allows
    MULTIPLICATIVE = "multiplicative"  # limits widened by the square root of phi
    ADDITIVE = "additive"  # a random-effects spread tau^2 added to every member's variance


class Standing(enum.StrEnum):
    ABOVE = "above"
    WITHIN = "within"
    BELOW = "below"


@dataclass(frozen=True)
class Dispersion:
    """How much more the members differ than chance allows, and what the limits do about it."""

    members: int  # k
    phi: float  # the (winsorised) mean of the squared z-scores
    threshold: float  # chi-square(k - 1) at 95%, against which k * phi is tested
    tau2: float  # the additive between-member variance (DerSimonian-Laird style), >= 0
    method: Method

    @property
    def over_dispersed(self) -> bool:
        return self.members * self.phi > self.threshold


@dataclass(frozen=True)
class Limits:
    low_alert: float
    high_alert: float
    low_alarm: float
    high_alarm: float


@dataclass(frozen=True)
class FunnelPoint:
    key: Hashable
    value: float
    n: float  # responses (or the effective number, after standardisation)
    se: float  # the standard error of `value` if the member were on target
    z: float
    limits: Limits
    standing: Standing
    beyond_alarm: bool  # outside the 99.8% limits too


@dataclass(frozen=True)
class Funnel:
    target: float
    dispersion: Dispersion
    points: list[FunnelPoint]

    def point(self, key: Hashable) -> FunnelPoint | None:
        return next((p for p in self.points if p.key == key), None)

    def limits(self, se: float) -> Limits:
        return control_limits(self.target, se, self.dispersion)


# --- funnels ---------------------------------------------------------------------------------


def mean_standard_error(sd: float, n: float) -> float:
    """A mean's standard error on target: the circle's within-member spread over sqrt(n)."""
    return sd / math.sqrt(n)


def proportion_standard_error(target: float, n: float) -> float:
    """A share's standard error on target (the binomial, by the normal approximation)."""
    return math.sqrt(target * (1.0 - target) / n)


def control_limits(target: float, se: float, dispersion: Dispersion) -> Limits:
    """target +- z * width at 95% and 99.8%, the width widened for over-dispersion."""
    if dispersion.method is Method.MULTIPLICATIVE:
        width = se * math.sqrt(dispersion.phi)
    elif dispersion.method is Method.ADDITIVE:
        width = math.sqrt(se * se + dispersion.tau2)
    else:
        width = se
    alert, alarm = _two_sided_z(ALERT) * width, _two_sided_z(ALARM) * width
    return Limits(target - alert, target + alert, target - alarm, target + alarm)


def funnel(
    values: Mapping[Hashable, tuple[float, float, float]],
    target: float,
    prefer: Method = Method.ADDITIVE,
) -> Funnel:
    """The funnel for members given as {key: (value, n, se on target)}.

    When k * phi exceeds chi-square(k - 1) at 95% the members differ more than chance allows,
    and the limits follow `prefer` (additive by default: with members of very different size
    the multiplicative limits close in on the largest ones, which Spiegelhalter warns against).
    """
    keys = list(values)
    z = [(values[k][0] - target) / values[k][2] if values[k][2] > 0 else 0.0 for k in keys]
    spread = dispersion(z, [values[k][2] for k in keys], prefer)
    points = []
    for key, score in zip(keys, z, strict=True):
        value, n, se = values[key]
        limits = control_limits(target, se, spread)
        points.append(FunnelPoint(key, value, n, se, score, limits, *_standing(value, limits)))
    return Funnel(target, spread, points)


def dispersion(
    z_scores: Sequence[float], standard_errors: Sequence[float], prefer: Method
) -> Dispersion:
    """phi from the winsorised z-scores; tau^2 = (k phi - (k - 1)) / (sum w - sum w^2 / sum w)
    with w = 1 / se^2, never below zero; the method is `prefer` only when over-dispersed."""
    k = len(z_scores)
    if k < 2:
        return Dispersion(k, 1.0, math.inf, 0.0, Method.NONE)
    phi = sum(z * z for z in winsorised(z_scores, WINSOR)) / k
    threshold = chi2_quantile(DISPERSION_TEST, k - 1)
    weights = [1.0 / (se * se) for se in standard_errors if se > 0]
    total = sum(weights)
    denominator = total - sum(w * w for w in weights) / total if total else 0.0
    tau2 = max(0.0, (k * phi - (k - 1)) / denominator) if denominator > 0 else 0.0
    method = prefer if k * phi > threshold else Method.NONE
    return Dispersion(k, phi, threshold, tau2, method)


def winsorised(values: Sequence[float], share: float) -> list[float]:
    """The lowest and highest `share` of the values pulled in to the nearest value kept
    (as scipy.stats.mstats.winsorize does: floor(share * k) at each end)."""
    k = len(values)
    cut = int(share * k)
    if cut == 0:
        return list(values)
    ordered = sorted(values)
    low, high = ordered[cut], ordered[k - cut - 1]
    return [min(max(value, low), high) for value in values]


def _standing(value: float, limits: Limits) -> tuple[Standing, bool]:
    if value > limits.high_alert:
        return Standing.ABOVE, value > limits.high_alarm
    if value < limits.low_alert:
        return Standing.BELOW, value < limits.low_alarm
    return Standing.WITHIN, False


@cache  # two coverages in all, asked for every limit of every point of every funnel
def _two_sided_z(coverage: float) -> float:
    return z_quantile((1.0 + coverage) / 2.0)


# --- the chi-square quantile (the standard library has none) ---------------------------------


def chi2_cdf(x: float, df: float) -> float:
    """P(X <= x) for chi-square(df): the regularized lower incomplete gamma P(df/2, x/2)."""
    if x <= 0:
        return 0.0
    return _lower_gamma(df / 2.0, x / 2.0)


@cache  # a few (p, df) pairs in all: 95% and the number of members less one
def chi2_quantile(p: float, df: float) -> float:
    """The x with P(X <= x) = p, by bisection (slow, but it cannot diverge)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, not {p}")
    low, high = 0.0, max(1.0, 2.0 * df)
    while chi2_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2.0
        if chi2_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2.0


def _lower_gamma(a: float, x: float) -> float:
    """P(a, x) by its series below a + 1 and by the continued fraction of Q above (Numerical
    Recipes, gser and gcf)."""
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(_GAMMA_TERMS):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * _EPSILON:
                return total * math.exp(log_front)
        raise ArithmeticError(f"incomplete gamma series did not converge for a={a}, x={x}")
    b = x + 1.0 - a
    c = 1.0 / 1e-300
    d = 1.0 / b
    h = d
    for i in range(1, _GAMMA_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = b + an / c
        c = c if abs(c) > 1e-300 else 1e-300
        h *= d * c
        if abs(d * c - 1.0) < _EPSILON:
            return 1.0 - math.exp(log_front) * h
    raise ArithmeticError(f"incomplete gamma fraction did not converge for a={a}, x={x}")


# --- direct standardisation ------------------------------------------------------------------


@dataclass(frozen=True)
class Standardised:
    """A member's mean as if it had the circle's channel mix; None when it cannot be: the
    member has no answers in a channel the circle uses (`missing` names them)."""

    mean: float | None
    effective_n: float | None  # 1 / sum(w_c^2 / n_c): the n its standard error behaves like
    missing: tuple[str, ...] = ()


def channel_weights(counts: Mapping[str, int]) -> dict[str, float]:
    """The circle's channel mix: each channel's share of the answers."""
    total = sum(counts.values())
    return {channel: n / total for channel, n in counts.items() if n} if total else {}


def standardised_mean(
    by_channel: Mapping[str, tuple[int, float]], weights: Mapping[str, float]
) -> Standardised:
    """sum over channels c of w_c * mean_c, `by_channel` giving (n, mean) per channel."""
    missing = tuple(
        sorted(c for c, w in weights.items() if w > 0 and by_channel.get(c, (0,))[0] < 1)
    )
    if missing or not weights:
        return Standardised(None, None, missing)
    mean = sum(w * by_channel[c][1] for c, w in weights.items() if w > 0)
    spread = sum(w * w / by_channel[c][0] for c, w in weights.items() if w > 0)
    return Standardised(mean, 1.0 / spread)


# --- disclosure control ----------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """Which members a figure is shown for, and whether the group's figure may be shown.

    The group figure pools the shown members only: a withheld member's answers are in no
    number on the page, so no total minus the visible members can give them back (the
    complementary suppression is built in, for the viewing member too, who knows their own).
    """

    shown: frozenset
    withheld: frozenset
    group_shown: bool


def disclose(
    ns: Mapping[Hashable, int],
    minimums: Mapping[Hashable, int],
    also_withheld: frozenset | set = frozenset(),
) -> Disclosure:
    """A member is shown with at least its own minimum group size (and unless `also_withheld`
    names it: see nested_disclosure); a group figure needs at least three members shown
    (with fewer, each could work out the other's figures from the group's)."""
    shown = frozenset(k for k, n in ns.items() if n >= minimums[k] and k not in also_withheld)
    withheld = frozenset(ns) - shown
    return Disclosure(shown, withheld, len(shown) >= GROUP_MINIMUM_MEMBERS)


# A calendar year's fixed periods as the quarters they cover; subtracting one shown period
# from another that holds it must not leave a few answers bare.
YEAR_NODES: dict[str, tuple[int, ...]] = {
    "Q1": (1,),
    "Q2": (2,),
    "Q3": (3,),
    "Q4": (4,),
    "H1": (1, 2),
    "H2": (3, 4),
    "Y": (1, 2, 3, 4),
}


def _disjoint_insides(node: str) -> tuple[tuple[str, ...], ...]:
    """Every set of periods strictly inside `node` that do not overlap (a subtraction that
    leaves a period), fixed by YEAR_NODES and so worked out once."""
    inside = [other for other in YEAR_NODES if set(YEAR_NODES[other]) < set(YEAR_NODES[node])]
    found = []
    for size in range(1, len(inside) + 1):
        for chosen in combinations(inside, size):
            quarters = [q for other in chosen for q in YEAR_NODES[other]]
            if len(quarters) == len(set(quarters)):
                found.append(chosen)
    return tuple(found)


_DISJOINT_INSIDES = {node: _disjoint_insides(node) for node in YEAR_NODES}


def nested_disclosure(quarter_ns: Sequence[int], minimum: int) -> set[str]:
    """Which of a year's periods (YEAR_NODES) a member's figure may be shown for.

    A period with at least `minimum` answers is shown, unless some shown periods inside it,
    taken from it, leave between 1 and `minimum - 1` answers (2026 less its first half and
    its third quarter is the fourth quarter): then the larger period is withheld too.

    Withholding a period never shows another, and a period's fate depends on the periods
    inside it only, so one look per period at the periods that reach the minimum decides it:
    a smaller period withheld in turn only takes a subtraction away. (The same answer as
    withholding and checking again until nothing changes; tests/circles compare the two.)
    Hence also: a period's fate needs the answers of its own quarters only.
    """
    n = {node: sum(quarter_ns[q - 1] for q in quarters) for node, quarters in YEAR_NODES.items()}
    reached = {node for node, count in n.items() if count >= minimum}
    return {node for node in reached if not _leaves_few(node, reached, n, minimum)}


def _leaves_few(node: str, shown: set[str], n: Mapping[str, int], minimum: int) -> bool:
    for chosen in _DISJOINT_INSIDES[node]:
        if all(other in shown for other in chosen):
            left = n[node] - sum(n[other] for other in chosen)
            if 0 < left < minimum:
                return True
    return False
