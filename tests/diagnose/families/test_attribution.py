"""Attribution coverage on hand-checked tiny stores."""

from __future__ import annotations

from datetime import date

import pytest

from tests.diagnose.families.tiny import by_id, context, make_store, opp, run


def test_attribution_gap_hand_computed():
    rows = [opp(f"k{i}", "A", created=date(2024, 3, 1), channel="webinar") for i in range(7)]
    rows += [opp("u1", "A", created=date(2024, 3, 1), channel=" "),
             opp("u2", "A", created=date(2024, 3, 1)),
             opp("u3", "A", created=date(2024, 3, 1), channel="Other")]
    rows[0].update(is_closed=True, is_won=True, close_date=date(2024, 5, 1), amount=300.0)
    rows[-1].update(is_closed=True, is_won=True, close_date=date(2024, 5, 1), amount=100.0)
    store = make_store({"opportunities": rows})
    f = by_id(run(context(store, date(2024, 12, 31), min_n=5), "attribution.coverage"),
              "attribution.coverage.share")
    # 3 of 10 unknown; revenue 100 of 400
    assert f.metric("unknown_share_deals") == pytest.approx(0.3)
    assert f.metric("unknown_share_revenue") == pytest.approx(0.25)
    # P(X ≥ 3 | 10, 0.05) = 1 − (0.95¹⁰ + 10·0.05·0.95⁹ + 45·0.05²·0.95⁸) = 0.0115 > 0.01
    p = 1 - (0.95**10 + 10 * 0.05 * 0.95**9 + 45 * 0.05**2 * 0.95**8)
    assert f.significance is not None and f.significance.p_value == pytest.approx(p)
    assert f.signals["attribution_gap"] == 0.0


def test_attribution_trend_rising():
    rows = []
    for m in range(12):  # unknown deals: 0, 1, 2, ... 11 of 20 each month
        for j in range(20):
            rows.append(opp(f"d{m}_{j}", "A", created=date(2024, m + 1, 5),
                            channel="unknown" if j < m else "webinar"))
    store = make_store({"opportunities": rows})
    f = by_id(run(context(store, date(2024, 12, 31)), "attribution.coverage"),
              "attribution.coverage.trend")
    # share rises exactly 0.05 a month → 0.6 a year, far above the reference 0.2
    assert f.metric("slope_per_year") == pytest.approx(0.6)
    assert f.signals["attribution_gap_trend"] == 1.0
