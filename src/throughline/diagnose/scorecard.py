"""The alignment scorecard: five capabilities of an aligned go-to-market, scored from findings.

The five capabilities (from the GTM-alignment framework the product is built on):

1. a unified, evidence-based view of the customer;
2. messaging that travels (the same story in every artifact);
3. enablement built around buyer decisions (what ships reaches the field);
4. feedback loops that close (an owner, an answer, a change);
5. critical thinking (assumptions tested: forecast accuracy, stage calibration).

Each capability reads the problem signals of the findings that measure it. Its score is
``1 − the strongest problem signal`` (0 = the worst the signal scale allows, 1 = no
problem seen); a capability none of whose diagnostics measured anything is *not
measurable*, with the data that would make it so. The findings it rests on are named, so a
reader can check the score. Pure function of the findings: same diagnosis → same scorecard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from throughline.diagnose.findings import Finding, FindingKind

Rating = Literal["strong", "mixed", "weak", "not_measurable"]
STRONG, WEAK = 0.7, 0.4


class Capability(BaseModel):
    id: str
    title: str
    diagnostics: tuple[str, ...]
    signals: tuple[str, ...]


CAPABILITIES: tuple[Capability, ...] = (
    Capability(id="customer_view", title="A unified, evidence-based view of the customer",
               diagnostics=("icp.stated_vs_revealed", "icp.won_vs_retained", "icp.drift",
                            "icp.network_concentration", "attribution.coverage"),
               signals=("icp_divergence", "icp_drift", "attribution_gap")),
    Capability(id="messaging", title="Messaging that travels",
               diagnostics=("messaging.coherence", "messaging.unbacked_claims"),
               signals=("messaging_incoherence", "messaging_unbacked_claims")),
    Capability(id="enablement", title="Enablement built around buyer decisions",
               diagnostics=("handoff.inventory", "handoff.stage_times",
                            "handoff.feature_pipeline_divergence", "promises.ledger"),
               signals=("inventory_accumulation", "slow_decided_to_spec",
                        "feature_pipeline_divergence", "promises_unbacked")),
    Capability(id="feedback", title="Feedback loops that close",
               diagnostics=("feedback.loop_closure", "feedback.loss_reasons"),
               signals=("feedback_loop_open",)),
    Capability(id="critical_thinking",
               title="Critical thinking: assumptions tested against outcomes",
               diagnostics=("honesty.forecast_accuracy", "honesty.stage_optimism",
                            "honesty.close_date_pushes", "honesty.commit_slippage"),
               signals=("forecast_optimism", "stage_optimism", "close_date_pushes",
                        "commit_slippage", "positive_notes_stall")),
)


class CapabilityScore(BaseModel):
    id: str
    title: str
    rating: Rating
    score: float | None = Field(description="0..1, 1 = no problem seen; None if not measurable.")
    driver: str | None = Field(default=None, description="Finding id of the strongest signal.")
    driver_statement: str | None = None
    findings: list[str] = Field(default_factory=list, description="Measured findings read.")
    needs: list[str] = Field(default_factory=list, description="What would make it measurable.")


def _rating(score: float) -> Rating:
    return "strong" if score >= STRONG else "mixed" if score >= WEAK else "weak"


def score_capability(cap: Capability, findings: Sequence[Finding]) -> CapabilityScore:
    mine = [f for f in findings if f.diagnostic in cap.diagnostics]
    measured = [f for f in mine if f.kind is FindingKind.measured]
    if not measured:
        needs = sorted({n for f in mine for n in f.needs}) or [
            "the exports behind " + ", ".join(cap.diagnostics)]
        return CapabilityScore(id=cap.id, title=cap.title, rating="not_measurable",
                               score=None, needs=needs)
    strongest: tuple[float, str, str] | None = None
    for f in measured:
        for name in cap.signals:
            value = f.signals.get(name)
            if value is not None and (strongest is None or value > strongest[0]):
                strongest = (float(value), f.id, f.statement)
    worst = min(1.0, max(0.0, strongest[0])) if strongest else 0.0
    score = round(1.0 - worst, 2)
    return CapabilityScore(
        id=cap.id, title=cap.title, rating=_rating(score), score=score,
        driver=strongest[1] if strongest else None,
        driver_statement=strongest[2] if strongest else None,
        findings=[f.id for f in measured],
        needs=sorted({n for f in mine if f.kind is FindingKind.not_measurable for n in f.needs}),
    )


def alignment_scorecard(findings: Sequence[Finding]) -> list[CapabilityScore]:
    """The five capabilities in their fixed order, each scored from ``findings``."""
    return [score_capability(cap, findings) for cap in CAPABILITIES]
