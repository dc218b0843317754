"""Stated vs revealed ICP on hand-checked tiny stores."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats as st

from tests.diagnose.families_a.tiny import by_id, context, make_store, opp, run, sub
from throughline.diagnose.findings import FindingKind

AS_OF = date(2025, 1, 1)  # mature = first billed on or before 2024-01-01


def icp_store(k: int, stated: bool = True, network: bool = False):
    """4k smb accounts (k retain, 3k churn mid-2024) and 4k mid-market accounts (all retain),
    won in January 2023; plus one smb account won in June 2024 (not mature)."""
    accounts, subs, opps = [], [], []
    for seg in ("smb", "mid"):
        for i in range(4 * k):
            a = f"{seg}{i}"
            accounts.append({"account_id": a, "segment": seg})
            churns = seg == "smb" and i >= k
            subs.append(sub(f"s{a}", a, 100, date(2023, 2, 1),
                            date(2024, 6, 1) if churns else None))
            src = "Founder network" if network and seg == "smb" else "webinar"
            opps.append(opp(f"o{a}", a, won=True, close=date(2023, 1, 15), lead_source=src))
    accounts.append({"account_id": "late", "segment": "smb"})
    subs.append(sub("slate", "late", 100, date(2024, 7, 1)))
    opps.append(opp("olate", "late", won=True, close=date(2024, 6, 15)))
    tables = {"accounts": accounts, "subscriptions": subs, "opportunities": opps}
    if stated:
        tables["stated_icp"] = [{"function": "sales", "attribute": "segment", "value": "SMB"}]
    return make_store(tables)


def js(p, q):
    m = [(a + b) / 2 for a, b in zip(p, q)]
    kl = lambda x, y: sum(a * math.log2(a / b) for a, b in zip(x, y) if a > 0)  # noqa: E731
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def test_won_vs_retained_hand_computed():
    ctx = context(icp_store(1), AS_OF, min_n=2)
    findings = run(ctx, "icp.won_vs_retained")
    f = by_id(findings, "icp.won_vs_retained.segment")
    # won: smb 5 (4 + late), mid 4 → 5/9, 4/9 ; retained: smb 1, mid 4 → 0.2, 0.8
    assert f.metric("won_share_smb") == pytest.approx(5 / 9)
    assert f.metric("retained_share_mid") == pytest.approx(0.8)
    assert f.metric("js_divergence") == pytest.approx(js([5 / 9, 4 / 9], [0.2, 0.8]))
    # chi-square on [[1, 3], [4, 0]]: expected 2.5/1.5 per row → 0.9 + 1.5 + 0.9 + 1.5 = 4.8
    assert f.significance is not None
    assert f.significance.statistic == pytest.approx(4.8)
    assert f.significance.p_value == pytest.approx(st.chi2.sf(4.8, 1))
    s = by_id(findings, "icp.won_vs_retained.summary")
    assert s.signals["icp_divergence"] == 0.0  # p = 0.028 > 0.01


def test_won_vs_retained_signal_at_scale():
    ctx = context(icp_store(5), AS_OF)
    s = by_id(run(ctx, "icp.won_vs_retained"), "icp.won_vs_retained.summary")
    # JS((21/41, 20/41), (0.2, 0.8)) ≈ 0.08 > reference 0.05 and chi-square p ≪ 0.01
    assert js([21 / 41, 20 / 41], [0.2, 0.8]) > 0.05
    assert s.signals["icp_divergence"] == 1.0


def test_stated_vs_revealed():
    ctx = context(icp_store(5), AS_OF)
    (f,) = run(ctx, "icp.stated_vs_revealed")
    # inside 'smb': 5 of 20 retained = 0.25 ; outside: 20 of 20 = 1.0 → gap 0.75
    assert f.metric("revealed_rate_stated") == pytest.approx(0.25)
    assert f.metric("revealed_rate_other") == pytest.approx(1.0)
    assert f.metric("gap") == pytest.approx(0.75)
    assert f.signals["stated_vs_revealed"] == 1.0
    assert "'mid'" in f.statement  # the segment that retains best


def test_drift():
    ctx = context(icp_store(5), AS_OF)
    (f,) = run(ctx, "icp.drift")
    # fit values: mid (rate 1.0 ≥ overall 25/40); early wins 40, 20 in mid → 0.5; recent 1, 0
    assert f.metric("fit_share_earlier") == pytest.approx(0.5)
    assert f.metric("fit_share_recent") == pytest.approx(0.0)
    assert f.signals["icp_drift"] == 0.0  # one recent win is no evidence


def test_network_concentration():
    ctx = context(icp_store(5, network=True), AS_OF)
    (f,) = run(ctx, "icp.network_concentration")
    # 20 smb wins from the founder network of 41 wins
    assert f.metric("network_share") == pytest.approx(20 / 41)
    assert f.severity.value == "watch"


def test_without_billing_not_measurable():
    store = make_store({"opportunities": [opp("o", "A", won=True, close=date(2024, 1, 1))]})
    for d in ("icp.won_vs_retained", "icp.drift"):
        (f,) = run(context(store, AS_OF), d)
        assert f.kind is FindingKind.not_measurable
