"""Signals fire when a symptom is planted and stay quiet on a healthy company."""

from __future__ import annotations

import pytest

from tests.diagnose.families.synth import AS_OF, synthetic_store
from tests.diagnose.families.tiny import context
from throughline.diagnose.registry import diagnostics

FAMILIES = {"post_sale", "icp", "honesty", "pipeline", "push_pull", "channels", "attribution"}
SYMPTOMS = {
    "distribution": ("channel_volatility",),
    "honesty": ("stage_optimism", "commit_slippage", "close_date_pushes", "forecast_optimism",
                "positive_notes_stall"),
    "messaging": ("attribution_gap", "attribution_gap_trend"),
    "architecture": ("activity_pipeline_divergence", "pull_share_low"),
    "positioning": ("icp_divergence", "icp_drift", "stated_vs_revealed"),
}


def signals(seed: int, plant: tuple[str, ...] = ()) -> dict[str, float]:
    ctx = context(synthetic_store(seed, plant), AS_OF)
    out: dict[str, float] = {}
    for d in diagnostics():
        if d.family in FAMILIES:
            for f in d.run(ctx):
                for k, v in f.signals.items():
                    out[k] = max(v, out.get(k, 0.0))
    return out


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_healthy_company_raises_no_symptom(seed):
    got = signals(seed)
    loud = {k: v for k, v in got.items() if not k.startswith("healthy_") and v >= 0.2}
    assert loud == {}
    assert got.get("healthy_channel_stability", 0) > 0 or got.get("channel_volatility") == 0


@pytest.mark.parametrize("plant", sorted(SYMPTOMS))
def test_planted_symptom_is_found(plant):
    got = signals(21, (plant,))
    for name in SYMPTOMS[plant]:
        assert got.get(name, 0.0) >= 0.5, (plant, name, got)
    others = {k: v for k, v in got.items() if v >= 0.5 and not k.startswith("healthy_")
              and k not in SYMPTOMS[plant] and k != "channel_dependency"}
    assert others == {}, others
