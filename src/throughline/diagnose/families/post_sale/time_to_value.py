"""``post_sale.time_to_value``: days from contract signed to first value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, num, quote, slug
from throughline.diagnose.families.post_sale.common import DIMENSION_WORDS, DIMENSIONS, MIN_GROUP
from throughline.diagnose.findings import Finding
from throughline.diagnose.registry import diagnostic

TTV_NEEDS = ("onboarding dates per account (contract signed, first value reached)",
             "won opportunities and accounts to segment it by channel, segment, persona and "
             "motion")


def _ttv_aggs(ctx: DiagnoseContext, t: ir.Table, d1: date) -> dict[str, Any]:
    lit = ibis.literal(d1, type="date")
    reached = t.first_value_at.notnull() & (t.first_value_at <= lit)
    days = toolkit.days_between(t.first_value_at, t.signed_at)
    return dict(
        accounts=t.count(),
        reached=reached.sum(),
        median_days=toolkit.quantile(ctx, days, 0.5, where=reached),
        p25_days=toolkit.quantile(ctx, days, 0.25, where=reached),
        p75_days=toolkit.quantile(ctx, days, 0.75, where=reached),
    )


@diagnostic(id="post_sale.time_to_value", needs_text=TTV_NEEDS)
def time_to_value(ctx: DiagnoseContext) -> list[Finding]:
    t = ctx.require("time_to_value")
    d1 = toolkit.as_of(ctx)
    toolkit.require_filled(ctx, t, ["signed_at"], "no account has a signed date", TTV_NEEDS)
    base = t.filter(t.signed_at.notnull() & (t.signed_at <= ibis.literal(d1, type="date"))
                    & (t.first_value_at.isnull() | (t.first_value_at >= t.signed_at)))
    expr = base.aggregate(**_ttv_aggs(ctx, base, d1))
    r = toolkit.records(ctx.execute(expr))[0]
    accounts, reached = int(r["accounts"] or 0), int(r["reached"] or 0)
    if reached == 0:
        raise unmeasurable("no account has reached first value by the as-of date",
                           ["first-value dates (the milestone each customer reached)"])
    censored = accounts - reached
    med = float(r["median_days"])
    statement = (f"Median time-to-value is {num(med)} days across {count(reached)} accounts "
                 f"that reached first value; {count(censored)} more have not reached it yet "
                 "(censored).")
    findings = [finding(
        ctx, slug="overall", title="Time to value",
        statement=statement, n=reached,
        metrics=[metric("median_ttv_days", med, "days", reached, r["p25_days"], r["p75_days"]),
                 metric("reached", reached, "count"), metric("censored", censored, "count"),
                 metric("reached_share", reached / accounts, "ratio", accounts,
                        ci=stats.wilson_interval(reached, accounts))],
        comparison="signed → first value; the interval shown is the interquartile range",
        evidence=[toolkit.evidence(ctx, "time_to_value", expr, accounts,
                                   f"signed on or before {d1.isoformat()}")],
        caveats=["The median covers accounts that reached first value; the censored ones "
                 "would only lengthen it."] if censored else [],
    )]
    profile = toolkit.account_profile(ctx)
    if profile is None:
        return findings
    j = toolkit.attach_profile(base, profile)
    dims = [d for d in DIMENSIONS if d in profile.columns]
    if not dims:
        return findings
    long = toolkit.by_dimensions(j, {d: j[f"by_{d}"] for d in dims})
    gexpr = long.group_by("dim", "group").aggregate(**_ttv_aggs(ctx, long, d1))
    per_dim = toolkit.split_by_dimension(toolkit.records(ctx.execute(gexpr)))
    for dim in dims:
        groups = [g for g in per_dim.get(dim, []) if int(g["reached"] or 0) > 0]
        if len([g for g in groups if g["group"] != toolkit.UNKNOWN]) < 2:
            continue
        words = DIMENSION_WORDS[dim]
        sized = [g for g in groups
                 if int(g["reached"]) >= MIN_GROUP and g["group"] != toolkit.UNKNOWN]
        pool = sized if len(sized) >= 2 else groups
        slow = max(pool, key=lambda g: (float(g["median_days"]), str(g["group"])))
        fast = min(pool, key=lambda g: (float(g["median_days"]), str(g["group"])))
        n_total = sum(int(g["reached"]) for g in groups)
        findings.append(finding(
            ctx, slug=f"by_{dim}",
            title=f"Time to value by {words}",
            statement=(f"By {words}, median time-to-value is longest for {quote(slow['group'])} "
                       f"at {num(float(slow['median_days']))} days and shortest for "
                       f"{quote(fast['group'])} at {num(float(fast['median_days']))} days."),
            n=n_total,
            metrics=[metric(f"median_ttv_days_{slug(g['group'])}", float(g["median_days"]),
                            "days", int(g["reached"]), g["p25_days"], g["p75_days"],
                            label=f"Median time to value, {g['group']}") for g in groups]
            + [metric(f"censored_{slug(g['group'])}", int(g["accounts"]) - int(g["reached"]),
                      "count") for g in groups],
            comparison=f"median days signed → first value, by the account's {words}",
            evidence=[toolkit.evidence(ctx, "time_to_value", gexpr, n_total,
                                       f"grouped by {words} (rows with dim = '{dim}')")],
            series=[{dim: g["group"], "median": float(g["median_days"]),
                     "low": g["p25_days"], "high": g["p75_days"], "n": int(g["reached"])}
                    for g in groups],
        ))
    return findings
