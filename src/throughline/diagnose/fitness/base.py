"""Shared pieces of the data-fitness gate: what a check sees and how it reports.

Every check reads the *stored* tables (``ctx.store.table``), never the corrected views it
or another check produces, except where it says so (the roll-up check reads forecasts in
the reporting currency; dating closed deals reads the history without bulk-loaded rows).
Each runs a few aggregate queries in the engine; only their small results reach Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.values import plain_value

# Diagnostics that read the stage history's rows as behaviour (dates, order, pushes).
HISTORY_DIAGNOSTICS = ("honesty.close_date_pushes", "honesty.commit_slippage",
                       "honesty.stage_optimism", "pipeline.stages")
# Diagnostics that read deal or subscription amounts, MRR or forecast amounts.
AMOUNT_DIAGNOSTICS = ("attribution.coverage", "honesty.forecast_accuracy",
                      "icp.won_vs_retained", "pipeline.feature_cohorts", "pipeline.velocity",
                      "post_sale.retention", "promises.ledger", "push_pull.mix")
# Diagnostics that read opportunities' close dates.
CLOSE_DATE_DIAGNOSTICS = ("attribution.coverage", "honesty.commit_slippage",
                          "honesty.close_date_pushes", "honesty.forecast_accuracy",
                          "honesty.positive_notes_stall", "honesty.stage_optimism",
                          "icp.drift", "pipeline.feature_cohorts", "pipeline.velocity",
                          "push_pull.compounding", "push_pull.mix", "post_sale.survival")
# Diagnostics that cut deals by source (channel, else the raw lead source).
SOURCE_DIAGNOSTICS = ("attribution.coverage", "channels.stability",
                      "icp.network_concentration")
# Diagnostics that read deals' sales motion.
MOTION_DIAGNOSTICS = ("push_pull.compounding", "push_pull.mix", "push_pull.pull_trend")
# Diagnostics whose monthly series are built on deals' created dates.
CREATED_SERIES_DIAGNOSTICS = ("channels.stability", "push_pull.activity_vs_pipeline",
                              "push_pull.compounding", "push_pull.pull_trend")


@dataclass
class Gate:
    """What the checks share during one inspection: the context (for its memoized
    execution), the stored tables present, and what earlier checks decided."""

    ctx: DiagnoseContext
    today: date
    present: frozenset[str]
    issues: list[DataQualityIssue] = field(default_factory=list)
    views: dict[str, ir.Table] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def raw(self, name: str) -> ir.Table | None:
        """The stored table (None when absent)."""
        return self.ctx.store.table(name) if name in self.present else None

    def view(self, name: str) -> ir.Table | None:
        """The table as corrected so far (the stored one when no check changed it)."""
        return self.views.get(name) if name in self.views else self.raw(name)

    def row(self, expr: ir.Table) -> dict[str, Any]:
        """One aggregate row, missing values as None."""
        df = self.ctx.execute(expr)
        if len(df) == 0:
            return {c: None for c in df.columns}
        return {c: plain_value(df[c].iloc[0]) for c in df.columns}

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        df = self.ctx.execute(expr)
        return [{c: plain_value(v) for c, v in zip(df.columns, rec, strict=True)}
                for rec in df.itertuples(index=False, name=None)]

    def add(self, issue: DataQualityIssue) -> None:
        self.issues.append(issue)


def nonblank(col: ir.Value) -> ir.BooleanValue:
    """True where a value is present (text: not only whitespace)."""
    if col.type().is_string():
        return col.notnull() & (col.strip() != "")
    return col.notnull()


def code(col: ir.Value) -> ir.StringValue:
    """A currency code as stored: trimmed, upper-cased; blank → null."""
    return col.cast("string").strip().upper().nullif("")


def n(value: Any) -> int:
    return 0 if value is None else int(value)


def lit_date(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")
