"""Push/pull on hand-checked tiny stores."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.diagnose.families.tiny import context, make_store, opp, run


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
