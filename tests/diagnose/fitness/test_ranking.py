"""The ranking with the gate: ties are named as ties, unfit evidence cannot bind."""

from __future__ import annotations

from throughline.diagnose.constraint import MARGIN, THRESHOLD, rank
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.quality import DataQualityIssue


def F(fid: str, family: str, quality: list[str] | None = None, **signals: float) -> Finding:
    return Finding(id=fid, diagnostic=fid.rsplit(".", 1)[0], family=family, title=fid,
                   statement="synthetic", signals=signals, quality=quality or [])


def NM(diagnostic: str, family: str, quality: list[str] | None = None) -> Finding:
    return Finding(id=f"{diagnostic}.not_measurable", diagnostic=diagnostic, family=family,
                   kind=FindingKind.not_measurable, title=diagnostic,
                   statement="Not measurable.", quality=quality or [])


BULK = DataQualityIssue(id="dq.bulk_timestamps.stage_history", check="bulk_timestamps",
                        action="unfit", title="Stage history bulk-loaded",
                        statement="120 of 120 stage-history rows share one timestamp.",
                        remedy="not measurable", affects=["honesty.close_date_pushes"])
SOURCE = DataQualityIssue(id="dq.absent_column.opportunities.channel", check="absent_column",
                          action="unfit", title="No deal source recorded",
                          statement="No deal records where it came from.", remedy="-",
                          affects=["attribution.coverage"])


def test_two_saturated_hypotheses_are_a_tie() -> None:
    r = rank([F("honesty.stage_optimism.summary", "honesty", stage_optimism=1.0),
              F("attribution.coverage.share", "attribution", attribution_gap=1.0)])
    assert r.binding is None and r.runner_up is None
    assert sorted(r.tied) == ["honesty", "messaging"]
    assert r.rationale.startswith("Tie: ")
    assert "honesty (1.00)" in r.rationale and "messaging (1.00)" in r.rationale
    assert "below" not in r.rationale and "reached" not in r.rationale


def test_within_the_margin_is_a_tie_outside_it_is_binding() -> None:
    near = rank([F("honesty.stage_optimism.summary", "honesty", stage_optimism=0.8),
                 F("channels.stability.dependency", "channels", channel_dependency=0.75)])
    assert near.binding is None and near.tied == ["honesty", "distribution"]
    far = rank([F("honesty.stage_optimism.summary", "honesty", stage_optimism=0.8),
                F("channels.stability.dependency", "channels",
                  channel_dependency=0.8 - MARGIN)])
    assert far.binding == "honesty" and far.tied == []


def test_below_the_threshold_is_none_found_not_a_tie() -> None:
    r = rank([F("honesty.stage_optimism.summary", "honesty", stage_optimism=THRESHOLD - 0.1),
              F("channels.stability.dependency", "channels", channel_dependency=0.38)])
    assert r.binding is None and r.tied == []
    assert r.rationale.startswith("None found: the highest score")


def test_a_signal_from_unfit_evidence_cannot_bind() -> None:
    findings = [F("honesty.close_date_pushes.summary", "honesty", quality=[BULK.id],
                  close_date_pushes=1.0),
                F("channels.stability.dependency", "channels", channel_dependency=0.7)]
    r = rank(findings, data_quality=[BULK])
    assert r.blocked == {"honesty": BULK.statement}
    assert r.binding == "distribution"  # the decision is taken among the others
    assert r.scores[0].name == "honesty"  # the score is still shown
    assert "Not judged: honesty (120 of 120" in r.rationale
    assert rank(findings).binding == "honesty"  # without the gate's verdict it would bind


def test_all_primary_diagnostics_unmeasurable_for_an_unfit_input_is_blocked() -> None:
    findings = [NM("attribution.coverage", "attribution", quality=[SOURCE.id]),
                NM("messaging.coherence", "messaging"),
                F("honesty.stage_optimism.summary", "honesty", stage_optimism=0.3)]
    r = rank(findings, data_quality=[SOURCE])
    assert r.blocked == {"messaging": SOURCE.statement}
    assert "honesty" not in r.blocked
    # a hypothesis unmeasurable only for missing tables is silent, not blocked
    r = rank([NM("attribution.coverage", "attribution"), NM("messaging.coherence",
                                                            "messaging")],
             data_quality=[SOURCE])
    assert r.blocked == {}


def test_a_blocked_hypothesis_is_never_tied() -> None:
    findings = [F("honesty.close_date_pushes.summary", "honesty", quality=[BULK.id],
                  close_date_pushes=1.0),
                F("attribution.coverage.share", "attribution", attribution_gap=1.0),
                F("channels.stability.dependency", "channels", channel_dependency=0.95)]
    r = rank(findings, data_quality=[BULK])
    assert r.tied == ["messaging", "distribution"] and r.binding is None
