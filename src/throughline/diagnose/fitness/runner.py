"""Run every check of the gate in order and assemble the :class:`Fitness`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import ibis.expr.types as ir

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.findings import Finding, FindingKind
from throughline.diagnose.fitness import columns, currency, dates, forecasts, history
from throughline.diagnose.fitness.base import AMOUNT_DIAGNOSTICS, Gate
from throughline.diagnose.quality import DataQualityIssue
from throughline.store import EvidenceStore

CURRENCY_UNITS = ("currency", "currency_per_day")


@dataclass
class Fitness:
    issues: list[DataQualityIssue] = field(default_factory=list)
    views: dict[str, ir.Table] = field(default_factory=dict)
    as_of: date | None = None
    as_of_source: str | None = None
    reporting_currency: str | None = None
    duration_s: float = 0.0

    def unfit_for(self, diagnostic: str) -> DataQualityIssue | None:
        """The first unfit issue that names this diagnostic (None: its inputs are fit)."""
        for issue in self.issues:
            if issue.action == "unfit" and diagnostic in issue.affects:
                return issue
        return None

    def quality_for(self, finding: Finding) -> list[str]:
        """Ids of the issues a finding's numbers rest on: corrections and unfit inputs of
        its diagnostic; the currency issue for findings that carry amounts."""
        out: list[str] = []
        amounts = any(m.unit in CURRENCY_UNITS for m in finding.metrics.values())
        for issue in self.issues:
            if issue.action == "warning":
                continue
            if issue.check == "currencies":
                hit = amounts or (finding.diagnostic in AMOUNT_DIAGNOSTICS
                                  and finding.kind is FindingKind.measured
                                  and _reads_amounts(finding))
            else:
                hit = finding.diagnostic in issue.affects
            if hit and issue.id not in out:
                out.append(issue.id)
        return out


def _reads_amounts(finding: Finding) -> bool:
    return any(k in name for name in finding.metrics
               for k in ("revenue", "mrr", "amount", "forecast", "grr", "nrr", "stake"))


def inspect(ctx: DiagnoseContext, *, as_of: date | None = None,
            today: date | None = None) -> Fitness:
    """Inspect the store behind ``ctx`` (its stored tables) and return the gate's verdict.

    ``as_of``: the user's as-of date, if any; ``today``: for the staleness check (tests).
    """
    started = time.perf_counter()
    gate = Gate(ctx=ctx, today=today or date.today(), present=frozenset(ctx.store.tables()))
    opp = columns.opportunity_profile(gate)
    hist = history.bulk_instants(gate)
    columns.check(gate, opp)
    history.check(gate, hist)
    reporting = currency.check(gate)
    forecasts.check(gate)
    dates.check_closed(gate, opp)
    resolved, source = dates.resolve_as_of(gate, as_of, opp, hist)
    dates.check_stale(gate, resolved)
    order = {"unfit": 0, "corrected": 1, "warning": 2}
    issues = sorted(gate.issues, key=lambda i: (order[i.action], i.id))
    return Fitness(issues=issues, views=dict(gate.views), as_of=resolved,
                   as_of_source=source, reporting_currency=reporting,
                   duration_s=round(time.perf_counter() - started, 4))


def resolve_as_of(store: EvidenceStore) -> date:
    """The default as-of date: the latest CRM event in the store — a deal created, a deal
    closed (close dates of closed deals; an open deal's close date is an expectation), a
    stage change (bulk-loaded instants excluded) — never after today. Without CRM data,
    the latest recorded event of the other exports (subscription start dates only as a
    last resort: billing schedules lines after the export). Falls back to today only when
    the store has no dated rows at all. See ``fitness.dates``; the engine takes the same
    date (and says how it was chosen) from :func:`inspect`."""
    gate = Gate(ctx=DiagnoseContext(store=store), today=date.today(),
                present=frozenset(store.tables()))
    return dates.resolve_as_of(gate, None, columns.opportunity_profile(gate),
                               history.bulk_instants(gate))[0]


def unfit_ids(issues: Sequence[DataQualityIssue]) -> set[str]:
    return {i.id for i in issues if i.action == "unfit"}
