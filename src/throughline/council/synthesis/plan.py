"""The action plan: dated steps with an owner and opening words — the binding constraint's
first repair, the question's own steps, the remedy to refuse, the branches, and a review at
the question's horizon.
"""

from __future__ import annotations

from datetime import timedelta

from throughline.council.frame import join_options
from throughline.council.gather import COVERAGE_ID, RANKING_ID, binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.synthesis.options import PREP
from throughline.council.synthesis.state import SynthesisBase
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.report import trust
from throughline.record.decision import ActionStep


class PlanWriter(SynthesisBase):
    """The action plan, first repair first."""

    def action_plan(self) -> list[ActionStep]:
        run = self.intent.run_date
        steps: list[ActionStep] = []
        h = self.binding
        if self.tied:
            return self._tie_plan()
        if h is None:
            weakest = [f for f in self.pack.diagnosis.findings
                       if f.kind == FindingKind.not_measurable][:3]
            for i, f in enumerate(weakest):
                steps.append(ActionStep(
                    due=run + timedelta(days=w.WHEN_DAYS[i]), when=w.WHEN_LABELS[i],
                    who="RevOps", what=f"Make “{f.title}” measurable: " + "; ".join(f.needs),
                    citations=self.book.many([f.id])))
            steps.append(ActionStep(
                due=run + timedelta(days=60), when=w.WHEN_LABELS[4], who="Leadership team",
                what="Re-run the diagnosis on the new data and decide on the constraint it "
                     "names, if any.", citations=self.book.many([RANKING_ID])))
            return steps
        spec = SPECS[h]
        who = w.OWNER[h]
        openings = w.OPENING[h]
        cites = self.book.many(self.binding_ids[:1])
        if len(self.cases) >= 2:
            return self._question_plan()
        return self._open_plan(spec, who, openings, cites)

    def _open_plan(self, spec, who: str, openings: list[str], cites: list[int],
                   ) -> list[ActionStep]:  # type: ignore[no-untyped-def]
        """An open question's plan: the first repair (the diagnosis' own step), then the
        question's step — what it asks about, read before and after the repair, or, for a
        question about the constraint itself, the order of the later repairs with an owner
        each — the remedy the diagnosis rules out, said no to, the branches (runner-up,
        dark functions) and a review at the question's horizon that answers it again."""
        assert self.binding is not None
        run = self.intent.run_date
        h = self.binding
        hs = w.short(h)
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0], who=who,
            what=spec.order_of_operations[0], opening_words=openings[0] if openings else None,
            citations=cites)]
        subject = self.subject_name()
        if subject is not None and self.subject is not None:
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who="RevOps",
                what=self.say("p.subject", "plan", subject=subject, ask=self.ask),
                opening_words=self.say("p.subject_open", "plan", subject=subject),
                citations=self.book.many(self.subject.finding_ids[:1])))
        elif len(spec.order_of_operations) > 1:
            rest = "; then ".join(w.lower_first(w.strip_period(x))
                                  for x in spec.order_of_operations[1:])
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who=who,
                what=self.say("p.order", "plan", rest=rest),
                opening_words=self.say("p.order_open", "plan")))
        wrong = self.wrong_remedy()
        steps.append(ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
            what=self.say("p.refuse", "plan", wrong=wrong, h=hs),
            opening_words=self.say("p.refuse_open", "plan", wrong=wrong)))
        if self.runner:
            rspec = SPECS[self.runner]
            r = w.short(self.runner)
            steps.append(ActionStep(
                due=run + timedelta(days=42), when=w.WHEN_LABELS[3], who=w.OWNER[self.runner],
                condition=self.say("p.switch_if", "plan", runner=r, h=hs),
                what=self.say("p.switch", "plan", runner=r,
                              step=w.lower_first(rspec.order_of_operations[0])),
                opening_words=self.say("p.switch_open", "plan", runner=r, ask=self.ask),
                citations=self.book.many(self.runner_ids[:1])))
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        if dark:
            steps.append(ActionStep(
                due=run + timedelta(days=30), when=w.WHEN_LABELS[2],
                who=w.OWNER["measurement_vacuum"],
                condition=self.say("p.dark_if", "plan", dark=w.join_names(dark)),
                what=self.say("p.dark", "plan"),
                opening_words=w.OPENING["measurement_vacuum"][0],
                citations=self.book.many([COVERAGE_ID])))
        months = self.intent.horizon_months
        what = (w.join_names([m.label for m in self.subject_measures()[:2]])
                or f"the {hs} evidence")
        steps.append(ActionStep(
            due=run + timedelta(days=max(30, round(months * 30.4))),
            when=f"At {months} months", who="Leadership team",
            what=self.say("p.review", "plan", what=what, ask=self.ask),
            opening_words=self.say("p.review_open", "plan", h=hs, ask=self.ask),
            citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))

    def _question_plan(self) -> list[ActionStep]:
        """The plan for a question with options: the first repair of the binding constraint
        (the rest of its order is in the diagnosis), then the question's own steps — prepare
        the chosen option so it stays measured, commit to it with one number, answer the
        other when it comes back — and a review at the question's horizon."""
        assert self.binding is not None
        run = self.intent.run_date
        h = self.binding
        spec = SPECS[h]
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0], who=w.OWNER[h],
            what=spec.order_of_operations[0], opening_words=w.OPENING[h][0],
            citations=self.book.many(self.binding_ids[:1]))]
        c = self.choice
        if c is not None and c.stance not in ("refrain", "hold", "later"):
            lever = next((k for k in c.levers if k in PREP), None)
            if lever is not None:
                who, what, opening = PREP[lever]
                steps.append(ActionStep(
                    due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who=who,
                    what=what, opening_words=opening,
                    citations=self.book.many(c.finding_ids[:1])))
        steps += self._option_steps()
        gate = f"the first repair of {w.short(h)} shows in its numbers"
        for x in self._others():
            if x.stance in ("refrain", "hold", "later"):
                continue
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[3]), when=w.WHEN_LABELS[3], who="CEO",
                condition=f"If {x.label} is proposed again before {gate}",
                what=f"Ask what {x.label} would move that {c.label if c else 'the repair'} "
                     "does not, and for the number that would show it.",
                opening_words=f"Show me the number {x.label} moves, and where we measure it "
                              "today."))
        watched = join_options(list(dict.fromkeys(
            m.label for x in self.cases for m in x.measures[:2])) [:3])
        months = self.intent.horizon_months
        both = join_options([x.label for x in self.cases], "and")
        steps.append(ActionStep(
            due=run + timedelta(days=max(30, round(months * 30.4))),
            when=f"At {months} months", who="Leadership team",
            what=f"Read {watched or 'the measures the options move'} again on new data, resolve "
                 "the forecasts that are due, and confirm or reverse the choice.",
            opening_words=(f"Knowing what we know now, would we still choose {c.label}?"
                           if c is not None else
                           f"Can we now choose between {both}?"),
            citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))

    def _option_steps(self) -> list[ActionStep]:
        """The question's own steps: get the evidence that would decide, or commit to the
        option chosen with the number that will prove it right."""
        run = self.intent.run_date
        if len(self.cases) < 2:
            return []
        c = self.choice
        labels = join_options([x.label for x in self.cases])
        if c is None:
            needs = [n for x in self.cases for n in x.needs]
            return [ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[1]), when=w.WHEN_LABELS[1], who="RevOps",
                what="Get the evidence that would decide between " + labels + ": "
                     + ("export " + "; and ".join(dict.fromkeys(needs)) if needs else
                        "measure each option on win rate, deal size and retention")
                     + ", then run the diagnosis again.",
                opening_words="Which of these numbers do we already keep somewhere, and who "
                              "owns the export?")]
        watch = next((m for m in c.strengths + c.measures if not m.small), None)
        horizon = self.intent.horizon_months
        measure = (f"{watch.label} (today {watch.shown})" if watch is not None
                   else "the measure the option is meant to move")
        cites = self.book.many([watch.finding]) if watch is not None else []
        if c.stance in ("refrain", "hold", "later"):
            act = next((x for x in self.cases if x is not c), None)
            return [ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
                what=f"Say no for now to {act.label if act else 'the change'}, in writing, with "
                     f"the condition that reopens it: the first repair of "
                     f"{w.short(self.binding) if self.binding else 'the evidence'} shows in "
                     "its numbers.",
                opening_words=f"We are not saying never to {act.label if act else 'this'}; "
                              "we are saying not before the number that limits us has moved.",
                citations=self.book.many(self.binding_ids[:1]))]
        return [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[2]), when=w.WHEN_LABELS[2], who="CEO",
            what=f"Commit to {c.label} with one number to judge it by: {measure}, read "
                 f"again {horizon} months after the data's end.",
            opening_words=f"We are choosing {c.label}. Which number, by which date, would "
                          "tell us we chose well — and which would tell us to stop?",
            citations=cites)]

    def _tie_plan(self) -> list[ActionStep]:
        run = self.intent.run_date
        names = w.join_names([w.short(h) for h in self.tied])
        steps = [ActionStep(
            due=run + timedelta(days=w.WHEN_DAYS[0]), when=w.WHEN_LABELS[0],
            who="RevOps with the owners of " + names,
            what="Name the measure that would separate " + names + ": "
                 + trust.separating_evidence(self.ranking) + ".",
            opening_words="Which number would move if one of these were the constraint and "
                          "stay put if it were the other?",
            citations=self.book.many([RANKING_ID]))]
        for i, h in enumerate(self.tied[:3], start=1):
            spec = SPECS[h]
            ids = binding_evidence_ids(self.pack.diagnosis, h)
            steps.append(ActionStep(
                due=run + timedelta(days=w.WHEN_DAYS[min(i, 3)]), when=w.WHEN_LABELS[min(i, 3)],
                who=w.OWNER[h],
                condition=f"If the next diagnosis separates the tie in favour of {w.short(h)}",
                what=f"Start its repair: {w.lower_first(spec.order_of_operations[0])}",
                opening_words=w.OPENING[h][0], citations=self.book.many(ids[:1])))
        steps.append(ActionStep(
            due=run + timedelta(days=60), when=w.WHEN_LABELS[4], who="Leadership team",
            what="Re-run the diagnosis with the separating measure and act on the constraint "
                 "it names.", citations=self.book.many([RANKING_ID])))
        return sorted(steps, key=lambda s: (s.due, s.condition is not None))


__all__ = ["PlanWriter"]
