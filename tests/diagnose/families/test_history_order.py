"""A deal's stage changes at the same instant are ordered by ``history_id``.

These tests put tied rows into the store in the reverse of their ``history_id`` order, so a
result that ignored the tie-break (or followed storage order) would differ from the
hand-computed one; the evidence query shows the tie-break.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.diagnose.families.tiny import context, make_store, opp, run


def hist(hid: str, oid: str, stage: str, when: datetime, prob: float | None = None,
         close: date | None = None, category: str | None = None) -> dict[str, object]:
    return {"history_id": hid, "opportunity_id": oid, "stage": stage, "changed_at": when,
            "probability": prob, "close_date": close, "forecast_category": category}


def orders_by_history_id(sql: str) -> bool:
    return re.search(r'ORDER BY[^)]*"history_id"', sql) is not None


JAN1, FEB1 = datetime(2024, 1, 1), datetime(2024, 2, 1)


def test_close_date_pushes_ties_follow_history_id():
    rows = [
        # d1: two changes at one instant, stored b before a; by id: a (Mar 1) then b (Mar 31)
        hist("b", "d1", "Qualify", JAN1, close=date(2024, 3, 31)),
        hist("a", "d1", "Qualify", JAN1, close=date(2024, 3, 1)),
        hist("c", "d1", "Proposal", FEB1, close=date(2024, 4, 30)),
        hist("e", "d2", "Qualify", JAN1, close=date(2024, 3, 1)),
    ]
    opps = [opp("d1", "A", won=True, close=date(2024, 5, 10)), opp("d2", "A")]
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30), min_n=2), "honesty.close_date_pushes")
    # in id order d1 goes Mar 1 → Mar 31 (+30) → Apr 30 (+30): two pushes, 60 days, and its
    # first close date is Mar 1, so it closed 70 days late (b then a would give one push
    # of 60 days and a first close date of Mar 31)
    assert f.metric("pushes") == 2
    assert f.metric("days_pushed_per_pushed_deal") == pytest.approx(60)
    assert f.metric("mean_days_late") == pytest.approx(70)
    assert orders_by_history_id(f.evidence[0].query)


def test_time_in_stage_ties_follow_history_id():
    rows = [
        # d1: Proposal (id 2) stored before Qualify (id 1), both on Jan 3; won Jan 6
        hist("2", "d1", "Proposal", datetime(2024, 1, 3), 50),
        hist("1", "d1", "Qualify", datetime(2024, 1, 3), 10),
        hist("3", "d1", "Closed Won", datetime(2024, 1, 6), 100),
        # d2: Qualify Jan 1 → lost Jan 5
        hist("4", "d2", "Qualify", datetime(2024, 1, 1), 10),
        hist("5", "d2", "Closed Lost", datetime(2024, 1, 5), 0),
    ]
    opps = [opp("d1", "A", won=True, close=date(2024, 1, 6), stage="Closed Won"),
            opp("d2", "B", won=False, close=date(2024, 1, 5), stage="Closed Lost")]
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2025, 1, 1), min_n=2), "pipeline.stages")
    # id order: d1 sits 0 days in Qualify and 3 in Proposal; d2 4 days in Qualify
    assert f.metric("median_days_in_qualify") == pytest.approx(2)
    assert f.metric("median_days_in_proposal") == pytest.approx(3)
    assert orders_by_history_id(f.evidence[1].query)


def test_commit_slippage_ties_follow_history_id():
    c_early, c_late = date(2024, 3, 15), date(2024, 9, 30)
    rows = [
        # two commit rows at one instant, stored y before x: by id, x (Mar 15) was first
        hist("y", "k1", "Negotiation", JAN1, 90, c_late, "Commit"),
        hist("x", "k1", "Negotiation", JAN1, 90, c_early, "Commit"),
    ]
    opps = [opp("k1", "A", won=True, close=date(2024, 4, 5))]
    store = make_store({"stage_history": rows, "opportunities": opps})
    (f,) = run(context(store, date(2024, 6, 30), min_n=1), "honesty.commit_slippage")
    # first flagged with a Mar 15 close date and won Apr 5: it slipped a quarter
    assert f.metric("decided_deals") == 1
    assert f.metric("slipped_share") == pytest.approx(1.0)
    assert orders_by_history_id(f.evidence[0].query)
