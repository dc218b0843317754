"""The verdict: the answer to the question first (the option the evidence favours, or what
would decide it), the numbers that decide it, the binding constraint and the first step.
"""

from __future__ import annotations

from throughline.council.frame import LEVER_BY_KEY, join_options
from throughline.council.gather import RANKING_ID, binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.synthesis.options import measure_phrase, n_phrase, remedy_for
from throughline.council.synthesis.state import SynthesisBase
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.report import trust


class VerdictWriter(SynthesisBase):
    """The verdict for an open question, a question with options, a tie or no constraint."""

    def _deciding_numbers(self) -> list[str]:
        """Sentences with the numbers that decide between the options."""
        out: list[str] = []
        chans = [c for c in self.cases if c.channel and c.measures]
        if len(chans) >= 2 and len({c.channel for c in chans}) >= 2:
            a, b = (self.choice, self._others()[0]) if self.choice in chans else chans[:2]
            for kind in ("win_rate", "avg_deal_size", "nrr", "nps", "logo_churn"):
                ma = next((m for m in a.measures if m.metric.startswith(kind)), None)
                mb = next((m for m in b.measures if m.metric.startswith(kind)), None)
                if ma is None or mb is None:
                    continue
                small = ", a small sample" if ma.small or mb.small else ""
                phrase = measure_phrase(ma)
                out.append(f"{phrase[0].upper()}{phrase[1:]}; "
                           f"{b.channel.replace('_', '-')}: {mb.shown}"
                           f"{n_phrase(mb)}{small}.")
                if len(out) >= 4:
                    break
            return out
        for c in self.cases:
            if c.stance in ("refrain", "hold", "later"):
                continue
            shown = [m for m in (c.strengths + c.weaknesses) if not m.small][:3] or \
                [m for m in c.measures if not m.small][:3]
            for m in shown:
                phrase = measure_phrase(m)
                sentence = phrase[0].upper() + phrase[1:] + "."
                if sentence not in out:
                    out.append(sentence)
        return out[:4]

    def _missing_line(self) -> str:
        missing: list[str] = []
        needs: list[str] = []
        for c in self.cases:
            missing += [x for x in c.missing if x not in missing]
            needs += [x for x in c.needs if x not in needs]
        if not missing:
            return ""
        line = ("What would decide it is not measured here: " + w.join_names(missing[:4]) + ".")
        if needs:
            line += (" To get it, export " + "; and ".join(needs[:2])
                     + ", and run the diagnosis again.")
        return line

    def verdict(self) -> str:
        if len(self.cases) >= 2:
            return self._option_verdict()
        if self.tied:
            return self._tie_verdict()
        if self.binding is None:
            top = self.ranking.scores[0] if self.ranking.scores else None
            rank = self.pack.finding(RANKING_ID)
            parts = ["No single go-to-market constraint binds in this data, and that is the "
                     "answer to act on: do not bet the quarter on one repair."]
            if rank is not None:
                parts.append(rank.statement)
            if top is not None:
                parts.append(f"The closest candidate is {w.short(top.name)}; watch it, and "
                             "strengthen the measures the data lacks before choosing.")
            return " ".join(parts)
        return self._open_verdict()

    def _open_verdict(self) -> str:
        """An open question's verdict: the binding constraint read through what the question
        asks about, one number that carries it (paraphrased, not the finding quoted whole —
        the evidence section states the diagnosis once), the question's own measure, the
        remedy it rules out, the runner-up and the first step."""
        assert self.binding is not None
        h = w.short(self.binding)
        slots = dict(h=h, H=h[:1].upper() + h[1:], ask=self.ask)
        subject = self.subject_name()
        if subject is not None:
            _, real, passes = w.MASQUERADE[self.binding]
            parts = [self.say("v.head_subject", "verdict", subject=subject,
                              Subject=subject[:1].upper() + subject[1:], real=real,
                              passes=passes, **slots)]
        else:
            parts = [self.say("v.head", "verdict", **slots)]
        got = self.problem_fact(self.binding_ids[:3])
        if got is not None:
            parts.append(self.say("v.proof", "verdict", fact=got[0].with_n, title=got[1]))
        for m in self.subject_measures()[:1]:
            parts.append(self.say("v.subject", "verdict", measure=measure_phrase(m)))
        parts.append(self.say("v.wrong", "verdict", wrong=self.wrong_remedy(), **slots))
        if self.runner:
            r = w.short(self.runner)
            parts.append(self.say("v.runner", "verdict", runner=r,
                                  Runner=r[:1].upper() + r[1:], **slots))
        first = SPECS[self.binding].order_of_operations[0]
        parts.append(self.say("v.first", "verdict", step=w.lower_first(first)))
        return " ".join(parts)

    def _binding_clause(self) -> str:
        """The binding constraint (or the tie, or none) in one sentence with its number."""
        if self.binding:
            head = f"{w.short(self.binding).capitalize()} is the binding constraint"
            got = self.problem_fact(self.binding_ids[:3])  # paraphrased: stated in evidence
            return head + (f": {got[0].with_n} in “{got[1]}”." if got is not None else ".")
        if self.tied:
            return trust.tie_sentence(self.ranking)
        return "No single go-to-market constraint binds in this data."

    def _option_verdict(self) -> str:
        c = self.choice
        others = self._others()
        labels = [x.label for x in self.cases]
        parts: list[str] = []
        form = self.intent.form
        if c is None:
            parts.append(f"The evidence cannot yet decide between {join_options(labels)}.")
            parts += self._deciding_numbers()
            missing = self._missing_line()
            parts.append(missing or "Neither option touches the binding constraint, and the "
                         "measures the options move do not separate them.")
            parts.append(self._binding_clause())
            if self.binding:
                spec = SPECS[self.binding]
                parts.append(f"Start with this: {w.lower_first(spec.order_of_operations[0])}")
            return " ".join(parts)
        other = join_options([x.label for x in others], "or")
        act = next((x for x in self.cases if x.stance in ("act", "more", "now")), None)
        gate = (f"the first repair of {w.short(self.binding)} shows in its numbers"
                if self.binding else "the measures the data lacks exist")
        if form == "yes_no":
            head = (f"Yes — go ahead with {c.label}." if c.stance == "act"
                    else f"Not now — hold off on {act.label if act else other} until {gate}.")
        elif form == "how_much":
            head = (f"Choose {c.label}, not {other}." if c.stance == "more" else
                    f"Hold the level — choose {c.label} over {other} until {gate}.")
        elif form == "when":
            head = (f"Now: choose {c.label}, not {other}." if c.stance == "now" else
                    f"Later, not now: choose {c.label} — once {gate}.")
        else:
            head = f"Of {join_options(labels)}, choose {c.label}."
        parts.append(head)
        parts += self._deciding_numbers()
        loser_feeds = [x for x in others if x.feeds_binding and x.stance not in
                       ("refrain", "hold", "later")]
        if c.stance in ("refrain", "hold", "later") and self.binding and act is not None:
            remedy = remedy_for(self.binding, act.levers)
            what = join_options([LEVER_BY_KEY[k].label for k in act.levers
                                 if k in LEVER_BY_KEY]) or "something else"
            if remedy:
                parts.append(f"While {w.short(self.binding)} binds, {act.label} amounts to the "
                             f"remedy the diagnosis warns against: {w.lower_first(remedy)}.")
            else:
                parts.append(f"{act.label[0].upper() + act.label[1:]} works on {what}; what "
                             f"binds is {w.short(self.binding)}.")
            loser_feeds = []
        for x in loser_feeds:
            remedy = remedy_for(self.binding, x.levers) if self.binding else None
            if remedy:
                parts.append(f"{x.label[0].upper() + x.label[1:]} is the remedy the diagnosis "
                             f"warns against while {w.short(self.binding)} binds: "
                             f"{w.lower_first(remedy)}.")
        if c.repairs_binding and c.stance not in ("refrain", "hold", "later"):
            parts.append("It is the option that works on the binding constraint. "
                         + self._binding_clause())
        else:
            parts.append(self._binding_clause())
            if self.binding and c.stance not in ("refrain", "hold", "later"):
                parts.append(f"So {c.label} comes second to the first repair of "
                             f"{w.short(self.binding)}, not instead of it.")
        if self.binding:
            spec = SPECS[self.binding]
            parts.append(f"Start with this: {w.lower_first(spec.order_of_operations[0])}")
        return " ".join(parts)

    def _tie_verdict(self) -> str:
        names = w.join_names([w.short(h) for h in self.tied])
        parts = [f"{trust.tie_sentence(self.ranking)}",
                 f"Do not pick one of {names} by taste: the ranking cannot, and a quarter "
                 "bet on the wrong one repairs nothing."]
        for h in self.tied:
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            f = self.pack.finding(ids[0]) if ids else None
            if f is not None:
                parts.append(f"For {w.short(h)}: {f.statement}")
        parts.append("Start with this: measure what would separate them, then act on the "
                     "one the next diagnosis names.")
        return " ".join(parts)


__all__ = ["VerdictWriter"]
