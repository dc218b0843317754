"""Why a section the synthesiser wrote cannot be used: its own rules (lengths, the options
named, dated steps with an owner, milestones that are outcomes backed by real quotes,
forecasts or findings, quotes and images that advisors actually said, the risks' opening
question), then the claim check exactly as the record's will read it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from throughline.core.synthesis_sections import Section
from throughline.council.claimcheck import check_record_texts, record_texts
from throughline.council.synthesis.model.convert import convert, flat
from throughline.council.synthesis.model.prompt import SynthesisInputs
from throughline.council.synthesis.model.schemas import (
    MAX_LINE_CHARS,
    MAX_STEP_CHARS,
    MAX_STORY_CHARS,
    MAX_VERDICT_CHARS,
    WRONG_IF,
    DeeperStorySection,
)

def _said_in(words: str, text: str) -> bool:
    w = flat(words).strip("\"' .,;:").casefold()
    return bool(w) and w in flat(text).casefold()


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
        if labels and text and not any(n in flat(text).casefold() for n in labels):
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
        steps = [flat(s.what).casefold().rstrip(".") for s in plan]
        for i, p in enumerate(value.paths, start=1):
            if not p.title.strip():
                out.append(f"path {i} has no title")
            for j, m in enumerate(p.milestones, start=1):
                at = f"path {i}, milestone {j}"
                text = flat(m.text).casefold().rstrip(".")
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
                    elif not m.quote or len(flat(m.quote).split()) < 3:
                        out.append(f"{at}: copy at least three words of {m.backing_ref} into "
                                   "quote")
                    elif not _said_in(m.quote, st.text):
                        out.append(f"{at}: {m.backing_ref} does not contain the words "
                                   f"{flat(m.quote)[:80]!r}; copy its words exactly")
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
        if not flat(first).casefold().startswith(WRONG_IF.casefold()):
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
    said = [x for o in intent.option_frames or [] for x in (o.label, o.words)]
    return {x for x in map(_bare, [*said, *intent.options]) if len(x) >= 3}


def _bare(text: str) -> str:
    """Flattened, case-folded, without a leading article."""
    return re.sub(r"^(?:a|an|the)\s+", "", flat(text).casefold())


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
            out.append(f"{who} never wrote {flat(q.words)[:80]!r} in {q.statement_id}; "
                       "attribute only words the statement contains")
    told = flat(story)
    for sentence in _SENTENCE.split(told):
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
    low = told.casefold()
    for p, a in inputs.seats:
        for image in dict.fromkeys([p.metaphor, *p.images]):
            bare = _bare(image).rstrip(".")
            if len(bare) < 6 or bare not in low:
                continue
            if not any(bare in flat(s.text).casefold() for s in said.values()):
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


__all__ = ["problems_of"]
