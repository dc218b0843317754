"""The truth invariants, on hand-built diagnoses that break each one."""

from __future__ import annotations

from datetime import date

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Finding, Metric
from throughline.diagnose.invariants import truth_violations
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import ConstraintRanking, Contribution, HypothesisScore


def _d(findings, ranking=None, issues=()) -> Diagnosis:
    return Diagnosis(as_of=date(2025, 6, 30), backend="duckdb", tables={}, findings=findings,
                     ranking=ranking or ConstraintRanking(scores=[], binding=None,
                                                          threshold=0.5, rationale="x"),
                     data_quality=list(issues))


def _f(fid: str, metrics: dict[str, Metric], quality=()) -> Finding:
    return Finding(id=fid, diagnostic=fid.rsplit(".", 1)[0], family="pipeline", title="t",
                   statement="s", metrics=metrics, quality=list(quality))


def test_a_rate_outside_its_domain_is_a_violation() -> None:
    bad = _f("pipeline.velocity.x", {"win_rate": Metric(name="win_rate", value=1.2,
                                                         unit="ratio")})
    ok = _f("pipeline.velocity.y", {"growth_rate_change": Metric(
        name="growth_rate_change", value=-0.4, unit="ratio")})
    assert truth_violations(_d([bad, ok])) == [
        "pipeline.velocity.x: win_rate = 1.2 is outside [0, 1]"]


def test_currencies_without_a_correction_and_binding_on_unfit_evidence() -> None:
    unfit = DataQualityIssue(id="dq.absent_column.opportunities.channel", check="absent",
                             action="unfit", title="t", statement="s", remedy="r")
    f = _f("attribution.coverage.share", {}, quality=[unfit.id])
    ranking = ConstraintRanking(
        scores=[HypothesisScore(name="messaging", label="m", score=1.0, raised_by=[
            Contribution(finding_id=f.id, signal="attribution_gap", value=1.0, weight=1.0)])],
        binding="messaging", threshold=0.5, rationale="x")
    found = truth_violations(_d([f], ranking, [unfit]), currencies_in_deals=3)
    assert found == ["3 currencies in the deals and no currency correction",
                     "messaging rests on attribution.coverage.share, whose input was marked "
                     "unfit"]
    assert truth_violations(_d([f]), currencies_in_deals=1) == []
