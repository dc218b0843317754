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


# -- added for the post-sale, ICP, honesty, pipeline and distribution families ----------


def gated_strength(
    effect: float | None, reference: float, p_value: float | None, alpha: float = 0.01
) -> float:
    """A signal strength in 0..1: 0 unless ``p_value < alpha`` and ``effect > 0``; then
    ``min(1, effect / reference)``. ``reference`` is the effect that counts as full strength."""
    if effect is None or p_value is None or reference <= 0:
        return 0.0
    if not math.isfinite(effect) or not math.isfinite(p_value):
        return 0.0
    if p_value >= alpha or effect <= 0:
        return 0.0
    return float(min(1.0, effect / reference))


def binomial_test_greater(successes: int, n: int, p0: float) -> float:
    """One-sided exact binomial p-value that the true rate is above ``p0``."""
    if n == 0:
        return 1.0
    return float(_st.binomtest(successes, n, p0, alternative="greater").pvalue)


def ratio_of_sums_interval(
    n: int, sum_x: float, sum_y: float, sum_xx: float, sum_yy: float, sum_xy: float,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Delta-method (linearisation) interval for R = Σy / Σx over n units, from sums.

    The engine returns the five sums per group (e.g. starting and ending MRR per account),
    so retention ratios get an interval without bringing accounts back. None when n < 2.
    """
    if n < 2 or sum_x <= 0:
        return None
    r = sum_y / sum_x
    s2 = max(0.0, (sum_yy - 2 * r * sum_xy + r * r * sum_xx) / (n - 1))
    se = math.sqrt(n * s2) / sum_x
    z = float(_st.norm.ppf(1 - (1 - confidence) / 2))
    return (r - z * se, r + z * se)


def nps_interval(
    promoters: int, passives: int, detractors: int, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """NPS (in points, −100..100) with a normal-approximation interval:
    var = (p_pro + p_det − (p_pro − p_det)²) / n. None when there are no answers."""
    n = promoters + passives + detractors
    if n <= 0:
        return None
    pp, pd = promoters / n, detractors / n
    nps = pp - pd
    se = math.sqrt(max(0.0, pp + pd - nps * nps) / n)
    z = float(_st.norm.ppf(1 - (1 - confidence) / 2))
    return (100 * nps, max(-100.0, 100 * (nps - z * se)), min(100.0, 100 * (nps + z * se)))


def mean_from_sums(n: int, sum_x: float, sum_xx: float) -> tuple[float, float]:
    """Mean and its standard error from n, Σx and Σx² (SE is inf when n < 2)."""
    if n <= 0:
        return (0.0, float("inf"))
    mean = sum_x / n
    if n < 2:
        return (mean, float("inf"))
    var = max(0.0, (sum_xx - n * mean * mean) / (n - 1))
    return (mean, math.sqrt(var / n))


def t_test_greater(mean: float, se: float, n: int, mu: float = 0.0) -> float:
    """One-sided one-sample t-test p-value that the true mean exceeds ``mu``."""
    if n < 2 or not math.isfinite(se):
        return 1.0
    if se == 0:
        return 0.0 if mean > mu else 1.0
    return float(_st.t.sf((mean - mu) / se, df=n - 1))


def slope_difference_test(
    slope_a: float, se_a: float, slope_b: float, se_b: float
) -> tuple[float, float]:
    """z and one-sided p that slope_a > slope_b (independent estimates with SEs)."""
    se = math.sqrt(se_a * se_a + se_b * se_b)
    if not math.isfinite(se) or se == 0:
        return (0.0, 1.0)
    z = (slope_a - slope_b) / se
    return (float(z), float(_st.norm.sf(z)))


# -- added for the handoff / legibility / feedback / promises families -----------------


def wilson_lower(successes: int, n: int, confidence: float = 0.95) -> float:
    """One-sided lower confidence bound of a proportion (Wilson), 0 when ``n`` is 0.

    Used as a signal strength: the share we are ``confidence`` sure is at least this high.
    """
    if n <= 0:
        return 0.0
    return wilson_interval(successes, n, 2 * confidence - 1)[0]


def mann_whitney_from_ranks(
    rank_sum_2: float, n1: int, n2: int, tie_term: float = 0.0
) -> tuple[float, float, float, float]:
    """Mann–Whitney U from group 2's sum of mid-ranks, as an engine can compute it.

    ``tie_term`` is Σ(t³ − t) over groups of tied values (equivalently Σ(t² − 1) over
    rows, t being each row's tie-group size). Normal approximation with tie and continuity
    corrections (scipy's ``method="asymptotic"``). Returns (U₂, z, two-sided p,
    rank-biserial r = 2·U₂/(n₁n₂) − 1, positive when group 2 tends to be larger).
    """
    if n1 <= 0 or n2 <= 0:
        return (0.0, 0.0, 1.0, 0.0)
    n = n1 + n2
    u2 = rank_sum_2 - n2 * (n2 + 1) / 2
    mean = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    r = 2 * u2 / (n1 * n2) - 1
    if var <= 0:
        return (float(u2), 0.0, 1.0, float(r))
    diff = u2 - mean
    z = (diff - math.copysign(0.5, diff)) / math.sqrt(var) if diff != 0 else 0.0
    p = float(min(1.0, 2 * _st.norm.sf(abs(z))))
    return (float(u2), float(z), p, float(r))


def ratio_lower_bound(mean_log: float, sd_log: float, n: int, confidence: float = 0.95) -> float:
    """One-sided lower bound of a geometric-mean ratio from paired log ratios (t interval)."""
    if n < 2 or not math.isfinite(sd_log):
        return 0.0
    t = float(_st.t.ppf(confidence, n - 1))
    return math.exp(mean_log - t * sd_log / math.sqrt(n))


def ratio_strength(ratio: float) -> float:
    """Map a ratio (1 = no effect) to 0..1 as 1 − 1/ratio: 2× → 0.5, 4× → 0.75."""
    if math.isnan(ratio) or ratio <= 1:
        return 0.0
    return 1.0 - 1.0 / ratio  # inf → 1.0


def flat_safe_trend(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """``linear_trend``, except that a perfectly flat series gives (0, 0, 1) instead of
    SciPy's NaN standard error and p-value."""
    ya = np.asarray(y, dtype=float)
    if ya.size >= 3 and np.ptp(ya) == 0 and np.ptp(np.asarray(x, dtype=float)) > 0:
        return (0.0, 0.0, 1.0)
    slope, se, p = linear_trend(x, y)
    if not math.isfinite(se):
        return (slope, float("inf"), 1.0)
    return (slope, se, p if math.isfinite(p) else 1.0)


def chi_square_pooled(table: Sequence[Sequence[float]], min_expected: float = 5.0
                      ) -> tuple[float, float, int, float]:
    """``chi_square`` where its large-sample approximation holds — Cochran's rule: no
    expected count below 1 and at most a fifth of them below ``min_expected``. Until it
    holds, the smallest row is pooled into the next smallest (rows are the categories
    compared, e.g. values of an attribute; columns the outcomes). A 2×2 table that still
    breaks the rule gets the p-value of Fisher's exact test instead (the statistic stays
    the chi-square); a table pooled down to one row cannot be tested: (0, 1, 0, 0)."""
    rows = [[float(x) for x in r] for r in table if sum(r) > 0]
    while len(rows) >= 2:
        arr = np.asarray(rows)
        cols = arr.sum(axis=0)
        arr = arr[:, cols > 0]
        if arr.shape[1] < 2:
            break
        expected = np.outer(arr.sum(axis=1), arr.sum(axis=0)) / arr.sum()
        if expected.min() >= 1 and (expected < min_expected).mean() <= 0.2:
            break
        if arr.shape == (2, 2):
            chi2, _, dof, v = chi_square(arr.tolist())
            return (chi2, float(_st.fisher_exact(arr).pvalue), dof, v)
        order = sorted(range(len(rows)), key=lambda i: (sum(rows[i]), i))
        a, b = order[0], order[1]
        rows[b] = [x + y for x, y in zip(rows[a], rows[b], strict=True)]
        del rows[a]
    if len(rows) < 2:
        return (0.0, 1.0, 0, 0.0)
    return chi_square(rows)


def anova_from_sums(groups: Sequence[tuple[float, float, float]], min_group: int = 5
                    ) -> tuple[float, float, int, float]:
    """One-way ANOVA from per-group (n, Σx, Σx²): (F, p, between-groups dof, η²).

    Groups of fewer than ``min_group`` observations are pooled, smallest into the next
    smallest, until every group has that many (their means are too noisy to compare on
    their own). Fewer than two groups left, or no spread at all: (0, 1, 0, 0)."""
    gs = [[float(n), float(s), float(q)] for n, s, q in groups if n > 0]
    while len(gs) >= 2 and min(g[0] for g in gs) < min_group:
        order = sorted(range(len(gs)), key=lambda i: (gs[i][0], i))
        a, b = order[0], order[1]
        gs[b] = [x + y for x, y in zip(gs[a], gs[b], strict=True)]
        del gs[a]
    if len(gs) < 2:
        return (0.0, 1.0, 0, 0.0)
    n = sum(g[0] for g in gs)
    mean = sum(g[1] for g in gs) / n
    between = sum(g[1] * g[1] / g[0] for g in gs) - n * mean * mean
    within = sum(g[2] - g[1] * g[1] / g[0] for g in gs)
    k = len(gs)
    if n - k <= 0 or within <= 0:
        return (0.0, 1.0, 0, 0.0) if between <= 0 else (math.inf, 0.0, k - 1, 1.0)
    f = (between / (k - 1)) / (within / (n - k))
    return (float(f), float(_st.f.sf(f, k - 1, n - k)), k - 1,
            float(between / (between + within)))
