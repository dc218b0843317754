"""The risks: what would have to be true for the verdict to be wrong and what would show it,
then the strongest cases against it (weak measures, the runner-up, evidence that lowers the
binding constraint, small samples, what the data cannot see, a narrow margin).
"""

from __future__ import annotations

from throughline.council.gather import COVERAGE_ID, RANKING_ID
from throughline.council.offline import wording as w
from throughline.council.synthesis.options import DECIDING, measure_phrase
from throughline.council.synthesis.state import SynthesisBase
from throughline.diagnose.families.measure import SMALL_SAMPLE
from throughline.diagnose.findings import FindingKind
from throughline.record.decision import Risk


def _kind(metric: str) -> str:
    """A by-channel metric without its channel: 'win_rate_partner' → 'win_rate'."""
    for prefix in ("win_rate", "avg_deal_size", "median_cycle_days", "nrr", "grr",
                   "logo_churn", "nps", "survival_12m", "median_ttv_days", "expansion_rate"):
        if metric.startswith(prefix):
            return prefix
    return metric


class RisksWriter(SynthesisBase):
    """The risks, the case against the verdict first."""

    def risks(self) -> list[Risk]:
        """The strongest cases against the verdict, opening with what would have to be true
        for it to be wrong and the evidence that would show it."""
        risks: list[Risk] = [self._wrong_if()]
        c = self.choice
        if c is not None:
            for m in c.weaknesses[:2]:
                risks.append(Risk(text=f"The case against {c.label}: {measure_phrase(m)}.",
                                  citations=self.book.many([m.finding])))
            small = [m for m in c.measures if m.small and m.metric.startswith(DECIDING)][:1]
            for m in small:
                risks.append(Risk(text=f"Part of the case for {c.label} rests on a small "
                                  f"sample: {measure_phrase(m, with_rank=False)}. Read it as a "
                                  "direction, not a size.",
                                  citations=self.book.many([m.finding])))
        opened_with_runner = not self.cases and bool(self.runner)
        if self.runner and self.runner_ids and not opened_with_runner:
            f = self.pack.finding(self.runner_ids[0])
            if f is not None:
                risks.append(Risk(text=f"The runner-up, {w.short(self.runner)}, may be the real "
                                  f"constraint: {f.statement}", raised_by="contrarian",
                                  citations=self.book.many([f.id])))
        if self.binding:
            score = next(s for s in self.ranking.scores if s.name == self.binding)
            for cpt in score.lowered_by[:2]:
                f = self.pack.finding(cpt.finding_id)
                fact = next((x for x in self.facts_of(cpt.finding_id) if x.reading), None)
                if f is not None and fact is not None:
                    risks.append(Risk(text=self.say("r.against", "risks",
                                                    h=w.short(self.binding),
                                                    fact=fact.with_n, title=f.title),
                                      citations=self.book.many([f.id])))
            for fid in self.binding_ids:
                f = self.pack.finding(fid)
                if f is not None and SMALL_SAMPLE in f.caveats:
                    risks.append(Risk(text=f"“{f.title}” rests on a small sample: read its "
                                      "interval, not its point value.",
                                      citations=self.book.many([fid])))
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        missing = [f for f in self.pack.diagnosis.findings if f.kind != FindingKind.measured]
        if dark or missing:
            what = (f"{w.join_names(dark)} cannot be seen at all" if dark else
                    "some diagnostics could not be computed")
            risks.append(Risk(text=self.say("r.coverage", "risks", what=what),
                              citations=self.book.many([COVERAGE_ID])))
        if self.tied:
            risks.append(Risk(text="The ranking is a tie: acting on one of "
                              + w.join_names([w.short(h) for h in self.tied])
                              + " before a measure separates them is a coin toss.",
                              citations=self.book.many([RANKING_ID])))
        unfit = [i for i in self.pack.diagnosis.data_quality if i.action == "unfit"]
        if unfit:
            risks.append(Risk(text="Some evidence rests on data we could not trust: "
                              + w.join_names([f"“{i.title}”" for i in unfit])
                              + "; the diagnostics that read it are not measurable here."))
        if self.binding and self.ranking.margin < 0.2:
            risks.append(Risk(text=self.say("r.narrow", "risks", h=w.short(self.binding),
                                            runner=w.short(self.runner)),
                              citations=self.book.many([RANKING_ID])))
        flagged = [s for s in self.statements if s.conformity_flag]
        if flagged:
            risks.append(Risk(text="Some convictions changed without naming a cause "
                              "(conformity); they are flagged in the debate."))
        return risks

    def _wrong_if(self) -> Risk:
        """'What would have to be true for this verdict to be wrong?' and what would show it."""
        ask = "What would have to be true for this verdict to be wrong?"
        c = self.choice
        others = self._others() if c is not None else []
        if c is not None and others:
            o = others[0]
            pair = None
            for m in c.strengths + c.measures:
                mo = next((x for x in o.measures if x.metric != m.metric and x.finding ==
                           m.finding and _kind(x.metric) == _kind(m.metric)), None)
                if mo is not None and not m.small:
                    pair = (m, mo)
                    break
            if c.stance in ("refrain", "hold", "later") and self.binding:
                top = self.pack.finding(self.binding_ids[0]) if self.binding_ids else None
                return Risk(text=f"{ask} That waiting costs more than the repair saves — that "
                            f"{w.short(self.binding)} is not what limits {o.label}. The evidence "
                            f"that would show it: the measures {o.label} moves improving while "
                            f"“{top.title if top else 'the binding evidence'}” does not.",
                            raised_by="contrarian",
                            citations=self.book.many(self.binding_ids[:1]))
            if pair is not None:
                m, mo = pair
                return Risk(text=f"{ask} That {o.label} would do better than {c.label} at a "
                            f"larger scale than today's. The evidence that would show it: "
                            f"{mo.label} rising past {m.label} — today {mo.shown} against "
                            f"{m.shown}.", raised_by="contrarian",
                            citations=self.book.many([m.finding]))
            return Risk(text=f"{ask} That {o.label} moves something this data cannot see. The "
                        "evidence that would show it: "
                        + (w.join_names(o.missing[:3]) if o.missing else
                           "a measure of what it moves, tracked from the day it starts")
                        + ".", raised_by="contrarian")
        if self.binding and self.runner and self.runner_ids:
            got = self.problem_fact(self.runner_ids[:3]) or next(
                ((x, f.title) for fid in self.runner_ids[:1]
                 if (f := self.pack.finding(fid)) is not None
                 for x in self.facts_of(fid) if x.reading), None)
            if got is not None:
                hs, r = w.short(self.binding), w.short(self.runner)
                watch = self.subject_name() or f"“{self._evidence_title(0)}”"
                return Risk(text=f"{ask} " + self.say("r.runner", "risks", runner=r, h=hs)
                            + " " + self.say("r.runner_show", "risks", fact=got[0].with_n,
                                             title=got[1], watch=watch),
                            raised_by="contrarian",
                            citations=self.book.many([got[0].finding_id]))
        if self.binding:
            return Risk(text=f"{ask} That {w.short(self.binding)} is a symptom, not the cause. "
                        "The evidence that would show it: its numbers improving after the "
                        "repair while growth does not.", raised_by="contrarian",
                        citations=self.book.many(self.binding_ids[:1]))
        return Risk(text=f"{ask} That one constraint does bind, hidden in what the data cannot "
                    "measure. The evidence that would show it: the diagnosis run again once "
                    "the missing measures exist.", raised_by="contrarian",
                    citations=self.book.many([COVERAGE_ID]))


__all__ = ["RisksWriter"]
