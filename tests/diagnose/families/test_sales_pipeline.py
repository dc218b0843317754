"""Pipeline mechanics on hand-checked tiny stores."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.diagnose.families.tiny import by_id, context, make_store, opp, run
from throughline.diagnose.findings import FindingKind

AS_OF = date(2025, 1, 1)  # closed window: after 2024-01-01, up to 2025-01-01


def velocity_store():
    opps = [
        # won: cycles 60 (Jan 1 → Mar 1, leap year), 90 (Feb 1 → May 1), 20 days
        opp("w1", "A", won=True, created=date(2024, 1, 1), close=date(2024, 3, 1),
            amount=1000, channel="a"),
        opp("w2", "B", won=True, created=date(2024, 2, 1), close=date(2024, 5, 1),
            amount=3000, channel="b"),
        opp("w3", "C", won=True, created=date(2024, 6, 1), close=date(2024, 6, 21),
            amount=2000, channel="a"),
        opp("l1", "D", won=False, created=date(2024, 2, 1), close=date(2024, 7, 1),
            amount=500, channel="a"),
        opp("l2", "E", won=False, created=date(2024, 3, 1), close=date(2024, 8, 1),
            channel="b"),
        opp("l3", "F", won=False, created=date(2024, 3, 1), close=date(2024, 9, 1),
            channel="b"),
        # closed before the window: ignored
        opp("old", "G", won=True, created=date(2023, 1, 1), close=date(2023, 6, 1),
            amount=99999, channel="a"),
        # open at as-of: four; one created after as-of is not counted
        *[opp(f"o{i}", "H", created=date(2024, 10, 1), amount=100, channel="a")
          for i in range(4)],
        opp("future", "H", created=date(2025, 2, 1), amount=100, channel="a"),
    ]
    return make_store({"opportunities": opps})


def test_velocity_overall_hand_computed():
    ctx = context(velocity_store(), AS_OF, min_n=2)
    f = by_id(run(ctx, "pipeline.velocity"), "pipeline.velocity.overall")
    # win rate (won / closed) = 3 / 6
    assert f.metric("win_rate") == pytest.approx(0.5)
    assert f.metric("closed_deals") == 6
    # median of 60, 90, 20 days
    assert f.metric("median_cycle_days") == pytest.approx(60)
    # average won deal = (1,000 + 3,000 + 2,000) / 3
    assert f.metric("avg_deal_size") == pytest.approx(2000)
    assert f.metric("open_deals") == 4
    # velocity = 4 open × 0.5 × 2,000 ÷ 60 days = 66.67 per day
    assert f.metric("velocity") == pytest.approx(4 * 0.5 * 2000 / 60)
    assert "50.0%" in f.statement and "2,000" in f.statement and "won / closed" in f.statement


def test_velocity_by_channel():
    ctx = context(velocity_store(), AS_OF, min_n=2)
    f = by_id(run(ctx, "pipeline.velocity"), "pipeline.velocity.by_channel")
    # a: w1, w3 won, l1 lost → 2/3 ; b: w2 won, l2, l3 lost → 1/3
    assert f.metric("win_rate_a") == pytest.approx(2 / 3)
    assert f.metric("win_rate_b") == pytest.approx(1 / 3)
    # a: median cycle of 60 and 20 = 40; avg deal 1,500; open 4 → 4 × 2/3 × 1,500 / 40 = 100
    assert f.metric("median_cycle_days_a") == pytest.approx(40)
    assert f.metric("velocity_a") == pytest.approx(100)


def test_feature_cohorts():
    store = make_store({
        "opportunities": [
            opp("w1", "A", won=True, created=date(2024, 1, 1), close=date(2024, 3, 1),
                amount=1000),
            opp("w2", "B", won=True, created=date(2024, 1, 1), close=date(2024, 3, 1),
                amount=1000),
            opp("l1", "C", won=False, close=date(2024, 3, 1)),
            opp("l2", "D", won=False, close=date(2024, 3, 1)),
        ],
        "opportunity_features": [
            {"opportunity_id": "w1", "feature_id": "F1"},
            {"opportunity_id": "l1", "feature_id": "F1"},
            {"opportunity_id": "l2", "feature_id": "F1"},
            {"opportunity_id": "w2", "feature_id": "F2"},
        ],
        "features": [{"feature_id": "F1", "name": "SSO"}, {"feature_id": "F2", "name": "API"}],
    })
    (f,) = run(context(store, AS_OF, min_n=2), "pipeline.feature_cohorts")
    rows = {r["feature"]: r for r in f.series or []}
    assert rows["f1"]["win_rate"] == pytest.approx(1 / 3)  # w1 of {w1, l1, l2}
    assert rows["f2"]["win_rate"] == pytest.approx(1.0)
    assert rows["f1"]["name"] == "SSO"


def test_stage_conversion_and_time_in_stage():
    def h(hid, oid, stage, day, prob):
        return {"history_id": hid, "opportunity_id": oid, "stage": stage,
                "changed_at": datetime(2024, 1, day), "probability": prob}

    hist = [
        # d1: qualify (2 days) → proposal (3 days) → won
        h("1", "d1", "Qualify", 1, 10), h("2", "d1", "Proposal", 3, 50),
        h("3", "d1", "Closed Won", 6, 100),
        # d2: qualify (4 days) → lost
        h("4", "d2", "Qualify", 1, 10), h("5", "d2", "Closed Lost", 5, 0),
        # d3: qualify (6 days) → proposal, still open
        h("6", "d3", "Qualify", 1, 10), h("7", "d3", "Proposal", 7, 50),
    ]
    opps = [opp("d1", "A", won=True, close=date(2024, 1, 6), stage="Closed Won"),
            opp("d2", "B", won=False, close=date(2024, 1, 5), stage="Closed Lost"),
            opp("d3", "C", stage="Proposal")]
    store = make_store({"opportunities": opps, "stage_history": hist})
    (f,) = run(context(store, AS_OF, min_n=2), "pipeline.stages")
    # qualify: d1, d3 moved on, d2 lost there → 2/3 ; proposal: d1 won, d3 undecided → 1/1
    assert f.metric("conversion_qualify") == pytest.approx(2 / 3)
    assert f.metric("conversion_proposal") == pytest.approx(1.0)
    # time in qualify: 2, 4, 6 days → median 4 ; proposal: only d1's 3 days is complete
    assert f.metric("median_days_in_qualify") == pytest.approx(4)
    assert f.metric("median_days_in_proposal") == pytest.approx(3)
    assert [r["stage"] for r in f.series or []] == ["qualify", "proposal"]


def test_empty_and_missing():
    store = make_store({}, empty=["opportunities"])
    for d in ("pipeline.velocity", "pipeline.feature_cohorts", "pipeline.stages"):
        (f,) = run(context(store, AS_OF), d)
        assert f.kind is FindingKind.not_measurable, d
