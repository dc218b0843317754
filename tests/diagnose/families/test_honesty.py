"""Honesty diagnostics on hand-checked tiny stores."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from scipy import stats as st

from tests.diagnose.families.tiny import context, make_store, opp, run
from throughline.diagnose.findings import Severity


def hist(hid, oid, stage, when, prob=None, close=None, category=None):
    return {"history_id": hid, "opportunity_id": oid, "stage": stage,
            "changed_at": datetime.combine(when, datetime.min.time()), "probability": prob,
            "close_date": close, "forecast_category": category}


def test_stage_optimism_hand_computed():
    rows, opps = [], []
    # ten closed deals reached Qualify (20%); five of them reached Proposal (60%); one won
    for i in range(10):
        won = i == 0
        rows.append(hist(f"q{i}", f"d{i}", "Qualify", date(2024, 1, 1), 20))
        if i < 5:
            rows.append(hist(f"p{i}", f"d{i}", "Proposal", date(2024, 2, 1), 60))
        rows.append(hist(f"c{i}", f"d{i}", "Closed Won" if won else "Closed Lost",
                         date(2024, 3, 1), 100 if won else 0))
        opps.append(opp(f"d{i}", "A", won=won, close=date(2024, 3, 1)))
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30), min_n=5), "honesty.stage_optimism")
    # realised: qualify 1/10 = 0.1 (stated 0.2); proposal 1/5 = 0.2 (stated 0.6)
    assert f.metric("realised_qualify") == pytest.approx(0.1)
    assert f.metric("realised_proposal") == pytest.approx(0.2)
    assert f.metric("stated_proposal") == pytest.approx(0.6)
    # weighted gap = (10 × 0.1 + 5 × 0.4) / 15 = 0.2
    assert f.metric("weighted_gap") == pytest.approx(0.2)
    # P(X ≤ 1 | 10, 0.2) = 0.37581 ; P(X ≤ 1 | 5, 0.6) = 0.08704 → Bonferroni 2 × 0.08704
    assert f.significance is not None
    assert f.significance.p_value == pytest.approx(2 * (0.4**5 + 5 * 0.6 * 0.4**4))
    assert f.signals["stage_optimism"] == 0.0  # not significant at 1%
    assert "20.0 percentage points" in f.statement


def test_stage_optimism_signal_when_significant():
    rows, opps = [], []
    for i in range(40):  # 40 deals reached Proposal (60%), 4 won
        won = i < 4
        rows.append(hist(f"p{i}", f"d{i}", "Proposal", date(2024, 2, 1), 60))
        opps.append(opp(f"d{i}", "A", won=won, close=date(2024, 3, 1)))
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30)), "honesty.stage_optimism")
    # gap 0.6 − 0.1 = 0.5 ≥ reference 0.2 and p = P(X ≤ 4 | 40, 0.6) ≪ 0.01 → strength 1
    assert st.binom.cdf(4, 40, 0.6) < 1e-6
    assert f.signals["stage_optimism"] == 1.0
    assert f.severity is Severity.problem


def test_commit_slippage_hand_computed():
    c0 = date(2024, 3, 15)
    rows = [hist(f"h{i}", f"c{i}", "Negotiation", date(2024, 1, 10), 90, c0, "Commit")
            for i in range(1, 5)]
    rows.append(hist("h5", "c5", "Negotiation", date(2024, 1, 10), 90, date(2024, 9, 30),
                     "Commit"))
    rows.append(hist("h6", "c6", "Proposal", date(2024, 1, 10), 50, c0, "Pipeline"))
    opps = [
        opp("c1", "A", won=True, close=date(2024, 3, 20)),   # kept
        opp("c2", "A", won=True, close=date(2024, 4, 5)),    # slipped to Q2
        opp("c3", "A", won=False, close=date(2024, 2, 1)),   # lost
        opp("c4", "A", close=c0),                            # open past its date: slipped
        opp("c5", "A", close=date(2024, 9, 30)),             # not yet due: not judged
        opp("c6", "A", won=False, close=date(2024, 2, 1)),   # never commit
    ]
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30), min_n=2), "honesty.commit_slippage")
    # decided 4 (c1–c4); failed 3 (c2, c3, c4) → 0.75; lost 1/4, slipped 2/4
    assert f.metric("decided_deals") == 4
    assert f.metric("failed_share") == pytest.approx(0.75)
    assert f.metric("lost_share") == pytest.approx(0.25)
    assert f.metric("slipped_share") == pytest.approx(0.5)
    # allowed = 1 − 90% = 0.1; P(X ≥ 3 | 4, 0.1) = 4 · 0.1³ · 0.9 + 0.1⁴ = 0.0037
    assert f.metric("allowed_failure") == pytest.approx(0.1)
    assert f.significance is not None
    assert f.significance.p_value == pytest.approx(0.0037)
    # strength = min(1, (0.75 − 0.1) / 0.3) = 1
    assert f.signals["commit_slippage"] == 1.0


def test_close_date_pushes_hand_computed():
    rows = [
        hist("a1", "d1", "Qualify", date(2024, 1, 1), close=date(2024, 3, 1)),
        hist("a2", "d1", "Qualify", date(2024, 2, 1), close=date(2024, 3, 31)),   # +30
        hist("a3", "d1", "Proposal", date(2024, 3, 1), close=date(2024, 4, 30)),  # +30
        hist("b1", "d2", "Qualify", date(2024, 1, 1), close=date(2024, 3, 1)),
        hist("b2", "d2", "Qualify", date(2024, 1, 15), close=date(2024, 2, 15)),  # pulled in
        hist("c1", "d3", "Qualify", date(2024, 5, 1), close=date(2024, 6, 1)),
    ]
    opps = [opp("d1", "A", won=True, close=date(2024, 5, 10)),
            opp("d2", "A", won=False, close=date(2024, 2, 20)),
            opp("d3", "A", close=date(2024, 6, 1))]
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30), min_n=2), "honesty.close_date_pushes")
    # pushed deals: d1 only → 1/3; pushes 2 → 2/3 per deal; 60 days pushed on d1
    assert f.metric("pushed_share") == pytest.approx(1 / 3)
    assert f.metric("pushes") == 2
    assert f.metric("pushes_per_deal") == pytest.approx(2 / 3)
    assert f.metric("days_pushed_per_pushed_deal") == pytest.approx(60)
    # closed deals: d1 closed 70 days after its first date (Mar 1 → May 10), d2 10 days
    # before (Mar 1 → Feb 20) → mean (70 − 10) / 2 = 30
    assert f.metric("mean_days_late") == pytest.approx(30)
    assert f.signals["close_date_pushes"] == 0.0  # two deals: nowhere near significant


def test_forecast_accuracy_hand_computed():
    forecasts = [
        {"period_start": date(2024, 1, 1), "period_end": date(2024, 4, 1),
         "submitted_at": date(2024, 1, 5), "owner": "VP", "amount": 150.0,
         "category": "commit"},
        {"period_start": date(2024, 1, 1), "period_end": date(2024, 4, 1),
         "submitted_at": date(2024, 2, 1), "owner": "VP", "amount": 120.0,
         "category": "commit"},
        {"period_start": date(2024, 1, 1), "period_end": date(2024, 4, 1),
         "submitted_at": date(2024, 2, 1), "owner": "VP", "amount": 999.0,
         "category": "best_case"},
        {"period_start": date(2024, 4, 1), "period_end": None,
         "submitted_at": date(2024, 4, 2), "owner": "VP", "amount": 200.0,
         "category": "commit"},
        {"period_start": date(2024, 7, 1), "period_end": date(2024, 10, 1),
         "submitted_at": date(2024, 7, 2), "owner": "VP", "amount": 500.0,
         "category": "commit"},
    ]
    opps = [opp("w1", "A", won=True, close=date(2024, 2, 1), amount=60),
            opp("w2", "A", won=True, close=date(2024, 3, 31), amount=40),
            opp("w3", "A", won=True, close=date(2024, 5, 1), amount=200),
            opp("l1", "A", won=False, close=date(2024, 5, 1), amount=999)]
    store = make_store({"forecasts": forecasts, "opportunities": opps})
    (f,) = run(context(store, date(2024, 7, 15), min_n=2), "honesty.forecast_accuracy")
    # Q1: latest commit 120 vs won 100 → 1.2 ; Q2 (end = start + 3 months): 200 vs 200 → 1.0
    assert [(r["forecast"], r["actual"]) for r in f.series or []] == [(120, 100), (200, 200)]
    # geometric mean = sqrt(1.2 × 1.0)
    assert f.metric("forecast_to_actual") == pytest.approx(1.2 ** 0.5)
    assert f.metric("forecast_gap") == pytest.approx(1.2 ** 0.5 - 1)
    assert f.signals["forecast_optimism"] == 0.0  # two periods: no test


def test_positive_notes_stall_hand_computed():
    old = date(2024, 1, 1)
    opps = [
        opp("p1", "A", won=False, created=old, close=date(2024, 6, 1),
            next_step="Champion confirmed budget"),                    # lost: stalled
        opp("p2", "A", created=old, next_step="Great call, very interested"),  # idle
        opp("p3", "A", won=True, created=old, close=date(2024, 6, 1),
            next_step="Promising pilot"),                              # won
        opp("p4", "A", created=old, close=date(2025, 3, 1), next_step="On track"),  # moving
        opp("o1", "A", won=True, created=old, close=date(2024, 6, 1), next_step="Send pricing"),
        opp("o2", "A", won=False, created=old, close=date(2024, 6, 1)),
        opp("o3", "A", won=True, created=old, close=date(2024, 6, 1)),
        opp("new", "A", created=date(2024, 12, 1), next_step="Excited to start"),  # too new
    ]
    history = [hist("h1", "p4", "Proposal", date(2024, 12, 1))]
    store = make_store({"opportunities": opps, "stage_history": history})
    (f,) = run(context(store, date(2024, 12, 31), min_n=2), "honesty.positive_notes_stall")
    # positive: p1 lost, p2 idle since creation → 2 of 4 ; others: o2 lost → 1 of 3
    assert f.metric("stall_rate_positive") == pytest.approx(0.5)
    assert f.metric("stall_rate_other") == pytest.approx(1 / 3)
    assert f.signals["positive_notes_stall"] == 0.0
