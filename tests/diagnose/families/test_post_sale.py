"""Post-sale diagnostics on hand-checked tiny stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test

from tests.diagnose.families.tiny import by_id, context, make_store, opp, run, sub
from throughline.diagnose.findings import FindingKind, Severity

AS_OF = date(2025, 1, 1)  # window: 2024-01-01 → 2025-01-01


def retention_store():
    subs = [
        # A: 100 at start, +50 line in June → end 150: expansion 50
        sub("a1", "A", 100, date(2023, 1, 1)),
        sub("a2", "A", 50, date(2024, 6, 1)),
        # B: 200 at start, ends in July → churned 200
        sub("b1", "B", 200, date(2023, 6, 1), date(2024, 7, 1)),
        # C: 300 at start, replaced by 200 in May → contraction 100
        sub("c1", "C", 300, date(2023, 3, 1), date(2024, 5, 1)),
        sub("c2", "C", 200, date(2024, 5, 1)),
        # D: flat 400
        sub("d1", "D", 400, date(2023, 1, 1)),
        # E: billed before the window, gone at its start, back in March → reactivation 120
        sub("e1", "E", 100, date(2022, 1, 1), date(2023, 6, 1)),
        sub("e2", "E", 120, date(2024, 3, 1)),
        # F: new in the window (not in NRR)
        sub("f1", "F", 80, date(2024, 2, 1)),
        # G: its line ends exactly on the window's first day (end is exclusive) → not starting
        sub("g1", "G", 60, date(2023, 1, 1), date(2024, 1, 1)),
    ]
    opps = [
        opp("oA", "A", won=True, close=date(2022, 12, 1), channel="referral"),
        opp("oB", "B", won=True, close=date(2023, 5, 1), channel="paid"),
        opp("oC", "C", won=True, close=date(2023, 2, 1), channel="paid"),
        opp("oD", "D", won=True, close=date(2022, 12, 1), channel="referral"),
        opp("oE", "E", won=True, close=date(2021, 12, 1), channel="referral"),
    ]
    return make_store({"subscriptions": subs, "opportunities": opps})


def test_retention_overall_hand_computed():
    ctx = context(retention_store(), AS_OF, min_n=2)
    f = by_id(run(ctx, "post_sale.retention"), "post_sale.retention.overall")
    # starting MRR = A 100 + B 200 + C 300 + D 400 = 1,000 (E, F, G are not starting)
    assert f.metric("starting_mrr") == pytest.approx(1000)
    assert f.metric("starting_accounts") == 4
    # GRR = 1 − (churned 200 + contraction 100) / 1,000 = 0.70
    assert f.metric("grr") == pytest.approx(0.70)
    # NRR = (1,000 + expansion 50 + reactivation 120 − contraction 100 − churned 200) / 1,000
    assert f.metric("nrr") == pytest.approx(0.87)
    # logo churn = B / {A, B, C, D} = 0.25
    assert f.metric("logo_churn") == pytest.approx(0.25)
    # expansion rate = 50 / 1,000
    assert f.metric("expansion_rate") == pytest.approx(0.05)
    assert f.metric("new_mrr") == pytest.approx(80)
    assert f.metric("reactivation_mrr") == pytest.approx(120)
    assert f.severity is Severity.problem  # GRR below 80%
    assert "87.0%" in f.statement and "70.0%" in f.statement and "1,000" in f.statement
    m = f.metrics["logo_churn"]
    assert m.low is not None and m.low < 0.25 < m.high
    assert f.evidence and "subscriptions" in f.evidence[0].query


def test_retention_by_channel_hand_computed():
    ctx = context(retention_store(), AS_OF, min_n=2)
    f = by_id(run(ctx, "post_sale.retention"), "post_sale.retention.by_channel")
    # referral: A, D start 500, expansion 50, + E reactivation 120 → NRR 670 / 500 = 1.34
    assert f.metric("nrr_referral") == pytest.approx(1.34)
    assert f.metric("logo_churn_referral") == pytest.approx(0.0)
    # paid: B, C start 500; churn 200 + contraction 100 → GRR 0.4, NRR 200 / 500 = 0.4
    assert f.metric("grr_paid") == pytest.approx(0.4)
    assert f.metric("nrr_paid") == pytest.approx(0.4)
    assert f.metric("logo_churn_paid") == pytest.approx(0.5)
    assert f.significance is not None and f.significance.test.startswith("chi-square")
    assert {r["channel"] for r in f.series or []} == {"paid", "referral"}


def test_retention_without_starting_cohort_is_not_measurable():
    store = make_store({"subscriptions": [sub("x", "X", 10, date(2024, 6, 1))]})
    (f,) = run(context(store, AS_OF), "post_sale.retention")
    assert f.kind is FindingKind.not_measurable


def survival_store(as_of: date):
    """Five accounts per channel. paid: ended after 30, 60, 90 days; billed for 400 and 500.
    referral: ended after 200 days; billed for 400, 450, 500, 600."""
    subs, opps = [], []
    plan = {"paid": [(30, True), (60, True), (90, True), (400, False), (500, False)],
            "referral": [(200, True), (400, False), (450, False), (500, False), (600, False)]}
    for channel, rows in plan.items():
        for i, (d, ended) in enumerate(rows):
            acct = f"{channel}{i}"
            if ended:
                start = date(2023, 1, 1)
                subs.append(sub(f"s{acct}", acct, 100, start, start + timedelta(days=d)))
            else:
                subs.append(sub(f"s{acct}", acct, 100, as_of - timedelta(days=d)))
            opps.append(opp(f"o{acct}", acct, won=True, close=date(2022, 12, 1),
                            channel=channel))
    return make_store({"subscriptions": subs, "opportunities": opps}), plan


def test_survival_km_and_logrank_match_lifelines():
    as_of = date(2025, 6, 30)
    store, plan = survival_store(as_of)
    (f,) = run(context(store, as_of, min_n=2), "post_sale.survival")
    assert f.id == "post_sale.survival.by_channel"
    # paid: S(365) = 4/5 · 3/4 · 2/3 = 0.4 ; referral: S(365) = 4/5 = 0.8
    assert f.metric("survival_12m_paid") == pytest.approx(0.4)
    assert f.metric("survival_12m_referral") == pytest.approx(0.8)
    # all ten: 9/10 · 8/9 · 7/8 · 6/7 = 0.6
    assert f.metric("survival_12m") == pytest.approx(0.6)
    durations = [d for rows in plan.values() for d, _ in rows]
    events = [e for rows in plan.values() for _, e in rows]
    groups = [c for c, rows in plan.items() for _ in rows]
    expected = multivariate_logrank_test(durations, groups, events)
    assert f.significance is not None
    assert f.significance.p_value == pytest.approx(expected.p_value)
    assert f.significance.statistic == pytest.approx(expected.test_statistic)
    kmf = KaplanMeierFitter().fit(durations, events)
    assert f.metric("survival_12m") == pytest.approx(
        float(kmf.survival_function_at_times([365]).iloc[0]))
    assert f.series and {"channel", "days", "survival", "low", "high"} <= set(f.series[0])


def test_nps_hand_computed():
    scores = {"A": [10, 9, 8], "B": [7, 6, 0, 10]}
    rows = [{"response_id": f"{a}{i}", "account_id": a, "responded_at": date(2024, 6, 1),
             "score": s} for a, ss in scores.items() for i, s in enumerate(ss)]
    rows.append({"response_id": "late", "account_id": "A", "responded_at": date(2025, 3, 1),
                 "score": 0})  # after as-of: ignored
    opps = [opp("oA", "A", won=True, close=date(2023, 1, 1), channel="x"),
            opp("oB", "B", won=True, close=date(2023, 1, 1), channel="y")]
    store = make_store({"nps_responses": rows, "opportunities": opps})
    findings = run(context(store, AS_OF, min_n=2), "post_sale.nps")
    f = by_id(findings, "post_sale.nps.overall")
    # promoters 10, 9, 10 = 3; passives 8, 7 = 2; detractors 6, 0 = 2 → (3 − 2) / 7 = 14.29
    assert f.metric("nps") == pytest.approx(100 / 7)
    # var = (3/7 + 2/7 − (1/7)²) / 7 ; interval ± 1.96 · √var · 100
    half = 1.96 * ((5 / 7 - 1 / 49) / 7) ** 0.5 * 100
    assert f.metrics["nps"].low == pytest.approx(100 / 7 - half, abs=0.01)
    assert f.metrics["nps"].high == pytest.approx(100 / 7 + half, abs=0.01)
    assert "14.3" in f.statement
    g = by_id(findings, "post_sale.nps.by_channel")
    # x: 10, 9, 8 → (2 − 0) / 3 = 66.67 ; y: 7, 6, 0, 10 → (1 − 2) / 4 = −25
    assert g.metric("nps_x") == pytest.approx(200 / 3)
    assert g.metric("nps_y") == pytest.approx(-25)


def test_time_to_value_hand_computed():
    def row(a, signed, first):
        return {"account_id": a, "signed_at": signed, "first_value_at": first}

    s = date(2024, 6, 1)
    rows = [row("a1", s, s + timedelta(days=10)), row("a2", s, s + timedelta(days=20)),
            row("a3", s, s + timedelta(days=40)), row("a4", s, None),
            row("a5", date(2024, 12, 20), date(2025, 2, 1))]  # reached after as-of: censored
    store = make_store({"time_to_value": rows})
    (f,) = run(context(store, AS_OF, min_n=2), "post_sale.time_to_value")
    # median of 10, 20, 40 days; a4 and a5 censored
    assert f.metric("median_ttv_days") == pytest.approx(20)
    assert f.metric("reached") == 3 and f.metric("censored") == 2
    assert f.metric("reached_share") == pytest.approx(0.6)
