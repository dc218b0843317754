"""The statistics in ``diagnose/stats.py`` (tests, intervals, strengths), on hand-computed
values or against scipy."""

from __future__ import annotations

import math

import pytest
from scipy import stats as st

from throughline.diagnose import stats


def test_gated_strength():
    assert stats.gated_strength(0.1, 0.2, 0.001) == pytest.approx(0.5)
    assert stats.gated_strength(0.5, 0.2, 0.001) == 1.0  # capped
    assert stats.gated_strength(0.5, 0.2, 0.02) == 0.0  # not significant at 1%
    assert stats.gated_strength(-0.1, 0.2, 0.0) == 0.0  # wrong direction
    assert stats.gated_strength(0.1, 0.2, float("nan")) == 0.0
    assert stats.gated_strength(None, 0.2, 0.0) == 0.0


def test_binomial_test_greater():
    # P(X ≥ 3 | 4, 0.1) = 4 · 0.1³ · 0.9 + 0.1⁴
    assert stats.binomial_test_greater(3, 4, 0.1) == pytest.approx(0.0037)
    assert stats.binomial_test_greater(0, 0, 0.5) == 1.0


def test_ratio_of_sums_interval():
    # x = (1, 1), y = (0, 2): R = 1; residuals −1, 1; s² = 2; se = √(2 · 2) / 2 = 1
    lo, hi = stats.ratio_of_sums_interval(2, 2, 2, 2, 4, 2)
    assert (lo, hi) == pytest.approx((1 - 1.959964, 1 + 1.959964), abs=1e-5)
    # y = 2x exactly: no spread
    assert stats.ratio_of_sums_interval(3, 6, 12, 14, 56, 28) == pytest.approx((2.0, 2.0))
    assert stats.ratio_of_sums_interval(1, 1, 1, 1, 1, 1) is None


def test_nps_interval():
    # 3 promoters, 2 passives, 2 detractors: NPS = 100/7; var = (5/7 − 1/49) / 7
    nps, lo, hi = stats.nps_interval(3, 2, 2)
    half = 1.959964 * math.sqrt((5 / 7 - 1 / 49) / 7) * 100
    assert nps == pytest.approx(100 / 7)
    assert (lo, hi) == pytest.approx((100 / 7 - half, 100 / 7 + half), abs=1e-3)
    assert stats.nps_interval(0, 0, 0) is None


def test_mean_and_t_test_from_sums():
    # 1, 2, 3: mean 2, sample variance 1, se = √(1/3)
    mean, se = stats.mean_from_sums(3, 6, 14)
    assert (mean, se) == pytest.approx((2.0, math.sqrt(1 / 3)))
    assert stats.t_test_greater(mean, se, 3) == pytest.approx(st.t.sf(2 / math.sqrt(1 / 3), 2))
    assert stats.t_test_greater(1.0, float("inf"), 1) == 1.0


def test_slope_difference_test():
    z, p = stats.slope_difference_test(0.3, 0.1, 0.0, 0.0)
    assert z == pytest.approx(3.0)
    assert p == pytest.approx(st.norm.sf(3.0))


def test_flat_safe_trend():
    assert stats.flat_safe_trend([0, 1, 2, 3], [5, 5, 5, 5]) == (0.0, 0.0, 1.0)
    slope, se, p = stats.flat_safe_trend([0, 1, 2, 3], [0, 1, 2, 3.5])
    assert slope == pytest.approx(1.15) and se > 0 and 0 < p < 1


def test_chi_square_pooled_follows_cochran():
    from scipy import stats as st

    from throughline.diagnose.stats import chi_square, chi_square_pooled

    big = [[30, 10], [25, 15], [40, 20]]
    assert chi_square_pooled(big) == chi_square(big)  # every expected count ≥ 5
    # the two tiny rows are pooled ([3, 1]: a third of the cells still expect < 5), then
    # into the smallest other row (the first of two ties): tested as [[33, 11], [25, 15]]
    chi2, p, dof, _ = chi_square_pooled([[30, 10], [25, 15], [1, 0], [2, 1]])
    assert dof == 1
    assert (chi2, p) == pytest.approx(chi_square([[33, 11], [25, 15]])[:2])
    # a sparse 2×2 gets Fisher's exact p-value
    assert chi_square_pooled([[1, 3], [4, 0]])[1] == pytest.approx(
        st.fisher_exact([[1, 3], [4, 0]]).pvalue)
    # a sparse 2×3 cannot be pooled below two rows: no test
    assert chi_square_pooled([[1, 2, 0], [3, 1, 1]]) == (0.0, 1.0, 0, 0.0)


def test_wilson_lower_is_the_one_sided_bound() -> None:
    assert stats.wilson_lower(0, 0) == 0.0
    assert stats.wilson_lower(2, 3) == pytest.approx(stats.wilson_interval(2, 3, 0.90)[0])
    assert stats.wilson_lower(50, 100) == pytest.approx(0.4189, abs=1e-4)


def test_mann_whitney_from_ranks_matches_scipy_with_ties() -> None:
    x = [3.0, 5.0, 2.0, 6.0, 1.0, 6.0]
    y = [10.0, 24.0, 6.0, 4.0, 12.0]
    ranks = st.rankdata(y + x)  # mid-ranks, group 2 = x
    r2 = float(ranks[len(y):].sum())
    values = y + x
    tie_term = float(sum(values.count(v) ** 2 - 1 for v in values))
    u2, z, p, r = stats.mann_whitney_from_ranks(r2, len(y), len(x), tie_term)
    ref = st.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    assert u2 == pytest.approx(ref.statistic)
    assert p == pytest.approx(ref.pvalue)
    assert r == pytest.approx(2 * ref.statistic / (len(x) * len(y)) - 1)
    assert z < 0


def test_mann_whitney_degenerate() -> None:
    assert stats.mann_whitney_from_ranks(0.0, 0, 3) == (0.0, 0.0, 1.0, 0.0)


def test_ratio_lower_bound_and_strength() -> None:
    low = stats.ratio_lower_bound(math.log(3), 0.5, 10)
    assert low == pytest.approx(math.exp(math.log(3) - st.t.ppf(0.95, 9) * 0.5 / math.sqrt(10)))
    assert stats.ratio_lower_bound(1.0, 0.5, 1) == 0.0
    assert stats.ratio_strength(2.0) == 0.5
    assert stats.ratio_strength(4.0) == 0.75
    assert stats.ratio_strength(0.8) == 0.0
    assert stats.ratio_strength(math.inf) == 1.0
    assert stats.ratio_strength(math.nan) == 0.0
