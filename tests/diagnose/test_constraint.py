"""The binding-constraint scorer on synthetic findings: the rule by hand, the decision,
remedies, ties, counters, and the pattern that needs two signals."""

from __future__ import annotations

import pytest

from throughline.diagnose.constraint import MARGIN, THRESHOLD, combine, rank
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.ranking import HYPOTHESES


def F(fid: str, family: str, **signals: float) -> Finding:
    return Finding(id=fid, diagnostic=fid.rsplit(".", 1)[0], family=family, title=fid,
                   statement="synthetic", signals=signals)


def score(ranking, name: str) -> float:  # type: ignore[no-untyped-def]
    return next(s.score for s in ranking.scores if s.name == name)


def test_rule_by_hand() -> None:
    # P = 0.6; C = 1 − (1 − 0.5)(1 − 0.5·0.4) = 0.6; score = 1 − 0.4·(1 − 0.6·0.6) = 0.744
    assert combine({"stage_optimism": 0.6, "commit_slippage": 0.5},
                   {"feedback_loop_open": (0.4, 0.5)}) == pytest.approx(0.744)
    assert combine({}, {"feedback_loop_open": (1.0, 0.5)}) == 0.0  # no primary, no score
    assert combine({"x": 0.7}, {}) == pytest.approx(0.7)
    assert combine({"x": 0.8}, {}, requires={"y": 0.5}) == pytest.approx(0.4)
    assert combine({"x": 0.8}, {}, counters={"h": (1.0, 0.5)}) == pytest.approx(0.4)


def test_strong_honesty_is_binding_with_runner_up_and_remedies() -> None:
    findings = [
        F("honesty.stage_optimism.stages", "honesty", stage_optimism=0.9),
        F("honesty.commit_slippage.commits", "honesty", commit_slippage=0.6),
        F("feedback.loop_closure.closure", "feedback", feedback_loop_open=0.4),
        F("channels.volatility.share", "channels", channel_volatility=0.3),
        F("legibility.map.functions", "legibility", gtm_illegible=0.0, engineering_legible=1.0),
    ]
    r = rank(findings)
    assert r.binding == "honesty"
    assert r.runner_up == "distribution"
    assert r.scores[0].name == "honesty" and r.scores[1].name == "distribution"
    # P = 0.9; C = 1 − (1 − 0.6)(1 − 0.2) = 0.68; 1 − 0.1·(1 − 0.612) = 0.9612
    assert r.scores[0].score == pytest.approx(0.9612, abs=1e-4)
    assert r.margin == pytest.approx(0.9612 - 0.3, abs=1e-4)
    assert r.threshold == THRESHOLD
    assert "0.96" in r.rationale and "0.30" in r.rationale and "stage_optimism" in r.rationale
    assert any("signal volume" in step.lower() for step in r.order_of_operations)
    assert any("signal volume" in w.lower() for w in r.wrong_remedies)
    raised = {c.signal: c for c in r.scores[0].raised_by}
    assert set(raised) == {"stage_optimism", "commit_slippage", "feedback_loop_open"}
    assert raised["stage_optimism"].finding_id == "honesty.stage_optimism.stages"
    assert raised["feedback_loop_open"].weight == 0.5
    assert "score without it 0.65" in raised["stage_optimism"].note
    assert [s.name for s in r.scores if not s.measurable] == ["architecture", "inventory",
                                                              "messaging", "positioning"]


def test_no_signals_none_found() -> None:
    r = rank([])
    assert r.binding is None and r.runner_up is None
    assert [s.score for s in r.scores] == [0.0] * len(HYPOTHESES)
    assert [s.name for s in r.scores] == sorted(HYPOTHESES)
    assert r.rationale.startswith("None found")
    assert r.order_of_operations == [] and r.wrong_remedies == []


def test_below_threshold_is_none_found() -> None:
    r = rank([F("icp.drift.segment", "icp", icp_drift=THRESHOLD - 0.05)])
    assert r.binding is None
    assert r.scores[0].name == "positioning"
    assert "below the 0.50" in r.rationale


def test_ties_break_by_name_and_input_order_does_not_matter() -> None:
    a = F("icp.drift.segment", "icp", icp_drift=0.7)
    b = F("channels.dependency.top", "channels", channel_dependency=0.7)
    r1, r2 = rank([a, b]), rank([b, a])
    assert r1.model_dump() == r2.model_dump()
    assert [s.name for s in r1.scores[:2]] == ["distribution", "positioning"]
    assert r1.binding is None  # a tie is within the margin
    assert f"{MARGIN:.2f} margin" in r1.rationale


def test_close_call_is_none_found_but_clear_lead_is_named() -> None:
    near = rank([F("icp.drift.s", "icp", icp_drift=0.75),
                 F("channels.dependency.t", "channels", channel_dependency=0.7)])
    assert near.binding is None
    clear = rank([F("icp.drift.s", "icp", icp_drift=0.75),
                  F("channels.dependency.t", "channels", channel_dependency=0.6)])
    assert clear.binding == "positioning" and clear.runner_up == "distribution"


def test_the_strongest_finding_per_signal_counts() -> None:
    r = rank([F("channels.volatility.a", "channels", channel_volatility=0.4),
              F("channels.volatility.b", "channels", channel_volatility=0.8)])
    top = r.scores[0]
    assert top.name == "distribution" and top.score == pytest.approx(0.8)
    (c,) = top.raised_by
    assert c.finding_id == "channels.volatility.b" and "strongest of 2" in c.note


def test_not_measurable_findings_carry_no_weight() -> None:
    nm = F("honesty.stage_optimism.not_measurable", "honesty", stage_optimism=1.0)
    nm = nm.model_copy(update={"kind": FindingKind.not_measurable})
    r = rank([nm])
    assert r.binding is None and score(r, "honesty") == 0.0


def test_support_alone_cannot_make_a_constraint() -> None:
    r = rank([F("feedback.loop_closure.c", "feedback", feedback_loop_open=1.0),
              F("promises.ledger.u", "promises", promises_unbacked=1.0)])
    assert score(r, "honesty") == 0.0 and r.binding is None
    assert next(s for s in r.scores if s.name == "honesty").measurable


def test_measurement_vacuum_needs_legible_engineering() -> None:
    dark = rank([F("legibility.map.functions", "legibility", gtm_illegible=0.75,
                   engineering_legible=0.0)])
    assert score(dark, "measurement_vacuum") == 0.0 and dark.binding is None
    lowered = next(s for s in dark.scores if s.name == "measurement_vacuum").lowered_by
    assert [c.signal for c in lowered] == ["engineering_legible"]
    lit = rank([F("legibility.map.functions", "legibility", gtm_illegible=0.75,
                  engineering_legible=1.0)])
    assert lit.binding == "measurement_vacuum"
    assert score(lit, "measurement_vacuum") == pytest.approx(0.75)
    assert any("legibility is not value" in w.lower() or "measured is not" in w.lower()
               for w in lit.wrong_remedies)


def test_counter_signals_lower_their_share() -> None:
    base = [F("channels.dependency.t", "channels", channel_dependency=0.8)]
    clean = [F("channels.volatility.s", "channels", channel_volatility=0.0,
               healthy_channel_stability=1.0)]
    assert score(rank(base), "distribution") == pytest.approx(0.8)
    # the volatility counter cancels half the primary evidence (one of two primaries)
    r = rank(base + clean)
    assert score(r, "distribution") == pytest.approx(0.4)
    lowered = next(s for s in r.scores if s.name == "distribution").lowered_by
    assert [c.signal for c in lowered] == ["healthy_channel_stability"]
    # a counter of the whole hypothesis cancels it
    assert score(rank(base + [F("x.y.z", "channels", healthy_distribution=1.0)]),
                 "distribution") == 0.0


def test_a_signal_named_after_a_hypothesis_is_primary_evidence() -> None:
    r = rank([F("x.y.z", "pipeline", inventory=0.66)])
    assert r.binding == "inventory" and score(r, "inventory") == pytest.approx(0.66)
    assert r.order_of_operations and r.wrong_remedies


def test_every_hypothesis_has_remedies() -> None:
    from throughline.diagnose.constraint import SPECS

    assert set(SPECS) == set(HYPOTHESES)
    for name, spec in SPECS.items():
        assert len(spec.order_of_operations) >= 3, name
        assert len(spec.wrong_remedies) >= 2, name
        assert spec.primary, name


def test_equal_scores_sort_by_weight_of_evidence_then_name() -> None:
    saturated = [F("push_pull.activity.a", "push_pull", activity_pipeline_divergence=1.0,
                   pull_share_declining=0.6),
                 F("channels.dependency.t", "channels", channel_dependency=1.0)]
    r = rank(saturated)
    assert [s.score for s in r.scores[:2]] == [1.0, 1.0]
    assert [s.name for s in r.scores[:2]] == ["architecture", "distribution"]
    assert r.binding is None  # both saturated: the data do not single one out
    r2 = rank([F("channels.dependency.t", "channels", channel_dependency=1.0,
                 channel_churn=0.6),
               F("push_pull.activity.a", "push_pull", activity_pipeline_divergence=1.0)])
    assert [s.name for s in r2.scores[:2]] == ["distribution", "architecture"]
