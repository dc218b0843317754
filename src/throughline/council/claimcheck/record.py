"""A whole record checked: the texts the check reads (statements, round summaries, every
synthesis section, with their locations and cites), the user's own words that are not
claims, and the totals the record shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from throughline.council.claimcheck.index import EvidenceIndex
from throughline.council.claimcheck.match import check_text
from throughline.record.decision import Claim, ClaimCheck, DecisionRecord

TextItem = tuple[str, str, Sequence[str]]


def summarise(claims: Iterable[Claim]) -> ClaimCheck:
    """Counts and list of claims as the record shows them."""
    listed = list(claims)
    return ClaimCheck(
        verified=sum(c.status == "verified" for c in listed),
        unsupported=sum(c.status == "unsupported" for c in listed),
        contradicted=sum(c.status == "contradicted" for c in listed),
        unfit=sum(c.unfit for c in listed),
        claims=listed,
    )


def check_record_texts(items: Iterable[TextItem], index: EvidenceIndex, *,
                       check_cites: bool = True, asked: Sequence[str] = ()) -> ClaimCheck:
    """Check each ``(location, text, cites)`` and total the result. Numbers inside the
    ``asked`` phrases (the question and its options, repeated) are the user's, not claims."""
    claims: list[Claim] = []
    for location, text, cites in items:
        claims.extend(check_text(location, text, index, cites, check_cites=check_cites,
                                 asked=asked))
    return summarise(claims)


def asked_phrases(record: DecisionRecord) -> list[str]:
    """The user's own words a record may repeat: the question, its options (noun phrases
    and the question's words)."""
    i = record.intent
    out = [i.question, *i.options]
    for o in i.option_frames:
        out += [o.label, o.words]
    return [x for x in dict.fromkeys(out) if x]


def record_texts(record: DecisionRecord, *, statements: bool = True, synthesis: bool = True,
                 summaries: bool = True) -> list[TextItem]:
    """The texts of a record the claim check reads, with their locations and cites.

    Statements use their id (``r3.auditor``); round summaries ``r<n>.summary``; synthesis
    sections ``synthesis.<section>[.<i>[.<j>]]``. ``[n]`` citations of action steps,
    evidence items and risks are turned into the cited evidence ids.
    """
    def refs(numbers: Sequence[int]) -> list[str]:
        out = []
        for n in numbers:
            for c in record.citations:
                if c.number == n:
                    out.append(c.ref)
        return out

    items: list[TextItem] = []
    if statements:
        for rnd in record.rounds:
            for s in rnd.statements:
                if not s.failed:
                    items.append((s.id, s.text, list(s.cites)))
            if summaries and rnd.summary:
                items.append((f"r{rnd.number}.summary", rnd.summary, []))
    if not synthesis:
        return items
    items.append(("synthesis.verdict", record.verdict, []))
    for i, fc in enumerate(record.predictions, start=1):
        cites = [fc.id] + ([fc.finding_id] if fc.finding_id else [])
        items.append((f"synthesis.predictions.{i}", f"{fc.statement} {fc.resolution}", cites))
    for i, step in enumerate(record.action_plan, start=1):
        parts = [step.condition or "", step.what, step.opening_words or ""]
        items.append((f"synthesis.action_plan.{i}", " ".join(p for p in parts if p),
                      refs(step.citations)))
    for i, path in enumerate(record.future_paths, start=1):
        items.append((f"synthesis.future_paths.{i}", path.title, []))
        for j, ms in enumerate(path.milestones, start=1):
            backing = [ms.backing_ref] if ms.backing_kind in ("finding", "forecast") else []
            items.append((f"synthesis.future_paths.{i}.{j}", ms.text, backing))
    if record.deeper_story:
        items.append(("synthesis.deeper_story", record.deeper_story, []))
    for i, ev in enumerate(record.evidence, start=1):
        items.append((f"synthesis.evidence.{i}", ev.text, refs(ev.citations)))
    for i, risk in enumerate(record.risks, start=1):
        items.append((f"synthesis.risks.{i}", risk.text, refs(risk.citations)))
    return [(loc, text, cites) for loc, text, cites in items if text.strip()]


def check_record(record: DecisionRecord, index: EvidenceIndex, *, check_cites: bool = True,
                 ) -> ClaimCheck:
    """The claim check of a whole record (statements, summaries and synthesis)."""
    return check_record_texts(record_texts(record), index, check_cites=check_cites,
                              asked=asked_phrases(record))


__all__ = ["TextItem", "asked_phrases", "check_record", "check_record_texts", "record_texts",
           "summarise"]
