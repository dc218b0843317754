"""Column expressions: labels, channels, blanks, day differences, exact sums, quantiles,
and cuts by several dimensions at once.

Definitions used across families:

* **label** — a categorical value trimmed and lower-cased; blank or null becomes
  ``"unknown"`` (:func:`label`); :func:`label_or_null` keeps blank as null so ``coalesce``
  can fall back.
* **channel** of a deal — its ``channel``, else its raw ``lead_source``, as a label. A
  catch-all channel (``other``, ``misc``: what a profile writes for a label it does not
  know) gives way to the raw label, so an unmapped source ("G2 Review") is its own channel
  ("g2 review"), never "no known source". ``unknown`` (blank or an explicit unknown label)
  is kept: the raw label behind it carries no source either.
* **unattributed** — a deal whose channel (as above) is blank, ``unknown`` or a placeholder
  of the same meaning (``UNATTRIBUTED``); a catch-all counts only when no raw label says
  more.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from throughline.diagnose.context import DiagnoseContext

UNKNOWN = "unknown"

# Source labels that carry no attribution (compared after ``label``).
UNATTRIBUTED = ("unknown", "other", "others", "none", "n/a", "na", "null", "-", "--", "?",
                "not set", "(not set)", "(none)", "unattributed", "undefined", "blank",
                "misc", "miscellaneous")

# Channels a profile writes for labels it cannot map; the raw lead source says more.
CATCH_ALL = ("other", "others", "misc", "miscellaneous")

ACCOUNT_ATTRIBUTES = ("segment", "industry", "size_band", "region")

DEAL_ATTRIBUTES = ("persona", "channel", "motion")


def label(col: ir.Value) -> ir.StringValue:
    """Trimmed, lower-cased text; blank or null → ``'unknown'``."""
    return col.cast("string").strip().lower().nullif("").fill_null(UNKNOWN)


def label_or_null(col: ir.Value) -> ir.StringValue:
    """Trimmed, lower-cased text; blank → null (so ``coalesce`` can fall back)."""
    return col.cast("string").strip().lower().nullif("")


def deal_channel(opps: ir.Table) -> ir.StringValue:
    """The deal's channel label, falling back to the raw lead source when the channel is
    blank or a catch-all (``CATCH_ALL``)."""
    parts = [label_or_null(opps[c]) for c in ("channel", "lead_source") if c in opps.columns]
    if not parts:
        return ibis.literal(UNKNOWN)
    if len(parts) == 1:
        return parts[0].fill_null(UNKNOWN)
    channel, source = parts
    return ibis.coalesce(channel.isin(CATCH_ALL).ifelse(ibis.coalesce(source, channel),
                                                        channel),
                         source, ibis.literal(UNKNOWN))

def is_unattributed(col: ir.StringValue) -> ir.BooleanValue:
    return col.isin(UNATTRIBUTED)


def blank(col: ir.StringValue) -> ir.BooleanValue:
    """True where a text column is null or only whitespace."""
    return col.isnull() | (col.strip() == "")

def norm(col: ir.StringValue) -> ir.StringValue:
    """Lower-cased, trimmed text for matching labels and ids."""
    return col.strip().lower()

def truthy(col: ir.BooleanValue) -> ir.BooleanValue:
    """A boolean column with nulls read as false."""
    return col.fill_null(False)


def days_between(later: ir.Value, earlier: ir.Value) -> ir.IntegerValue:
    """Whole days from ``earlier`` to ``later`` (dates)."""
    return later.delta(earlier, unit="day")

def elapsed_days(later: ir.Value, earlier: ir.Value) -> ir.FloatingValue:
    """Fractional days between two timestamps (epoch seconds difference / 86 400)."""
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64") / 86400.0


def hours_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Elapsed hours between two timestamps."""
    return (later.epoch_seconds() - earlier.epoch_seconds()) / 3600.0


def month(col: ir.Value) -> ir.Value:
    """First day of the month of a date or timestamp."""
    return col.cast("date").truncate("M")


def date_lit(d: date) -> ir.DateScalar:
    return ibis.literal(d, type="date")

def ts_lit(d: date) -> ir.TimestampScalar:
    return ibis.literal(f"{d.isoformat()} 00:00:00", type="timestamp")


def fsum(col: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Aggregate: the sum of a float column, added up exactly (as DECIMAL(38, 6)) so the
    result does not depend on the order parallel engines add rows in; null when no rows."""
    return col.cast("decimal(38, 6)").sum(where=where).cast("float64")

def fmean(col: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Aggregate: the mean of the non-null values, from ``fsum`` (order-independent)."""
    filled = col.notnull() if where is None else (col.notnull() & where)
    return fsum(col, where=filled) / col.count(where=filled).nullif(0).cast("float64")

# Backends whose Ibis compiler has no exact median / quantile; they get the approximate ones.
APPROXIMATE_QUANTILES = frozenset({"trino", "bigquery", "druid", "impala"})

def quantile(ctx: DiagnoseContext, col: ir.NumericValue, q: float,
             where: ir.BooleanValue | None = None) -> ir.NumericScalar:
    """Aggregate: the exact q-quantile (continuous), or the approximate one on backends
    listed in ``APPROXIMATE_QUANTILES``."""
    if ctx.store.backend_name in APPROXIMATE_QUANTILES:
        return col.approx_quantile(q, where=where) if q != 0.5 else \
            col.approx_median(where=where)
    return col.median(where=where) if q == 0.5 else col.quantile(q, where=where)

def without(t: ir.Table, *names: str) -> ir.Table:
    """``t`` without the named columns, the rest in order. Unlike ``Table.drop`` with several
    names, which Ibis compiles in set order (``EXCLUDE (b, a)`` in one process, ``(a, b)``
    in the next), the SQL is the same on every run, so the evidence is too."""
    return t.select(*[c for c in t.columns if c not in names])


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
