"""Cast: seat 4–7 advisors for this question and these findings, and say why.

The Auditor and The Contrarian sit on every panel. Advisors named in a user panel file
come next. The remaining seats go to the personas whose lens best fits, scored from what
the evidence says — not from the question's wording alone:

* champions the binding constraint: +3; champions the runner-up: +1.5;
* suits the decision type: +1;
* each family of the lens with a finding of severity "problem": +0.5 ("watch": +0.25);
* the question's words (its options' levers, ``council.levers.LEVERS``): a lens that reads
  a lever's first family +2 (a partner question brings the channel strategist), each of
  its other families +0.5, at most +3 in all;
ties break by catalog order, so casting is deterministic.
"""

from __future__ import annotations

from pydantic import BaseModel

from throughline.council.levers import LEVER_BY_KEY, Lever, levers_in
from throughline.council.gather import EvidencePack
from throughline.council.personas import Catalog, Persona
from throughline.diagnose.findings import Severity
from throughline.diagnose.ranking import HYPOTHESES
from throughline.core.errors import UsageError
from throughline.record.decision import Intent

MIN_PANEL = 4
MAX_PANEL = 7
DEFAULT_PANEL = 6


class Seat(BaseModel):
    persona: Persona
    score: float
    reason: str


def _short(h: str | None) -> str:
    if h is None:
        return "none"
    return HYPOTHESES.get(h, h).split(" (")[0].lower()


def cast_panel(catalog: Catalog, intent: Intent, pack: EvidencePack, *,
               user_ids: list[str] | None = None, size: int = DEFAULT_PANEL) -> list[Seat]:
    if not MIN_PANEL <= size <= MAX_PANEL:
        raise UsageError(f"a panel has {MIN_PANEL} to {MAX_PANEL} advisors, not {size}")
    ranking = pack.diagnosis.ranking
    binding, runner = ranking.binding, ranking.runner_up
    sev_by_family: dict[str, float] = {}
    for f in pack.findings:
        bump = {Severity.problem: 0.5, Severity.watch: 0.25}.get(f.severity, 0.0)
        sev_by_family[f.family] = max(sev_by_family.get(f.family, 0.0), bump)

    seats: list[Seat] = []
    for p in catalog.advisors:
        if p.always_seated:
            why = ("sits on every panel: checks which claims rest on numbers"
                   if p.id == "auditor" else
                   "sits on every panel: argues the runner-up and the counter-evidence"
                   if p.id == "contrarian" else "sits on every panel")
            seats.append(Seat(persona=p, score=float("inf"), reason=why))
    user_ids = user_ids or []
    for pid in user_ids:
        p = catalog.get(pid)
        if not p.always_seated and len(seats) < MAX_PANEL:
            seats.append(Seat(persona=p, score=float("inf"), reason="named in the panel file"))
    if len(seats) >= size:
        return seats[:MAX_PANEL]

    levers = _question_levers(intent)
    scored: list[tuple[float, int, Persona, str]] = []
    taken = {s.persona.id for s in seats}
    for order, p in enumerate(catalog.advisors):
        if p.id in taken:
            continue
        score = 0.0
        parts: list[str] = []
        if binding and binding in p.champions:
            score += 3.0
            parts.append(f"its lens reads the binding constraint ({_short(binding)})")
        if runner and runner in p.champions:
            score += 1.5
            parts.append(f"it can weigh the runner-up ({_short(runner)})")
        if intent.decision_type in p.decision_types:
            score += 1.0
            parts.append(f"it suits a '{intent.decision_type}' decision")
        asked, words = _question_fit(p, levers)
        if asked:
            score += asked
            parts.append(f"the question turns on {words}, which its lens reads")
        flagged = sorted(fam for fam in p.weighs.families if sev_by_family.get(fam, 0) > 0)
        fam_score = sum(sev_by_family[fam] for fam in flagged)
        if fam_score:
            score += fam_score
            parts.append("findings flagged in its families: " + ", ".join(flagged))
        reason = "; ".join(parts) if parts else "fills the panel with a different lens"
        scored.append((score, order, p, reason))
    scored.sort(key=lambda t: (-t[0], t[1]))
    for score, _order, p, reason in scored[: size - len(seats)]:
        seats.append(Seat(persona=p, score=score, reason=reason))
    return seats


def _question_levers(intent: Intent) -> list[Lever]:
    """The levers the question's options name (else its words), each once."""
    keys: list[str] = []
    for o in intent.option_frames:
        keys += [k for k in o.levers if k not in keys]
    if not keys:
        keys = [lv.key for lv in levers_in(intent.question)]
    return [LEVER_BY_KEY[k] for k in keys if k in LEVER_BY_KEY]


def _question_fit(p: Persona, levers: list[Lever]) -> tuple[float, str]:
    fams = set(p.weighs.families)
    score = 0.0
    named: list[str] = []
    for lv in levers:
        got = (2.0 if lv.families and lv.families[0] in fams else 0.0) + \
            0.5 * len(fams & set(lv.families[1:]))
        if got:
            score += got
            named.append(lv.label)
    return min(score, 3.0), " and ".join(named)
