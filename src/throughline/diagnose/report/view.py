"""The report's content, decided once: the HTML and Markdown renderers only lay it out.

``build_view(diagnosis, meta)`` turns a :class:`Diagnosis` into plain, already-formatted
pieces — the verdict, the scores, the families with their findings, what the data cannot
see — so the two renderers cannot drift apart in what they say or in how they round.

The pieces are built by their own modules: ``verdict.py`` (binding constraint and
scores), ``families.py`` (families and their findings), ``finding_view.py`` and
``groups.py`` (one finding); this module adds the data-quality section, the scorecard,
the legibility map and what the data cannot see, and puts the report together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from throughline.diagnose.diagnosis import Diagnosis, LegibilityRow
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report import trust
from throughline.diagnose.report.families import FamilyView, families, severity_counts
from throughline.diagnose.report.finding_view import FindingView, finding_view
from throughline.diagnose.report.verdict import ScoreRow, Verdict, score_rows, verdict
from throughline.diagnose.scorecard import CapabilityScore, alignment_scorecard

REPORT_FORMAT_VERSION = 1


class ReportMeta(BaseModel):
    """What the report says about itself (also the ``report`` block of the JSON)."""

    title: str = "Go-to-market diagnosis"
    subject: str | None = Field(default=None, description="Company or workspace name.")
    generated_at: datetime | None = None
    generator: str = "throughline"
    version: str = ""
    format_version: int = REPORT_FORMAT_VERSION
    currency_symbol: str = Field(
        default="", description="Currency for money ('USD', '€'); empty means the "
        "diagnosis's reporting currency, or none when the exports name none."
    )


@dataclass
class LegibilityView:
    function: str
    metrics: list[str]
    missing: list[str]
    vacuum: bool


@dataclass
class BlindSpot:
    lead: str
    text: str


@dataclass
class TrustView:
    """The report's first section: what we could not trust, and what we did about it."""

    title: str
    issues: list[trust.IssueLine]
    counts: dict[str, int]
    as_of_line: str
    currency_line: str
    blocked: list[str]


@dataclass
class CapabilityView:
    """One row of the alignment scorecard."""

    id: str
    title: str
    rating: str  # strong | mixed | weak | not measurable
    score: str
    bar: float
    driver: FindingView | None
    findings: list[FindingView]
    needs: list[str]
    capability: CapabilityScore


@dataclass
class ReportView:
    meta: ReportMeta
    as_of: str
    generated: str
    backend: str
    tables: list[tuple[str, str]]
    total_rows: str
    counts: dict[str, int]
    verdict: Verdict
    scores: list[ScoreRow]
    threshold: str
    threshold_pct: float
    families: list[FamilyView]
    legibility: list[LegibilityView]
    cannot_see: list[BlindSpot]
    finding_ids: list[str] = field(default_factory=list)
    trust: TrustView | None = None
    scorecard: list[CapabilityView] = field(default_factory=list)
    counts_line: str = ""  # '62 findings: 4 problems, 7 watch, 50 info, 1 not measurable'
    currency: str = ""  # the code or symbol money is shown with


def build_view(diagnosis: Diagnosis, meta: ReportMeta | None = None) -> ReportView:
    meta = meta or ReportMeta()
    currency = meta.currency_symbol or diagnosis.reporting_currency or ""
    findings = [finding_view(f, currency) for f in diagnosis.findings]
    by_id = {v.id: v for v in findings}
    scores = score_rows(diagnosis)
    counts = {**severity_counts(findings), "total": len(findings)}
    return ReportView(
        meta=meta,
        as_of=fmt.long_date(diagnosis.as_of),
        generated=(meta.generated_at.strftime("%Y-%m-%d %H:%M UTC")
                   if meta.generated_at else ""),
        backend=diagnosis.backend,
        tables=[(name, fmt.integer(n)) for name, n in sorted(diagnosis.tables.items())],
        total_rows=fmt.integer(sum(diagnosis.tables.values())),
        counts=counts,
        verdict=verdict(diagnosis, scores, by_id),
        scores=scores,
        threshold=fmt.score(diagnosis.ranking.threshold),
        threshold_pct=max(0.0, min(100.0, diagnosis.ranking.threshold * 100)),
        families=families(findings),
        legibility=[_legibility(r) for r in diagnosis.legibility],
        cannot_see=[_blind_spot(s) for s in diagnosis.cannot_see],
        finding_ids=[f.id for f in diagnosis.findings],
        trust=_trust(diagnosis, meta),
        scorecard=_scorecard(diagnosis, by_id),
        counts_line=counts_line(counts),
        currency=currency,
    )


def counts_line(counts: dict[str, int]) -> str:
    """'62 findings: 4 problems, 7 watch, 50 info, 1 not measurable' (parts that are zero
    are left out, so the parts always add up to the total they follow)."""
    parts = [fmt.plural(counts["problem"], "problem")] if counts["problem"] else []
    parts += [f"{counts[k]:,} {word}" for k, word in (("watch", "watch"), ("info", "info"),
                                                       ("not_measurable", "not measurable"))
              if counts[k]]
    head = fmt.plural(counts["total"], "finding")
    return head + (": " + ", ".join(parts) if parts else "")


RATING_LABELS = {"strong": "strong", "mixed": "mixed", "weak": "weak",
                 "not_measurable": "not measurable"}


def _scorecard(diagnosis: Diagnosis, by_id: dict[str, FindingView]) -> list[CapabilityView]:
    out = []
    for cap in alignment_scorecard(diagnosis.findings):
        out.append(CapabilityView(
            id=cap.id, title=cap.title, rating=RATING_LABELS.get(cap.rating, cap.rating),
            score=fmt.score(cap.score) if cap.score is not None else "",
            bar=max(0.0, min(1.0, cap.score or 0.0)),
            driver=by_id.get(cap.driver) if cap.driver else None,
            findings=[by_id[f] for f in cap.findings if f in by_id],
            needs=list(cap.needs), capability=cap,
        ))
    return out


def _trust(diagnosis: Diagnosis, meta: ReportMeta) -> TrustView:
    issues = [trust.issue_line(i) for i in diagnosis.data_quality]
    counts = {a: sum(1 for i in issues if i.action == a)
              for a in ("corrected", "unfit", "warning")}
    return TrustView(
        title=trust.SECTION_TITLE, issues=issues, counts=counts,
        as_of_line=trust.as_of_line(diagnosis),
        currency_line=trust.currency_line(diagnosis, meta.currency_symbol),
        blocked=[trust.blocked_sentence(h, why)
                 for h, why in sorted(diagnosis.ranking.blocked.items())],
    )


def _legibility(row: LegibilityRow) -> LegibilityView:
    return LegibilityView(function=fmt.humanize(row.function),
                          metrics=[fmt.humanize(m) for m in row.metrics],
                          missing=list(row.missing), vacuum=row.vacuum)


def _blind_spot(text: str) -> BlindSpot:
    lead, sep, rest = text.partition(": ")
    if not sep or len(lead) > 120:
        return BlindSpot(lead="", text=text)
    return BlindSpot(lead=lead, text=rest)
