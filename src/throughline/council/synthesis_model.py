"""The synthesiser on a model: it writes every synthesised section, each one checked.

With a model set for the synthesiser (``THROUGHLINE_MODEL_SYNTHESISER``) the record's
**verdict**, **action plan** (each step with its opening words), **future paths** (each
milestone backed by a quote from the debate, a forecast of this run or a finding),
**deeper story** (from the statements actually made) and **risks** are written by the
model, one call per section, each with its own schema. The rule-based section
(:class:`throughline.council.synthesize.Synthesis`) is the draft the model starts from
and the fallback when it fails.

Every section is checked before it is accepted, the same way the record's claim check
will read it (:func:`throughline.council.claimcheck.record_texts`): every number must be
one the evidence holds (numbers in the user's own words are not claims). Beyond numbers:

* action plan — every step has a who, a what and the exact opening words, at least one step
  is unconditional, and no step is due past the question's horizon plus a quarter;
* future paths — a quote milestone names a statement of a round that ran and quotes its
  words exactly; a forecast or finding milestone names one of this run's; no milestone
  restates a step of the action plan (paths are outcomes, not the plan again);
* deeper story — every quoted span is words an advisor actually said in a round that ran,
  said by the advisor the sentence names; every image from a seated advisor's catalog that
  the story uses was said in the debate; each listed quote is its advisor's own words;
* risks — the first opens with "What would have to be true for this verdict to be wrong?".

A section that fails its check goes back once with the problems (the engine's one repair);
still wrong — or its call failed for good — the rule-based section stands and
``record.run.failures`` says so. ``record.run.model_sections`` lists the sections a model
wrote. Calls run in three waves: the verdict; then the action plan, the deeper story and
the risks (each told the verdict); then the future paths (told the plan, so they do not
repeat it). Sections are applied to the record in a fixed order, so citation numbers —
and a replayed record — do not depend on which call finished first.
"""

from __future__ import annotations

import asyncio
import copy
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from throughline.council.claimcheck import (
    EvidenceIndex,
    asked_phrases,
    check_record_texts,
    record_texts,
)
from throughline.council.gather import COVERAGE_ID, RANKING_ID, EvidencePack, finding_card
from throughline.council.personas import Persona
from throughline.council.synthesize import CitationBook, Synthesis
from throughline.diagnose.ranking import HYPOTHESES
from throughline.core.errors import ModelError
from throughline.core.synthesis_sections import (
    DEBATE_CHARS,
    INSTRUCTIONS,
    MARK,
    MAX_FINDINGS,
    MIN_STATEMENT_CHARS,
    SECTIONS,
    Section,
    planned_prompt_chars,
)
from throughline.record.decision import (
    ActionStep,
    Advisor,
    DecisionRecord,
    FuturePath,
    Milestone,
    Risk,
    Statement,
)

if TYPE_CHECKING:
    from throughline.core.seams import CallInfo
    from throughline.providers.advisor_engine import ModelAdvisorEngine

WAVES: tuple[tuple[Section, ...], ...] = (
    ("verdict",), ("action_plan", "deeper_story", "risks"), ("future_paths",))
TITLES: dict[Section, str] = {"verdict": "verdict", "action_plan": "action plan",
                              "future_paths": "future paths", "deeper_story": "deeper story",
                              "risks": "risks"}

MAX_VERDICT_CHARS = 1_400
MAX_STORY_CHARS = 1_800
MAX_STEP_CHARS = 500
MAX_LINE_CHARS = 300
WRONG_IF = "What would have to be true for this verdict to be wrong?"


# -- the schemas ---------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictSection(_Strict):
    verdict: str = Field(description="The verdict: the answer to the question first (the "
                         "option chosen, as the question names it, or the missing evidence "
                         "that would decide and how to get it), then the numbers that decide "
                         "it, the case against, and the first step. Plain sentences.")


class StepDraft(_Strict):
    days: int = Field(ge=0, le=1_200, description="Days after the run date it is due.")
    who: str = Field(description="Who does it: a role, e.g. 'VP Sales' or 'RevOps'.")
    what: str = Field(description="What they do, in one or two sentences.")
    opening_words: str = Field(description="The exact words to open the conversation with.")
    condition: str | None = Field(default=None, description="For a conditional step, 'If …'; "
                                  "null for an unconditional one.")
    cites: list[str] = Field(default_factory=list, description="Evidence ids it rests on.")


class ActionPlanSection(_Strict):
    steps: list[StepDraft] = Field(min_length=2, max_length=8,
                                   description="The steps in the order they are due.")


class MilestoneDraft(_Strict):
    month: int = Field(ge=1, le=36, description="Months after the data's end.")
    text: str = Field(description="The outcome reached by then (an outcome, not a step).")
    backing_kind: Literal["quote", "forecast", "finding"]
    backing_ref: str = Field(description="The statement id (quote), forecast id or finding "
                             "id that backs the milestone.")
    quote: str | None = Field(default=None, description="For a quote: the words of that "
                              "statement, exactly as written; null otherwise.")


class PathDraft(_Strict):
    title: str = Field(description="'You choose … and …': the path in one sentence.")
    stance: Literal["act_on_constraint", "keep_going", "other"]
    milestones: list[MilestoneDraft] = Field(min_length=1, max_length=5)


class FuturePathsSection(_Strict):
    paths: list[PathDraft] = Field(min_length=1, max_length=4)


class QuoteDraft(_Strict):
    statement_id: str = Field(description="The id of the statement quoted (e.g. r5.auditor).")
    words: str = Field(description="The words quoted or the image used, exactly as written.")


class DeeperStorySection(_Strict):
    story: str = Field(description="The story under the argument, in plain prose.")
    quotes: list[QuoteDraft] = Field(default_factory=list, description="Every quote or image "
                                     "the story attributes to an advisor, with its statement.")


class RiskDraft(_Strict):
    text: str
    raised_by: str | None = Field(default=None, description="Advisor id, if one raised it.")
    cites: list[str] = Field(default_factory=list, description="Evidence ids it rests on.")


class RisksSection(_Strict):
    risks: list[RiskDraft] = Field(min_length=1, max_length=8)


SCHEMAS: dict[Section, type[BaseModel]] = {
    "verdict": VerdictSection, "action_plan": ActionPlanSection,
    "future_paths": FuturePathsSection, "deeper_story": DeeperStorySection,
    "risks": RisksSection,
}

BRIEFS: dict[Section, str] = {
    "verdict": (
        f"The verdict, at most {MAX_VERDICT_CHARS} characters. Open with the answer: the "
        "option the evidence favours, as the question names it — or, if it cannot decide, "
        "which missing evidence would and how to get it. Then the two or three numbers that "
        "decide it, the strongest case against, and the first step."),
    "action_plan": (
        "The action plan: two to eight dated steps that carry out the verdict, first repair "
        "first. Each has a who, a what, the days after the run date it is due, and the exact "
        "opening words the owner says to start it — words a person would say in a meeting, "
        "not a summary. A step that only applies if something happens has a condition "
        "('If …'). Cite the evidence ids a step rests on. No step is due after the question's "
        "horizon plus three months."),
    "future_paths": (
        "The future paths: two to four ways the next months could go — one per option the "
        "question names, and, if the verdict puts a repair first, the path that makes it. "
        "Each path is one sentence ('You choose … and …') with one to five milestones in "
        "months after the data's end. A milestone is an outcome the leader would see, never "
        "a step of the action plan again, and it is backed by a forecast of this run "
        "(backing_kind forecast, its id), a finding (its id), or a quote (backing_kind "
        "quote, the statement id, and the statement's words copied exactly in quote)."),
    "deeper_story": (
        f"The deeper story, at most {MAX_STORY_CHARS} characters: the story under the "
        "argument — what the company's current story protects and hides, which problem is "
        "masquerading as another, and the better story. Build it from what the advisors "
        "actually said: quote them (in double quotes, naming who said it) and use an image "
        "only if an advisor used it in a statement below. List every quote or image you "
        "attribute in quotes, with the statement id and the words exactly as written."),
    "risks": (
        "The risks: two to eight of the strongest cases against the verdict. The first "
        f"opens with the question \"{WRONG_IF}\", answers it, and names the evidence that "
        "would show it. Each risk says what would have to happen and what would show it; "
        "set raised_by to the advisor id who raised it in the debate, if one did, and cite "
        "the evidence ids it rests on."),
}


# -- what the synthesiser reads -------------------------------------------------------------

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
    from throughline.providers import prompts

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
    from throughline.providers import prompts

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


# -- checks and conversion ------------------------------------------------------------------

def _flat(text: str) -> str:
    t = " ".join(text.split())
    return t.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})).strip()


def _said_in(words: str, text: str) -> bool:
    w = _flat(words).strip("\"' .,;:").casefold()
    return bool(w) and w in _flat(text).casefold()


def _when(days: int) -> str:
    for limit, label in ((0, "Today"), (7, "This week"), (14, "Within two weeks"),
                         (30, "Within a month"), (42, "Within six weeks"),
                         (60, "Within two months"), (90, "Within three months")):
        if days <= limit:
            return label
    return f"Within {round(days / 30.4)} months"


def convert(section: Section, value: Any, inputs: SynthesisInputs, book: CitationBook,
            written: dict[Section, Any]) -> Any:
    """A section's draft as the record holds it (citations numbered in ``book``)."""
    r = inputs.record
    if section == "verdict":
        return " ".join(value.verdict.split())
    if section == "deeper_story":
        return " ".join(value.story.split())
    if section == "action_plan":
        steps = [ActionStep(
            due=r.intent.run_date + timedelta(days=s.days), when=_when(s.days),
            who=" ".join(s.who.split()), what=" ".join(s.what.split()),
            opening_words=" ".join(s.opening_words.split()) or None,
            condition=(" ".join(s.condition.split()) or None) if s.condition else None,
            citations=book.many([c for c in s.cites if inputs.index.knows(c)]))
            for s in value.steps]
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))
    if section == "risks":
        ids = {a.id for _, a in inputs.seats}
        by_name = {a.name.casefold(): a.id for _, a in inputs.seats}
        out = []
        for k in value.risks:
            who = (k.raised_by or "").strip()
            who = who if who in ids else by_name.get(who.casefold())
            out.append(Risk(text=" ".join(k.text.split()), raised_by=who,
                            citations=book.many([c for c in k.cites if inputs.index.knows(c)])))
        return out
    paths = []
    forecasts = {f.id: f for f in r.predictions}
    for i, p in enumerate(value.paths, start=1):
        ms = []
        for m in p.milestones:
            if m.backing_kind == "quote":
                backing = _flat(m.quote or "").strip("\"'")
            elif m.backing_kind == "forecast":
                backing = forecasts[m.backing_ref].statement
            else:
                f = inputs.pack.finding(m.backing_ref)
                backing = f.statement if f is not None else ""
            ms.append(Milestone(month=m.month, text=" ".join(m.text.split()), backing=backing,
                                backing_kind=m.backing_kind, backing_ref=m.backing_ref))
        paths.append(FuturePath(id=f"path_{i}", title=" ".join(p.title.split()),
                                stance=p.stance, milestones=sorted(ms, key=lambda m: m.month)))
    return paths


def problems_of(section: Section, value: Any, inputs: SynthesisInputs,
                written: dict[Section, Any]) -> list[str]:
    """Why a section cannot be used (empty when it can): its own rules, then the claim
    check exactly as the record's will read it."""
    problems = _rules(section, value, inputs, written)
    if problems:
        return problems
    book = copy.copy(inputs.syn.book)
    book.items = list(book.items)  # a scratch copy: a refused draft numbers nothing
    converted = convert(section, value, inputs, book, written)
    candidate = inputs.record.model_copy(update={section: converted,
                                                 "citations": list(book.items)})
    prefix = f"synthesis.{section}"
    items = [it for it in record_texts(candidate, statements=False)
             if it[0] == prefix or it[0].startswith(prefix + ".")]
    check = check_record_texts(items, inputs.index, asked=inputs.asked)
    for claim in check.claims:
        if claim.status == "verified":
            continue
        if claim.kind == "citation":
            continue  # unknown ids are dropped in conversion; a [n] is not ours to write
        where = claim.location.removeprefix(prefix).lstrip(".")
        problems.append(
            f"{claim.text!r}" + (f" (item {where})" if where else "") + f" is {claim.status}"
            + (f": the evidence says {claim.expected}" if claim.expected else
               ": no evidence card or forecast holds this number"))
    return problems[:8]


def _rules(section: Section, value: Any, inputs: SynthesisInputs,
           written: dict[Section, Any]) -> list[str]:
    out: list[str] = []
    r = inputs.record
    if section == "verdict":
        text = value.verdict.strip()
        if not text:
            out.append("the verdict is empty")
        elif len(text) > MAX_VERDICT_CHARS:
            out.append(f"the verdict is {len(text)} characters; keep it under "
                       f"{MAX_VERDICT_CHARS}")
        labels = _option_names(inputs)
        if labels and text and not any(n in _flat(text).casefold() for n in labels):
            out.append("the verdict names none of the question's options; name the one the "
                       "evidence favours as the question names it ("
                       + "; ".join(sorted(labels)) + "), or say which missing evidence "
                       "would decide between them")
    elif section == "action_plan":
        horizon = r.intent.horizon_months * 31 + 92
        for i, s in enumerate(value.steps, start=1):
            for name, text, limit in (("who", s.who, 80), ("what", s.what, MAX_STEP_CHARS),
                                      ("opening_words", s.opening_words, MAX_LINE_CHARS)):
                if not text.strip():
                    out.append(f"step {i} has no {name}")
                elif len(text) > limit:
                    out.append(f"step {i}'s {name} is {len(text)} characters; keep it under "
                               f"{limit}")
            if s.days > horizon:
                out.append(f"step {i} is due {s.days} days after the run date, past the "
                           f"question's horizon ({r.intent.horizon_months} months) plus a "
                           "quarter")
        if value.steps and all(s.condition for s in value.steps):
            out.append("every step is conditional; the plan needs at least one step that "
                       "happens whatever comes")
    elif section == "future_paths":
        forecasts = {f.id for f in r.predictions}
        plan = written.get("action_plan", r.action_plan)
        steps = [_flat(s.what).casefold().rstrip(".") for s in plan]
        for i, p in enumerate(value.paths, start=1):
            if not p.title.strip():
                out.append(f"path {i} has no title")
            for j, m in enumerate(p.milestones, start=1):
                at = f"path {i}, milestone {j}"
                text = _flat(m.text).casefold().rstrip(".")
                if not text:
                    out.append(f"{at} is empty")
                elif len(m.text) > MAX_LINE_CHARS:
                    out.append(f"{at} is {len(m.text)} characters; keep it under "
                               f"{MAX_LINE_CHARS}")
                elif any(len(s) >= 30 and (s in text or text in s) for s in steps):
                    out.append(f"{at} repeats a step of the action plan; a milestone is an "
                               "outcome the leader would see, not the step again")
                if m.backing_kind == "quote":
                    st = inputs.statements.get(m.backing_ref)
                    if st is None:
                        out.append(f"{at} quotes {m.backing_ref!r}, which is not a statement "
                                   "of a round that ran; use one of the ids shown")
                    elif not m.quote or len(_flat(m.quote).split()) < 3:
                        out.append(f"{at}: copy at least three words of {m.backing_ref} into "
                                   "quote")
                    elif not _said_in(m.quote, st.text):
                        out.append(f"{at}: {m.backing_ref} does not contain the words "
                                   f"{_flat(m.quote)[:80]!r}; copy its words exactly")
                elif m.backing_kind == "forecast" and m.backing_ref not in forecasts:
                    out.append(f"{at} names forecast {m.backing_ref!r}, which this run did "
                               "not make; use one of: " + (", ".join(sorted(forecasts))
                                                           or "(none: back it otherwise)"))
                elif m.backing_kind == "finding" and inputs.pack.finding(m.backing_ref) is None:
                    out.append(f"{at} names finding {m.backing_ref!r}, which is not in the "
                               "evidence")
    elif section == "deeper_story":
        out += _story_rules(value, inputs)
    elif section == "risks":
        first = value.risks[0].text.strip() if value.risks else ""
        if not _flat(first).casefold().startswith(WRONG_IF.casefold()):
            out.append(f"the first risk must open with the question \"{WRONG_IF}\"")
        for i, k in enumerate(value.risks, start=1):
            if not k.text.strip():
                out.append(f"risk {i} is empty")
            elif len(k.text) > 2 * MAX_LINE_CHARS:
                out.append(f"risk {i} is {len(k.text)} characters; keep it under "
                           f"{2 * MAX_LINE_CHARS}")
    return out


def _option_names(inputs: SynthesisInputs) -> set[str]:
    """Ways the verdict may name an option: its noun phrase without its article, and the
    question's own words for it."""
    intent = inputs.record.intent
    if len(intent.options) < 2:
        return set()
    names: set[str] = set()
    for o in intent.option_frames or []:
        for x in (o.label, o.words):
            x = re.sub(r"^(?:a|an|the)\s+", "", _flat(x).casefold())
            if len(x) >= 3:
                names.add(x)
    for x in intent.options:
        x = re.sub(r"^(?:a|an|the)\s+", "", _flat(x).casefold())
        if len(x) >= 3:
            names.add(x)
    return names


_QUOTED = re.compile(r'"([^"]{8,})"')
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _story_rules(value: DeeperStorySection, inputs: SynthesisInputs) -> list[str]:
    out: list[str] = []
    story = value.story.strip()
    if not story:
        return ["the deeper story is empty"]
    if len(story) > MAX_STORY_CHARS:
        out.append(f"the deeper story is {len(story)} characters; keep it under "
                   f"{MAX_STORY_CHARS}")
    said = inputs.statements
    names = inputs.names
    for q in value.quotes:
        st = said.get(q.statement_id)
        if st is None:
            out.append(f"quotes lists {q.statement_id!r}, which is not a statement of a round "
                       "that ran")
        elif not _said_in(q.words, st.text):
            who = names.get(st.advisor_id, st.advisor_id)
            out.append(f"{who} never wrote {_flat(q.words)[:80]!r} in {q.statement_id}; "
                       "attribute only words the statement contains")
    flat = _flat(story)
    for sentence in _SENTENCE.split(flat):
        for m in _QUOTED.finditer(sentence):
            words = m.group(1)
            sayers = {s.advisor_id for s in said.values() if _said_in(words, s.text)}
            if not sayers:
                out.append(f"the story quotes {words[:80]!r}, which no advisor said in the "
                           "rounds that ran; quote only words from the statements")
                continue
            named = [aid for aid, name in names.items() if _names(name, sentence)]
            if named and not sayers & set(named):
                who = " or ".join(names[a] for a in named)
                by = ", ".join(names.get(a, a) for a in sorted(sayers))
                out.append(f"the story credits {who} with {words[:80]!r}, which was said by "
                           f"{by}")
    low = flat.casefold()
    for p, a in inputs.seats:
        for image in dict.fromkeys([p.metaphor, *p.images]):
            bare = re.sub(r"^(?:a|an|the)\s+", "", _flat(image).casefold()).rstrip(".")
            if len(bare) < 6 or bare not in low:
                continue
            if not any(bare in _flat(s.text).casefold() for s in said.values()):
                out.append(f"the story uses {a.name}'s image {image!r}, which nobody said in "
                           "the rounds that ran; use only images the advisors used")
    return out


def _names(name: str, sentence: str) -> bool:
    """Whether ``sentence`` names the advisor ``name`` (full name, or a person's first
    name; 'The Auditor' by its full name only)."""
    if name.casefold() in sentence.casefold():
        return True
    first = name.split()[0]
    return first.casefold() not in ("the", "a", "an") and len(first) > 2 and \
        re.search(rf"\b{re.escape(first)}\b", sentence) is not None


# -- the calls ------------------------------------------------------------------------------

@dataclass
class SectionsOutcome:
    written: dict[Section, Any] = field(default_factory=dict)
    """Accepted drafts by section (schema objects)."""
    calls: dict[Section, CallInfo] = field(default_factory=dict)
    failures: dict[Section, str] = field(default_factory=dict)


async def synthesise_sections(engine: ModelAdvisorEngine, inputs: SynthesisInputs
                              ) -> SectionsOutcome:
    """Ask the synthesiser for every section, wave by wave (see the module docstring).
    Never raises for a failed section: it is left to the rules and said in ``failures``."""
    from throughline.providers.errors import BudgetExceeded

    head = stable_head(inputs)
    outcome = SectionsOutcome()
    converted: dict[Section, Any] = {}  # accepted sections as the record holds them
    stopped: str | None = None

    async def one(section: Section) -> None:
        prompt, prefix = section_prompt(section, inputs, head, converted)
        schema = SCHEMAS[section]

        def validate(value: Any) -> list[str]:
            return problems_of(section, value, inputs, converted)

        value, call = await engine.ask("synthesiser", schema, INSTRUCTIONS, prompt,
                                       validate=validate, prefix=prefix,
                                       extra={"section": section})
        outcome.written[section] = value
        outcome.calls[section] = call

    for wave in WAVES:
        if stopped:
            for section in wave:
                outcome.failures[section] = stopped
            continue
        results = await asyncio.gather(*(one(s) for s in wave), return_exceptions=True)
        for section, res in zip(wave, results, strict=True):
            if isinstance(res, BudgetExceeded):
                stopped = f"the run's budget is spent ({res})"
                outcome.failures[section] = stopped
                if res.call is not None:
                    outcome.calls[section] = res.call
            elif isinstance(res, ModelError):
                outcome.failures[section] = str(res)
                call = getattr(res, "call", None)
                if call is not None:
                    outcome.calls[section] = call
            elif isinstance(res, BaseException):
                raise res
        for section in wave:  # what the next wave is told: the sections accepted so far
            if section in outcome.written:
                scratch = copy.copy(inputs.syn.book)
                scratch.items = list(scratch.items)
                converted[section] = convert(section, outcome.written[section], inputs,
                                             scratch, converted)
    return outcome


def apply_sections(record: DecisionRecord, inputs: SynthesisInputs,
                   outcome: SectionsOutcome) -> list[str]:
    """Put the accepted sections into ``record`` in section order (citations numbered in
    that order), refresh its citations and sources, set ``run.model_sections``; returns
    the failure lines for ``run.failures``."""
    written: dict[Section, Any] = {}
    for section in SECTIONS:
        if section in outcome.written:
            written[section] = convert(section, outcome.written[section], inputs,
                                       inputs.syn.book, written)
            setattr(record, section, written[section])
    record.citations = list(inputs.syn.book.items)
    record.sources = inputs.syn.sources()
    record.run.model_sections = [s for s in SECTIONS if s in written]
    return [f"synthesiser ({TITLES[s]}): {outcome.failures[s]} (the rule-based "
            f"{TITLES[s]} {'are' if s in ('future_paths', 'risks') else 'is'} kept)"
            for s in SECTIONS if s in outcome.failures]


def ordered_calls(outcome: SectionsOutcome) -> list[CallInfo]:
    return [outcome.calls[s] for s in SECTIONS if s in outcome.calls]


__all__ = ["MARK", "SECTIONS", "SectionsOutcome", "SynthesisInputs", "apply_sections",
           "draft_of", "ordered_calls", "planned_prompt_chars", "synthesise_sections"]
