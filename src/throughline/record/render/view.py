"""The record as the renderers see it: every label looked up, every number formatted.

HTML and Markdown both render this view, so they say the same things in the same order.
The view adds no number of its own: probabilities, convictions and counts are the
record's, formatted (``0.64`` → ``64%``); ids are resolved to names (advisor ids to
advisor names, statement ids to "The Auditor, round 2", evidence ids to citation
numbers). Strings stay plain ``str`` here; escaping is the renderer's job.

This module frames the question and names the verdict, and puts the record together from
the sections built beside it: ``quality.py`` (what we could not trust, the scorecard),
``synthesis.py`` (predictions, plan, paths, evidence, risks), ``panel.py``,
``debate.py`` (rounds, statements, claim check) and ``facts.py`` (sources, run facts);
``index.py`` resolves ids and ``formatting.py`` writes numbers and dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from throughline.core import format as fmt
from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.report import split_label
from throughline.record.decision import DecisionRecord
from throughline.record.render.debate import (
    ClaimCheckView,
    RoundView,
    claim_check_view,
    round_view,
)
from throughline.record.render.facts import (
    CitationView,
    RunView,
    cited_views,
    consulted_views,
    run_view,
    unused_views,
)
from throughline.record.render.formatting import SourceLink, day, paragraphs
from throughline.record.render.index import RecordIndex
from throughline.record.render.panel import MemberView, panel_views
from throughline.record.render.quality import (
    CapabilityView,
    TrustView,
    capability_view,
    trust_view,
)
from throughline.record.render.synthesis import (
    EvidenceView,
    ForecastView,
    PathView,
    RiskView,
    StepView,
    evidence_views,
    forecast_views,
    omitted_forecasts,
    path_views,
    risk_views,
    step_views,
)

DECISION_TYPES = {
    "diagnose": "Diagnose", "invest": "Invest", "prioritise": "Prioritise", "pivot": "Pivot",
    "hire": "Hire", "price": "Price", "other": "Other",
}


@dataclass(frozen=True)
class RecordView:
    title: str
    run_id: str
    question: str
    run_date: str
    decision_type: str
    choice: str
    options: list[str]
    stakes: str
    constraints: list[str]
    horizon: str
    must_contain: list[str]
    framed_by: str
    verdict: str
    verdict_paragraphs: list[str]
    binding_found: bool
    binding_short: str
    binding_subtitle: str
    runner_up: str | None
    runner_up_subtitle: str
    forecasts: list[ForecastView]
    omitted_forecasts: list[str]
    steps: list[StepView]
    paths: list[PathView]
    deeper_story: str
    story_paragraphs: list[str]
    evidence: list[EvidenceView]
    risks: list[RiskView]
    panel: list[MemberView]
    rounds: list[RoundView]
    claim_check: ClaimCheckView
    functions_without_data: list[str]
    claims_without_numbers: list[SourceLink]
    cannot_see_notes: list[str]
    cited: list[CitationView]
    consulted: list[CitationView]
    unused_count: int
    unused: list[CitationView]
    run: RunView
    notice: str
    counts: dict[str, int] = field(default_factory=dict)
    trust: TrustView | None = None
    scorecard: list[CapabilityView] = field(default_factory=list)
    tie_line: str = ""
    tied: list[tuple[str, str]] = field(default_factory=list)  # (short label, score)


def build_view(record: DecisionRecord) -> RecordView:
    ix = RecordIndex(record)
    intent = record.intent
    short, subtitle = _binding(record)
    runner, runner_subtitle = (split_label(_hypothesis(record.runner_up)) if record.runner_up
                               else (None, ""))
    return RecordView(
        title=record.title,
        run_id=record.run_id,
        question=intent.question,
        run_date=day(intent.run_date),
        decision_type=DECISION_TYPES.get(intent.decision_type, intent.decision_type),
        choice=intent.choice,
        options=list(intent.options),
        stakes=intent.stakes,
        constraints=list(intent.constraints),
        horizon=f"{intent.horizon_months} month{'s' if intent.horizon_months != 1 else ''}",
        must_contain=list(intent.must_contain),
        framed_by=intent.framed_by,
        verdict=record.verdict,
        verdict_paragraphs=paragraphs(record.verdict),
        binding_found=record.binding is not None,
        binding_short=short,
        binding_subtitle=subtitle,
        runner_up=runner,
        runner_up_subtitle=runner_subtitle,
        forecasts=forecast_views(record, ix),
        omitted_forecasts=omitted_forecasts(record),
        steps=step_views(record, ix),
        paths=path_views(record, ix),
        deeper_story=record.deeper_story,
        story_paragraphs=paragraphs(record.deeper_story) if record.deeper_story.strip() else [],
        evidence=evidence_views(record, ix),
        risks=risk_views(record, ix),
        panel=panel_views(record, ix),
        rounds=[round_view(r, ix) for r in record.rounds],
        claim_check=claim_check_view(record, ix),
        functions_without_data=list(record.cannot_see.functions_without_data),
        claims_without_numbers=[ix.statement_link(s) or SourceLink(s)
                                for s in record.cannot_see.claims_without_numbers],
        cannot_see_notes=list(record.cannot_see.notes),
        cited=cited_views(record),
        consulted=consulted_views(record),
        unused_count=record.sources.unused_count,
        unused=unused_views(record),
        run=run_view(record),
        notice=record.notice,
        counts={
            "statements": sum(len(r.statements) for r in record.rounds),
            "failed_turns": sum(1 for r in record.rounds for s in r.statements if s.failed),
            "advisors": len(record.panel),
        },
        trust=trust_view(record),
        scorecard=[capability_view(c) for c in record.scorecard],
        tie_line=record.tie_line if record.tie_line not in record.verdict else "",
        tied=[(split_label(t.label or _hypothesis(t.name))[0], fmt.score(t.score))
              for t in record.tied],
    )


def _binding(record: DecisionRecord) -> tuple[str, str]:
    """The binding constraint's short label and subtitle; for a tie, the tied names and
    their scores."""
    if record.binding:
        return split_label(record.binding_label or _hypothesis(record.binding))
    if record.tied:
        names = [split_label(t.label or _hypothesis(t.name))[0] for t in record.tied]
        short = "Tie: " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1
                           else "".join(names))
        shown = [fmt.score(t.score) for t in record.tied]
        subtitle = ((f"all at {shown[0]}" if len(shown) > 2 else f"both at {shown[0]}")
                    if len(set(shown)) == 1 else ", ".join(shown))
        return short, subtitle + " — the data does not separate them"
    return "No binding constraint found", ""


def _hypothesis(name: str) -> str:
    """A hypothesis name as the diagnosis labels it: 'distribution' → 'Distribution (…)'."""
    if name in HYPOTHESES:
        return HYPOTHESES[name]
    return fmt.humanize(name) if re.fullmatch(r"[a-z_]+", name) else name
