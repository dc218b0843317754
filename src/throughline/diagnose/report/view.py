"""The report's content, decided once: the HTML and Markdown renderers only lay it out.

``build_view(diagnosis, meta)`` turns a :class:`Diagnosis` into plain, already-formatted
pieces — the verdict, the scores, the families with their findings, what the data cannot
see — so the two renderers cannot drift apart in what they say or in how they round.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from throughline.diagnose.diagnosis import Diagnosis, LegibilityRow
from throughline.diagnose.expr import UNKNOWN
from throughline.diagnose.findings import Finding, FindingKind, Severity
from throughline.diagnose.ranking import HYPOTHESES, Contribution, HypothesisScore
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report import trust
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


@dataclass(frozen=True)
class FamilyInfo:
    id: str
    heading: str
    question: str


FAMILIES: tuple[FamilyInfo, ...] = (
    FamilyInfo("post_sale", "Post-sale truth",
               "Which channels, segments and motions bring customers who stay and grow?"),
    FamilyInfo("icp", "Stated vs revealed ICP",
               "Do the customers we win look like the customers who retain, expand and "
               "refer?"),
    FamilyInfo("honesty", "Honesty of the pipeline",
               "Do stages, probabilities and forecasts mean what they claim?"),
    FamilyInfo("pipeline", "Pipeline mechanics",
               "Win rate, cycle length, deal size and velocity, by channel and feature "
               "cohort."),
    FamilyInfo("push_pull", "Push vs pull",
               "Is new pipeline pulled in by customers or pushed out by activity?"),
    FamilyInfo("channels", "Channel stability",
               "How volatile and how concentrated is the mix of pipeline sources?"),
    FamilyInfo("attribution", "Attribution coverage",
               "How much pipeline and revenue arrives with no known source?"),
    FamilyInfo("handoff", "Handoff velocity & inventory",
               "How fast do decisions become shipped, sellable features, and what ships "
               "without a sales play?"),
    FamilyInfo("legibility", "Engineering legibility",
               "How fast does engineering deliver, and what can each function measure "
               "about its own work?"),
    FamilyInfo("feedback", "Feedback loops",
               "Does win/loss and field feedback reach an owner and change anything?"),
    FamilyInfo("promises", "Promise ledger",
               "What was promised in deals, and can the product keep those promises?"),
    FamilyInfo("messaging", "Messaging coherence",
               "Do the website, deck, sequences and proposals make the same claims?"),
)

_SEVERITY_ORDER = {Severity.problem: 0, Severity.watch: 1, Severity.info: 2}


@dataclass
class MetricView:
    label: str
    value: str
    interval: str
    n: str


@dataclass
class CellView:
    value: str
    interval: str
    n: str


@dataclass
class GroupRow:
    group: str  # the label shown ('Head of CS')
    cells: list[CellView | None]
    raw: str = ""  # the value in the data ('head_of_cs')
    n: int | None = None  # the sample behind the first measure
    sample: str = ""  # 'n = 11' when one n serves every cell of the row
    excluded: str = ""  # 'n = 3, below the minimum of 5' when left out of the ranking


@dataclass
class GroupTable:
    """Metrics that repeat one measure per group (win rate by channel...), as one table:
    a row per group, a column per measure. ``rows[:shown]`` are shown, the rest folded."""

    measures: list[str]
    rows: list[GroupRow]
    shown: int
    dimension: str = ""  # what the rows are ('Buyer persona'), from the chart data
    sample_column: bool = False  # every row's cells share one n: shown once, in 'Sample'
    key: str = ""  # the chart-data column holding the groups ('persona')
    unmeasured: list[tuple[str, int | None]] = field(default_factory=list)  # in the chart
    # data but given no metrics (too few): (value, sample)

    @property
    def hidden(self) -> int:
        return max(0, len(self.rows) - self.shown)


@dataclass
class EvidenceView:
    table: str
    filter: str
    rows: str
    query: str


@dataclass
class FindingView:
    id: str
    anchor: str
    title: str
    family: str
    severity: str
    badge: str
    measurable: bool
    statement: str
    comparison: str
    significance: str
    metrics: list[MetricView]
    caveats: list[str]
    needs: list[str]
    evidence: list[EvidenceView]
    series: list[dict[str, object]] | None
    finding: Finding
    groups: GroupTable | None = None
    metrics_shown: int = 0  # metrics[:metrics_shown] shown, the rest folded
    exclusions: str = ""  # 'Left out of highest and lowest: Founder (n = 3, below ...).'
    sources: str = ""  # 'pull_requests (3,965 rows)': each table once

    @property
    def metrics_hidden(self) -> int:
        return max(0, len(self.metrics) - self.metrics_shown)

    @property
    def chips(self) -> list[MetricView]:
        """The headline numbers beside a statement: the first four that are not p-values."""
        return [m for m in self.metrics if not m.value.startswith("p ")][:4]


@dataclass
class FamilyView:
    id: str
    heading: str
    question: str
    anchor: str
    findings: list[FindingView]
    counts: dict[str, int]
    assessed: bool


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
    findings = [_finding_view(f, currency) for f in diagnosis.findings]
    by_id = {v.id: v for v in findings}
    scores = _score_rows(diagnosis)
    families = _families(findings)
    counts = {
        "problem": sum(1 for f in findings if f.measurable and f.severity == "problem"),
        "watch": sum(1 for f in findings if f.measurable and f.severity == "watch"),
        "info": sum(1 for f in findings if f.measurable and f.severity == "info"),
        "not_measurable": sum(1 for f in findings if not f.measurable),
        "total": len(findings),
    }
    return ReportView(
        meta=meta,
        as_of=fmt.long_date(diagnosis.as_of),
        generated=(meta.generated_at.strftime("%Y-%m-%d %H:%M UTC")
                   if meta.generated_at else ""),
        backend=diagnosis.backend,
        tables=[(name, fmt.integer(n)) for name, n in sorted(diagnosis.tables.items())],
        total_rows=fmt.integer(sum(diagnosis.tables.values())),
        counts=counts,
        verdict=_verdict(diagnosis, scores, by_id),
        scores=scores,
        threshold=fmt.score(diagnosis.ranking.threshold),
        threshold_pct=max(0.0, min(100.0, diagnosis.ranking.threshold * 100)),
        families=families,
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


def split_label(label: str) -> tuple[str, str]:
    """'Honesty (optimistic pipeline ...)' → ('Honesty', 'optimistic pipeline ...')."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", label)
    return (m.group(1), m.group(2)) if m else (label, "")


def anchor(prefix: str, ident: str) -> str:
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-")


# -- pieces ----------------------------------------------------------------------------


def _finding_view(f: Finding, currency: str) -> FindingView:
    measurable = f.kind is FindingKind.measured
    groups, single = _group_table(f, currency)
    stated_p = f.significance.p_value if f.significance else None
    single = [(k, m) for k, m in single
              if not (fmt.is_p_value(m.name) and stated_p is not None
                      and m.value is not None and abs(m.value - stated_p) <= 1e-12)]
    metrics = [
        MetricView(label=_metric_label(m.label or _p_label(fmt.humanize(m.name or key))
                                       if fmt.is_p_value(m.name) else
                                       m.label or fmt.humanize(m.name or key)),
                   value=fmt.metric_value(m, currency),
                   interval=fmt.metric_interval(m, currency), n=fmt.sample(m.n))
        for key, m in single
    ]
    evidence = []
    seen: set[tuple[str, str, int, str]] = set()
    for e in f.evidence:
        ident = (e.table, e.filter or "", e.row_count, e.query)
        if ident not in seen:  # the same query twice is shown once
            seen.add(ident)
            evidence.append(EvidenceView(table=e.table, filter=e.filter or "",
                                         rows=fmt.integer(e.row_count), query=e.query))
    sources: dict[str, set[int]] = {}
    for e in f.evidence:
        sources.setdefault(e.table, set()).add(e.row_count)
    return FindingView(
        id=f.id,
        anchor=anchor("f", f.id),
        title=f.title,
        family=f.family,
        severity=f.severity.value,
        badge=f.severity.value if measurable else "not measurable",
        measurable=measurable,
        statement=fmt.humanize_quoted(f.statement),
        comparison=fmt.humanize_quoted(f.comparison or ""),
        significance=fmt.significance(f.significance) if f.significance else "",
        metrics=metrics,
        caveats=[fmt.humanize_quoted(c) for c in f.caveats],
        needs=list(f.needs),
        evidence=evidence,
        series=f.series,
        finding=f,
        groups=groups,
        metrics_shown=len(metrics) if len(metrics) <= LONG_TABLE else SHORT_TABLE,
        exclusions=_exclusions(f, groups),
        sources=", ".join(
            f"{t} ({' / '.join(fmt.integer(n) for n in sorted(ns, reverse=True))} rows)"
            for t, ns in sources.items()),
    )


LONG_TABLE = 12  # a table longer than this shows its first SHORT_TABLE rows ...
SHORT_TABLE = 8  # ... and folds the rest behind a <details> element
_LABEL_GROUP = re.compile(r"^(?P<measure>.+?), (?P<group>.+)$")


def _slug(text: object) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s or "blank"


def _p_label(text: str) -> str:
    """'Chi square p' → 'Chi-square p-value'; 'Bonferroni p' → 'Bonferroni p-value'."""
    text = re.sub(r"\bp\b(?!-)", "p-value", re.sub(r"\s*p value\b", " p", text))
    return text.replace("Chi square", "Chi-square").replace("Logrank", "Log-rank")


def _metric_label(text: str) -> str:
    """'Share of promoters, head_of_cs' → 'Share of promoters, Head of CS'."""
    m = _LABEL_GROUP.match(text)
    if m:
        return f"{m.group('measure')}, {fmt.label(m.group('group'))}"
    return fmt.humanize_quoted(text)


def _group_table(f: Finding, currency: str,
                 ) -> tuple[GroupTable | None, list[tuple[str, Any]]]:
    """Split the metrics into a group × measure table and the metrics that stand alone.

    A metric belongs to a group when its label reads '<measure>, <group>', or its name ends
    in the name-key of a group labelled so by another metric ('realised_proposal' beside
    'Stated probability, proposal'). Rows are keyed by the end of the metric names (two
    features with the same title stay two rows); a measure needs two groups, the table
    two rows."""
    items = list(f.metrics.items())
    labelled: dict[str, tuple[str, str]] = {}  # key -> (measure, group label)
    for key, m in items:
        hit = _LABEL_GROUP.match(m.label or "")
        if hit:
            labelled[key] = (hit.group("measure"), hit.group("group"))
    by_measure: dict[str, list[str]] = {}
    for key, (measure, _) in labelled.items():
        by_measure.setdefault(measure, []).append(key)
    placed: dict[str, tuple[str, str]] = {}  # key -> (measure, row key)
    titles: dict[str, str] = {}  # row key -> group label
    for measure, keys in by_measure.items():
        if len(keys) < 2:
            continue
        names = [f.metrics[k].name for k in keys]
        prefix = os.path.commonprefix(names)
        prefix = prefix[: prefix.rfind("_") + 1]
        if not prefix or any(n == prefix for n in names):
            continue
        for k, n in zip(keys, names, strict=True):
            row = n[len(prefix):]
            if titles.setdefault(row, labelled[k][1]) != labelled[k][1]:
                continue  # one name-key, two labels: not the same group
            placed[k] = (measure, row)
    for key, m in items:  # unlabelled metrics named after a known group
        if key in placed:
            continue
        for row, title in titles.items():
            if m.name.endswith("_" + row) and len(m.name) > len(row) + 1:
                text = (m.label or "").replace(title, "").strip(" ,")
                text = re.sub(r"\s+(from|in|for|of|by)$", "", text)
                placed[key] = (text or fmt.humanize(m.name[: -len(row) - 1]), row)
                break
    per_measure: dict[str, set[str]] = {}
    for measure, row in placed.values():
        per_measure.setdefault(measure, set()).add(row)
    measures = [ms for ms in dict.fromkeys(ms for ms, _ in placed.values())
                if len(per_measure[ms]) >= 2]
    grouped = {k: v for k, v in placed.items() if v[0] in measures}
    row_keys = list(dict.fromkeys(r for _, r in grouped.values()))
    if not measures or len(row_keys) < 2:
        return None, items
    cells: dict[tuple[str, str], CellView] = {}
    first_n: dict[str, int | None] = {}
    for key, (measure, row) in grouped.items():
        m = f.metrics[key]
        cells[(row, measure)] = CellView(value=fmt.metric_value(m, currency),
                                         interval=fmt.metric_interval(m, currency),
                                         n=fmt.sample(m.n))
        if measure == measures[0]:
            first_n[row] = m.n
    rows = [GroupRow(group=fmt.label(titles[r]), raw=titles[r], n=first_n.get(r),
                     cells=[cells.get((r, ms)) for ms in measures])
            for r in row_keys]
    one_n = all(len({c.n for c in r.cells if c is not None}) == 1 for r in rows)
    if one_n:
        for r in rows:
            r.sample = next(c.n for c in r.cells if c is not None)
            r.cells = [None if c is None else CellView(c.value, c.interval, "")
                       for c in r.cells]
    shown = len(rows) if len(rows) <= LONG_TABLE else SHORT_TABLE
    dimension, dim_key, unmeasured = "", "", []
    raw_names = {titles[r] for r in row_keys}
    series = [row for row in f.series or [] if isinstance(row, dict)]
    for key in (series[0] if series else {}):
        values = {str(row.get(key)) for row in series}
        if raw_names <= values:
            dimension, dim_key = fmt.humanize(str(key)), str(key)
            if len(values) == len(series):  # one row per group (not a time series)
                size = next((c for c in _SIZE_COLUMNS if c in series[0]), None)
                unmeasured = [(str(row.get(key)), _int(row.get(size)) if size else None)
                              for row in series if str(row.get(key)) not in raw_names]
            break
    return (GroupTable(measures=measures, rows=rows, shown=shown, dimension=dimension,
                       sample_column=one_n and any(r.sample for r in rows), key=dim_key,
                       unmeasured=unmeasured),
            [(k, m) for k, m in items if k not in grouped])


_SIZE_COLUMNS = ("closed", "n", "starting_accounts", "reached", "accounts", "decided",
                 "answers", "respondents")


def _int(v: object) -> int | None:
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def chart_finding(view: FindingView) -> Finding:
    """The finding whose series the chart draws: without the groups the tables give no
    metrics to (a 50% win rate from two deals must not be the longest bar)."""
    g = view.groups
    if g is None or not g.unmeasured or not g.key or not view.finding.series:
        return view.finding
    drop = {name for name, _ in g.unmeasured}
    kept = [row for row in view.finding.series
            if not (isinstance(row, dict) and str(row.get(g.key)) in drop)]
    return view.finding.model_copy(update={"series": kept})


def _min_group(family: str) -> int | None:
    """The smallest group a family's diagnostics name as highest or lowest."""
    if family == "post_sale":
        from throughline.diagnose.families.post_sale import MIN_GROUP
    elif family == "pipeline":
        from throughline.diagnose.families.sales_pipeline import MIN_GROUP
    else:
        return None
    return int(MIN_GROUP)


_RANKED = re.compile(r"\b(highest|lowest|longest|shortest) for\b")


def _exclusions(f: Finding, groups: GroupTable | None) -> str:
    """The groups a ranking statement ('highest for X, lowest for Y') left out, and why:
    'Left out of highest and lowest: Founder (n = 3, below the minimum of 5).'"""
    if groups is None:
        return ""
    least = _min_group(f.family)
    unmeasured = ""
    if groups.unmeasured:
        named = [fmt.label(name) + (f" (n = {n:,})" if n is not None else "")
                 for name, n in groups.unmeasured]
        few = f"fewer than {least:,} each" if least is not None else "too few to measure"
        unmeasured = (f"Not measured ({few}), so left out of the table and the chart: "
                      + "; ".join(named) + ".")
    if not _RANKED.search(f.statement):
        return unmeasured
    out = []
    for row in groups.rows:
        if row.raw == UNKNOWN:
            row.excluded = "no recorded value"
        elif least is not None and row.n is not None and row.n < least:
            row.excluded = f"n = {row.n:,}, below the minimum of {least:,}"
        if row.excluded:
            out.append(f"{row.group} ({row.excluded})")
    if not out:
        return unmeasured
    words = re.findall(_RANKED, f.statement)
    pair = " and ".join(dict.fromkeys(words)) or "the ranking"
    return (f"Left out of {pair}: " + "; ".join(out) + "." + (" " + unmeasured
                                                              if unmeasured else ""))


def _families(findings: list[FindingView]) -> list[FamilyView]:
    known = {fam.id for fam in FAMILIES}
    extra = sorted({f.family for f in findings} - known)
    infos = list(FAMILIES) + [FamilyInfo(x, fmt.humanize(x), "") for x in extra]
    out = []
    for info in infos:
        members = sorted(
            (f for f in findings if f.family == info.id),
            key=lambda f: (not f.measurable, _SEVERITY_ORDER[Severity(f.severity)]),
        )
        out.append(FamilyView(
            id=info.id, heading=info.heading, question=info.question,
            anchor=anchor("fam", info.id), findings=members,
            counts={
                "problem": sum(1 for f in members if f.measurable and f.severity == "problem"),
                "watch": sum(1 for f in members if f.measurable and f.severity == "watch"),
                "info": sum(1 for f in members if f.measurable and f.severity == "info"),
                "not_measurable": sum(1 for f in members if not f.measurable),
            },
            assessed=any(f.measurable for f in members),
        ))
    return out


def _score_rows(diagnosis: Diagnosis) -> list[ScoreRow]:
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


def _signals(contribs: list[Contribution], limit: int = 3) -> list[str]:
    top = sorted(contribs, key=lambda c: (-c.value * c.weight, c.signal, c.finding_id))
    return [f"{fmt.humanize(c.signal)} {fmt.score(c.value)}" for c in top[:limit]]


def _evidence(contribs: list[Contribution], by_id: dict[str, FindingView],
              limit: int) -> list[EvidenceItem]:
    top = sorted(contribs, key=lambda c: (-c.value * c.weight, c.signal, c.finding_id))
    return [
        EvidenceItem(signal=fmt.humanize(c.signal), strength=fmt.score(c.value),
                     weight=fmt.score(c.weight), note=c.note, finding_id=c.finding_id,
                     finding=by_id.get(c.finding_id))
        for c in top[:limit]
    ]


def _verdict(diagnosis: Diagnosis, rows: list[ScoreRow],
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


def _legibility(row: LegibilityRow) -> LegibilityView:
    return LegibilityView(function=fmt.humanize(row.function),
                          metrics=[fmt.humanize(m) for m in row.metrics],
                          missing=list(row.missing), vacuum=row.vacuum)


def _blind_spot(text: str) -> BlindSpot:
    lead, sep, rest = text.partition(": ")
    if not sep or len(lead) > 120:
        return BlindSpot(lead="", text=text)
    return BlindSpot(lead=lead, text=rest)
