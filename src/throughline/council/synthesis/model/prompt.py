"""What the synthesiser reads and is asked: :class:`SynthesisInputs` (the rule-based record
and what made it), the prompt's head shared by every section (the question, the panel, the
evidence cards, the forecasts, the debate cut to fit), and each section's own part with the
rules' draft of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from throughline.core.synthesis_sections import (
    DEBATE_CHARS,
    MAX_FINDINGS,
    MIN_STATEMENT_CHARS,
    Section,
)
from throughline.council.claimcheck import EvidenceIndex, asked_phrases
from throughline.council.gather import COVERAGE_ID, RANKING_ID, EvidencePack, finding_card
from throughline.council.personas import Persona
from throughline.council.synthesis.model.schemas import (
    BRIEFS,
    TITLES,
    ActionPlanSection,
    DeeperStorySection,
    FuturePathsSection,
    MilestoneDraft,
    PathDraft,
    RiskDraft,
    RisksSection,
    StepDraft,
    VerdictSection,
)
from throughline.council.synthesis.rules import Synthesis
from throughline.diagnose.ranking import HYPOTHESES
from throughline.providers import prompts
from throughline.record.decision import Advisor, DecisionRecord, Statement

@dataclass
class SynthesisInputs:
    """Everything the section calls read: the rule-based record (drafts, citations), the
    synthesis behind it (citation book, sources), the pack and the claim-check index."""

    record: DecisionRecord
    syn: Synthesis
    pack: EvidencePack
    seats: list[tuple[Persona, Advisor]]
    index: EvidenceIndex
    statements: dict[str, Statement] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, record: DecisionRecord, syn: Synthesis, pack: EvidencePack,
              seats: list[tuple[Persona, Advisor]], index: EvidenceIndex) -> SynthesisInputs:
        said = {s.id: s for r in record.rounds for s in r.statements if not s.failed}
        return cls(record=record, syn=syn, pack=pack, seats=seats, index=index,
                   statements=said, asked=asked_phrases(record))

    @property
    def names(self) -> dict[str, str]:
        return {a.id: a.name for _, a in self.seats}


def evidence_ids(inputs: SynthesisInputs) -> list[str]:
    """The findings put before the synthesiser: the ranking, the binding constraint's and
    the runner-up's evidence, the options' findings, what the rule-based sections cite,
    what the debate cited most, and the coverage note — each once, at most
    :data:`MAX_FINDINGS`."""
    pack = inputs.pack
    syn = inputs.syn
    ids = [RANKING_ID, *syn.binding_ids[:4], *syn.runner_ids[:4], *pack.option_finding_ids()]
    ids += [c.ref for c in inputs.record.citations if c.kind == "finding"]
    counts: dict[str, int] = {}
    for s in inputs.statements.values():
        for c in s.cites:
            counts[c] = counts.get(c, 0) + 1
    ids += sorted(counts, key=lambda c: (-counts[c], c))
    ids.append(COVERAGE_ID)
    out: list[str] = []
    for i in ids:
        if i not in out and pack.finding(i) is not None:
            out.append(i)
    return out[:MAX_FINDINGS]


def _label(h: str | None) -> str:
    return HYPOTHESES.get(h, h) if h else "none"


def stable_head(inputs: SynthesisInputs) -> str:
    """The part of every section's prompt that is the same for all of them."""
    r = inputs.record
    limits = prompts.PromptLimits()
    cards = [finding_card(f) for i in evidence_ids(inputs) if (f := inputs.pack.finding(i))]
    lines = [
        "The question, as the user asked it:", prompts.fence("question", r.intent.question), "",
        "How the question was framed:", prompts.fence("intent", prompts.intent_text(r.intent)),
        "",
        f"The diagnosis: binding constraint: {_label(r.binding)}; runner-up: "
        f"{_label(r.runner_up)}.", "",
        "The panel:",
        *(f"- {a.id}: {a.name}, {a.role}. Weighs: {a.lens}" for _, a in inputs.seats), "",
        "Evidence (cite by id; every number you write is one of these, written as here):",
        *(prompts.evidence_block(c, limits) for c in cards), "",
    ]
    if r.predictions:
        lines.append("Forecasts of this run (cite by id):")
        lines += [prompts.fence("forecast", f"{f.statement} Resolves: {f.resolution}",
                                id=f.id, horizon=f.horizon.isoformat())
                  for f in r.predictions]
        lines.append("")
    clip = debate_limits(r)
    clipped = any(v is not None for v in clip.values())
    lines.append(f"The debate ({len(r.rounds)} round{'s' if len(r.rounds) != 1 else ''} ran; "
                 "quote only from these statements"
                 + ("; the earlier rounds' statements are cut for length, the last two are "
                    "whole" if clipped else ", each in full") + "):")
    for rnd in r.rounds:
        lines.append(f"Round {rnd.number}: {rnd.title}")
        lines += [prompts.statement_block(s, clip[rnd.number] or len(s.text) + 1,
                                          inputs.names) for s in rnd.statements]
    lines += ["", "Where each advisor ended:"]
    for m in r.panel:
        if m.final_conviction is not None:
            lines.append(f"- {m.advisor.name} ({m.advisor.id}): conviction "
                         f"{m.final_conviction:.2f} in its own answer")
    return "\n".join(lines) + "\n\n"


def debate_limits(record: DecisionRecord) -> dict[int, int | None]:
    """Per round, the length each statement is cut to in the synthesiser's prompt (None:
    whole). Every statement is shown whole while the debate fits in
    :data:`DEBATE_CHARS`; beyond, the last two rounds stay whole and the earlier rounds'
    statements share what is left (at least :data:`MIN_STATEMENT_CHARS` each), so a
    five-round debate of full-length statements keeps a section prompt near 12,500 tokens
    (a 16k context holds it). A quote from a cut statement is still its own words."""
    said = [(rnd.number, len(s.text)) for rnd in record.rounds for s in rnd.statements]
    if sum(n for _, n in said) <= DEBATE_CHARS or len(record.rounds) <= 2:
        return {rnd.number: None for rnd in record.rounds}
    last = {rnd.number for rnd in record.rounds[-2:]}
    used = sum(n for rnd, n in said if rnd in last)
    earlier = [n for rnd, n in said if rnd not in last]
    per = max(MIN_STATEMENT_CHARS, (DEBATE_CHARS - used) // max(1, len(earlier)))
    return {rnd.number: None if rnd.number in last else per for rnd in record.rounds}


# -- drafts: the rule-based sections in the schemas -----------------------------------------

def draft_of(section: Section, inputs: SynthesisInputs) -> BaseModel:
    r = inputs.record

    def refs(numbers: list[int]) -> list[str]:
        return [c.ref for n in numbers for c in r.citations if c.number == n]

    if section == "verdict":
        return VerdictSection(verdict=r.verdict)
    if section == "action_plan":
        return ActionPlanSection.model_construct(steps=[StepDraft(
            days=(s.due - r.intent.run_date).days, who=s.who, what=s.what,
            opening_words=s.opening_words or "", condition=s.condition,
            cites=refs(s.citations)) for s in r.action_plan])
    if section == "future_paths":
        return FuturePathsSection.model_construct(paths=[PathDraft.model_construct(
            title=p.title, stance=p.stance, milestones=[MilestoneDraft(
                month=m.month, text=m.text, backing_kind=m.backing_kind,
                backing_ref=m.backing_ref,
                quote=m.backing if m.backing_kind == "quote" else None)
                for m in p.milestones]) for p in r.future_paths])
    if section == "deeper_story":
        return DeeperStorySection(story=r.deeper_story, quotes=[])
    return RisksSection.model_construct(risks=[RiskDraft(
        text=k.text, raised_by=k.raised_by, cites=refs(k.citations)) for k in r.risks])


def section_prompt(section: Section, inputs: SynthesisInputs, head: str,
                   written: dict[Section, Any]) -> tuple[str, int]:
    """``(prompt, prefix)``: the shared head, then this section's part."""
    part = [f"Section: the {TITLES[section]}.", f"What it does: {BRIEFS[section]}", ""]
    if section != "verdict":
        verdict = written.get("verdict", inputs.record.verdict)
        part += ["The verdict of this record (written):", prompts.fence("verdict", verdict), ""]
    if section == "future_paths":
        plan = written.get("action_plan", inputs.record.action_plan)
        part += ["The action plan (written; milestones must not repeat its steps):",
                 prompts.fence("plan", "\n".join(f"- {s.when}: {s.what}" for s in plan)), ""]
    draft = draft_of(section, inputs).model_dump_json(indent=1, exclude_none=False)
    part += ["The draft made by rules:", prompts.fence("draft", draft), "",
             f"Now write the {TITLES[section]}."]
    return head + "\n".join(part), len(head)


__all__ = ["SynthesisInputs", "debate_limits", "draft_of", "evidence_ids", "section_prompt",
           "stable_head"]
