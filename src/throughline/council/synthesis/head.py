"""The record's head: its title, the tie (if the ranking is one), what the data could not be
trusted for, the forecasts left out, and the note when the data ends long before the run.
"""

from __future__ import annotations

from datetime import date

from throughline.council.frame import join_options
from throughline.council.gather import EvidencePack
from throughline.council.offline import wording as w
from throughline.council.synthesis.state import SynthesisBase
from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.report import trust
from throughline.record.decision import DataTrust, OmittedForecast, TiedHypothesis


class HeadWriter(SynthesisBase):
    """The record's head, answering the question asked."""

    def title(self) -> str:
        if len(self.cases) >= 2:  # the record's head answers the question asked
            c = self.choice
            labels = [x.label for x in self.cases]
            binds = f" while {w.short(self.binding)} binds" if self.binding else ""
            if c is None:
                return f"Not yet decidable: {join_options(labels, 'or')}"
            if c.stance in ("refrain", "hold", "later"):
                act = next((x.label for x in self.cases if x is not c), "it")
                return f"Not now: hold off on {act}{binds}"
            return f"Choose {c.label}" + (f", after the first {w.short(self.binding)} repair"
                                          if self.binding and not c.repairs_binding else "")
        if self.binding:
            return f"{HYPOTHESES[self.binding].split(' (')[0]} is the binding constraint"
        if self.tied:
            names = [HYPOTHESES.get(h, h).split(" (")[0] for h in self.tied]
            scores = [f"{trust.scores_of(self.ranking).get(h, 0.0):.2f}" for h in self.tied]
            if len(set(scores)) == 1:
                return f"Tie: {w.join_names(names)} at {scores[0]}"
            return "Tie: " + w.join_names([f"{n} ({sc})" for n, sc in zip(names, scores,
                                                                        strict=True)])
        return "No single constraint binds"

    def tied_hypotheses(self) -> list[TiedHypothesis]:
        scores = trust.scores_of(self.ranking)
        return [TiedHypothesis(name=h, label=HYPOTHESES.get(h, h), score=scores.get(h, 0.0))
                for h in self.tied]

    def tie_line(self) -> str:
        return trust.tie_sentence(self.ranking) if self.tied else ""

    def data_trust(self) -> DataTrust:
        d = self.pack.diagnosis
        return DataTrust(
            issues=list(d.data_quality), as_of=d.as_of, as_of_line=trust.as_of_line(d),
            currency_line=trust.currency_line(d),
            blocked=[trust.blocked_sentence(h, why)
                     for h, why in sorted(self.ranking.blocked.items())],
        )

    def omitted_forecasts(self) -> list[OmittedForecast]:
        return [OmittedForecast(name=o.name, months=o.months, reason=o.reason)
                for o in self.omitted]



def as_of_note(pack: EvidencePack, run_date: date) -> str | None:
    gap = (run_date - pack.diagnosis.as_of).days
    if gap > 45:
        return (f"The data runs to {pack.diagnosis.as_of.isoformat()}; this record was written "
                f"on {run_date.isoformat()}, so forecasts reach further past the data than "
                "their horizon suggests.")
    return None


__all__ = ["HeadWriter", "as_of_note"]
