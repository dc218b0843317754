"""Running queries and reading their small results: one row, rows, monthly counts, filled
counts, medians with intervals, shares with intervals, evidence, revenue at a date.

* **MRR at a date d** — sum of ``subscriptions.mrr`` with start_date ≤ d < end_date
  (a null end date is open-ended).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
from scipy.stats import norm as _norm

from throughline.diagnose.context import DiagnoseContext
from throughline.diagnose.findings import Evidence
from throughline.diagnose.stats import wilson_interval
from throughline.diagnose.toolkit.columns import fsum, month
from throughline.diagnose.values import as_int, plain_value, records, to_date


def one_row(ctx: DiagnoseContext, expr: ir.Table) -> dict[str, Any]:
    """Execute an aggregate returning one row; NaN/NaT/NA become None."""
    df = ctx.execute(expr)
    if len(df) == 0:
        return {c: None for c in df.columns}
    return {c: plain_value(df[c].iloc[0]) for c in df.columns}

def rows(ctx: DiagnoseContext, expr: ir.Table) -> list[dict[str, Any]]:
    """Execute a small aggregate and return its rows as dicts (NaN → None)."""
    df = ctx.execute(expr)
    return [{c: plain_value(v) for c, v in zip(df.columns, rec)}
            for rec in df.itertuples(index=False, name=None)]


def monthly(
    ctx: DiagnoseContext, t: ir.Table, date_col: str, start: date, end: date,
    key: ir.Value | None = None, value: ir.NumericValue | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Rows of ``t`` with ``date_col`` in [start, end) counted (or ``value`` summed) per
    month and optional key: (expression, rows with month as a date, key, n, total)."""
    col = t[date_col]
    lit0, lit1 = ibis.literal(start, type="date"), ibis.literal(end, type="date")
    f = t.filter(col.notnull() & (col.cast("date") >= lit0) & (col.cast("date") < lit1))
    groups: dict[str, Any] = {"month": month(f[date_col])}
    if key is not None:
        groups["key"] = key
    aggs: dict[str, Any] = {"n": f.count()}
    if value is not None:
        aggs["total"] = value.sum()
    expr = f.group_by(**groups).aggregate(**aggs)
    rows = records(ctx.execute(expr))
    for r in rows:
        r["month"] = to_date(r["month"])
        r["n"] = int(r["n"] or 0)
        if "key" in r:
            r["key"] = str(r["key"])
    rows.sort(key=lambda r: (r["month"], r.get("key", "")))
    return expr, rows

def evidence(
    ctx: DiagnoseContext, table: str, expr: Any, row_count: int, filter: str | None = None
) -> Evidence:
    """Evidence for a finding: the table, the filter in words, rows used and the SQL."""
    return Evidence(table=table, filter=filter, row_count=int(row_count), query=ctx.sql(expr))

def active_on(subs: ir.Table, d: date) -> ir.BooleanValue:
    """Subscription line billed on day d: start_date ≤ d < coalesce(end_date, ∞)."""
    lit = ibis.literal(d, type="date")
    return (subs.start_date <= lit) & (subs.end_date.isnull() | (subs.end_date > lit))

def mrr_at(subs: ir.Table, d: date) -> ir.FloatingValue:
    """Aggregate: MRR at day d (use inside ``group_by(...).aggregate``); 0 when none."""
    return fsum(subs.mrr, where=active_on(subs, d)).fill_null(0.0)


def share_interval(k: int, n: int) -> tuple[float | None, float | None, float | None]:
    """(share, 95% Wilson low, high) or Nones when n is 0."""
    if n <= 0:
        return (None, None, None)
    lo, hi = wilson_interval(k, n)
    return (k / n, lo, hi)

def median_levels(n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Quantile levels whose values bracket the median with ~``confidence`` (order-statistic
    interval, normal approximation to the binomial): 0.5 ± z·0.5/√n, clipped to [0, 1]."""
    if n <= 0:
        return (0.0, 1.0)
    z = float(_norm.ppf(1 - (1 - confidence) / 2))
    half = z * 0.5 / math.sqrt(n)
    return (max(0.0, 0.5 - half), min(1.0, 0.5 + half))

def median_interval(
    ctx: DiagnoseContext, t: ir.Table, column: str
) -> tuple[float | None, float | None, float | None, int]:
    """Median of ``t[column]`` (non-null values) with an approximate 95% order-statistic
    interval, computed in the engine: (median, low, high, n)."""
    col = t[column]
    n = as_int(one_row(ctx, t.aggregate(n=col.count()))["n"])
    if n == 0:
        return (None, None, None, 0)
    lo_q, hi_q = median_levels(n)
    row = one_row(ctx, t.aggregate(m=col.median(), lo=col.quantile(lo_q),
                                   hi=col.quantile(hi_q)))
    return (_f(row["m"]), _f(row["lo"]), _f(row["hi"]), n)

def _f(v: Any) -> float | None:
    return None if v is None else float(v)

def split_by_dimension(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of a ``by_dimensions`` aggregate per dimension, each sorted by group."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(str(r.pop("dim")), []).append(r)
    return {d: sorted(v, key=lambda r: str(r["group"])) for d, v in out.items()}
