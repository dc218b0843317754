"""The offline engine: advisors that speak only from the findings and library passages.

Deterministic: the same evidence pack, panel and question give the same statements. Every
number a statement carries is a finding's own statement, a metric shown through the
diagnose formatters, or a passage quoted verbatim — so the claim check can trace all of
them. What each round asks of an advisor:

1. *Opening, blind*: the strongest finding of its lens and what it points to. The Auditor
   says what the evidence rests on; the Contrarian argues the runner-up.
2. *Challenge the premise*: what the question assumes against what the data says binds,
   naming the remedy the data says would be wrong.
3. *Evidence*: one number from its lens with its interval, or plainly none.
4. *Assumptions*: its lens's own untested assumption, tested against a finding metric,
   then the peer assumption it finds most dangerous.
5. *The hidden story*: a metaphor, what the current story protects and hides, the
   masquerade ("X is a Y problem masquerading as Z"), a better story, one systemic change.

Convictions move toward a target computed from the ranking (how strongly the data supports
the binding constraint, and whether this lens sees that evidence); every change names the
peer statement that carried the strongest evidence, so the offline engine never conforms
without a cause.
"""

from __future__ import annotations

import hashlib
import re

from throughline.council.gather import COVERAGE_ID, RANKING_ID, EvidencePack, binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.personas import Persona
from throughline.council.seams import (
    CallInfo,
    EvidenceCard,
    RoundSpec,
    TurnReply,
    TurnRequest,
)
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.families.measure import show
from throughline.diagnose.findings import Finding, FindingKind, Metric
from throughline.diagnose.report import trust
from throughline.record.model import Advisor, Intent, Move, Statement

ENGINE_NAME = "offline"
MODEL_NAME = "offline-templates-v1"
REASON = "No model is configured: the deterministic offline engine speaks from the evidence."


def _call(role: str) -> CallInfo:
    return CallInfo(role=role, engine=ENGINE_NAME, model=MODEL_NAME, reason=REASON)


def _first_sentence(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", flat)
    sent = m.group(1) if m else flat
    if len(sent) > limit:
        sent = sent[:limit].rsplit(" ", 1)[0] + " …"
    return sent


def show_metric(m: Metric) -> str:
    """A metric as statements print it; scores keep two decimals (0.98, not 1)."""
    if m.unit == "score" and m.value is not None:
        return f"{m.value:.2f}"
    return show(m)


def headline_metric(f: Finding) -> Metric | None:
    """The metric a person would quote first: one with an interval, then a share, then an
    amount or duration, then a count (first in the finding's order within each group)."""
    rank = {"ratio": 1, "percent": 1, "probability": 1, "currency": 2, "days": 2, "hours": 2,
            "months": 2, "currency_per_day": 2, "count": 3}
    best: tuple[int, int, Metric] | None = None
    for i, m in enumerate(f.metrics.values()):
        if m.value is None:
            continue
        r = 0 if (m.low is not None and m.high is not None) else rank.get(m.unit, 4)
        if best is None or (r, i) < best[:2]:
            best = (r, i, m)
    return None if best is None else best[2]


def _clamp(x: float, lo: float = 0.05, hi: float = 0.95) -> float:
    return max(lo, min(hi, x))


class OfflineEngine:
    """Implements :class:`~throughline.council.seams.AdvisorEngine` without a model."""

    name = ENGINE_NAME

    def __init__(self, pack: EvidencePack, personas: dict[str, Persona]) -> None:
        self.pack = pack
        self.personas = personas
        self.ranking = pack.diagnosis.ranking
        self.binding = self.ranking.binding
        self.runner = self.ranking.runner_up
        self.scores = {s.name: s for s in self.ranking.scores}
        self.binding_ids = binding_evidence_ids(pack.diagnosis, self.binding)
        self.runner_ids = binding_evidence_ids(pack.diagnosis, self.runner)
        self.tied = [h for h in self.ranking.tied if h in SPECS] if self.binding is None else []
        self._alloc_cache: dict[str, dict[str, Finding | None]] = {}

    # -- evidence helpers ---------------------------------------------------------------

    def _finding(self, fid: str) -> Finding | None:
        return self.pack.finding(fid)

    def _lens(self, p: Persona) -> list[Finding]:
        return self.pack.lens_findings(p.weighs.families)

    def _dark(self, p: Persona) -> list[Finding]:
        return self.pack.lens_findings(p.weighs.families, measured=False)

    def _hyp_of(self, f: Finding) -> str | None:
        """The hypothesis this finding raised most (its strongest contribution)."""
        best: tuple[float, str] | None = None
        for s in self.ranking.scores:
            for c in s.raised_by:
                if c.finding_id == f.id and c.value > 0:
                    cand = (c.value * c.weight, s.name)
                    if best is None or cand[0] > best[0]:
                        best = cand
        return None if best is None else best[1]

    def _supports(self, p: Persona) -> bool:
        if self.binding is None:
            return True
        fams = set(SPECS[self.binding].families)
        return bool(fams & set(p.weighs.families)) or self.binding in p.champions

    def _target(self, p: Persona) -> float:
        top = self.ranking.scores[0].score if self.ranking.scores else 0.0
        if self.binding is None:
            base = 0.35 + 0.5 * (1.0 - top)
            return _clamp(base if p.id != "contrarian" else 0.3 + 0.4 * top)
        score = self.scores[self.binding].score
        if p.id == "contrarian":
            return _clamp(0.25 + 0.5 * self.ranking.margin)
        if p.id == "auditor":
            findings = [f for f in self.pack.diagnosis.findings]
            measured = sum(1 for f in findings if f.kind == FindingKind.measured)
            share = measured / len(findings) if findings else 0.0
            return _clamp(0.3 + 0.6 * score * share)
        return _clamp(0.35 + 0.5 * score * (0.55 + 0.45 * self._lens_support(p)))

    def _lens_support(self, p: Persona) -> float:
        """How strongly this lens's own findings raise the binding constraint (0..1)."""
        if self.binding is None:
            return 0.0
        fams = set(p.weighs.families)
        best = 0.0
        for c in self.scores[self.binding].raised_by:
            f = self._finding(c.finding_id)
            if f is not None and f.family in fams:
                best = max(best, c.value * c.weight)
        return best

    def _seat_order(self) -> list[str]:
        return list(self.personas)

    def _allocate(self, key: str, pools: dict[str, list[Finding]]) -> dict[str, Finding | None]:
        """Give each advisor (in seat order) its best finding not already taken by an earlier
        seat in the same round, so the panel does not repeat one number six times."""
        cache = self._alloc_cache.get(key)
        if cache is not None:
            return cache
        taken: set[str] = set()
        out: dict[str, Finding | None] = {}
        for pid in self._seat_order():
            pool = pools.get(pid, [])
            pick = next((f for f in pool if f.id not in taken), pool[0] if pool else None)
            if pick is not None:
                taken.add(pick.id)
            out[pid] = pick
        self._alloc_cache[key] = out
        return out

    def _binding_pools(self) -> dict[str, list[Finding]]:
        """Per advisor, the binding constraint's findings: those in its lens first."""
        found = [f for fid in self.binding_ids if (f := self._finding(fid)) is not None]
        out: dict[str, list[Finding]] = {}
        for pid, pp in self.personas.items():
            fams = set(pp.weighs.families)
            out[pid] = [f for f in found if f.family in fams] + \
                [f for f in found if f.family not in fams]
        return out

    def _passage_card(self, cards: list[EvidenceCard]) -> EvidenceCard | None:
        for c in cards:
            if c.kind == "passage" and not c.untrusted_instructions:
                return c
        return None

    def _pick(self, key: str, options: list[str]) -> str:
        h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
        return options[h % len(options)]

    # -- the seam -------------------------------------------------------------------------

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        p = self.personas[request.advisor.id]
        n = request.round.number
        builder = {1: self._opening, 2: self._premise, 3: self._evidence,
                   4: self._assumptions, 5: self._story}.get(n, self._evidence)
        move, text, cites, addressed = builder(p, request)
        conviction, cause = self._conviction(p, request)
        reply = TurnReply(move=move, text=text, addressed=addressed,
                          cites=list(dict.fromkeys(cites)), conviction=round(conviction, 2),
                          conviction_cause=cause)
        return reply, _call("advisor")

    async def summarize(self, round_: RoundSpec, statements: list[Statement],
                        panel: list[Advisor], intent: Intent) -> tuple[str, CallInfo]:
        return self._summary(round_, statements, panel), _call("summariser")

    # -- conviction -----------------------------------------------------------------------

    def _conviction(self, p: Persona, req: TurnRequest) -> tuple[float, str | None]:
        target = self._target(p)
        if req.round.number == 1 or req.conviction is None:
            return 0.5 + (target - 0.5) * 0.6, None
        prev = req.conviction
        new = prev + (target - prev) * 0.5 if req.round.number <= 3 else prev
        if req.round.number == 4:
            holds = self._assumption_result(p)[0]
            if holds is False and self._supports(p) and p.id not in ("auditor", "contrarian"):
                new = prev - 0.03
        if abs(round(new, 2) - round(prev, 2)) < 0.01:
            return prev, None
        return new, self._cause(p, req)

    def _cause(self, p: Persona, req: TurnRequest) -> str | None:
        """The visible peer statement citing the strongest evidence for the binding
        constraint (or, for the Contrarian, for the runner-up)."""
        wanted = self.runner_ids if p.id == "contrarian" else self.binding_ids
        pool = [s for s in req.visible if s.advisor_id != p.id and not s.failed]
        for fid in wanted:
            for s in pool:
                if fid in s.cites:
                    return s.id
        for s in pool:
            if s.advisor_id == "auditor":
                return s.id
        return pool[0].id if pool else None

    # -- round 1: blind opening -------------------------------------------------------------

    def _opening(self, p: Persona, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        if p.id == "auditor":
            return self._audit_opening(req)
        if p.id == "contrarian":
            return self._contrarian_opening(req)
        lens = self._lens(p)
        if not lens:
            dark = self._dark(p)
            need = "; ".join(dark[0].needs) if dark and dark[0].needs else "data for this lens"
            text = (f"My lens — {w.lower_first(w.strip_period(p.lens))} — has no measured "
                    f"number in this data. Before any verdict I would want {need}.")
            return Move.WARN, text, [f.id for f in dark[:1]], []
        pools = {pid: self._lens(pp) for pid, pp in self.personas.items()
                 if pid not in ("auditor", "contrarian")}
        f1 = self._allocate("r1", pools).get(p.id) or lens[0]
        lens = [f1] + [f for f in lens if f.id != f1.id]
        parts = [self._pick(p.id + "r1", [
            f"From where I sit, the first number is this: {f1.statement}",
            f"The number my lens starts from: {f1.statement}",
            f"My seat is the {w.lower_first(p.role)}'s, and the first thing it reads is this: "
            f"{f1.statement}",
        ])]
        cites = [f1.id]
        if len(lens) > 1 and lens[1].severity.value != "info":
            parts.append(f"Beside it: {lens[1].statement}")
            cites.append(lens[1].id)
        hyp = self._hyp_of(f1)
        if hyp is not None:
            parts.append(f"On its own this points to {w.short(hyp)}; it is one lens, not yet a "
                         "verdict.")
        else:
            parts.append("On its own this does not point to any of the constraints; my lens "
                         "sees no alarm here.")
        passage = self._passage_card(req.evidence)
        if passage is not None:
            parts.append(f"The library puts the mechanism plainly (“{passage.title}”): "
                         f"“{_first_sentence(passage.text)}”")
            cites.append(passage.id)
        move = Move.WARN if f1.severity.value == "problem" else Move.SHARE
        return move, " ".join(parts), cites, []

    def _audit_opening(self, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        cov = self._finding(COVERAGE_ID)
        parts = ["Before anyone argues, here is what the evidence rests on."]
        cites: list[str] = []
        if cov is not None:
            parts.append(cov.statement)
            cites.append(cov.id)
        issues = self.pack.data_quality
        if issues:
            done = trust.ACTION_LABELS
            listed = w.join_names([f"“{i.title}” ({done.get(i.action, i.action)})"
                                   for i in issues[:4]])
            parts.append(f"First, what the data could not be trusted for: {listed}.")
            cites += [i.id for i in issues[:4] if self._finding(i.id) is not None]
        missing = [f for f in self.pack.diagnosis.findings if f.kind != FindingKind.measured]
        if missing:
            titles = w.join_names([f"“{f.title}”" for f in missing[:3]])
            parts.append(f"Among what cannot be computed: {titles}; any claim about those is "
                         "opinion until the data exists.")
        if self.binding_ids:
            top = self._finding(self.binding_ids[0])
            if top is not None:
                parts.append(f"The strongest single number on the table: {top.statement}")
                cites.append(top.id)
        parts.append("I will mark every claim in this debate that rests on no number.")
        return Move.FACTCHECK, " ".join(parts), cites, []

    def _contrarian_opening(self, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        rank = self._finding(RANKING_ID)
        cites = [RANKING_ID] if rank else []
        if self.tied:
            text = (f"The ranking is a tie: {trust.tie_names(self.ranking)}, and the data does "
                    "not separate them. I want it kept a tie until a number does, not broken "
                    "by whoever argues loudest. " + (rank.statement if rank else ""))
            return Move.CHALLENGE, text.strip(), cites, []
        if self.binding is None:
            text = ("The ranking names no binding constraint, and I want to keep it that way "
                    "until someone shows a number that reaches the threshold. "
                    + (rank.statement if rank else ""))
            return Move.CHALLENGE, text.strip(), cites, []
        parts = [f"Everyone will be tempted to settle on {w.short(self.binding)}. "
                 f"{rank.statement if rank else ''}".strip()]
        runner_f = self._finding(self.runner_ids[0]) if self.runner_ids else None
        if self.runner and runner_f is not None:
            parts.append(f"The second explanation is {w.short(self.runner)}, and it has a "
                         f"number of its own: {runner_f.statement}")
            cites.append(runner_f.id)
        counter = self._counter_evidence()
        if counter is not None:
            parts.append(f"And one reading cuts against the lead: {counter.statement}")
            cites.append(counter.id)
        parts.append(f"If {w.short(self.runner)} is the real constraint, a quarter spent on "
                     f"{w.short(self.binding)} repairs the wrong thing.")
        return Move.CHALLENGE, " ".join(parts), cites, []

    def _counter_evidence(self) -> Finding | None:
        if self.binding is None:
            return None
        score = self.scores[self.binding]
        for c in sorted(score.lowered_by, key=lambda c: (-c.value * c.weight, c.finding_id)):
            f = self._finding(c.finding_id)
            if f is not None:
                return f
        for c in sorted(score.raised_by, key=lambda c: (c.value, c.finding_id)):
            f = self._finding(c.finding_id)
            if f is not None and c.value == 0 and f.kind == FindingKind.measured:
                return f
        return None

    # -- round 2: the premise ---------------------------------------------------------------

    def _premise(self, p: Persona, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        intent = req.intent
        if intent.options:
            premise = (f"that the answer lies in {intent.options[0]} or in "
                       f"{intent.options[1]}")
        else:
            premise = {
                "invest": "that spending is what is missing",
                "hire": "that capacity is what is missing",
                "price": "that price is what buyers are reacting to",
                "pivot": "that the current motion has failed rather than gone unmeasured",
                "prioritise": "that the candidates on the list include the constraint",
                "diagnose": "that the constraint sits where the pain shows — in the number that "
                            "missed",
            }.get(intent.decision_type, "that the problem is where it hurts most")
        top = self._allocate("r2", self._binding_pools()).get(p.id) if self.binding_ids \
            else None
        addressed = self._disagreeing_peer(p, req)
        lead = ""
        if addressed:
            peer = self.personas.get(addressed)
            lead = f"{peer.name if peer else addressed}, " if peer else ""
        if p.id == "auditor":
            return self._audit_round(req, "the openings")
        if p.id == "contrarian":
            parts = [f"{lead}I challenge the premise that the company has one constraint at "
                     "all."]
            rank = self._finding(RANKING_ID)
            if rank is not None:
                parts.append(rank.statement)
            if self.binding:
                parts.append(f"The question assumes {premise}; I would add that it assumes "
                             f"the ranking is right about {w.short(self.binding)}.")
            return Move.CHALLENGE, " ".join(parts), [RANKING_ID], [addressed] if addressed else []
        if self.binding is None:
            if self.tied:
                names = w.join_names([w.short(h) for h in self.tied])
                text = (f"{lead}the question assumes {premise}. The data ties {names} and "
                        "names neither, so the honest answer starts with the measure that "
                        "would separate them, not with a bet.")
            else:
                text = (f"{lead}the question assumes {premise}. The data names no binding "
                        "constraint, so the honest answer starts with the measures that are "
                        "weakest, not with a bet.")
            pools = {pid: self._dark(pp) for pid, pp in self.personas.items()}
            gap = self._allocate("r2-dark", pools).get(p.id)
            cites = [RANKING_ID]
            if gap is not None:
                text += (f" The gap I would close first from my seat: “{gap.title}” — "
                         f"{w.lower_first(gap.statement)}")
                cites.append(gap.id)
            return Move.REFRAME, text, cites, [addressed] if addressed else []
        spec = SPECS[self.binding]
        wrong = spec.wrong_remedies[hash_index(p.id, len(spec.wrong_remedies))]
        parts = [f"{lead}the question as asked assumes {premise}."]
        if top is not None:
            parts.append(f"The data says {w.short(self.binding)} binds first: {top.statement}")
        parts.append(f"So the remedy to avoid is this one — {w.lower_first(wrong)}")
        move = Move.REFRAME if self._supports(p) else Move.CHALLENGE
        cites = [top.id] if top else []
        return move, " ".join(parts), cites, [addressed] if addressed else []

    def _disagreeing_peer(self, p: Persona, req: TurnRequest) -> str | None:
        """A peer whose last statement led with a different hypothesis (else the Contrarian)."""
        mine = None
        for s in req.own_history[-1:]:
            mine = self._hyp_of_statement(s)
        for s in req.visible:
            if s.advisor_id == p.id or s.failed:
                continue
            if self._hyp_of_statement(s) not in (mine, None):
                return s.advisor_id
        for s in req.visible:
            if s.advisor_id == "contrarian" and p.id != "contrarian":
                return s.advisor_id
        return None

    def _hyp_of_statement(self, s: Statement) -> str | None:
        for fid in s.cites:
            f = self._finding(fid)
            if f is not None:
                h = self._hyp_of(f)
                if h:
                    return h
        return None

    def _audit_round(self, req: TurnRequest, what: str) -> tuple[Move, str, list[str], list[str]]:
        with_numbers: list[str] = []
        without: list[str] = []
        for s in req.visible:
            if s.advisor_id == "auditor" or s.failed:
                continue
            name = self.personas[s.advisor_id].name if s.advisor_id in self.personas else \
                s.advisor_id
            measured = any((f := self._finding(c)) is not None and f.kind == FindingKind.measured
                           and f.metrics for c in s.cites)
            (with_numbers if measured else without).append(name)
        parts = [f"Checking {what}: {w.join_names(with_numbers)} "
                 f"{'rests' if len(with_numbers) == 1 else 'rest'} on measured findings."]
        if without:
            parts.append(f"{w.join_names(without)} argued without a number; treat "
                         f"{'that position' if len(without) == 1 else 'those positions'} as "
                         "hypotheses.")
        dark = [row.function for row in self.pack.diagnosis.legibility if row.vacuum]
        if dark:
            parts.append("No one can show a number for " + w.join_names(dark)
                         + ": the data has none.")
        cites = [COVERAGE_ID] if self._finding(COVERAGE_ID) else []
        return Move.FACTCHECK, " ".join(parts), cites, []

    # -- round 3: evidence ---------------------------------------------------------------

    def _evidence(self, p: Persona, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        if p.id == "auditor":
            return self._audit_round(req, "the premise round")
        lens = self._lens(p)
        if p.id == "contrarian" and self.runner_ids:
            lens = [f for fid in self.runner_ids if (f := self._finding(fid)) is not None]
        if not lens:
            dark = self._dark(p)
            stmt = dark[0].statement if dark else "this data holds nothing for my lens."
            return Move.WARN, f"I cannot show a number. {stmt}", [f.id for f in dark[:1]], []
        if p.id != "contrarian":
            pools = {pid: (lambda ls: ls[1:] + ls[:1])(self._lens(pp))
                     for pid, pp in self.personas.items()
                     if pid not in ("auditor", "contrarian")}
            f = self._allocate("r3", pools).get(p.id) or lens[0]
        else:
            f = lens[0]
        m = headline_metric(f)
        if m is None:
            return Move.SHARE, f"The number I can show is the finding itself: {f.statement}", \
                [f.id], []
        what = m.label or m.name.replace("_", " ")
        text = f"The number I can show: {w.lower_first(what)} is {show_metric(m)}"
        if m.low is not None and m.high is not None:
            lo = m.model_copy(update={"value": m.low})
            hi = m.model_copy(update={"value": m.high})
            text += f" (interval {show_metric(lo)} to {show_metric(hi)})"
        text += f", from “{f.title}”."
        if f.significance is not None and f.significance.test:
            text += f" It was tested ({f.significance.test}), not eyeballed."
        if f.caveats:
            text += f" The caveat that goes with it: {w.lower_first(f.caveats[0])}"
        move = Move.WARN if f.severity.value == "problem" else Move.SHARE
        if p.id == "contrarian":
            move = Move.CHALLENGE
            text += f" That is the evidence for {w.short(self.runner)}, and it is not nothing."
        return move, text, [f.id], []

    # -- round 4: assumptions ----------------------------------------------------------------

    def _assumption_result(self, p: Persona) -> tuple[bool | None, Finding | None]:
        a = p.assumption
        f = self._finding(a.finding)
        if f is None or f.kind != FindingKind.measured:
            return None, f
        v = f.metric(a.metric)
        if v is None:
            return None, f
        return a.holds(v), f

    def _assumption_text(self, p: Persona) -> tuple[str, list[str], bool | None]:
        holds, f = self._assumption_result(p)
        a = p.assumption
        if holds is None or f is None:
            why = (f"“{f.title}” could not be computed" if f is not None
                   else "no finding measures it")
            return f"The data cannot test it: {why}.", ([f.id] if f else []), None
        m = f.metrics[a.metric]
        what = w.lower_first(m.label or m.name.replace("_", " "))
        verdict = "holds" if holds else "does not hold"
        return (f"The test is whether {a.meaning}: {what} is {show_metric(m)} in “{f.title}”, so the "
                f"assumption {verdict}."), [f.id], holds

    def _assumptions(self, p: Persona, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        own, cites, holds = self._assumption_text(p)
        parts = [f"My lens assumes {p.assumption.text}.", own]
        danger = None
        for peer in req.peers:
            if peer.id == p.id or peer.id not in self.personas:
                continue
            pp = self.personas[peer.id]
            if self._assumption_result(pp)[0] is False:
                danger = pp
                break
        if danger is None:
            for peer in req.peers:
                if peer.id != p.id and peer.id in self.personas and \
                        self._assumption_result(self.personas[peer.id])[0] is None:
                    danger = self.personas[peer.id]
                    break
        addressed: list[str] = []
        if danger is not None:
            ptext, pcites, _ = self._assumption_text(danger)
            parts.append(f"The assumption I find most dangerous is {danger.name}'s: "
                         f"{danger.assumption.text}. {ptext}")
            cites += pcites
            addressed = [danger.id]
        if p.id == "auditor":
            move = Move.FACTCHECK
        elif p.id == "contrarian":
            move = Move.CHALLENGE
        else:
            move = Move.WARN if holds is False else Move.SHARE
        return move, " ".join(parts), cites, addressed

    # -- round 5: the hidden story ----------------------------------------------------------------

    def _story(self, p: Persona, req: TurnRequest) -> tuple[Move, str, list[str], list[str]]:
        h = self.runner if (p.id == "contrarian" and self.runner) else self.binding
        parts = [f"The image I keep coming back to is {p.metaphor}. The current story "
                 f"protects {p.protects} and hides {p.hides}."]
        cites: list[str] = []
        if h is None and self.tied:
            names = w.join_names([w.short(t) for t in self.tied])
            parts.append(f"No single masquerade fits this data: {names} tie, and the better "
                         "story is the one the measure that separates them tells.")
            return Move.REFRAME, " ".join(parts), [RANKING_ID], []
        if h is None:
            parts.append("No single masquerade fits this data: the constraints are all below "
                         "the threshold, and the better story is the one the next measurements "
                         "tell.")
            return Move.REFRAME, " ".join(parts), [RANKING_ID], []
        if p.id == "contrarian" and self.runner:
            parts.append(f"Or read it the other way: {w.lower_first(w.masquerade_sentence(h))}.")
        else:
            parts.append(f"{w.masquerade_sentence(h)}.")
        parts.append(f"A better story: {w.BETTER_STORY[h]}.")
        steps = SPECS[h].order_of_operations
        if steps:
            idx = hash_index(p.id + "change", len(steps))
            parts.append(f"One systemic change: {w.lower_first(steps[idx])}")
        ids = self.runner_ids if h == self.runner and p.id == "contrarian" else self.binding_ids
        if ids:
            cites.append(ids[0])
        return Move.REFRAME, " ".join(parts), cites, []

    # -- summaries ----------------------------------------------------------------------------

    def _summary(self, round_: RoundSpec, statements: list[Statement],
                 panel: list[Advisor]) -> str:
        names = {a.id: a.name for a in panel}
        ok = [s for s in statements if not s.failed]
        failed = [names.get(s.advisor_id, s.advisor_id) for s in statements if s.failed]
        moves: dict[str, int] = {}
        for s in ok:
            moves[s.move.value] = moves.get(s.move.value, 0) + 1
        tally = ", ".join(f"{w.words(n)} {m}" for m, n in sorted(moves.items()))
        lead = [names.get(s.advisor_id, s.advisor_id) for s in ok
                if self.binding_ids and any(c in self.binding_ids for c in s.cites)]
        parts = [f"{round_.title}: {tally or 'no statements'}."]
        if self.binding and lead:
            parts.append(f"{w.join_names(lead)} put the evidence for {w.short(self.binding)} on "
                         "the table.")
        contrarian = next((s for s in ok if s.advisor_id == "contrarian"), None)
        if contrarian is not None and self.runner:
            parts.append(f"The Contrarian kept {w.short(self.runner)} in play.")
        moved = [names.get(s.advisor_id, s.advisor_id) for s in ok if s.conviction_cause]
        if moved:
            parts.append(f"{w.join_names(moved)} changed conviction, each naming the statement "
                         "that moved them.")
        if failed:
            parts.append(f"{w.join_names(failed)} failed to speak this round (shown as failed).")
        return " ".join(parts)


def hash_index(key: str, n: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % max(1, n)
