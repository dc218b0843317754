"""Small, well-known statistics used by several diagnostics.

Everything here works on aggregates that came back from the engine (a handful of numbers
per group), never on raw rows: the engine counts, these functions judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as _st


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (good behaviour at small n and near 0/1)."""
    if n <= 0:
        return (0.0, 1.0)
    z = float(_st.norm.ppf(1 - (1 - confidence) / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Two-sided z-test for p1 == p2. Returns (z, p_value)."""
    if n1 == 0 or n2 == 0:
        return (0.0, 1.0)
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return (0.0, 1.0)
    z = (x1 / n1 - x2 / n2) / se
    return (z, float(2 * _st.norm.sf(abs(z))))


def binomial_test_less(successes: int, n: int, p0: float) -> float:
    """One-sided exact binomial p-value that the true rate is below ``p0``."""
    if n == 0:
        return 1.0
    return float(_st.binomtest(successes, n, p0, alternative="less").pvalue)


def chi_square(table: Sequence[Sequence[float]]) -> tuple[float, float, int, float]:
    """Chi-square test of independence. Returns (chi2, p, dof, Cramér's V).

    Rows or columns that are all zero are dropped; a table smaller than 2×2 gives p = 1.
    """
    arr = np.asarray(table, dtype=float)
    arr = arr[arr.sum(axis=1) > 0][:, arr.sum(axis=0) > 0] if arr.size else arr
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        return (0.0, 1.0, 0, 0.0)
    chi2, p, dof, _ = _st.chi2_contingency(arr, correction=False)
    n = arr.sum()
    k = min(arr.shape) - 1
    v = math.sqrt(chi2 / (n * k)) if n > 0 and k > 0 else 0.0
    return (float(chi2), float(p), int(dof), float(v))


def js_divergence(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen–Shannon divergence (base 2, in [0, 1]) between two distributions."""
    a = np.asarray(p, dtype=float)
    b = np.asarray(q, dtype=float)
    if a.sum() <= 0 or b.sum() <= 0:
        return 0.0
    a, b = a / a.sum(), b / b.sum()
    m = (a + b) / 2

    def _kl(x: np.ndarray, y: np.ndarray) -> float:
        mask = x > 0
        return float(np.sum(x[mask] * np.log2(x[mask] / y[mask])))

    return 0.5 * _kl(a, m) + 0.5 * _kl(b, m)


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    arr = np.asarray(values, dtype=float)
    if arr.size < 2 or arr.mean() == 0:
        return None
    return float(arr.std(ddof=1) / abs(arr.mean()))


def hhi(shares: Sequence[float]) -> float:
    """Herfindahl–Hirschman index of shares given as fractions (1/k .. 1)."""
    arr = np.asarray(shares, dtype=float)
    total = arr.sum()
    if total <= 0:
        return 0.0
    return float(np.sum((arr / total) ** 2))


def linear_trend(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """OLS slope, its standard error and the two-sided p-value of slope == 0."""
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.size < 3 or np.ptp(xa) == 0:
        return (0.0, float("inf"), 1.0)
    res = _st.linregress(xa, ya)
    return (float(res.slope), float(res.stderr), float(res.pvalue))


def prob_crossing(
    current: float, slope_per_month: float, slope_se: float, months: float, threshold: float,
    above: bool = True,
) -> float:
    """P(metric crosses ``threshold`` within ``months``) under a normal slope uncertainty."""
    if slope_se <= 0 or not math.isfinite(slope_se):
        projected = current + slope_per_month * months
        return 1.0 if (projected >= threshold) == above else 0.0
    needed = (threshold - current) / months if months > 0 else float("inf")
    z = (slope_per_month - needed) / slope_se
    p = float(_st.norm.cdf(z))
    return p if above else 1.0 - p
