"""A section the synthesiser wrote, as the record holds it: text with its whitespace
flattened, steps dated from the run date, citations numbered in the record's citation book,
advisors named by id, milestones backed by the statement, forecast or finding they name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from throughline.core.synthesis_sections import Section
from throughline.council.synthesis import CitationBook
from throughline.council.synthesis.model.prompt import SynthesisInputs
from throughline.record.decision import ActionStep, FuturePath, Milestone, Risk

def flat(text: str) -> str:
    t = " ".join(text.split())
    return t.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})).strip()


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
                backing = flat(m.quote or "").strip("\"'")
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


__all__ = ["convert", "flat"]
