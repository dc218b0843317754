"""Channel stability on hand-checked tiny stores."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.diagnose.families.tiny import by_id, context, make_store, opp, run


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
