"""Stated vs revealed ICP on hand-checked tiny stores."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats as st

from tests.diagnose.families.tiny import by_id, context, make_store, opp, run, sub
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
    # won and old enough to judge (the late smb win is not): smb 4, mid 4 → 0.5, 0.5;
    # retained: smb 1, mid 4 → 0.2, 0.8
    assert f.metric("won_share_smb") == pytest.approx(0.5)
    assert f.metric("retained_share_mid") == pytest.approx(0.8)
    assert f.metric("js_divergence") == pytest.approx(js([0.5, 0.5], [0.2, 0.8]))
    # chi-square on [[1, 3], [4, 0]]: expected 2.5/1.5 per row → 0.9 + 1.5 + 0.9 + 1.5 = 4.8;
    # every expected count is below 5, so the p-value is Fisher's exact test's
    assert f.significance is not None
    assert f.significance.statistic == pytest.approx(4.8)
    assert f.significance.p_value == pytest.approx(st.fisher_exact([[1, 3], [4, 0]]).pvalue)
    assert f.significance.p_value == pytest.approx(8 / 56)  # 2 × C(4,1)C(4,4)/C(8,5)
    s = by_id(findings, "icp.won_vs_retained.summary")
    assert s.signals["icp_divergence"] == 0.0  # p = 0.14 > 0.01


def test_won_vs_retained_signal_at_scale():
    ctx = context(icp_store(5), AS_OF)
    s = by_id(run(ctx, "icp.won_vs_retained"), "icp.won_vs_retained.summary")
    # JS((0.5, 0.5), (0.2, 0.8)) ≈ 0.10 > reference 0.05 and chi-square p ≪ 0.01
    assert js([0.5, 0.5], [0.2, 0.8]) > 0.05
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


def nps_store(inside: tuple[int, int, int], outside: tuple[int, int, int]):
    """smb and mid accounts won in January 2023, all still billed (retention says
    nothing). Each account answered NPS twice; ``inside`` (smb) and ``outside`` (mid)
    count accounts that answered (10, 10), (8, 8) and (3, 3) — own NPS +1, 0 and −1 —
    except that the first smb promoter answered (10, 3) instead: own NPS 0.5 − 0.5 = 0."""
    accounts, subs, opps, nps = [], [], [], []
    for seg, (pro, pas, det) in (("smb", inside), ("mid", outside)):
        scores = [10] * pro + [8] * pas + [3] * det
        for i, score in enumerate(scores):
            a = f"{seg}{i}"
            accounts.append({"account_id": a, "segment": seg})
            subs.append(sub(f"s{a}", a, 100, date(2023, 2, 1)))
            opps.append(opp(f"o{a}", a, won=True, close=date(2023, 1, 15)))
            first = 3 if (seg, i) == ("smb", 0) and score == 10 else score
            nps.append({"response_id": f"m{a}", "account_id": a,
                        "responded_at": date(2023, 11, 1), "score": first})
            nps.append({"response_id": f"n{a}", "account_id": a,
                        "responded_at": date(2024, 11, 1), "score": score})
            # an answer after the as-of date does not count
            nps.append({"response_id": f"z{a}", "account_id": a,
                        "responded_at": date(2025, 3, 1), "score": 0})
    return make_store({"accounts": accounts, "subscriptions": subs, "opportunities": opps,
                       "nps_responses": nps,
                       "stated_icp": [{"function": "sales", "attribute": "segment",
                                       "value": "smb"}]})


def test_stated_vs_revealed_through_nps():
    ctx = context(nps_store((4, 6, 10), (14, 4, 2)), AS_OF)
    (f,) = run(ctx, "icp.stated_vs_revealed")
    # own NPS per account: smb 3 × +1, 1 × 0 (the split promoter), 6 × 0, 10 × −1
    # → mean (3 − 10) / 20 = −0.35; mid (14 − 2) / 20 = +0.60. Retention is equal (every
    # account kept), so the advocacy lens carries the finding.
    assert f.metric("nps_stated") == pytest.approx(-35)
    assert f.metric("nps_other") == pytest.approx(60)
    assert f.metric("nps_gap") == pytest.approx(95)
    smb = [1.0] * 3 + [0.0] * 7 + [-1.0] * 10
    mid = [1.0] * 14 + [0.0] * 4 + [-1.0] * 2
    t = st.ttest_ind(mid, smb)  # Student's t, variance pooled over both sides
    assert f.significance is not None
    assert f.significance.statistic == pytest.approx(t.statistic)
    # Bonferroni over 1 stated (attribute, values) × 2 lenses
    assert f.significance.p_value == pytest.approx(2 * t.pvalue)
    assert f.signals["stated_vs_revealed"] == 1.0  # gap 0.95 ≥ reference 0.4, p < 0.01
    assert "NPS of -35" in f.statement


def test_nps_gap_on_a_handful_of_accounts_is_no_verdict():
    # three smb accounts answered: fewer than five on a side, no verdict
    ctx = context(nps_store((0, 0, 3), (14, 4, 2)), AS_OF)
    (f,) = run(ctx, "icp.stated_vs_revealed")
    assert f.signals["stated_vs_revealed"] == 0.0


def test_won_vs_retained_through_nps():
    ctx = context(nps_store((4, 6, 10), (14, 4, 2)), AS_OF)
    s = by_id(run(ctx, "icp.won_vs_retained"), "icp.won_vs_retained.summary")
    # everyone retained: the retention lens sees nothing. Promoter shares summed per
    # segment: smb 3 + 0.5 (the split account), mid 14 → 0.2, 0.8 of promoters, against
    # 0.5, 0.5 of the accounts that answered; ANOVA of own NPS, −0.35 vs +0.60, p ≪ 0.01
    assert s.metric("respondents") == 40
    assert s.metric("retained_share_top") == pytest.approx(3.5 / 17.5)
    assert s.signals["icp_divergence"] == 1.0  # JS ≈ 0.10 ≥ 0.05
    assert "who recommends us" in s.statement
