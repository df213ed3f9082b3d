"""Whole numbers for the bulk demo: a total shared out in proportion, an expectation rounded at
random (so that many small expectations add up to their sum)."""

from __future__ import annotations

import random


def apportion(count: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to `weights` that add up to `count` (largest remainders)."""
    if not weights:
        return []
    total = sum(weights)
    exact = [count * weight / total for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for index in by_remainder[: count - sum(counts)]:
        counts[index] += 1
    return counts


def rounded(expected: float, rng: random.Random) -> int:
    whole = int(expected)
    return whole + (rng.random() < expected - whole)
