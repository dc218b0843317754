"""The binding constraint: score every hypothesis from the signals the findings carry.

Signals
-------
A measured finding may carry ``signals``: named strengths in 0..1. Each family documents
its formula next to the signal; the common contract is *effect size scaled to 0..1 and
discounted by sampling uncertainty* (typically a one-sided 95% lower bound mapped to
0..1), so a signal is 0 when the data do not show the effect at all. A signal named after
a hypothesis (``{"honesty": 0.8}``) is a family's own composed judgement of it: the score
is at least that value. Counter-signals say "measured and clean": ``healthy_<x>``
counters signal ``<x>`` (or the whole hypothesis ``<x>``); the families' own counter
names are mapped in ``COUNTERS``. When several findings carry the same signal, the
strongest one counts (the others mostly re-measure the same effect).

Which signal feeds which hypothesis
-----------------------------------
The signal table, written once in :mod:`throughline.diagnose.signals` (rendered in
``docs/signals.md``): each signal's meaning and, per hypothesis, its role — primary
(weight 1), corroborating (0.5), required co-signal, or counter. ``SPECS`` (in
:mod:`throughline.diagnose.hypotheses`) and ``COUNTERS`` below are derived from it.

``feedback_loop_open`` and ``promises_unbacked`` corroborate *honesty*: a pipeline whose
losses nobody reads, and deals sold on capabilities nobody signed off, are the mechanisms
by which optimism goes uncorrected — but neither shows optimism by itself, so neither is
primary. ``stated_vs_revealed`` is primary for positioning and, per the DIAGNOSTICS table
("stated ≠ revealed"), corroborates honesty.

Scoring rule
------------
Per hypothesis, from the strongest value of each of its signals:

* ``P`` = the strongest **primary** signal — the primary evidence of the seed-003 table
  (and the seed-002 patterns) in ``DIAGNOSTICS.md``.
* ``C`` = noisy-OR of the *other* signals, each weighted: other primary signals 1.0,
  corroborating signals 0.5 — ``C = 1 − Π(1 − wᵢ·sᵢ)``.
* ``score = 1 − (1 − P)·(1 − P·C)``: a noisy-OR of the primary evidence and of the
  corroboration, where corroboration counts only as far as the primary evidence holds.
  So a hypothesis without primary evidence scores 0 whatever else is seen; P alone gives
  P; a P of 0.6 fully corroborated reaches 0.84.
* Required co-signals (the measurement vacuum needs legible engineering) multiply the
  score by their strength.
* Counter-signals multiply it by ``Π(1 − wₖ·sₖ)``. A counter of the whole hypothesis
  has wₖ = 1; a counter of one signal cancels that signal's share of the primary
  evidence: wₖ = (its weight) / (number of primary signals) — a clean channel-volatility
  reading halves a distribution score that rests on volatility and dependency, but
  cannot erase a real one-channel dependency.

Decision
--------
The top hypothesis is **binding** when its score is at least ``THRESHOLD`` (0.5) and it
leads the runner-up by at least ``MARGIN`` (0.1); otherwise "none found".

* 0.5 because signals are mapped so that 0.5 is a clear, moderate problem that survives
  the sampling uncertainty: half of the items broken at the lower confidence bound
  (Wilson), a ratio of 2 at its lower bound (1 − 1/ratio — the seed's own threshold for
  an imbalance), or half the reference effect at p < 0.01 (``stats.gated_strength``). A
  binding constraint must be at least that.
* 0.1 because that is the half-width of a 95% interval of a proportion at about 100
  observations (1.96·√(0.25/100) ≈ 0.098), the size of a typical deal or feature sample:
  scores closer than that are not distinguishable, and naming one over the other would
  overstate what the data say.

Equal scores (two saturated hypotheses, say) sort by the weight of evidence behind them —
Σ value × weight over the signals that raised each — then by name; the margin rule still
names neither. Every score lists the contributions that raised it (with
the score it would have without each) and those that lowered it, so a reader can
disagree with the ranking.

Ties. When the top score reaches the threshold but the runner-up is within the margin,
the ranking is a **tie**: ``tied`` lists every hypothesis within the margin of the top
(highest first), ``binding`` is None and the rationale names them as a tie.

Unfit evidence (the data-fitness gate). A hypothesis is **blocked** — listed in
``blocked`` with the data-quality issue's statement, and never binding or tied — when a
signal that raised it comes from a finding resting on input the gate marked ``unfit``,
or when every one of its primary diagnostics (``PRIMARY_DIAGNOSTICS``) is not measurable
and at least one of them because of an unfit input. The decision (binding, tie, none
found) is then taken among the hypotheses that are not blocked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.hypotheses import (
    PRIMARY_DIAGNOSTICS,
    PRIMARY_WEIGHT,
    SPECS,
    SUPPORT_WEIGHT,
    Hypothesis,
)
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import (
    HYPOTHESES,
    ConstraintRanking,
    Contribution,
    HypothesisScore,
)
from throughline.diagnose.signals import counters

THRESHOLD = 0.5
MARGIN = 0.1
HEALTHY = "healthy_"

# Counter-signals (from the signal table): name → (hypothesis, signal it counters).
COUNTERS: dict[str, tuple[str, str]] = counters()


@dataclass(frozen=True)
class _Seen:
    value: float
    finding_id: str
    findings: int


def _collect(findings: Iterable[Finding]) -> tuple[dict[str, _Seen], set[str]]:
    """Strongest value of each signal (ties: first finding id) and the measured families."""
    best: dict[str, _Seen] = {}
    families: set[str] = set()
    for f in sorted(findings, key=lambda f: f.id):
        if f.kind is not FindingKind.measured:
            continue
        families.add(f.family)
        for name, raw in sorted(f.signals.items()):
            value = min(1.0, max(0.0, float(raw))) if raw == raw else 0.0  # NaN → 0
            seen = best.get(name)
            if seen is None:
                best[name] = _Seen(value, f.id, 1)
            elif value > seen.value:
                best[name] = _Seen(value, f.id, seen.findings + 1)
            else:
                best[name] = _Seen(seen.value, seen.finding_id, seen.findings + 1)
    return best, families


def _roles(name: str, spec: Hypothesis) -> dict[str, float]:
    """Signals that raise the hypothesis and their weights (its own name: composed)."""
    roles = {s: PRIMARY_WEIGHT for s in spec.primary}
    roles.update({s: SUPPORT_WEIGHT for s in spec.support})
    roles[name] = PRIMARY_WEIGHT
    return roles


def _counter_weight(signal: str, name: str, spec: Hypothesis) -> float | None:
    """How much a counter-signal can cancel of hypothesis ``name`` (None: not its counter)."""
    if signal in COUNTERS:
        hypothesis, target = COUNTERS[signal]
        if hypothesis != name:
            return None
    elif signal.startswith(HEALTHY):
        target = signal[len(HEALTHY):]
    else:
        return None
    if target == name:
        return PRIMARY_WEIGHT
    weight = spec.weight(target)
    return None if weight is None else weight / max(1, len(spec.primary))


def combine(
    primary: Mapping[str, float],
    others: Mapping[str, tuple[float, float]],
    requires: Mapping[str, float] | None = None,
    counters: Mapping[str, tuple[float, float]] | None = None,
    composed: float | None = None,
) -> float:
    """The scoring rule (module docstring) on plain numbers.

    ``primary``: primary signal → value; ``others``: signal → (value, weight);
    ``requires``: required co-signal → value; ``counters``: signal → (value, weight);
    ``composed``: the value of a signal named after the hypothesis, if any.
    """
    score = 0.0
    if primary:
        strongest = max(primary.items(), key=lambda kv: (kv[1], kv[0]))[0]
        p = primary[strongest]
        rest = {k: (v, PRIMARY_WEIGHT) for k, v in primary.items() if k != strongest}
        rest.update(others)
        keep = 1.0
        for value, weight in rest.values():
            keep *= 1.0 - weight * value
        c = 1.0 - keep
        score = 1.0 - (1.0 - p) * (1.0 - p * c)
        for value in (requires or {}).values():
            score *= value
    if composed is not None:
        score = max(score, composed)
    for value, weight in (counters or {}).values():
        score *= 1.0 - weight * value
    return max(0.0, min(1.0, score))


def _score(name: str, spec: Hypothesis, seen: Mapping[str, _Seen],
           families: set[str]) -> tuple[HypothesisScore, str | None]:
    roles = _roles(name, spec)
    primary_names = set(spec.primary)
    primary = {s: seen[s].value for s in spec.primary if s in seen}
    others = {s: (seen[s].value, roles[s]) for s in spec.support if s in seen}
    composed = seen[name].value if name in seen else None
    requires = {s: (seen[s].value if s in seen else 0.0) for s in spec.requires}
    counters: dict[str, tuple[float, float]] = {}
    for s in sorted(seen):
        w = _counter_weight(s, name, spec)
        if w is not None:
            counters[s] = (seen[s].value, w)
    score = combine(primary, others, requires, counters, composed)

    def without(signal: str) -> float:
        return combine({k: v for k, v in primary.items() if k != signal},
                       {k: v for k, v in others.items() if k != signal},
                       {k: (1.0 if k == signal else v) for k, v in requires.items()},
                       {k: v for k, v in counters.items() if k != signal},
                       None if signal == name else composed)

    raised: list[Contribution] = []
    lowered: list[Contribution] = []
    candidates = {**primary, **({name: composed} if composed is not None else {})}
    strongest = (max(candidates.items(), key=lambda kv: (kv[1], kv[0]))[0]
                 if candidates else None)
    for s in sorted(roles):
        if s not in seen:
            continue
        role = ("the family's own judgement of this hypothesis" if s == name else
                "primary" if s in primary_names else "corroborating")
        if s == strongest and s != name:
            role = "primary (strongest)"
        note = f"{role}; score without it {without(s):.2f}"
        if seen[s].findings > 1:
            note += f"; strongest of {seen[s].findings} findings"
        if seen[s].value == 0:
            note = f"{role}; measured, no evidence (0)"
        raised.append(Contribution(finding_id=seen[s].finding_id, signal=s,
                                   value=seen[s].value, weight=roles[s], note=note))
    for s, value in sorted(requires.items()):
        note = f"required co-signal: multiplies the score by {value:.2f}"
        if s not in seen:
            if not primary:
                continue  # nothing to multiply: do not clutter a silent hypothesis
            lowered.append(Contribution(finding_id="(no finding)", signal=s, value=0.0,
                                        weight=1.0, note="required co-signal absent: the "
                                        "pattern needs it, so the score is 0"))
        elif value < 1.0:
            lowered.append(Contribution(finding_id=seen[s].finding_id, signal=s, value=value,
                                        weight=1.0, note=note))
        else:
            raised.append(Contribution(finding_id=seen[s].finding_id, signal=s, value=value,
                                       weight=1.0, note=note))
    for s, (value, weight) in sorted(counters.items()):
        lowered.append(Contribution(
            finding_id=seen[s].finding_id, signal=s, value=value, weight=weight,
            note=f"counter-evidence: multiplies the score by {1.0 - weight * value:.2f}"))
    measurable = bool(set(seen) & (set(roles) | set(spec.requires) | set(counters))) or bool(
        families & set(spec.families))
    return (HypothesisScore(name=name, label=HYPOTHESES[name], score=round(score, 4),
                            raised_by=raised, lowered_by=lowered, measurable=measurable),
            strongest)


def rank(findings: list[Finding],
         data_quality: list[DataQualityIssue] | None = None) -> ConstraintRanking:
    """Score every hypothesis in ``ranking.HYPOTHESES`` and name the binding one, if any.

    ``data_quality``: the gate's issues; hypotheses resting on unfit evidence are blocked.
    """
    seen, families = _collect(findings)
    scored: list[HypothesisScore] = []
    strongest: dict[str, str | None] = {}
    for name in HYPOTHESES:
        spec = SPECS.get(name, Hypothesis(primary=(name,)))
        hs, top_signal = _score(name, spec, seen, families)
        scored.append(hs)
        strongest[name] = top_signal
    scored.sort(key=lambda s: (-s.score, -_evidence_mass(s), s.name))
    blocked = _blocked(scored, findings, data_quality or [])
    open_ = [s for s in scored if s.name not in blocked]
    if len(open_) < 2:
        open_ += [HypothesisScore(name="(none)", label="(none)", score=0.0)] * (2 - len(open_))
    top, second = open_[0], open_[1]
    margin = round(top.score - second.score, 4)
    binding = top.name if top.score >= THRESHOLD and margin >= MARGIN else None
    tied = ([s.name for s in open_ if s.name != "(none)"
             and round(top.score - s.score, 4) < MARGIN]
            if top.score >= THRESHOLD and binding is None else [])
    rationale = _rationale(top, second, margin, binding, strongest.get(top.name), seen,
                           tied=[s for s in open_ if s.name in tied])
    if blocked:
        rationale += " Not judged: " + "; ".join(
            f"{name.replace('_', ' ')} ({why})" for name, why in blocked.items()) + "."
    spec = SPECS.get(binding) if binding else None
    return ConstraintRanking(
        scores=scored,
        binding=binding,
        runner_up=second.name if binding and second.score > 0 else None,
        threshold=THRESHOLD,
        margin=margin,
        rationale=rationale,
        tied=tied,
        blocked=blocked,
        order_of_operations=list(spec.order_of_operations) if spec else [],
        wrong_remedies=list(spec.wrong_remedies) if spec else [],
    )


def _blocked(scored: list[HypothesisScore], findings: list[Finding],
             data_quality: list[DataQualityIssue]) -> dict[str, str]:
    """Hypotheses that may not be named binding: name → why (see the module docstring)."""
    unfit = {i.id: i for i in data_quality if i.action == "unfit"}
    if not unfit:
        return {}
    by_id = {f.id: f for f in findings}
    by_diag: dict[str, list[Finding]] = {}
    for f in findings:
        by_diag.setdefault(f.diagnostic, []).append(f)
    out: dict[str, str] = {}
    for hs in scored:
        reasons: list[str] = []
        for c in hs.raised_by:
            f = by_id.get(c.finding_id)
            if f is None or c.value <= 0:
                continue
            reasons += [unfit[q].statement for q in f.quality if q in unfit]
        primary = [f for d in PRIMARY_DIAGNOSTICS.get(hs.name, ()) for f in by_diag.get(d, [])]
        if not reasons and primary and all(f.kind is FindingKind.not_measurable
                                           for f in primary):
            reasons += [unfit[q].statement for f in primary for q in f.quality if q in unfit]
        if reasons:
            out[hs.name] = " ".join(dict.fromkeys(r.rstrip(".") + "." for r in reasons))
    return out


def _evidence_mass(score: HypothesisScore) -> float:
    """Σ value × weight of the signals that raised a hypothesis (a tie-breaker only)."""
    return round(sum(c.value * c.weight for c in score.raised_by
                     if not c.note.startswith("required")), 6)


def _rationale(top: HypothesisScore, second: HypothesisScore, margin: float,
               binding: str | None, top_signal: str | None,
               seen: Mapping[str, _Seen], tied: list[HypothesisScore] | None = None) -> str:
    def short(h: HypothesisScore) -> str:
        return h.name.replace("_", " ").capitalize()

    if top.score == 0:
        return ("None found: no finding carries evidence for any hypothesis (every score is "
                "0.00).")
    evidence = ""
    if top_signal and top_signal in seen:
        s = seen[top_signal]
        evidence = (f"; its strongest evidence is {top_signal} at {s.value:.2f} "
                    f"({s.finding_id})")
    if binding:
        return (f"{short(top)} is binding: it scores {top.score:.2f} against a threshold of "
                f"{THRESHOLD:.2f} and leads {short(second).lower()} ({second.score:.2f}) by "
                f"{margin:.2f}{evidence}.")
    if top.score < THRESHOLD:
        return (f"None found: the highest score is {short(top).lower()} at {top.score:.2f}, "
                f"below the {THRESHOLD:.2f} a binding constraint needs{evidence}.")
    names = [f"{short(h).lower()} ({h.score:.2f})" for h in (tied or [top, second])]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    both = "both" if len(names) == 2 else f"all {len(names)}"
    return (f"Tie: {listed} are within the {MARGIN:.2f} margin of each other, so the data "
            f"do not single out one constraint and none is named binding; treat {both} as "
            f"candidates{evidence}.")
