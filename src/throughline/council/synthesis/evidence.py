"""What the record rests on: the evidence section (the question's measures, the options', the
binding constraint's, the ranking, passages the debate cited, advisors' assumptions that
failed), the panel's convictions, what the record cannot see, and the sources.
"""

from __future__ import annotations

import re

from throughline.council.gather import RANKING_ID, binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.offline.facts import assumption_test
from throughline.council.synthesis.options import measure_phrase
from throughline.council.synthesis.state import SynthesisBase, sentences
from throughline.diagnose.findings import FindingKind
from throughline.record.decision import (
    CannotSee,
    ConvictionPoint,
    EvidenceItem,
    PanelMember,
    SourceItem,
    Sources,
)


class EvidenceWriter(SynthesisBase):
    """The evidence, the panel, the gaps and the sources."""

    def evidence(self) -> list[EvidenceItem]:
        items: list[EvidenceItem] = []
        for h in self.tied:
            for fid in binding_evidence_ids(self.pack.diagnosis, h)[:2]:
                f = self.pack.finding(fid)
                if f is not None:
                    items.append(EvidenceItem(text=f"For {w.short(h)}: {f.statement}",
                                              citations=self.book.many([fid])))
        for m in self.subject_measures()[:2]:  # an open question: what it asks about
            items.append(EvidenceItem(text=self.say("e.subject", "evidence",
                                                    measure=measure_phrase(m)),
                                      citations=self.book.many([m.finding])))
        for c in self.cases:  # the question's options first: what bears on each
            if c.stance in ("refrain", "hold", "later"):
                continue
            shown = (c.strengths[:1] + c.weaknesses[:1]) or [m for m in c.measures
                                                            if not m.small][:2]
            for m in shown:
                items.append(EvidenceItem(text=f"On {c.label}: {measure_phrase(m)}.",
                                          citations=self.book.many([m.finding])))
        for fid in self.binding_ids[:2 if self.cases else 4]:
            f = self.pack.finding(fid)
            if f is not None:
                items.append(EvidenceItem(text=f.statement, citations=self.book.many([fid])))
        if self.runner_ids and not self.cases:  # with options, the risks carry it
            f = self.pack.finding(self.runner_ids[0])
            if f is not None:
                items.append(EvidenceItem(text=f"Against the lead: {f.statement}",
                                          citations=self.book.many([f.id])))
        rank = self.pack.finding(RANKING_ID)
        if rank is not None:
            items.append(EvidenceItem(text=rank.statement, citations=self.book.many([RANKING_ID])))
        cited_passages: list[str] = []
        for s in self.statements:
            for c in s.cites:
                if self.pack.passage(c) is not None and c not in cited_passages:
                    cited_passages.append(c)
        for pid in cited_passages[:3]:
            p = self.pack.passage(pid)
            assert p is not None
            items.append(EvidenceItem(
                text=self.say("e.passage", "evidence", title=p.source.title,
                              line=sentences(p.text)[0]),
                citations=self.book.many([pid])))
        items += self._failed_assumptions()
        return items

    def _failed_assumptions(self) -> list[EvidenceItem]:
        """Each seated advisor's own assumption tested against its metric (the persona's
        ``assumption``: a finding, a metric and the rule it must meet); those that fail,
        with the number that breaks them, attributed to the advisor who carried them —
        only for advisors whose assumption round ran."""
        if not any(r.number >= 4 for r in self.rounds):
            return []
        out: list[EvidenceItem] = []
        spoke = {s.advisor_id for s in self.statements if s.round == 4 and not s.failed}
        for p, a in self.seats:
            if p.id not in spoke or len(out) >= 3:
                continue
            test = assumption_test(self.pack, p, self.strength, self.raises)
            if test.holds is not False or test.fact is None or test.finding is None:
                continue
            out.append(EvidenceItem(
                text=self.say("e.assumption", "evidence", assumption=p.assumption.text,
                              fact=test.fact.phrase, title=test.finding.title,
                              meaning=p.assumption.meaning),
                citations=self.book.many([test.finding.id]), attribution=a.name))
        return out

    # panel, gaps, sources ------------------------------------------------------------------------

    def panel(self) -> list[PanelMember]:
        members: list[PanelMember] = []
        for _, a in self.seats:
            own = [s for s in self.statements if s.advisor_id == a.id]
            ok = [s for s in own if not s.failed]
            history = [ConvictionPoint(round=s.round, conviction=s.conviction,
                                       cause=s.conviction_cause,
                                       conformity_flag=s.conformity_flag) for s in ok]
            failed = len(own) - len(ok)
            status = "ok" if failed == 0 else ("failed" if not ok else "partly_failed")
            members.append(PanelMember(advisor=a, final_conviction=ok[-1].conviction if ok
                                       else None, history=history, failed_turns=failed,
                                       status=status))
        return members

    def cannot_see(self) -> CannotSee:
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        no_numbers = []
        for s in self.statements:
            if s.failed:
                continue
            measured = any((f := self.pack.finding(c)) is not None and f.metrics
                           and f.kind == FindingKind.measured for c in s.cites)
            if not measured and not re.search(r"\d", s.text):
                no_numbers.append(s.id)
        notes = [f.statement for f in self.pack.diagnosis.findings
                 if f.kind == FindingKind.not_measurable]
        if self.pack.library_note:
            notes.append(self.pack.library_note)
        notes.append("Legibility is not value: a function with more numbers is not thereby "
                     "doing better, and one with none is not thereby failing.")
        return CannotSee(functions_without_data=dark, claims_without_numbers=no_numbers,
                         notes=notes)

    def sources(self) -> Sources:
        consulted: list[SourceItem] = []
        seen: set[str] = set()
        for f in self.pack.findings:
            if f.id not in seen:
                seen.add(f.id)
                consulted.append(SourceItem(kind="finding", ref=f.id, title=f.title))
        for p in self.pack.passages():
            if p.id not in seen:
                seen.add(p.id)
                consulted.append(SourceItem(kind="passage", ref=p.id,
                                            title=p.source.title + (f" — {p.heading}"
                                                                    if p.heading else ""),
                                            location=p.source.location))
        used = {c.ref for c in self.book.items}
        for s in self.statements:
            used.update(s.cites)
        unused = [c for c in consulted if c.ref not in used]
        return Sources(cited=list(self.book.items), consulted=consulted,
                       unused_count=len(unused), unused=unused)


__all__ = ["EvidenceWriter"]
