"""Channel stability, attribution coverage and push/pull on hand-checked tiny stores."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.diagnose.families_a.tiny import by_id, context, make_store, opp, run


def monthly_opps(plan: dict[str, list[int]], first_month: int = 1, year: int = 2024):
    """``plan[channel][i]`` deals created on the 10th of month first_month + i."""
    rows = []
    for channel, counts in plan.items():
        for i, k in enumerate(counts):
            for j in range(k):
                rows.append(opp(f"{channel}{i}_{j}", "A",
                                created=date(year, first_month + i, 10), channel=channel))
    return rows


def test_channel_stability_hand_computed():
    plan = {"a": [10] * 6, "b": [10, 10, 10, 0, 0, 0], "c": [0, 0, 0, 10, 10, 10]}
    store = make_store({"opportunities": monthly_opps(plan)})
    findings = run(context(store, date(2024, 6, 30)), "channels.stability")
    vol = by_id(findings, "channels.stability.volatility")
    # shares: a 0.5 every month; b 0.5,0.5,0.5,0,0,0 (mean 0.25, sd √0.075) → CV 1.0954; c same
    cv_b = math.sqrt(6 * 0.25**2 / 5) / 0.25
    assert vol.metric("cv_a") == pytest.approx(0.0)
    assert vol.metric("cv_b") == pytest.approx(cv_b)
    # weighted by the window shares 0.5, 0.25, 0.25
    assert vol.metric("mean_cv") == pytest.approx(0.5 * cv_b)
    # noise CV for p = 0.25, 20 deals a month: √(0.25 · 0.75 / 20) / 0.25 ; excess = √(CV² − noise²)
    noise = math.sqrt(0.25 * 0.75 / 20) / 0.25
    assert vol.metric("mean_excess_cv") == pytest.approx(0.5 * math.sqrt(cv_b**2 - noise**2))
    assert vol.signals["channel_volatility"] == 1.0
    dep = by_id(findings, "channels.stability.dependency")
    # a: 60 of 120 = 0.5; HHI = 0.5² + 0.25² + 0.25² = 0.375
    assert dep.metric("largest_share") == pytest.approx(0.5)
    assert dep.metric("hhi") == pytest.approx(0.375)
    assert dep.signals["channel_dependency"] == 0.0
    churn = by_id(findings, "channels.stability.churn")
    # b died (0.5 → 0), c appeared (0 → 0.5): churned share 0.5 ≥ reference 0.3
    assert churn.metric("channels_died") == 1 and churn.metric("channels_appeared") == 1
    assert churn.metric("churned_share") == pytest.approx(0.5)
    assert churn.signals["channel_churn"] == 1.0


def test_channel_stability_steady_is_healthy():
    plan = {"a": [20] * 12, "b": [10] * 12}
    store = make_store({"opportunities": monthly_opps(plan)})
    findings = run(context(store, date(2024, 12, 31)), "channels.stability")
    vol = by_id(findings, "channels.stability.volatility")
    assert vol.signals["channel_volatility"] == 0.0
    assert vol.signals["healthy_channel_stability"] == 1.0  # identical shares every month
    # a: 240 of 360 = 2/3 > 0.5; p ≪ 0.01 → (2/3 − 0.5) / 0.4
    dep = by_id(findings, "channels.stability.dependency")
    assert dep.signals["channel_dependency"] == pytest.approx((2 / 3 - 0.5) / 0.4, abs=1e-4)


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


def test_push_pull_mix():
    motions = ["inbound", "inbound", "Product-Led", *(["outbound"] * 6), None]
    rows = [opp(f"d{i}", "A", created=date(2024, 3, 1), motion=m) for i, m in enumerate(motions)]
    store = make_store({"opportunities": rows})
    (f,) = run(context(store, date(2024, 12, 31), min_n=5), "push_pull.mix")
    # known motions 9, pull 3 (two inbound, one product-led)
    assert f.metric("pull_share_deals") == pytest.approx(1 / 3)
    assert f.metric("deals") == 9
    assert f.signals["pull_share_low"] == 0.0  # P(X ≤ 3 | 9, 0.5) = 0.254


def test_activity_outruns_pipeline():
    acts, rows = [], []
    for m in range(12):
        acts.append({"activity_date": date(2024, m + 1, 1), "owner": "team", "kind": "email",
                     "motion": "outbound", "count": round(100000 * math.exp(0.05 * m))})
        rows += [opp(f"d{m}_{j}", "A", created=date(2024, m + 1, 2)) for j in range(20)]
    store = make_store({"activities": acts, "opportunities": rows})
    (f,) = run(context(store, date(2024, 12, 31)), "push_pull.activity_vs_pipeline")
    # activity grows e^0.05 a month → e^0.6 − 1 = 82.2% a year; pipeline flat
    assert f.metric("activity_growth_per_year") == pytest.approx(math.exp(0.6) - 1, rel=1e-3)
    assert f.metric("pipeline_growth_per_year") == pytest.approx(0.0, abs=1e-9)
    assert f.signals["activity_pipeline_divergence"] == 1.0
