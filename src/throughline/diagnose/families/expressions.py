"""Portable Ibis building blocks for the handoff, legibility, feedback and promises families.

Everything here builds expressions that compile for any Ibis backend (checked against the
DuckDB and PostgreSQL dialects); nothing reads rows into Python. ``one_row`` runs an
aggregate and hands back its single row as plain Python values.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose.findings import Evidence
from throughline.diagnose.registry import DiagnoseContext
from throughline.diagnose.stats import wilson_interval

UNKNOWN_LABELS = ("", "unknown", "other", "none", "n/a", "null")


def blank(col: ir.StringValue) -> ir.BooleanValue:
    """True where a text column is null or only whitespace."""
    return col.isnull() | (col.strip() == "")


def known_label(col: ir.StringValue) -> ir.BooleanValue:
    """True where a label is present and not a placeholder such as 'unknown' or 'other'."""
    return col.notnull() & ~col.strip().lower().isin(UNKNOWN_LABELS)


def norm(col: ir.StringValue) -> ir.StringValue:
    """Lower-cased, trimmed text for matching labels and ids."""
    return col.strip().lower()


def truthy(col: ir.BooleanValue) -> ir.BooleanValue:
    """A boolean column with nulls read as false."""
    return col.fill_null(False)


def days_between(later: ir.Value, earlier: ir.Value) -> ir.IntegerValue:
    """Whole days from ``earlier`` to ``later`` (date columns or date literals)."""
    return later.delta(earlier, unit="day")


def hours_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Elapsed hours between two timestamps."""
    return (later.epoch_seconds() - earlier.epoch_seconds()) / 3600.0


def date_lit(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")


def ts_lit(d: date) -> ir.TimestampScalar:
    return ibis.literal(f"{d.isoformat()} 00:00:00", type="timestamp")


def one_row(ctx: DiagnoseContext, expr: ir.Table) -> dict[str, Any]:
    """Execute an aggregate returning one row; NaN/NaT/NA become None."""
    df = ctx.execute(expr)
    if len(df) == 0:
        return {c: None for c in df.columns}
    return {c: clean(df[c].iloc[0]) for c in df.columns}


def rows(ctx: DiagnoseContext, expr: ir.Table) -> list[dict[str, Any]]:
    """Execute a small aggregate and return its rows as dicts (NaN → None)."""
    df = ctx.execute(expr)
    return [{c: clean(v) for c, v in zip(df.columns, rec)}
            for rec in df.itertuples(index=False, name=None)]


def clean(value: Any) -> Any:
    """Plain Python scalars from what a backend returns (numpy, pandas NA, NaN)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def resolve_as_of(ctx: DiagnoseContext, t: ir.Table, *columns: str) -> date | None:
    """The context's as-of date, or (outside the engine) the latest of ``columns``."""
    if ctx.options.as_of is not None:
        return ctx.options.as_of
    row = one_row(ctx, t.aggregate(**{f"m{i}": t[c].max() for i, c in enumerate(columns)}))
    found = [v.date() if hasattr(v, "date") and callable(v.date) else v
             for v in row.values() if v is not None]
    return max(found) if found else None


def minus_days(d: date, days: int) -> date:
    return d - timedelta(days=days)


def evidence(
    ctx: DiagnoseContext, table: str, expr: ir.Expr, row_count: int, filter: str | None = None
) -> Evidence:
    """An evidence record carrying the SQL the backend ran for ``expr``."""
    return Evidence(table=table, filter=filter, row_count=int(row_count), query=ctx.sql(expr))


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
    from scipy.stats import norm as _norm

    z = float(_norm.ppf(1 - (1 - confidence) / 2))
    half = z * 0.5 / math.sqrt(n)
    return (max(0.0, 0.5 - half), min(1.0, 0.5 + half))
