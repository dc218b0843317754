"""The synthesised sections as the record shows them: predictions (and what was not
forecast), the action plan, future paths, numbered evidence and risks.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core import format as fmt
from throughline.record.decision import DecisionRecord, Forecast, FuturePath
from throughline.record.render.formatting import (
    Bar,
    CiteRef,
    SourceLink,
    anchor,
    day,
    if_clause,
    pct,
)
from throughline.record.render.index import RecordIndex

STANCES = {
    "act_on_constraint": "Act on the constraint",
    "keep_going": "Keep going as planned",
    "other": "Another course",
}


@dataclass(frozen=True)
class ForecastView:
    id: str
    anchor: str
    statement: str
    probability: str
    bar: Bar
    horizon: str
    resolution: str
    owner: str
    owner_anchor: str
    method: str
    measure: str
    cites: list[CiteRef]


@dataclass(frozen=True)
class StepView:
    due: str
    when: str
    who: str
    what: str
    opening_words: str | None
    condition: str | None
    cites: list[CiteRef]


@dataclass(frozen=True)
class MilestoneView:
    month: int
    text: str
    backing: str
    kind: str
    source: SourceLink


@dataclass(frozen=True)
class PathView:
    id: str
    anchor: str
    letter: str
    title: str
    stance: str
    stance_key: str
    milestones: list[MilestoneView]


@dataclass(frozen=True)
class EvidenceView:
    number: int
    text: str
    cites: list[CiteRef]
    attribution: str | None


@dataclass(frozen=True)
class RiskView:
    text: str
    raised_by: str | None
    raised_anchor: str
    cites: list[CiteRef]


def forecast_views(record: DecisionRecord, ix: RecordIndex) -> list[ForecastView]:
    return [_forecast(f, ix) for f in record.predictions]


def omitted_forecasts(record: DecisionRecord) -> list[str]:
    return [_omitted(o.name, o.months, o.reason) for o in record.predictions_omitted]


def step_views(record: DecisionRecord, ix: RecordIndex) -> list[StepView]:
    return [StepView(due=day(s.due), when=s.when, who=s.who, what=s.what,
                     opening_words=s.opening_words, condition=if_clause(s.condition),
                     cites=ix.cite_numbers(s.citations)) for s in record.action_plan]


def path_views(record: DecisionRecord, ix: RecordIndex) -> list[PathView]:
    return [_path(i, p, ix) for i, p in enumerate(record.future_paths)]


def evidence_views(record: DecisionRecord, ix: RecordIndex) -> list[EvidenceView]:
    return [EvidenceView(i, e.text, ix.cite_numbers(e.citations), e.attribution)
            for i, e in enumerate(record.evidence, start=1)]


def risk_views(record: DecisionRecord, ix: RecordIndex) -> list[RiskView]:
    return [RiskView(r.text, ix.name(r.raised_by) if r.raised_by else None,
                     ix.advisor_anchor(r.raised_by), ix.cite_numbers(r.citations))
            for r in record.risks]


def _omitted(name: str, months: int | None, reason: str) -> str:
    """'Win rate: 4 monthly points, fewer than the 6 a trend needs.' (a horizon that was too
    long says its months in the reason itself)."""
    return f"{name[:1].upper() + name[1:]}: {reason.rstrip('.')}."


def _forecast(f: Forecast, ix: RecordIndex) -> ForecastView:
    measure = ""
    if f.metric:
        unit = f.unit or ""
        parts = [fmt.humanize(f.metric)]
        if f.current is not None:
            parts.append(f"now {fmt.value(f.current, unit)}")
        if f.threshold is not None:
            parts.append(f"threshold {fmt.value(f.threshold, unit)}")
        measure = " · ".join(parts)
    return ForecastView(
        id=f.id, anchor=anchor("fc", f.id), statement=f.statement,
        probability=pct(f.probability), bar=Bar(f.probability), horizon=day(f.horizon),
        resolution=f.resolution, owner=ix.name(f.owner), owner_anchor=ix.advisor_anchor(f.owner),
        method=f.method, measure=measure,
        cites=ix.cite_ids([f.finding_id]) if f.finding_id else [],
    )


def _path(i: int, p: FuturePath, ix: RecordIndex) -> PathView:
    milestones = []
    for m in p.milestones:
        if m.backing_kind == "quote":
            link = ix.statement_link(m.backing_ref) or SourceLink(m.backing_ref)
        elif m.backing_kind == "forecast":
            f = ix.forecasts.get(m.backing_ref)
            link = (SourceLink(f"Forecast · {pct(f.probability)} by {day(f.horizon)}",
                               anchor("fc", f.id)) if f else SourceLink(m.backing_ref))
        else:
            n = ix.by_ref.get(m.backing_ref)
            link = (SourceLink(f"Finding [{n}]", f"cite-{n}", m.backing_ref) if n is not None
                    else SourceLink(f"Finding {m.backing_ref}"))
        milestones.append(MilestoneView(m.month, m.text, m.backing, m.backing_kind, link))
    return PathView(id=p.id, anchor=anchor("path", p.id), letter=_letter(i), title=p.title,
                    stance=STANCES.get(p.stance, p.stance), stance_key=p.stance,
                    milestones=milestones)


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)
