"""The statistics added to ``stats`` for these families, against scipy or by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats as st

from throughline.diagnose import stats


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
