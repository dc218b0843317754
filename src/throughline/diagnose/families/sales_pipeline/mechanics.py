"""Pipeline mechanics of a set of deals (win rate, cycle, deal size, velocity) and the
check that opportunities are usable; shared by the sales-pipeline diagnostics.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import unmeasurable
from throughline.diagnose.families.measure import metric
from throughline.diagnose.registry import DiagnoseContext

FAMILY = "pipeline"


MIN_GROUP = 5  # closed deals a group needs before it is named best or worst


MAX_FEATURES = 40


ALPHA_WORDS = 0.05


OPP_NEEDS = ("opportunities with outcome (closed, won), amount, created and close dates",
             "a channel or lead source per deal for the by-channel cut")


def deal_flags(ctx: DiagnoseContext, o: ir.Table, d1: date) -> ir.Table:
    """Per deal, what the mechanics aggregates read: id, amount, dates, channel and the
    window flags (closed / won in the 12 months to ``d1``, open at ``d1``, a usable cycle).
    Both mechanics diagnostics count from it, so it is a shared intermediate."""
    d0 = toolkit.add_months(d1, -12)
    lit1, lit0 = ibis.literal(d1, type="date"), ibis.literal(d0, type="date")
    # Closed is closed: a closed deal without a close date (one the data-fitness gate could
    # not date from its history) is placed in the window by its created date, so it counts
    # in the win rate; it has no cycle.
    when = ibis.coalesce(o.close_date, o.created_date)
    closed_in = o.is_closed.fill_null(False) & when.notnull() \
        & (when > lit0) & (when <= lit1)
    won_in = closed_in & o.is_won.fill_null(False)
    created_ok = o.created_date.isnull() | (o.created_date <= lit1)
    is_open = created_ok & (~o.is_closed.fill_null(False)
                            | (o.close_date.notnull() & (o.close_date > lit1)))
    cycle_ok = won_in & o.created_date.notnull() & o.close_date.notnull() \
        & (o.close_date >= o.created_date)
    return ctx.shared(o.select("opportunity_id", "amount", "created_date", "close_date",
                               _closed=closed_in, _won=won_in, _open=is_open,
                               _cycle_ok=cycle_ok, _channel=toolkit.deal_channel(o)))


def mech_aggs(ctx: DiagnoseContext, t: ir.Table) -> dict[str, Any]:
    won_amt = t._won & t.amount.notnull()
    return dict(
        closed=t._closed.sum(),
        won=t._won.sum(),
        won_amount_n=won_amt.sum(),
        won_amount=toolkit.fsum(t.amount, where=won_amt),
        won_amount_sq=toolkit.fsum((t.amount * t.amount), where=won_amt),
        cycle_n=t._cycle_ok.sum(),
        cycle_median=toolkit.quantile(ctx, toolkit.days_between(t.close_date, t.created_date), 0.5,
                                      where=t._cycle_ok),
        open=t._open.sum(),
        open_amount=toolkit.fsum(t.amount, where=t._open),
    )


def mechanics(row: dict[str, Any]) -> dict[str, Any]:
    """Win rate, cycle, deal size and velocity from one group's aggregates."""
    closed, won = int(row["closed"] or 0), int(row["won"] or 0)
    out: dict[str, Any] = {"closed": closed, "won": won, "open": int(row["open"] or 0),
                           "cycle_n": int(row["cycle_n"] or 0),
                           "won_amount_n": int(row["won_amount_n"] or 0)}
    out["win_rate"] = won / closed if closed else None
    out["win_rate_ci"] = stats.wilson_interval(won, closed) if closed else None
    if out["won_amount_n"]:
        mean, se = stats.mean_from_sums(out["won_amount_n"], float(row["won_amount"] or 0),
                                        float(row["won_amount_sq"] or 0))
        out["avg_deal"], out["avg_deal_se"] = mean, se
    else:
        out["avg_deal"], out["avg_deal_se"] = None, None
    cyc = row.get("cycle_median")
    out["cycle_days"] = float(cyc) if cyc is not None and out["cycle_n"] else None
    if out["win_rate"] is not None and out["avg_deal"] is not None and out["cycle_days"]:
        out["velocity"] = out["open"] * out["win_rate"] * out["avg_deal"] / out["cycle_days"]
    else:
        out["velocity"] = None
    return out


def require_closed_deals(ctx: DiagnoseContext) -> None:
    """Not measurable unless opportunities hold rows and some have a close date."""
    o = ctx.require("opportunities")
    rows, filled = toolkit.filled_counts(ctx, o, ["is_closed", "is_won", "close_date"])
    if rows == 0:
        raise unmeasurable("the opportunities table is empty", OPP_NEEDS)
    if filled.get("close_date", 0) == 0:
        raise unmeasurable("no opportunity has a close date", OPP_NEEDS)


def mech_metrics(v: dict[str, Any], suffix: str = "", label_: str | None = None) -> list:
    sfx = f"_{suffix}" if suffix else ""
    lab = f", {label_}" if label_ else ""
    ms = [metric(f"win_rate{sfx}", v["win_rate"], "ratio", v["closed"],
                 ci=v["win_rate_ci"], label=f"Win rate (won / closed){lab}"),
          metric(f"median_cycle_days{sfx}", v["cycle_days"], "days", v["cycle_n"],
                 label=f"Median sales cycle{lab}"),
          metric(f"avg_deal_size{sfx}", v["avg_deal"], "currency", v["won_amount_n"],
                 label=f"Average won deal{lab}"),
          metric(f"velocity{sfx}", v["velocity"], "currency_per_day", v["open"],
                 label=f"Pipeline velocity{lab}")]
    if not suffix:
        ms += [metric("closed_deals", v["closed"], "count"),
               metric("won_deals", v["won"], "count"),
               metric("open_deals", v["open"], "count")]
    else:
        ms += [metric(f"open_deals{sfx}", v["open"], "count", label=f"Open deals{lab}")]
    return ms
