"""Design-based estimates for a stratified sample (the townships are the strata).

For a measure, each respondent gives one value: the mean score of their scored answers to
the measure's questions (0–100), or for the share of positive answers the fraction of those
answers that are positive. Within stratum h (n_h respondents, population N_h, weight
W_h = N_h / Σ N over the strata that responded):

    ȳ   = Σ W_h ȳ_h
    V(ȳ) = Σ W_h² (1 − n_h / N_h) s_h² / n_h          (s_h²: sample variance, n − 1)
    95 % CI = ȳ ± 1.96 √V                              (normal approximation)

A stratum with no respondent is left out and the weights of the others scaled up to 1 (its
share is reported as ``coverage``). A stratum with one respondent has no variance of its
own: the pooled within-stratum variance of the others stands in. The finite-population
correction is left out (taken as 1) when N_h is unknown or smaller than n_h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class Stratum:
    population: float
    values: tuple[float, ...]


def _mean(values) -> float:
    return sum(values) / len(values)


def _variance(values) -> float | None:
    n = len(values)
    if n < 2:
        return None
    m = _mean(values)
    return sum((v - m) ** 2 for v in values) / (n - 1)


def estimate(strata: list[Stratum], *, top: float = 100.0) -> dict | None:
    """``{"mean", "low", "high", "se", "n", "coverage"}`` or None when nobody answered; the
    interval is kept within 0 and ``top`` (100 for scores, 1 for shares)."""
    answered = [s for s in strata if s.values]
    if not answered:
        return None
    total = sum(s.population for s in strata) or 0
    covered = sum(s.population for s in answered)
    if covered <= 0:  # no populations known: the strata weigh alike
        answered = [Stratum(1, s.values) for s in answered]
        covered, total = len(answered), len(answered)
    # The pooled within-stratum variance, for strata of one respondent.
    pairs = [(len(s.values) - 1, _variance(s.values)) for s in answered if len(s.values) > 1]
    dof = sum(d for d, _v in pairs)
    pooled = sum(d * v for d, v in pairs) / dof if dof else 0.0
    mean = variance = 0.0
    for s in answered:
        w = s.population / covered
        n = len(s.values)
        s2 = _variance(s.values)
        s2 = pooled if s2 is None else s2
        fpc = 1 - n / s.population if s.population > n else 1.0
        mean += w * _mean(s.values)
        variance += w * w * fpc * s2 / n
    se = math.sqrt(variance)
    return {
        "mean": mean,
        "low": max(0.0, mean - Z95 * se),
        "high": min(top, mean + Z95 * se),
        "se": se,
        "n": sum(len(s.values) for s in answered),
        "coverage": covered / total if total else 1.0,
    }
