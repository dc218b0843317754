"""Ibis expression pieces shared by the diagnostic families.

Everything here builds expressions that the engine runs (DuckDB by default, any Ibis
backend otherwise); nothing pulls rows. Only portable operations are used — ``truncate``,
``delta``, ``sum(where=...)``, window functions — so the same code compiles for Postgres,
Snowflake or Trino.

Definitions used across families:

* **label** — a categorical value trimmed and lower-cased; blank or null becomes
  ``"unknown"``.
* **channel** of a deal — its ``channel``, else its raw ``lead_source``, as a label. A
  catch-all channel (``other``, ``misc``: what a profile writes for a label it does not
  know) gives way to the raw label, so an unmapped source ("G2 Review") is its own channel
  ("g2 review"), never "no known source". ``unknown`` (blank or an explicit unknown label)
  is kept: the raw label behind it carries no source either.
* **unattributed** — a deal whose channel (as above) is blank, ``unknown`` or a placeholder
  of the same meaning (``UNATTRIBUTED``); a catch-all counts only when no raw label says
  more.
* **acquisition channel / motion / persona** of an account — those of its first won
  opportunity (earliest close date, then created date, then id).
* **MRR at a date d** — sum of ``subscriptions.mrr`` with start_date ≤ d < end_date
  (a null end date is open-ended).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose.findings import Evidence
from throughline.diagnose.registry import DiagnoseContext

UNKNOWN = "unknown"
# Source labels that carry no attribution (compared after ``label``).
UNATTRIBUTED = ("unknown", "other", "others", "none", "n/a", "na", "null", "-", "--", "?",
                "not set", "(not set)", "(none)", "unattributed", "undefined", "blank",
                "misc", "miscellaneous")

# Channels a profile writes for labels it cannot map; the raw lead source says more.
CATCH_ALL = ("other", "others", "misc", "miscellaneous")

ACCOUNT_ATTRIBUTES = ("segment", "industry", "size_band", "region")
DEAL_ATTRIBUTES = ("persona", "channel", "motion")


# -- values ----------------------------------------------------------------------------


def label(col: ir.Value) -> ir.StringValue:
    """Trimmed, lower-cased text; blank or null → ``'unknown'``."""
    return col.cast("string").strip().lower().nullif("").fill_null(UNKNOWN)


def clean(col: ir.Value) -> ir.StringValue:
    """Trimmed, lower-cased text; blank → null (so ``coalesce`` can fall back)."""
    return col.cast("string").strip().lower().nullif("")


def deal_channel(opps: ir.Table) -> ir.StringValue:
    """The deal's channel label, falling back to the raw lead source when the channel is
    blank or a catch-all (``CATCH_ALL``)."""
    parts = [clean(opps[c]) for c in ("channel", "lead_source") if c in opps.columns]
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


def days_between(later: ir.Value, earlier: ir.Value) -> ir.IntegerValue:
    """Whole days from ``earlier`` to ``later`` (dates)."""
    return later.delta(earlier, unit="day")


def elapsed_days(later: ir.Value, earlier: ir.Value) -> ir.FloatingValue:
    """Fractional days between two timestamps (epoch seconds difference / 86 400)."""
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64") / 86400.0


def month(col: ir.Value) -> ir.Value:
    """First day of the month of a date or timestamp."""
    return col.cast("date").truncate("M")


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


# -- dates (Python constants fed to expressions) -------------------------------------------


def as_of(ctx: DiagnoseContext) -> date:
    """The as-of date: the user's, else the latest event date in the store (cached)."""
    if ctx.options.as_of is not None:
        return ctx.options.as_of
    if ctx._as_of is None:
        from throughline.diagnose.run import resolve_as_of

        ctx._as_of = resolve_as_of(ctx.store)
    return ctx._as_of


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later (or earlier), clamped to the month's last day."""
    total = d.year * 12 + (d.month - 1) + months
    year, mon = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, mon + 1)[1])
    return date(year, mon + 1, day)


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def first_incomplete_month(as_of_date: date) -> date:
    """The first month not fully observed by ``as_of`` (its month, unless as-of is its last day)."""
    return first_of_month(as_of_date + timedelta(days=1))


def complete_months(as_of_date: date, months: int) -> tuple[date, date]:
    """[start, end) covering the last ``months`` complete months before ``as_of``."""
    end = first_incomplete_month(as_of_date)
    return add_months(end, -months), end


def month_index(d: date, origin: date) -> int:
    return (d.year - origin.year) * 12 + d.month - origin.month


def to_date(value: Any) -> date | None:
    """A value the engine returned (Timestamp, datetime, date, str) as a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


# -- revenue ----------------------------------------------------------------------------


def active_on(subs: ir.Table, d: date) -> ir.BooleanValue:
    """Subscription line billed on day d: start_date ≤ d < coalesce(end_date, ∞)."""
    lit = ibis.literal(d, type="date")
    return (subs.start_date <= lit) & (subs.end_date.isnull() | (subs.end_date > lit))


def mrr_at(subs: ir.Table, d: date) -> ir.FloatingValue:
    """Aggregate: MRR at day d (use inside ``group_by(...).aggregate``); 0 when none."""
    return fsum(subs.mrr, where=active_on(subs, d)).fill_null(0.0)


# -- accounts ---------------------------------------------------------------------------


def first_won(opps: ir.Table) -> ir.Table:
    """One row per account: its first won opportunity, with channel/motion/persona/segment."""
    won = opps.filter(opps.is_won.fill_null(False) & opps.account_id.notnull())
    won = won.mutate(
        _channel=deal_channel(won),
        _motion=label(won.motion) if "motion" in won.columns else ibis.literal(UNKNOWN),
        _persona=label(won.persona) if "persona" in won.columns else ibis.literal(UNKNOWN),
        _segment=clean(won.segment) if "segment" in won.columns else ibis.null("string"),
    )
    w = ibis.window(group_by=won.account_id,
                    order_by=[won.close_date.asc(nulls_first=False), won.created_date,
                              won.opportunity_id])
    ranked = won.mutate(_rn=ibis.row_number().over(w))
    first = ranked.filter(ranked._rn == 0)
    return first.select(
        account_id=first.account_id,
        channel=first._channel,
        motion=first._motion,
        persona=first._persona,
        deal_segment=first._segment,
        won_date=first.close_date,
        won_amount=first.amount,
    )


def account_profile(ctx: DiagnoseContext) -> ir.Table | None:
    """Per account: segment, industry, size_band, region (accounts) and channel, motion,
    persona (first won deal). Segment falls back to the deal's. None without either table.

    Accounts without a won deal get ``'unknown'`` channel, motion and persona. Several
    families cut by it, so it is a shared intermediate (computed once per run).
    """
    accounts = ctx.table("accounts")
    opps = ctx.table("opportunities")
    fw = first_won(opps) if opps is not None else None
    if accounts is None and fw is None:
        return None
    if accounts is None:
        assert fw is not None
        return fw.select(
            "account_id",
            segment=fw.deal_segment.fill_null(UNKNOWN),
            channel=fw.channel, motion=fw.motion, persona=fw.persona,
            won_date=fw.won_date,
        )
    acc = accounts.select(
        "account_id",
        **{a: clean(accounts[a]) for a in ACCOUNT_ATTRIBUTES},
    )
    if fw is None:
        return acc.select(
            "account_id",
            **{a: acc[a].fill_null(UNKNOWN) for a in ACCOUNT_ATTRIBUTES},
            channel=ibis.literal(UNKNOWN), motion=ibis.literal(UNKNOWN),
            persona=ibis.literal(UNKNOWN), won_date=ibis.null("date"),
        )
    j = acc.left_join(fw, acc.account_id == fw.account_id)
    return ctx.shared(j.select(
        account_id=acc.account_id,
        segment=ibis.coalesce(j.segment, j.deal_segment, ibis.literal(UNKNOWN)),
        industry=j.industry.fill_null(UNKNOWN),
        size_band=j.size_band.fill_null(UNKNOWN),
        region=j.region.fill_null(UNKNOWN),
        channel=j.channel.fill_null(UNKNOWN),
        motion=j.motion.fill_null(UNKNOWN),
        persona=j.persona.fill_null(UNKNOWN),
        won_date=j.won_date,
    ))


def attach_profile(t: ir.Table, profile: ir.Table) -> ir.Table:
    """``t`` left-joined on account_id to the profile, whose columns arrive as ``by_<name>``
    (``'unknown'`` when the account has no profile row)."""
    cols = [c for c in profile.columns if c not in ("account_id", "won_date")]
    p = profile.select(_pid=profile.account_id, **{f"by_{c}": profile[c] for c in cols})
    j = t.left_join(p, t.account_id == p._pid)
    return j.mutate(**{f"by_{c}": j[f"by_{c}"].fill_null(UNKNOWN) for c in cols}).drop("_pid")


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


def without(t: ir.Table, *names: str) -> ir.Table:
    """``t`` without the named columns, the rest in order. Unlike ``Table.drop`` with several
    names, which Ibis compiles in set order (``EXCLUDE (b, a)`` in one process, ``(a, b)``
    in the next), the SQL is the same on every run, so the evidence is too."""
    return t.select(*[c for c in t.columns if c not in names])


# -- checks -----------------------------------------------------------------------------


def filled_counts(
    ctx: DiagnoseContext, table: ir.Table, columns: Iterable[str]
) -> tuple[int, dict[str, int]]:
    """Row count and, per column present, how many rows hold a non-blank value."""
    cols = [c for c in columns if c in table.columns]
    aggs: dict[str, Any] = {"_rows": table.count()}
    for c in cols:
        col = table[c]
        filled = col.notnull()
        if col.type().is_string():
            filled = filled & (col.strip() != "")
        aggs[c] = filled.sum().fill_null(0)
    row = ctx.execute(table.aggregate(**aggs)).iloc[0]
    return int(row["_rows"]), {c: int(row[c]) for c in cols}


def evidence(
    ctx: DiagnoseContext, table: str, expr: Any, row_count: int, filter: str | None = None
) -> Evidence:
    """Evidence for a finding: the table, the filter in words, rows used and the SQL."""
    return Evidence(table=table, filter=filter, row_count=int(row_count), query=ctx.sql(expr))


def records(df: Any) -> list[dict[str, Any]]:
    """A small engine result (a DataFrame) as plain dicts, missing values as None."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()}
            for row in df.to_dict("records")]


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v  # NaN
    import pandas as pd

    return v is pd.NaT


