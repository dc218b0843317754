"""The summaries that close each round of the offline debate: who opened on the binding
constraint, the answer most advisors share, who answered whom, who spoke on which option,
the Contrarian's line, whose assumption failed, who was moved, whose turn failed. They name
people, never numbers.
"""

from __future__ import annotations

from throughline.council.offline import wording as w
from throughline.council.offline.positions import Positions
from throughline.council.offline.statements import FOR, quoted_option
from throughline.core.seams import RoundSpec
from throughline.record.decision import Advisor, Statement


class Summaries(Positions):
    """Round summaries."""

    def summary(self, round_: RoundSpec, statements: list[Statement], panel: list[Advisor]
                ) -> str:
        v, e = self.voice, self.e
        key = f"sum{round_.number}"
        ok = [s for s in statements if not s.failed]
        failed = [self.name(s.advisor_id) for s in statements if s.failed]
        parts: list[str] = []
        composed = self.rounds.get(round_.number, {})
        if round_.number == 1:
            opened = [self.name(s.advisor_id) for s in ok
                      if s.advisor_id in self.seats and not self.seats[s.advisor_id].quiet
                      and self.seats[s.advisor_id].side == FOR and s.advisor_id != "auditor"
                      and any(c in e.binding_ids for c in s.cites)]
            if opened and e.binding:
                parts.append(v.say("sum.open", key, names=w.join_names(opened),
                                   h=self.h(e.binding)))
            common: dict[str, list[str]] = {}
            for s in ok:
                seat = self.seats.get(s.advisor_id)
                if seat is not None and s.advisor_id != "contrarian":
                    common.setdefault(seat.answer, []).append(self.name(s.advisor_id))
            if common:
                answer, names = max(common.items(), key=lambda kv: len(kv[1]))
                if len(names) > 1:
                    parts.append(v.say("sum.answers", key, names=w.join_names(names),
                                       answer=answer))
            quiet = [self.name(s.advisor_id) for s in ok
                     if s.advisor_id in self.seats and self.seats[s.advisor_id].quiet]
            if quiet:
                parts.append(v.say("sum.quiet", key, names=w.join_names(quiet)))
        else:
            pairs = []
            for s in ok:
                c = composed.get(s.advisor_id)
                if c is not None and c.addressed:
                    pairs.append(f"{self.name(s.advisor_id)} to "
                                 f"{self.name(c.addressed[0])}")
            if pairs:
                parts.append(v.say("sum.pairs", key, pairs=w.join_names(pairs)))
            if round_.number == 2:
                spoke = []
                for s in ok:
                    c = composed.get(s.advisor_id)
                    if c is not None and c.option:
                        spoke.append(f"{self.name(s.advisor_id)} on {quoted_option(c.option)}")
                if spoke:
                    parts.append(v.say("sum.options", key, pairs=w.join_names(spoke)))
        contrarian = next((s for s in ok if s.advisor_id == "contrarian"), None)
        if contrarian is not None and "contrarian" in self.seats and round_.number in (1, 3, 5):
            parts.append(v.say("sum.contrarian", key, name=self.name("contrarian"),
                               answer=self.seats["contrarian"].answer))
        if round_.number == 4:
            fails = [self.name(aid) for aid, c in composed.items()
                     if c.assumption_failed and any(s.advisor_id == aid for s in ok)]
            if fails:
                parts.append(v.say("sum.fails", key, names=w.join_names(fails)))
        moved = [self.name(s.advisor_id) for s in ok if s.conviction_cause]
        if moved:
            parts.append(v.say("sum.moved", key, names=w.join_names(moved)))
        if failed:
            parts.append(v.say("sum.failed", key, names=w.join_names(failed)))
        if not parts:
            parts.append("The panel spoke in turn.")
        return " ".join(parts)
