"""Portable Ibis pieces for the handoff, legibility, feedback and promises families.

``by_dimensions`` / ``split_by_dimension`` serve the post-sale and ICP families too.
Complements :mod:`throughline.diagnose.expr` (labels, channels, as-of date, day
differences, evidence), which these families also use. Everything compiles for any Ibis
backend (checked against the DuckDB and PostgreSQL dialects); nothing reads rows into
Python except ``one_row``/``rows``, which run an aggregate and return its few rows.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose.registry import DiagnoseContext
from throughline.diagnose.stats import wilson_interval

def blank(col: ir.StringValue) -> ir.BooleanValue:
    """True where a text column is null or only whitespace."""
    return col.isnull() | (col.strip() == "")


def norm(col: ir.StringValue) -> ir.StringValue:
    """Lower-cased, trimmed text for matching labels and ids."""
    return col.strip().lower()


def truthy(col: ir.BooleanValue) -> ir.BooleanValue:
    """A boolean column with nulls read as false."""
    return col.fill_null(False)


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


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 feature', '3 features' (thousands separators as the statements use)."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{int(n):,} {word}"


def by_dimensions(t: ir.Table, keys: dict[str, ir.Value]) -> ir.Table:
    """``t`` stacked once per dimension with columns ``dim`` (its name) and ``group`` (its
    value), so one ``group_by("dim", "group")`` computes every cut in a single query."""
    if len(keys) == 1:
        (d, k), = keys.items()
        return t.mutate(dim=ibis.literal(d), group=k.cast("string"))
    # Each row is repeated once per dimension by unnesting the list of dimension names (a
    # union of one copy per dimension would make the engine compute ``t`` once per copy).
    tmp = {f"_by_dim_{i}": k.cast("string") for i, k in enumerate(keys.values())}
    wide = t.mutate(**tmp).mutate(dim=ibis.array(list(keys)).unnest())
    group = ibis.cases(*[(wide.dim == d, wide[c]) for d, c in zip(keys, tmp, strict=True)])
    keep = [c for c in t.columns if c not in ("dim", "group")]
    return wide.mutate(group=group).select(*keep, "dim", "group")


def split_by_dimension(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of a ``by_dimensions`` aggregate per dimension, each sorted by group."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(str(r.pop("dim")), []).append(r)
    return {d: sorted(v, key=lambda r: str(r["group"])) for d, v in out.items()}
