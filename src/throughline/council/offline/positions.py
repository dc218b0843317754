"""Who argues what in the offline debate, and with which numbers.

:class:`Positions` holds one debate's state (the seats in order, the rounds composed so
far, which facts, passages, remedies and changes are already used) and plans it: each
advisor's lead finding (distinct across seats where the lens allows), its side and the
answer it argues, and the numbers it can state as its own. The rounds build on it
(:mod:`.opening`, :mod:`.replies`, :mod:`.rounds`, :mod:`.summaries`; :mod:`.composer`
puts them together).
"""

from __future__ import annotations

from throughline.council.gather import COVERAGE_ID
from throughline.council.offline import wording as w
from throughline.council.offline.evidence import PanelEvidence
from throughline.council.offline.facts import Fact, OptionFact, option_facts
from throughline.council.offline.grammar import Voice
from throughline.council.offline.statements import (
    AGAINST,
    FOR,
    Said,
    Seat,
    first_sentence,
    quoted_option,
)
from throughline.diagnose.findings import Finding
from throughline.record.decision import Intent, Move

_TYPE_ANSWER: dict[str, str] = {
    "hire": "no new hires until {h} is repaired",
    "invest": "to spend first on repairing {h}, and on nothing that feeds it",
    "price": "to leave price alone and repair {h} first",
    "pivot": "no pivot yet: the current motion is distorted by {h}, not proven to fail",
    "prioritise": "to put {h} first on the list",
    "diagnose": "that {h} is the constraint to repair first",
    "other": "to repair {h} first, then take this question up again",
}


class Positions:
    """The state and the plan of one offline debate (see the module docstring)."""

    def __init__(self, engine: PanelEvidence, intent: Intent) -> None:
        self.e = engine
        self.intent = intent
        self.options = [o for o in intent.options if o.strip()]
        self.voice = Voice(f"{intent.question}\x1f{engine.binding}\x1f{engine.runner}\x1f"
                           f"{intent.decision_type}")
        self.order = list(engine.personas)
        self.rounds: dict[int, dict[str, Said]] = {}
        self.quoted_statements: set[str] = set()   # findings whose statement was quoted whole
        self.stated: set[tuple[str, str]] = set()  # facts someone has stated as their own
        self.passages_used: set[str] = set()
        self.remedies_used: set[str] = set()
        self.changes_used: set[str] = set()
        by_id = {f.id: f for f in engine.pack.findings}
        evidence = {ev.label: ev for ev in engine.pack.options}
        self.option_facts = {o: option_facts(evidence[o], by_id, engine.strength)
                             if o in evidence else [] for o in self.options}
        subject = engine.pack.subject
        self.subject_facts: list[OptionFact] = [] if self.options or subject is None else \
            option_facts(subject, by_id, engine.strength)
        words = intent.question.strip().split()
        self.ask = quoted_option(" ".join(words[:14]) + (" …" if len(words) > 14 else ""))
        self.subject = next((of for of in self.subject_facts if of.fact.what), None)
        self.seats: dict[str, Seat] = {}
        leads = self._allocate_leads()
        for pid, p in engine.personas.items():
            side = AGAINST if pid == "contrarian" else FOR
            lead = leads.get(pid)
            quiet = pid not in ("auditor", "contrarian") and (
                lead is None or not engine.is_problem(lead))
            self.seats[pid] = Seat(persona=p, side=side, answer="", lead=lead, quiet=quiet,
                                   target=engine.target(p))
        for pid in self.order:
            self.seats[pid].answer = self._answer(pid)

    # -- names --------------------------------------------------------------------------------

    def name(self, aid: str, start: bool = False) -> str:
        p = self.e.personas.get(aid)
        full = p.name if p else aid
        if full.startswith("The "):
            return full if start else "the " + full[4:]
        return full.split()[0]

    def h(self, hyp: str | None) -> str:
        return w.short(hyp)

    # -- planning -----------------------------------------------------------------------------

    def _allocate_leads(self) -> dict[str, Finding | None]:
        """Each advisor's lead finding, distinct across seats where the lens allows: its
        strongest problem finding that supports a hypothesis (the binding first), else its
        strongest finding (a strength)."""
        e = self.e
        taken: set[str] = set()
        out: dict[str, Finding | None] = {}
        for pid, p in e.personas.items():
            if pid == "auditor":
                out[pid] = None
                continue
            if pid == "contrarian":
                pool = [f for fid in e.runner_ids if (f := e.finding(fid)) is not None]
                pool += [f for f in e.lens(p) if f not in pool]
            else:
                lens = e.lens(p)
                fams = set(p.weighs.families)
                bind = [f for fid in e.binding_ids if (f := e.finding(fid)) is not None
                        and f.family in fams and e.is_problem(f)]
                pool = bind + [f for f in lens if e.is_problem(f) and f not in bind] + \
                    [f for f in lens if not e.is_problem(f)]
            pool = [f for f in pool if e.facts(f)]
            pick = next((f for f in pool if f.id not in taken), pool[0] if pool else None)
            if pick is not None:
                taken.add(pick.id)
            out[pid] = pick
        return out

    def _lean(self, pid: str) -> tuple[str, OptionFact] | None:
        """The option this advisor's own lens favours, with the number that says so."""
        if len(self.options) < 2:
            return None
        fams = set(self.e.personas[pid].weighs.families)
        score: dict[str, tuple[int, OptionFact | None]] = {}
        for o in self.options:
            total, best = 0, None
            for of in self.option_facts[o]:
                f = self.e.finding(of.fact.finding_id)
                if f is None or f.family not in fams or of.rank is None \
                        or (of.fact.n or 0) < 10:
                    continue
                total += 1 if of.rank == "best" else -1
                if best is None or (of.rank == "best") > (best.rank == "best"):
                    best = of
            score[o] = (total, best)
        ranked = sorted(self.options, key=lambda o: -score[o][0])
        top, other = ranked[0], ranked[1]
        if score[top][0] > score[other][0] and score[top][1] is not None:
            return top, score[top][1]  # type: ignore[return-value]
        return None

    def _answer(self, pid: str) -> str:
        e, v = self.e, self.voice
        opts = [quoted_option(o) for o in self.options]
        hb, hr = self.h(e.binding), self.h(e.runner)
        seat = self.seats[pid]
        if e.binding is None:
            what = (w.join_names([self.h(t) for t in e.tied]) if e.tied else
                    "the weakest measures")
            if seat.side == AGAINST:
                top = e.ranking.scores[0].name if e.ranking.scores else None
                if opts:
                    return f"to take {opts[0]} now rather than wait for a cleaner signal"
                if e.tied:  # the contrarian breaks the tie instead of waiting it out
                    return (f"to break the tie between {what} toward {self.h(top)} now "
                            "rather than wait for a cleaner signal")
                return f"to act on {self.h(top)} now rather than wait for a cleaner signal"
            if len(opts) >= 2:
                return (f"to measure {what} before choosing between {opts[0]} and {opts[1]}")
            return f"to measure {what} before betting on any answer"
        if seat.side == AGAINST:
            favoured = next((o for o in self.options for of in self.option_facts[o]
                             if of.rank == "best" and (of.fact.n or 0) >= 10), None)
            if favoured and e.runner:
                return (f"{quoted_option(favoured)} now, or {hr} first — not a quarter spent on {hb} "
                        "alone")
            if e.runner and len(opts) >= 2:
                return (f"{hr} first, not {hb} — and neither {opts[0]} nor {opts[1]} "
                        "touches it")
            if e.runner and self.subject is not None:
                return f"{hr} first, not {hb}; the {self.subject.fact.what} can be read both ways"
            if e.runner:
                return (f"{hr} first, not {hb}, whatever the answer to "
                        f"{self.ask} turns out to be")
            return f"that {hb} is not the only constraint"
        if pid == "auditor":
            if len(opts) >= 2:
                return (f"that the measured evidence favours repairing {hb} before "
                        f"{opts[0]} or {opts[1]}")
            return f"that the measured evidence supports acting on {hb}"
        if len(opts) >= 2:
            base = v.pick(pid + "ans", [
                f"neither {opts[0]} nor {opts[1]} until {hb} is repaired",
                f"{hb} first; {opts[0]} and {opts[1]} can wait a quarter",
                f"to fix {hb} before choosing between {opts[0]} and {opts[1]}",
            ])
            lean = self._lean(pid)
            if lean is not None:
                other = next(o for o in self.options if o != lean[0])
                base += f", and after that {quoted_option(lean[0])} over {quoted_option(other)}"
            return base
        base = _TYPE_ANSWER.get(self.intent.decision_type, _TYPE_ANSWER["other"]).format(h=hb)
        if self.subject is not None:
            what = self.subject.fact.what
            base += v.pick(pid + "subj", [f", and the {what} is where it shows",
                                          f" — that is what the {what} reflects",
                                          f"; the {what} follows from it"])
        return base

    # -- composing ----------------------------------------------------------------------------

    def _said(self, r: int, pid: str, move: Move, parts: list[str], cites: list[str],
              claims: list[Fact], **kw: object) -> Said:
        for c in claims:
            self.stated.add(c.key)
        return Said(id=f"r{r}.{pid}", round=r, advisor_id=pid, move=move,
                    text=" ".join(p for p in parts if p), cites=list(dict.fromkeys(cites)),
                    addressed=list(kw.pop("addressed", []) or []),  # type: ignore[arg-type]
                    side=self.seats[pid].side, claims=claims, **kw)  # type: ignore[arg-type]

    def _mine(self, pid: str, *, bad: bool | None = None, exclude: set[tuple[str, str]] | None
              = None, lens_only: bool = False) -> Fact | None:
        """A number this advisor can state as its own, not yet stated by anyone: from its
        lead finding, then its lens (problems first); ``bad`` asks for a reading of a given
        direction (True: says something is wrong)."""
        e = self.e
        seat = self.seats[pid]
        p = seat.persona
        pool: list[Finding] = [seat.lead] if seat.lead is not None else []
        if pid == "contrarian":
            pool += [f for fid in e.runner_ids if (f := e.finding(fid)) is not None]
        pool += [f for f in e.lens(p) if f not in pool]
        if pid == "auditor" and not lens_only:
            pool += [f for fid in e.binding_ids if (f := e.finding(fid)) is not None]
        exclude = exclude or set()
        fallback: Fact | None = None
        for f in pool:
            for fact in e.facts(f):
                if fact.key in exclude or not fact.reading:
                    continue
                if bad is True and not fact.problem:
                    continue
                if bad is False and not fact.reads_well:
                    continue
                if fact.key not in self.stated:
                    return fact
                fallback = fallback or fact
        return fallback

    def _runner_proof(self) -> list[Fact]:
        """Numbers that make the runner-up's case: ones that read as a problem (a problem
        finding, or a worse-when-higher share that is not small)."""
        e = self.e
        return [x for fid in e.runner_ids if (f := e.finding(fid)) is not None
                for x in e.facts(f) if x.reading and (
                    x.problem or (x.polarity < 0 and not x.small_value))]

    def _strongest(self, pid: str) -> Fact | None:
        """The heaviest problem number of the advisor's lead finding (restating is fine)."""
        lead = self.seats[pid].lead
        if lead is None or not self.e.is_problem(lead):
            return None
        return next((x for x in self.e.facts(lead) if x.reading and x.problem), None)

    def _passage(self, pid: str) -> tuple[str, str, str] | None:
        p = self.e.personas[pid]
        # the passages retrieved for this question first, then the lens's own
        cands = list(self.e.pack.question_passages) + list(
            self.e.pack.lens_passages.get(p.id, []))
        for ps in cands:
            if ps.id in self.passages_used or ps.untrusted_instructions:
                continue
            self.passages_used.add(ps.id)
            return ps.id, first_sentence(ps.text), ps.source.title
        return None

    def _own_number(self, pid: str) -> Fact | None:
        """A number this advisor already put on the table (its story is tied to it)."""
        for r in (1, 3, 2):
            said = self.rounds.get(r, {}).get(pid)
            if said is not None:
                own = [c for c in said.claims if c.finding_id != COVERAGE_ID]
                if own:
                    return own[0]
        return None
