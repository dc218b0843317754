"""Handoff medians, deciding vs building, inventory and the feature/conversion divergence,
each checked against values worked out by hand from a few features."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest
from scipy import stats as st

from tests.diagnose.stores import (
    context,
    only,
    run,
    value,
    wilson_lower_95_one_sided,
)

D = date

# decided → spec → shipped → enablement (days): F1 10/10/10, F2 30/5/–, F3 30/10/80,
# F4 20/91/– (shipped after the inventory cut-off), F5 decided only.
FEATURES = [
    dict(feature_id="F1", name="SSO", decided_at=D(2025, 1, 1), spec_ready_at=D(2025, 1, 11),
         shipped_at=D(2025, 1, 21), enablement_ready_at=D(2025, 1, 31), sales_play="Security"),
    dict(feature_id="F2", name="Exports", decided_at=D(2025, 1, 1),
         spec_ready_at=D(2025, 1, 31), shipped_at=D(2025, 2, 5)),
    dict(feature_id="F3", name="Alerts", decided_at=D(2025, 2, 1), spec_ready_at=D(2025, 3, 3),
         shipped_at=D(2025, 3, 13), enablement_ready_at=D(2025, 6, 1), sales_play="Ops"),
    dict(feature_id="F4", name="API", decided_at=D(2025, 3, 1), spec_ready_at=D(2025, 3, 21),
         shipped_at=D(2025, 6, 20)),
    dict(feature_id="F5", name="Later", decided_at=D(2025, 4, 1)),
]


def test_stage_medians() -> None:
    f = only(run("handoff.stage_times", context({"features": FEATURES})), "medians")
    # decided→spec 10, 30, 30, 20 → 25; spec→shipped 10, 5, 10, 91 → 10;
    # shipped→enablement 10, 80 → 45
    assert value(f, "median_decided_to_spec_days") == 25
    assert f.metrics["median_decided_to_spec_days"].n == 4
    assert value(f, "median_spec_to_shipped_days") == 10
    assert value(f, "median_shipped_to_enablement_days") == 45
    assert f.metrics["median_shipped_to_enablement_days"].n == 2
    assert "25 days" in f.statement and "45 days" in f.statement
    assert f.evidence and "features" in f.evidence[0].query


def test_deciding_vs_building_not_significant_on_mixed_features() -> None:
    f = only(run("handoff.stage_times", context({"features": FEATURES})),
             "deciding_vs_building")
    logs = [math.log(11 / 11), math.log(31 / 6), math.log(31 / 11), math.log(21 / 92)]
    assert value(f, "decide_build_ratio") == pytest.approx(math.exp(statistics.mean(logs)))
    assert value(f, "features_deciding_slower") == 2  # F2 and F3
    assert f.signals["slow_decided_to_spec"] == 0.0  # the lower bound is below 1


def test_deciding_vs_building_signal_from_lower_bound() -> None:
    spans = [(29, 9), (39, 9), (29, 14), (44, 14)]  # ratios (a+1)/(b+1): 3, 4, 2, 3
    feats = []
    for i, (a, b) in enumerate(spans):
        start = D(2025, 1, 1)
        spec = D.fromordinal(start.toordinal() + a)
        feats.append(dict(feature_id=f"G{i}", name=f"G{i}", decided_at=start,
                          spec_ready_at=spec, shipped_at=D.fromordinal(spec.toordinal() + b)))
    f = only(run("handoff.stage_times", context({"features": feats})), "deciding_vs_building")
    logs = [math.log(3), math.log(4), math.log(2), math.log(3)]
    mean, sd = statistics.mean(logs), statistics.stdev(logs)
    low = math.exp(mean - st.t.ppf(0.95, 3) * sd / 2)
    assert value(f, "decide_build_ratio") == pytest.approx(math.exp(mean))  # ≈ 2.913
    assert value(f, "decide_build_ratio_low") == pytest.approx(low)  # ≈ 2.083
    assert f.signals["slow_decided_to_spec"] == pytest.approx(1 - 1 / low, abs=1e-4)
    assert f.signals["slow_decided_to_spec"] == pytest.approx(0.52, abs=0.01)


def test_inventory_counts_and_signal() -> None:
    ctx = context({"features": FEATURES}, inventory_days=45)
    f = only(run("handoff.inventory", ctx), "unsold")
    # shipped by 2025-05-16: F1 (enabled after 10 days), F2 (nothing), F3 (enabled after 80)
    assert value(f, "features_eligible") == 3
    assert value(f, "features_not_sold_in_time") == 2
    assert value(f, "features_still_without_play") == 1  # F2
    assert value(f, "median_age_without_play_days") == 145  # 2025-02-05 → 2025-06-30
    assert f.signals["inventory_accumulation"] == pytest.approx(
        wilson_lower_95_one_sided(2, 3), abs=1e-4)
    assert f.series == [{"feature_id": "F2", "name": "Exports", "age_days": 145}]
    assert f.statement.startswith("2 of 3 features shipped at least 45 days ago")


def test_inventory_window_follows_the_option() -> None:
    f = only(run("handoff.inventory", context({"features": FEATURES}, inventory_days=100)),
             "unsold")
    # shipped by 2025-03-22: F1, F2, F3; F3's 80 days is now in time
    assert value(f, "features_eligible") == 3
    assert value(f, "features_not_sold_in_time") == 1


def test_feature_pipeline_divergence_growth_ratio() -> None:
    shipped = [D(2024, 8, 1), D(2024, 10, 1), D(2025, 1, 15), D(2025, 2, 15), D(2025, 3, 15),
               D(2025, 4, 15)]
    feats = [dict(feature_id=f"F{i}", name=f"F{i}", shipped_at=d) for i, d in enumerate(shipped)]
    opps = []
    for i, (closed, won) in enumerate([(D(2024, 9, 1), True), (D(2024, 9, 2), False),
                                       (D(2024, 11, 1), True), (D(2024, 11, 2), False),
                                       (D(2025, 2, 1), True), (D(2025, 2, 2), False),
                                       (D(2025, 5, 1), True), (D(2025, 5, 2), False)]):
        opps.append(dict(opportunity_id=f"o{i}", stage="Closed", is_closed=True, is_won=won,
                         created_date=D(2024, 7, 2), close_date=closed))
    f = only(run("handoff.feature_pipeline_divergence",
                 context({"features": feats, "opportunities": opps})), "growth_ratio")
    # features 2 → 4 (growth 2); win rate 2/4 → 2/4 (growth 1): divergence 2
    assert value(f, "feature_growth") == 2
    assert value(f, "conversion_growth") == 1
    assert value(f, "divergence") == 2
    se = math.sqrt(1 / 2 + 1 / 4 + (1 / 2 - 1 / 4) + (1 / 2 - 1 / 4))
    low = math.exp(math.log(2) - st.norm.ppf(0.95) * se)
    assert value(f, "divergence_low") == pytest.approx(low)
    assert f.signals["feature_pipeline_divergence"] == 0.0  # 2× on so few is not evidence
    assert f.significance is not None
    assert f.significance.p_value == pytest.approx(st.norm.sf(math.log(2) / se))


def test_divergence_needs_both_windows() -> None:
    feats = [dict(feature_id="F1", name="F1", shipped_at=D(2025, 3, 1))]
    opps = [dict(opportunity_id="o1", stage="Won", is_closed=True, is_won=True,
                 created_date=D(2025, 1, 1), close_date=D(2025, 3, 1))]
    (f,) = run("handoff.feature_pipeline_divergence",
               context({"features": feats, "opportunities": opps}))
    assert f.kind.value == "not_measurable"
    assert "half-years" in f.statement
