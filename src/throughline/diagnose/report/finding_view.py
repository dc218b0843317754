"""One finding as the report shows it: its statement, metrics, per-group table, evidence
queries and the groups a ranking statement left out.

:func:`finding_view` formats everything once, so HTML and Markdown print the same text;
:func:`chart_finding` is the finding the chart draws (without unmeasured groups).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from throughline.diagnose.families.post_sale import MIN_GROUP as POST_SALE_MIN_GROUP
from throughline.diagnose.families.sales_pipeline import MIN_GROUP as PIPELINE_MIN_GROUP
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report.groups import (
    LABEL_GROUP,
    LONG_TABLE,
    SHORT_TABLE,
    GroupTable,
    group_table,
)
from throughline.diagnose.toolkit import UNKNOWN


@dataclass
class MetricView:
    label: str
    value: str
    interval: str
    n: str


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


def anchor(prefix: str, ident: str) -> str:
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-")


def finding_view(f: Finding, currency: str) -> FindingView:
    measurable = f.kind is FindingKind.measured
    groups, single = group_table(f, currency)
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


def _p_label(text: str) -> str:
    """'Chi square p' → 'Chi-square p-value'; 'Bonferroni p' → 'Bonferroni p-value'."""
    text = re.sub(r"\bp\b(?!-)", "p-value", re.sub(r"\s*p value\b", " p", text))
    return text.replace("Chi square", "Chi-square").replace("Logrank", "Log-rank")


def _metric_label(text: str) -> str:
    """'Share of promoters, head_of_cs' → 'Share of promoters, Head of CS'."""
    m = LABEL_GROUP.match(text)
    if m:
        return f"{m.group('measure')}, {fmt.label(m.group('group'))}"
    return fmt.humanize_quoted(text)


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


# The smallest group a family's diagnostics name as highest or lowest.
_MIN_GROUP = {"post_sale": int(POST_SALE_MIN_GROUP), "pipeline": int(PIPELINE_MIN_GROUP)}

_RANKED = re.compile(r"\b(highest|lowest|longest|shortest) for\b")


def _exclusions(f: Finding, groups: GroupTable | None) -> str:
    """The groups a ranking statement ('highest for X, lowest for Y') left out, and why:
    'Left out of highest and lowest: Founder (n = 3, below the minimum of 5).'"""
    if groups is None:
        return ""
    least = _MIN_GROUP.get(f.family)
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
