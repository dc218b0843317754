"""The report's verdict: the binding constraint (or the tie, or why none is named), the
evidence for and against it, the runner-up, and how every hypothesis scored.

Built from the ranking alone; each piece of evidence points to the finding behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import FindingKind
from throughline.diagnose.ranking import HYPOTHESES, Contribution, HypothesisScore
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report import trust
from throughline.diagnose.report.finding_view import FindingView


@dataclass
class EvidenceItem:
    """One contribution to a hypothesis, with the finding behind it."""

    signal: str
    strength: str
    weight: str
    note: str
    finding_id: str
    finding: FindingView | None


@dataclass
class ScoreRow:
    rank: int
    name: str
    label: str
    short: str
    subtitle: str
    score: str
    bar: float
    status: str
    measurable: bool
    raised: list[str]
    lowered: list[str]


@dataclass
class Verdict:
    found: bool
    name: str | None
    short: str
    subtitle: str
    score: str
    threshold: str
    margin: str
    rationale: str
    evidence_for: list[EvidenceItem]
    evidence_against: list[EvidenceItem]
    runner_up: ScoreRow | None
    runner_up_evidence: list[EvidenceItem]
    closest: ScoreRow | None  # when none is binding nor tied: the highest measurable one
    closest_evidence: list[EvidenceItem]
    order_of_operations: list[str]
    wrong_remedies: list[str]
    closest_note: str = ""  # 'below the threshold', or why a score above it was not named
    tied: list[ScoreRow] = field(default_factory=list)  # tied at the top, highest first
    tied_evidence: list[list[EvidenceItem]] = field(default_factory=list)
    tie_line: str = ""  # 'Tie: honesty and messaging at 1.00 — the data does not …'
    blocked: list[str] = field(default_factory=list)  # 'Messaging was not named: …'


def split_label(label: str) -> tuple[str, str]:
    """'Honesty (optimistic pipeline ...)' → ('Honesty', 'optimistic pipeline ...')."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", label)
    return (m.group(1), m.group(2)) if m else (label, "")


def score_rows(diagnosis: Diagnosis) -> list[ScoreRow]:
    r = diagnosis.ranking
    rows = []
    for i, s in enumerate(r.scores, start=1):
        short, subtitle = split_label(s.label or HYPOTHESES.get(s.name, s.name))
        if not s.measurable:
            status = "not measurable"
        elif s.name in r.tied and r.binding is None:
            status = "tied"
        elif s.name in r.blocked:
            status = "blocked"
        elif s.name == r.binding:
            status = "binding"
        elif s.name == r.runner_up:
            status = "runner-up"
        elif s.score >= r.threshold:
            status = "above threshold"
        else:
            status = "below threshold"
        rows.append(ScoreRow(
            rank=i, name=s.name, label=s.label, short=short, subtitle=subtitle,
            score=fmt.score(s.score),
            bar=max(0.0, min(1.0, s.score)), status=status, measurable=s.measurable,
            raised=_signals(s.raised_by), lowered=_signals(s.lowered_by),
        ))
    return rows


def _strongest(contribs: list[Contribution], limit: int) -> list[Contribution]:
    """The ``limit`` contributions that move the score most (ties by signal, then finding)."""
    return sorted(contribs, key=lambda c: (-c.value * c.weight, c.signal, c.finding_id))[:limit]


def _signals(contribs: list[Contribution], limit: int = 3) -> list[str]:
    return [f"{fmt.humanize(c.signal)} {fmt.score(c.value)}"
            for c in _strongest(contribs, limit)]


def _evidence(contribs: list[Contribution], by_id: dict[str, FindingView],
              limit: int) -> list[EvidenceItem]:
    return [
        EvidenceItem(signal=fmt.humanize(c.signal), strength=fmt.score(c.value),
                     weight=fmt.score(c.weight), note=c.note, finding_id=c.finding_id,
                     finding=by_id.get(c.finding_id))
        for c in _strongest(contribs, limit)
    ]


def verdict(diagnosis: Diagnosis, rows: list[ScoreRow],
            by_id: dict[str, FindingView]) -> Verdict:
    r = diagnosis.ranking
    scores: dict[str, HypothesisScore] = {s.name: s for s in r.scores}
    row_by = {row.name: row for row in rows}
    binding = scores.get(r.binding) if r.binding else None
    runner = row_by.get(r.runner_up) if r.runner_up else None
    measured = any(f.kind is FindingKind.measured for f in diagnosis.findings)
    if binding is not None:
        short, subtitle = split_label(binding.label or HYPOTHESES.get(binding.name,
                                                                      binding.name))
    elif not measured:
        short, subtitle = "Not enough data to name a constraint", (
            "no diagnostic could measure anything with the tables ingested; see what the "
            "data cannot see")
    elif r.tied:
        short = "Tie: " + trust.join([split_label(HYPOTHESES.get(n, n))[0] for n in r.tied])
        subtitle = (f"{trust.tie_names(r)} — the data does not separate them, so none is "
                    "named binding")
    else:
        short, subtitle = "No binding constraint found", (
            f"no hypothesis reached the threshold of {fmt.score(r.threshold)}")
    runner_score = scores.get(r.runner_up) if r.runner_up else None
    tied = [row_by[n] for n in r.tied if n in row_by] if binding is None else []
    closest = None if binding is not None or tied else next(
        (row for row in rows if row.measurable and scores[row.name].score > 0), None)
    closest_note = ""
    if closest is not None:
        if scores[closest.name].score < r.threshold:
            closest_note = "below the threshold"
        elif closest.name in r.blocked:
            closest_note = "not named: its evidence rests on data marked unfit"
        else:
            closest_note = "above the threshold, but not clear of the runner-up"
    return Verdict(
        found=binding is not None,
        name=binding.name if binding else None,
        short=short,
        subtitle=subtitle,
        score=fmt.score(binding.score) if binding else "",
        threshold=fmt.score(r.threshold),
        margin=fmt.score(r.margin) if binding and runner else "",
        rationale=_prose(r.rationale),
        evidence_for=_evidence(binding.raised_by, by_id, 5) if binding else [],
        evidence_against=_evidence(binding.lowered_by, by_id, 3) if binding else [],
        runner_up=runner,
        runner_up_evidence=(_evidence(runner_score.raised_by, by_id, 2)
                            if runner_score else []),
        closest=closest,
        closest_evidence=(_evidence(scores[closest.name].raised_by, by_id, 2)
                          if closest else []),
        order_of_operations=list(r.order_of_operations),
        wrong_remedies=list(r.wrong_remedies),
        closest_note=closest_note,
        tied=tied,
        tied_evidence=[_evidence(scores[t.name].raised_by, by_id, 2) for t in tied],
        tie_line=trust.tie_sentence(r) if tied else "",
        blocked=[trust.blocked_sentence(h, why) for h, why in sorted(r.blocked.items())],
    )


_SIGNAL_NAME = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.])")


def _prose(text: str) -> str:
    """Signal names in a sentence read as words ('forecast_optimism' → 'forecast
    optimism'); finding ids (with dots) stay as they are."""
    return _SIGNAL_NAME.sub(lambda m: fmt.humanize(m.group(0)).lower()
                            if m.group(0).split("_")[0] not in fmt.ACRONYMS
                            else fmt.humanize(m.group(0)), text)
