"""The offline engine: advisors that argue from their own evidence, and answer each other.

Deterministic: the same evidence pack, panel and question give the same statements (the
same bytes). Every number a statement carries is a finding's own statement, a metric shown
through the diagnose formatters, or a passage quoted verbatim, and the finding or passage
is cited — so the claim check traces all of them.

**Who argues what.** Each advisor argues an *answer to the user's question* (the options by
name when the question has them): the advisors whose lens reads the binding constraint, or
whose own functions look healthy, argue to repair the constraint first; the Contrarian
argues the runner-up (or the option the evidence already favours); with no binding
constraint, the panel argues for measuring before betting. Conviction is belief in the
answer the advisor argues for: it rises only when a statement on the same side moved it,
falls only when a statement on the other side did, and every change names that statement.

**What each round asks** (composed for the whole panel at once, in seat order, so each
sentence form can be rationed — see :mod:`.grammar`):

1. *Opening, blind*: the answer; the finding that carries it (a problem is quoted as proof,
   a healthy number only as a strength); a second number; a library passage no one else
   quotes; the assumption that would change the advisor's mind.
2. *The premise*: a reply to a named peer's opening that quotes its number; what the
   question takes for granted (its options by name); what the store says about an option;
   the remedy the binding constraint makes wrong.
3. *Evidence*: a reply to a peer's number; the advisor's strongest number with its n, its id,
   its test and interval, and what it does not show. The Auditor checks two peers' numbers
   and names the position that rests on none.
4. *Assumptions*: the lens's own assumption tested against its metric (holds, fails or
   untestable, and what that does to the answer), then the peer assumption it finds most
   dangerous, tied to the number where it shows.
5. *The hidden story*: a peer's number taken up; one of the persona's images tied to a
   number; what the story protects and hides, the masquerade or the better story; one
   systemic change; the final answer.

From round 2 every statement opens by answering a named peer's specific number
(``responds_to`` / ``claim`` on the reply); who answers whom rotates each round.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from throughline.council.gather import COVERAGE_ID, RANKING_ID, EvidencePack, binding_evidence_ids
from throughline.council.offline import wording as w
from throughline.council.offline.facts import (
    Fact,
    OptionFact,
    assumption_test,
    finding_facts,
    make_fact,
    option_facts,
    shown,
)
from throughline.council.offline.grammar import Voice
from throughline.council.personas import Persona
from throughline.core.seams import CallInfo, RoundSpec, TurnReply, TurnRequest
from throughline.diagnose.constraint import SPECS
from throughline.diagnose.findings import Finding, FindingKind, Metric, Severity
from throughline.diagnose.report import trust
from throughline.record.decision import Advisor, Intent, Move, Statement

ENGINE_NAME = "offline"
MODEL_NAME = "offline-templates-v2"
REASON = "No model is configured: the deterministic offline engine speaks from the evidence."

FOR, AGAINST = "for", "against"


def _call(role: str) -> CallInfo:
    return CallInfo(role=role, engine=ENGINE_NAME, model=MODEL_NAME, reason=REASON)


def _first_sentence(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    flat = re.sub(r"^(?:[-*#>]+\s*)+", "", flat).replace("**", "").replace("__", "")
    m = re.match(r"(.+?[.!?])(\s|$)", flat)
    sent = m.group(1) if m else flat
    if len(sent) > limit:
        sent = sent[:limit].rsplit(" ", 1)[0] + " …"
    return sent


def show_metric(m: Metric) -> str:
    """A metric as statements print it; scores keep two decimals (0.98, not 1)."""
    return shown(m)


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


def hash_index(key: str, n: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % max(1, n)


def _q(option: str) -> str:
    return f"“{option.strip().rstrip('?.!')}”"


def _quoted(phrase: str) -> str:
    return phrase if phrase.startswith("“") else f"“{phrase}”"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


PREMISES: dict[str, list[str]] = {
    "hire": ["that capacity is what is missing",
             "that new people will be as productive as the ones already here",
             "that the pipeline can absorb more sellers",
             "that the current motion is worth scaling"],
    "invest": ["that spending is what is missing",
               "that the money will land where the constraint is",
               "that the return on the last spend is known",
               "that more input turns into more revenue"],
    "price": ["that price is what buyers are reacting to",
              "that deals lost on price are lost because of price",
              "that the deals we lost would have closed at another price"],
    "pivot": ["that the current motion has failed rather than gone unmeasured",
              "that a new market will not inherit the old problems",
              "that what stalls here would not stall there"],
    "prioritise": ["that the list already includes the constraint",
                   "that the order matters less than the choice",
                   "that both items can be judged by the same number"],
    "diagnose": ["that the constraint sits where the pain shows",
                 "that the number that missed is the number that binds",
                 "that one constraint explains the quarter"],
    "other": ["that the problem is where it hurts most",
              "that the organisation chart is the lever",
              "that the change can be judged within the quarter"],
}

_TYPE_ANSWER: dict[str, str] = {
    "hire": "no new hires until {h} is repaired",
    "invest": "to spend first on repairing {h}, and on nothing that feeds it",
    "price": "to leave price alone and repair {h} first",
    "pivot": "no pivot yet: the current motion is distorted by {h}, not proven to fail",
    "prioritise": "to put {h} first on the list",
    "diagnose": "that {h} is the constraint to repair first",
    "other": "to repair {h} first, then take this question up again",
}


@dataclass
class Said:
    """One composed statement, with the numbers it states as its own (peers quote them)."""

    id: str
    round: int
    advisor_id: str
    move: Move
    text: str
    cites: list[str]
    addressed: list[str]
    side: str
    claims: list[Fact] = field(default_factory=list)
    conviction: float = 0.5
    cause: str | None = None
    responds_to: str | None = None
    claim: str | None = None
    assumption_failed: bool = False
    option: str | None = None


@dataclass
class Seat:
    persona: Persona
    side: str
    answer: str
    lead: Finding | None
    quiet: bool
    target: float


class OfflineEngine:
    """Implements :class:`~throughline.core.seams.AdvisorEngine` without a model."""

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
        # strongest contribution of each finding to any hypothesis, and to which
        self.strength: dict[str, float] = {}
        self.raises: dict[str, str] = {}
        for s in self.ranking.scores:
            for c in s.raised_by:
                v = c.value * c.weight if c.weight else c.value
                if c.value > 0 and v > self.strength.get(c.finding_id, -1.0):
                    self.strength[c.finding_id] = max(c.value, 0.0)
                    self.raises[c.finding_id] = s.name
        self._debates: dict[str, Debate] = {}

    # -- evidence helpers ---------------------------------------------------------------------

    def finding(self, fid: str) -> Finding | None:
        return self.pack.finding(fid)

    def facts(self, f: Finding) -> list[Fact]:
        return finding_facts(f, strength=self.strength.get(f.id, 0.0),
                             hypothesis=self.raises.get(f.id))

    def lens(self, p: Persona) -> list[Finding]:
        return [f for f in self.pack.lens_findings(p.weighs.families)
                if f.family != "data_quality"]

    def dark(self, p: Persona) -> list[Finding]:
        return self.pack.lens_findings(p.weighs.families, measured=False)

    def is_problem(self, f: Finding) -> bool:
        return f.severity == Severity.problem or self.strength.get(f.id, 0.0) >= 0.3

    def supports(self, p: Persona) -> bool:
        if self.binding is None:
            return True
        fams = set(SPECS[self.binding].families)
        return bool(fams & set(p.weighs.families)) or self.binding in p.champions

    def lens_support(self, p: Persona) -> float:
        if self.binding is None:
            return 0.0
        fams = set(p.weighs.families)
        best = 0.0
        for c in self.scores[self.binding].raised_by:
            f = self.finding(c.finding_id)
            if f is not None and f.family in fams:
                best = max(best, c.value * c.weight)
        return best

    def target(self, p: Persona) -> float:
        """Where this advisor's belief in its own answer settles, given the evidence."""
        top = self.ranking.scores[0].score if self.ranking.scores else 0.0
        if self.binding is None:
            if p.id == "contrarian":
                return _clamp(0.3 + 0.4 * top)
            return _clamp(0.35 + 0.5 * (1.0 - top))
        score = self.scores[self.binding].score
        if p.id == "contrarian":  # belief in the other reading falls as the margin grows
            return _clamp(0.6 - 0.5 * self.ranking.margin, 0.1, 0.9)
        if p.id == "auditor":
            findings = self.pack.diagnosis.findings
            measured = sum(1 for f in findings if f.kind == FindingKind.measured)
            share = measured / len(findings) if findings else 0.0
            return _clamp(0.3 + 0.6 * score * share)
        return _clamp(0.35 + 0.5 * score * (0.55 + 0.45 * self.lens_support(p)))

    def assumption_fact(self, p: Persona) -> tuple[bool | None, Finding | None, Fact | None]:
        t = assumption_test(self.pack, p, self.strength, self.raises)
        return t.holds, t.finding, t.fact

    # -- the seam -----------------------------------------------------------------------------

    def debate(self, intent: Intent) -> Debate:
        key = f"{intent.question}\x1f{intent.decision_type}\x1f{'|'.join(intent.options)}"
        if key not in self._debates:
            self._debates[key] = Debate(self, intent)
        return self._debates[key]

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        said = self.debate(request.intent).statement(request.round.number,
                                                     request.advisor.id, request)
        reply = TurnReply(move=said.move, text=said.text, addressed=said.addressed,
                          cites=list(dict.fromkeys(said.cites)),
                          conviction=round(said.conviction, 2),
                          conviction_cause=said.cause, responds_to=said.responds_to,
                          claim=said.claim)
        return reply, _call("advisor")

    async def summarize(self, round_: RoundSpec, statements: list[Statement],
                        panel: list[Advisor], intent: Intent) -> tuple[str, CallInfo]:
        return self.debate(intent).summary(round_, statements, panel), _call("summariser")

    # -- for tests and the synthesis ----------------------------------------------------------

    def side_of(self, advisor_id: str, intent: Intent) -> str:
        """Which side of the verdict the advisor argues: 'for' or 'against'."""
        return self.debate(intent).seats[advisor_id].side


class Debate:
    """The whole offline debate for one question, composed round by round in seat order."""

    def __init__(self, engine: OfflineEngine, intent: Intent) -> None:
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
        self.ask = _q(" ".join(words[:14]) + (" …" if len(words) > 14 else ""))
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
        opts = [_q(o) for o in self.options]
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
                return (f"{_q(favoured)} now, or {hr} first — not a quarter spent on {hb} "
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
                base += f", and after that {_q(lean[0])} over {_q(other)}"
            return base
        base = _TYPE_ANSWER.get(self.intent.decision_type, _TYPE_ANSWER["other"]).format(h=hb)
        if self.subject is not None:
            what = self.subject.fact.what
            base += v.pick(pid + "subj", [f", and the {what} is where it shows",
                                          f" — that is what the {what} reflects",
                                          f"; the {what} follows from it"])
        return base

    # -- composing ----------------------------------------------------------------------------

    def statement(self, number: int, aid: str, req: TurnRequest | None = None) -> Said:
        for r in range(1, number + 1):
            if r not in self.rounds:
                self.rounds[r] = self._compose(r)
        said = self.rounds[number].get(aid)
        if said is None:  # an advisor outside the cast (should not happen): speak plainly
            said = Said(id=f"r{number}.{aid}", round=number, advisor_id=aid, move=Move.SHARE,
                        text="I have nothing to add from my lens.", cites=[], addressed=[],
                        side=FOR)
        return said

    def _compose(self, r: int) -> dict[str, Said]:
        prev = self.rounds.get(r - 1, {})
        out: dict[str, Said] = {}
        partners = self._partners(r)
        for pid in self.order:
            seat = self.seats[pid]
            builder = {1: self._r1, 2: self._r2, 3: self._r3, 4: self._r4,
                       5: self._r5}.get(r, self._r3)
            said = builder(pid, seat, prev, partners.get(pid))
            self._conviction(said, seat, prev)
            out[pid] = said
        return out

    def _partners(self, r: int) -> dict[str, str]:
        """Who answers whom this round: a rotation (everyone answers one peer, everyone is
        answered once), a different step each round."""
        n = len(self.order)
        if n < 2 or r == 1:
            return {}
        steps = list(range(1, n))
        k = steps[(hash_index(self.voice.seed + "rot", len(steps)) + r) % len(steps)]
        return {pid: self.order[(i + k) % n] for i, pid in enumerate(self.order)}

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
            return ps.id, _first_sentence(ps.text), ps.source.title
        return None

    # -- round 1 ------------------------------------------------------------------------------

    def _r1(self, pid: str, seat: Seat, prev: dict[str, Said], _: str | None) -> Said:
        if pid == "auditor":
            return self._r1_auditor(pid, seat)
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r1"
        parts = [v.say("r1.answer", key, role=w.lower_first(p.role), answer=seat.answer)]
        cites: list[str] = []
        claims: list[Fact] = []
        lead = seat.lead
        if lead is None:
            dark = e.dark(p)
            need = "; ".join(dark[0].needs) if dark and dark[0].needs else "data for my lens"
            parts.append(v.say("r1.none", key, need=w.strip_period(need)))
            cites += [f.id for f in dark[:1]]
            return self._said(1, pid, Move.WARN, parts, cites, claims)
        lead_facts = e.facts(lead)
        if not seat.quiet or pid == "contrarian":
            parts.append(v.say("r1.lead", key, stmt=lead.statement, title=lead.title))
            self.quoted_statements.add(lead.id)
            inside = [x for x in lead_facts if x.shown in lead.statement and x.reading]
            claims += (inside or [x for x in lead_facts if x.reading])[:2]
            cites.append(lead.id)
            second = self._mine(pid, bad=True, exclude={x.key for x in lead_facts})
            if pid == "contrarian":  # the other reading's own numbers only
                second = next((x for x in self._runner_proof() if x.finding_id != lead.id),
                              None)
            if second is not None and second.finding_id != lead.id:
                f2 = e.finding(second.finding_id)
                parts.append(v.say("r1.second", key, mine=second.phrase,
                                   title=f2.title if f2 else ""))
                cites.append(second.finding_id)
                claims.append(second)
            strength = self._mine(pid, bad=False, exclude={x.key for x in claims})
            if strength is not None and pid != "contrarian":
                parts.append(v.say("r1.strength", key, mine=strength.phrase,
                                   title=strength.title))
                cites.append(strength.finding_id)
                claims.append(strength)
        else:
            parts.append(v.say("r1.quiet", key))
            good = self._mine(pid, bad=False) or next(
                (x for x in lead_facts if x.reading), None)
            if good is not None:
                parts.append(v.say("r1.strength", key, mine=good.phrase, title=good.title))
                cites.append(good.finding_id)
                claims.append(good)
        psg = self._passage(pid)
        if psg is not None:
            parts.append(v.say("r1.passage", key, passage=psg[1], ptitle=psg[2]))
            cites.append(psg[0])
        else:
            parts.append(v.say("r1.blind", key, hides=p.hides))
        parts.append(v.say("r1.mind", key, assumption=p.assumption.text))
        move = Move.CHALLENGE if pid == "contrarian" else (
            Move.WARN if lead is not None and e.is_problem(lead) else Move.SHARE)
        return self._said(1, pid, move, parts, cites, claims)

    def _r1_auditor(self, pid: str, seat: Seat) -> Said:
        v, e = self.voice, self.e
        key = pid + "r1"
        parts: list[str] = []
        cites: list[str] = []
        claims: list[Fact] = []
        cov = e.finding(COVERAGE_ID)
        missing = [f for f in e.pack.diagnosis.findings if f.kind != FindingKind.measured]
        if cov is not None:  # the coverage counts, said once and tied to the question
            measured = cov.metrics["measured"].value
            total = cov.metrics["findings"].value
            dark = (", and nothing can be computed for "
                    + w.join_names([f"“{f.title}”" for f in missing[:2]])) if missing else ""
            parts.append(v.say("audit.base", key, ask=self.ask, measured=f"{measured:,.0f}",
                               total=f"{total:,.0f}", dark=dark))
            cites.append(cov.id)
        issues = e.pack.data_quality
        if issues:
            done = trust.ACTION_LABELS
            listed = w.join_names([f"“{i.title}” ({done.get(i.action, i.action)})"
                                   for i in issues[:3]])
            parts.append(v.say("audit.dq", key, issues=listed))
            cites += [i.id for i in issues[:3] if e.finding(i.id) is not None]
        subject = next((of.fact for of in self.subject_facts), None)
        top = subject or (self._mine(pid, bad=True) if e.binding_ids else None)
        if top is not None:
            parts.append(v.say("audit.subject" if subject else "audit.strongest", key,
                               mine=top.phrase, title=top.title))
            cites.append(top.finding_id)
            claims.append(top)
        parts.append(v.say("audit.answer", key, answer=seat.answer, ask=self.ask))
        return self._said(1, pid, Move.FACTCHECK, parts, cites, claims)

    # -- replies ------------------------------------------------------------------------------

    def _reply(self, pid: str, r: int, prev: dict[str, Said], peer_id: str | None
               ) -> tuple[list[str], list[str], list[Fact], dict[str, object]]:
        """The opening sentence(s) of a statement from round 2: a named peer's number, taken
        up — disputed or extended with the speaker's own evidence."""
        if peer_id is None or peer_id not in prev:
            return [], [], [], {}
        peer = prev[peer_id]
        pool = peer.claims or next(
            (said.claims for rr in range(r - 2, 0, -1)
             if (said := self.rounds.get(rr, {}).get(peer_id)) is not None and said.claims),
            [])
        if not pool:  # a peer with no number at all: answer one who has
            alt = [s for s in prev.values() if s.claims and s.advisor_id != pid]
            if not alt:
                return [], [], [], {}
            peer = alt[hash_index(self.voice.seed + pid + str(r), len(alt))]
            pool = peer.claims
        c = pool[(r + hash_index(pid, 7)) % len(pool)] if r >= 4 else pool[0]
        v = self.voice
        key = f"{pid}r{r}"
        slots = dict(Peer=self.name(peer.advisor_id, True), peer=self.name(peer.advisor_id),
                     claim=_quoted(c.phrase), n=f"{c.n:,}" if c.n else "", low=c.low or "",
                     high=c.high or "", title=c.title, test=c.test or "")
        me = self.seats[pid]
        cites = [c.finding_id]
        claims: list[Fact] = []
        parts: list[str] = []
        f = self.e.finding(c.finding_id)
        sibling = None
        if f is not None:
            sibling = next((x for x in self.e.facts(f) if x.key != c.key
                            and x.key not in self.stated and x.polarity == c.polarity
                            and x.shown != c.shown), None)
        if pid == "auditor":
            if c.small:
                parts.append(v.say("audit.check_small", key, **slots))
            elif c.n:
                parts.append(v.say("audit.check", key, **slots))
            else:
                parts.append(v.say("audit.check_plain", key, **slots))
            if c.test:
                parts.append(v.say("audit.check_test", key, **slots))
            if c.low and c.high:
                parts.append(v.say("audit.check_interval", key, **slots))
            claims.append(c)  # the Auditor vouches for it: peers may quote it back
        elif me.side != peer.side:
            if c.small:
                parts.append(v.say("reply.small", key, **slots))
            elif pid == "contrarian":
                if sibling is not None and c.bad_reading and r % 2 == 0:
                    parts.append(v.say("reply.sibling", key, mine=sibling.phrase, **slots))
                else:
                    parts.append(v.say("reply.concede", key, **slots))
            else:
                mine = self._strongest(pid) or self._mine(pid, bad=True)
                if mine is not None and mine.key != c.key and self.e.is_problem(
                        self.e.finding(mine.finding_id)):  # type: ignore[arg-type]
                    parts.append(v.say("reply.counter", key, mine=mine.phrase,
                                       reason=self._why_heavier(mine, c), **slots))
                    cites.append(mine.finding_id)
                    claims.append(mine)
                else:
                    parts.append(v.say("reply.contrarian", key, **slots))
        elif not c.bad_reading and not c.reads_well:
            parts.append(v.say("reply.small" if c.small else "reply.neutral", key, **slots))
        else:
            if c.reads_well:
                parts.append(v.say("reply.strength", key, **slots))
            elif c.low and c.high and c.bad_reading:
                parts.append(v.say("reply.interval", key, **slots))
            elif sibling is not None and c.bad_reading and r % 2 == 1:
                parts.append(v.say("reply.sibling", key, mine=sibling.phrase, **slots))
                claims.append(sibling)
            else:
                mine = self._mine(pid, bad=c.bad_reading, exclude={c.key})
                if mine is not None and mine.bad_reading == c.bad_reading:
                    parts.append(v.say("reply.extend", key, mine=mine.phrase, **slots))
                    cites.append(mine.finding_id)
                    claims.append(mine)
                else:
                    good = self._mine(pid, bad=False, exclude={c.key})
                    if good is not None and c.bad_reading:
                        parts.append(v.say("reply.elsewhere", key, mine=good.phrase,
                                           **slots))
                        cites.append(good.finding_id)
                        claims.append(good)
                    elif sibling is not None:
                        parts.append(v.say("reply.sibling", key, mine=sibling.phrase,
                                           **slots))
                        claims.append(sibling)
                    else:
                        parts.append(v.say("reply.strength" if not c.bad_reading else
                                           "reply.interval" if c.low else "reply.concede",
                                           key, **slots))
        meta: dict[str, object] = {"addressed": [peer.advisor_id], "responds_to": peer.id,
                                   "claim": _quoted(c.phrase)}
        return parts, cites, claims, meta

    def _why_heavier(self, mine: Fact, theirs: Fact) -> str:
        """Why the speaker's number outweighs a peer's: a far larger base, the ranking's
        weight behind it, or a problem reading against a context number."""
        e = self.e
        if mine.n and theirs.n and mine.n >= 2 * theirs.n:
            return f"it rests on {mine.n:,} cases, not {theirs.n:,}"
        hyp = e.raises.get(mine.finding_id)
        if hyp is not None and e.strength.get(mine.finding_id, 0.0) > e.strength.get(
                theirs.finding_id, 0.0):
            return f"the ranking counts it as evidence for {self.h(hyp)}, and weighs it above " \
                   f"“{theirs.title}”"
        if theirs.reads_well:
            return "it reads as a failure, where the other reads as something that works"
        if not theirs.bad_reading:
            return "it reads as a failure, where the other is context, not a verdict"
        return f"“{mine.title}” is a problem finding, and “{theirs.title}” is not"

    # -- round 2 ------------------------------------------------------------------------------

    def _option_fact(self, pid: str) -> OptionFact | None:
        """A number on one of the options (alternating options by seat), from the
        advisor's own lens first; on the question's own words when it names no options."""
        fams = set(self.e.personas[pid].weighs.families)
        if self.options:
            i = self.order.index(pid)
            ordered = self.options[i % len(self.options):] + self.options[:i % len(self.options)]
            pools = [self.option_facts[o] for o in ordered]
        else:
            pools = [self.subject_facts]
        for pool in pools:
            own = [of for of in pool if (f := self.e.finding(of.fact.finding_id)) is not None
                   and f.family in fams]
            for group in (own, pool):
                for of in group:
                    if of.fact.key not in self.stated:
                        return of
        return None

    def _rank_words(self, of: OptionFact) -> str:
        f = self.e.finding(of.fact.finding_id)
        title = (f.title if f else "").lower()
        group = ("channels" if "channel" in title else "segments" if "segment" in title
                 else "groups")
        base = f"n = {of.fact.n}" if of.fact.n else ""
        rank = {"best": f"the best reading of all the {group}",
                "worst": f"the worst of all the {group}"}.get(of.rank or "", "")
        return ", ".join(x for x in (base, rank) if x) or "as measured"

    def _r2(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e = self.voice, self.e
        key = pid + "r2"
        parts, cites, claims, meta = self._reply(pid, 2, prev, partner)
        if pid == "auditor":
            extra = self._second_check(pid, 2, prev, meta.get("responds_to"))
            parts += extra[0]
            cites += extra[1]
            cites.append(COVERAGE_ID) if e.finding(COVERAGE_ID) else None
            return self._said(2, pid, Move.FACTCHECK, parts, cites, claims, **meta)
        if pid == "contrarian":
            parts.append(v.say("r2.contrarian", key, h=self.h(e.binding)))
            rank = e.finding(RANKING_ID)
            if rank is not None:
                cites.append(RANKING_ID)
        if len(self.options) >= 2:
            qs = [_q(o) for o in self.options]
            parts.append(v.say("r2.premise.options", key, opts=w.join_names(qs),
                               opts_or=" or ".join(qs)))
        else:
            prem = PREMISES.get(self.intent.decision_type, PREMISES["other"])
            i = (self.order.index(pid) + hash_index(v.seed, len(prem))) % len(prem)
            parts.append(v.say("r2.premise.open", key, premise=prem[i], ask=self.ask))
        of = self._option_fact(pid)
        if of is not None:
            opt = _q(of.option)
            slots = dict(opt=opt, Opt=opt, mine=of.fact.phrase, rank=self._rank_words(of))
            if of.rank or of.fact.n:
                parts.append(v.say("r2.option", key, **slots))
            else:
                parts.append(v.say("r2.option_plain", key, **slots))
            cites.append(of.fact.finding_id)
            claims.append(of.fact)
        chosen = of.option if of is not None and self.options else None
        if pid != "contrarian":
            if e.binding is not None:
                spec = SPECS[e.binding]
                rem = [x for x in spec.wrong_remedies if x not in self.remedies_used]
                if rem:
                    wrong = rem[hash_index(v.seed + pid, len(rem))]
                    self.remedies_used.add(wrong)
                    parts.append(v.say("r2.binds", key, h=self.h(e.binding), wrong=wrong))
            elif e.tied:
                parts.append(v.say("r2.tie", key,
                                   names=w.join_names([self.h(t) for t in e.tied])))
                cites.append(RANKING_ID)
            else:
                parts.append(v.say("r2.nobind", key))
                cites.append(RANKING_ID)
        move = Move.CHALLENGE if seat.side == AGAINST else Move.REFRAME
        said = self._said(2, pid, move, parts, cites, claims, **meta)
        said.option = chosen
        return said

    def _second_check(self, pid: str, r: int, prev: dict[str, Said], done: object
                      ) -> tuple[list[str], list[str]]:
        """The Auditor's second check: a position with no number, or the dark functions."""
        v, e = self.voice, self.e
        key = f"{pid}r{r}b"
        parts: list[str] = []
        cites: list[str] = []
        bare = [s for s in prev.values() if s.advisor_id != pid and not s.claims]
        if bare:
            who = self.name(bare[0].advisor_id)
            parts.append(v.say("audit.unnumbered", key, who=who, Who=_cap(who)))
        dark = [row.function for row in e.pack.diagnosis.legibility if row.vacuum]
        if dark:
            parts.append(v.say("audit.alldark", key, dark=w.join_names(dark)))
        if not parts:
            other = [s for s in prev.values() if s.advisor_id != pid and s.claims
                     and s.id != done]
            if other:
                s = other[hash_index(v.seed + key, len(other))]
                c = s.claims[-1]
                slots = dict(Peer=self.name(s.advisor_id, True), peer=self.name(s.advisor_id),
                             claim=_quoted(c.phrase), n=f"{c.n:,}" if c.n else "",
                             title=c.title, test=c.test or "", low=c.low or "",
                             high=c.high or "")
                if c.n:
                    parts.append(v.say("audit.check_small" if c.small else "audit.check", key,
                                       **slots))
                    cites.append(c.finding_id)
        return parts, cites

    # -- round 3 ------------------------------------------------------------------------------

    def _r3(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e = self.voice, self.e
        key = pid + "r3"
        parts, cites, claims, meta = self._reply(pid, 3, prev, partner)
        if pid == "auditor":
            extra = self._second_check(pid, 3, prev, meta.get("responds_to"))
            parts += extra[0]
            cites += extra[1]
            return self._said(3, pid, Move.FACTCHECK, parts, cites, claims, **meta)
        if pid == "contrarian":
            runner = self._runner_proof()
            proof = next((x for x in runner if x.key not in self.stated),
                         runner[0] if runner else None)
            if proof is None:
                parts.append(v.say("r3.noproof", key, runner=self.h(e.runner)))
                return self._said(3, pid, Move.CHALLENGE, parts, cites, claims, **meta)
        else:
            proof = self._mine(pid, bad=False if seat.quiet else True,
                               exclude={c.key for c in claims})
        if proof is None:
            dark = e.dark(seat.persona)
            if dark and dark[0].needs:
                parts.append(v.say("r3.need", key, need=w.strip_period("; ".join(dark[0].needs))))
                cites.append(dark[0].id)
            return self._said(3, pid, Move.WARN, parts, cites, claims, **meta)
        f = e.finding(proof.finding_id)
        if proof.n:
            parts.append(v.say("r3.proof", key, mine=proof.phrase, n=f"{proof.n:,}",
                               id=proof.finding_id))
        else:
            parts.append(v.say("r3.proof_nobase", key, mine=proof.phrase, id=proof.finding_id))
        cites.append(proof.finding_id)
        claims.append(proof)
        if proof.test and proof.low and proof.high:
            parts.append(v.say("r3.tested", key, test=proof.test, low=proof.low,
                               high=proof.high))
        caveat = next((c for c in (f.caveats if f else []) if not re.search(r"\d", c)), None)
        if caveat:
            parts.append(v.say("r3.limit", key, caveat=w.lower_first(caveat)))
        else:
            parts.append(v.say("r3.limit_generic", key, title=proof.title))
        if pid == "contrarian":
            parts.append(v.say("r3.contrarian", key, runner=self.h(e.runner)))
        move = Move.CHALLENGE if pid == "contrarian" else (
            Move.WARN if proof.bad_reading and proof.problem else Move.SHARE)
        return self._said(3, pid, move, parts, cites, claims, **meta)

    # -- round 4 ------------------------------------------------------------------------------

    def _r4(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r4"
        parts: list[str] = []
        cites: list[str] = []
        claims: list[Fact] = []
        holds, f, fact = e.assumption_fact(p)
        parts.append(v.say("audit.assume" if pid == "auditor" else "r4.own", key,
                           assumption=p.assumption.text))
        failed = False
        if holds is None or fact is None or f is None:
            why = (f"“{f.title}” could not be computed" if f is not None
                   else "no finding measures it")
            parts.append(v.say("r4.unknown", key, why=why))
            if f is not None:
                cites.append(f.id)
        else:
            slots = dict(mine=fact.phrase, Mine=_cap(fact.phrase), title=f.title,
                         meaning=p.assumption.meaning)
            parts.append(v.say("r4.holds" if holds else "r4.fails", key, **slots))
            cites.append(f.id)
            claims.append(fact)
            if not holds and pid != "auditor":
                binds = (e.binding is not None and seat.side == FOR
                         and f.id in e.binding_ids and e.strength.get(f.id, 0.0) >= 0.3)
                if binds:
                    parts.append(v.say("r4.fails_binds", key, h=self.h(e.binding)))
                else:
                    failed = True
                    short = (f"{self.h(e.runner)} first" if pid == "contrarian" and e.runner
                             else seat.answer)
                    parts.append(v.say("r4.fails_weakens", key, answer=short))
        # the peer assumption it finds most dangerous, tied to that peer's number
        peer_id = partner if partner in prev else None
        meta: dict[str, object] = {}
        if peer_id is not None:
            peer = prev[peer_id]
            pp = e.personas[peer_id]
            pool = peer.claims or next(
                (said.claims for rr in range(3, 0, -1)
                 if (said := self.rounds.get(rr, {}).get(peer_id)) is not None
                 and said.claims), [])
            c = pool[0] if pool else None
            if c is not None:
                parts.append(v.say("r4.danger", key, Peer=self.name(peer_id, True),
                                   peer=self.name(peer_id), passumption=pp.assumption.text,
                                   claim=_quoted(c.phrase)))
                cites.append(c.finding_id)
                meta = {"addressed": [peer_id], "responds_to": peer.id,
                        "claim": _quoted(c.phrase)}
                ph, pf, pfact = e.assumption_fact(pp)
                if ph is not None and pf is not None and pfact is not None:
                    parts.append(v.say("r4.danger_holds" if ph else "r4.danger_fails", key,
                                       pfact=pfact.phrase, ptitle=pf.title,
                                       peer=self.name(peer_id)))
                    cites.append(pf.id)
                elif ph is None and pf is not None and pf.needs:
                    parts.append(v.say("r4.settle", key,
                                       settle=w.strip_period("; ".join(pf.needs))))
            else:
                rp, rc, rcl, meta = self._reply(pid, 4, prev, peer_id)
                parts += rp
                cites += rc
                claims += rcl
        move = (Move.FACTCHECK if pid == "auditor" else Move.CHALLENGE if pid == "contrarian"
                else Move.WARN if holds is False else Move.SHARE)
        said = self._said(4, pid, move, parts, cites, claims, **meta)
        said.assumption_failed = failed
        return said

    # -- round 5 ------------------------------------------------------------------------------

    def _r5(self, pid: str, seat: Seat, prev: dict[str, Said], partner: str | None) -> Said:
        v, e, p = self.voice, self.e, seat.persona
        key = pid + "r5"
        parts, cites, claims, meta = self._reply(pid, 5, prev, partner)
        if parts:  # a take-up, not a second dispute: one sentence naming the peer's number
            peer = prev[str(meta["addressed"][0])]  # type: ignore[index]
            c = str(meta["claim"])
            parts = [v.say("r5.takeup", key, Peer=self.name(peer.advisor_id, True),
                           peer=self.name(peer.advisor_id), claim=c)]
            claims = []
            cites = cites[:1]
        images = [i for i in [p.metaphor, *p.images] if i.strip()]
        image = images[hash_index(v.seed + pid + "img", len(images))] if images else p.metaphor
        own = self._own_number(pid)
        if own is not None:
            parts.append(v.say("r5.image", key, image=image, mine=own.phrase))
            cites.append(own.finding_id)
            claims.append(own)
        h = e.runner if (pid == "contrarian" and e.runner) else e.binding
        i = self.order.index(pid)
        if h is None:
            parts.append(v.say("r5.protects", key, protects=p.protects, hides=p.hides))
            cites.append(RANKING_ID)
        else:
            slot = (i + hash_index(v.seed, 3)) % 3 if pid != "contrarian" else 1
            if slot == 0:
                parts.append(v.say("r5.protects", key, protects=p.protects, hides=p.hides))
            elif slot == 1:
                masq = w.masquerade_sentence(h)
                parts.append(v.say("r5.masq", key, masq=w.lower_first(masq), Masq=masq))
            else:
                parts.append(v.say("r5.better", key, better=w.BETTER_STORY[h]))
            steps = [s for s in SPECS[h].order_of_operations if s not in self.changes_used]
            if steps:
                step = steps[hash_index(v.seed + pid + "change", len(steps))]
                self.changes_used.add(step)
                parts.append(v.say("r5.change", key, change=w.lower_first(step)))
            ids = e.runner_ids if (pid == "contrarian" and h == e.runner) else e.binding_ids
            if ids:
                cites.append(ids[0])
        parts.append(v.say("r5.final", key, answer=seat.answer))
        return self._said(5, pid, Move.REFRAME, parts, cites, claims, **meta)

    def _own_number(self, pid: str) -> Fact | None:
        """A number this advisor already put on the table (its story is tied to it)."""
        for r in (1, 3, 2):
            said = self.rounds.get(r, {}).get(pid)
            if said is not None:
                own = [c for c in said.claims if c.finding_id != COVERAGE_ID]
                if own:
                    return own[0]
        return None

    # -- conviction ---------------------------------------------------------------------------

    def _conviction(self, said: Said, seat: Seat, prev: dict[str, Said]) -> None:
        """Belief in the advisor's own answer. Round 1 starts from its own evidence; rounds 2
        and 3 move halfway toward where the evidence settles it; in round 4 an assumption
        that failed (and does not itself confirm the answer) costs a little, and the
        Contrarian keeps giving ground; round 5 holds. A rise names a statement on the same
        side, a fall one on the other side."""
        t = seat.target
        own = [s for r in sorted(self.rounds) for s in [self.rounds[r].get(said.advisor_id)]
               if s is not None]
        if said.round == 1 or not own:
            said.conviction = round(0.5 + (t - 0.5) * (0.3 if seat.side == AGAINST else 0.6), 2)
            return
        last = own[-1].conviction
        new = last
        if said.round in (2, 3) or (said.round == 4 and seat.side == AGAINST):
            new = last + (t - last) * 0.5
        if said.round == 4 and said.assumption_failed:
            new = min(new, last - 0.04)
        new = round(_clamp(new, 0.05, 0.95), 2)
        if abs(new - last) < 0.01:
            said.conviction = last
            return
        cause = self._cause(said, seat, prev, rising=new > last)
        if cause is None:
            said.conviction = last
            return
        said.conviction, said.cause = new, cause

    def _cause(self, said: Said, seat: Seat, prev: dict[str, Said], *, rising: bool
               ) -> str | None:
        want = seat.side if rising else (AGAINST if seat.side == FOR else FOR)
        pool = [s for s in prev.values() if s.advisor_id != said.advisor_id and s.side == want]
        if not pool:
            return None
        # the statement that took this advisor up, then the one it took up, then the one
        # citing the strongest evidence for its side
        for s in pool:
            if said.advisor_id in s.addressed:
                return s.id
        for s in pool:
            if s.id == said.responds_to:
                return s.id
        ids = self.e.runner_ids if want == AGAINST else self.e.binding_ids
        for fid in ids:
            for s in pool:
                if fid in s.cites:
                    return s.id
        return pool[0].id

    # -- summaries ----------------------------------------------------------------------------

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
                        spoke.append(f"{self.name(s.advisor_id)} on {_q(c.option)}")
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
