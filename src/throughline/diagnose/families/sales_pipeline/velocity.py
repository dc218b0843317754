"""``pipeline.velocity``: win rate, sales cycle, deal size and pipeline velocity, overall
and by channel.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import (
    count, finding, metric, money, num, pct, quote, slug)
from throughline.diagnose.families.sales_pipeline import mechanics
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import UNKNOWN, add_months, as_of, evidence, records


@diagnostic(id="pipeline.velocity", needs_text=mechanics.OPP_NEEDS)
def velocity(ctx: DiagnoseContext) -> list[Finding]:
    mechanics.require_closed_deals(ctx)
    o = ctx.require("opportunities")
    d1 = as_of(ctx)
    t = mechanics.deal_flags(ctx, o, d1)
    expr = t.aggregate(**mechanics.mech_aggs(ctx, t))
    v = mechanics.mechanics(records(ctx.execute(expr))[0])
    if v["closed"] == 0:
        raise unmeasurable("no deal closed in the 12 months before the as-of date",
                           mechanics.OPP_NEEDS[:1])
    n_rows = int(ctx.execute(o.count()))
    parts = [f"Win rate (won / closed) is {pct(v['win_rate'])} over {count(v['closed'])} deals "
             "closed in the last year"]
    if v["cycle_days"] is not None:
        parts.append(f"the median sales cycle is {num(v['cycle_days'])} days")
    if v["avg_deal"] is not None:
        parts.append(f"the average won deal {money(v['avg_deal'])}")
    if v["velocity"] is not None:
        parts.append(f"{count(v['open'])} open deals give a pipeline velocity of "
                     f"{money(v['velocity'])} per day")
    statement = "; ".join(parts) + "."
    caveats = _cycle_caveats(ctx, t, v)
    findings = [finding(
        ctx, slug="overall", title="Win rate, cycle and velocity",
        statement=statement, metrics=mechanics.mech_metrics(v), n=v["closed"],
        comparison=f"deals closed from {add_months(d1, -12).isoformat()} to {d1.isoformat()}; "
                   "open deals at as-of",
        evidence=[evidence(ctx, "opportunities", expr, n_rows,
                           "closed in the 12 months to as-of, or open at as-of")],
        caveats=caveats,
    )]
    gexpr = t.group_by(group=t._channel).aggregate(**mechanics.mech_aggs(ctx, t))
    groups = [(str(r["group"]), mechanics.mechanics(r)) for r in
              sorted(records(ctx.execute(gexpr)), key=lambda r: str(r["group"]))]
    f = _by_group(ctx, "by_channel", "channel", groups, gexpr, n_rows)
    if f is not None:
        findings.append(f)
    else:
        findings[0].caveats.append("Fewer than two known channels among closed deals: no "
                                   "cut by channel.")
    return findings


def _cycle_caveats(ctx: DiagnoseContext, t: ir.Table, v: dict[str, Any]) -> list[str]:
    """Say exactly why won deals are missing from the sales cycle: no created date, no close
    date, or closed before they were created (never one reason for another)."""
    if v["won"] == 0 or v["cycle_n"] == v["won"]:
        return []
    r = records(ctx.execute(t.aggregate(
        no_created=(t._won & t.created_date.isnull()).sum(),
        no_close=(t._won & t.close_date.isnull()).sum(),
        before=(t._won & (t.close_date < t.created_date)).sum())))[0]
    reasons = []
    for key, words in (("before", "closed before they were created"),
                       ("no_created", "have no created date"),
                       ("no_close", "have no close date")):
        k = int(r[key] or 0)
        if k:
            reasons.append(f"{count(k)} {words}")
    left = v["won"] - v["cycle_n"]
    text = (f"{count(left)} of {count(v['won'])} won deals are left out of the sales cycle: "
            + ", ".join(reasons) + ".")
    if v["cycle_days"] is None:
        text += " No won deal has a usable created-to-close span, so cycle and velocity " \
                "are unknown."
    return [text]


def _by_group(ctx: DiagnoseContext, slug_: str, dim: str,
              groups: list[tuple[str, dict[str, Any]]], expr: Any, n_rows: int,
              ) -> Finding | None:
    decided = [(g, v) for g, v in groups if v["closed"] > 0]
    if len([g for g, _ in decided if g != UNKNOWN]) < 2:
        return None
    table = [[v["won"], v["closed"] - v["won"]] for _, v in decided]
    chi2, p, _, cramer = stats.chi_square(table)
    n_total = sum(v["closed"] for _, v in decided)
    metrics = []
    for g, v in groups:
        metrics += mechanics.mech_metrics(v, slug(g), g)
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    sized = [(g, v) for g, v in decided if v["closed"] >= mechanics.MIN_GROUP and g != UNKNOWN]
    if len(sized) >= 2:
        hi = max(sized, key=lambda gv: (gv[1]["win_rate"], gv[0]))
        lo = min(sized, key=lambda gv: (gv[1]["win_rate"], gv[0]))
        verdict = "differs significantly" if p < mechanics.ALPHA_WORDS else \
            "does not differ significantly"
        statement = (f"Win rate (won / closed) by {dim} {verdict} (chi-square): highest for "
                     f"{quote(hi[0])} at {pct(hi[1]['win_rate'])} of {count(hi[1]['closed'])} "
                     f"closed deals, lowest for {quote(lo[0])} at {pct(lo[1]['win_rate'])} of "
                     f"{count(lo[1]['closed'])}.")
    else:
        statement = f"Win rate (won / closed) by {dim}: " + "; ".join(
            f"{quote(g)} {pct(v['win_rate'])} of {count(v['closed'])}" for g, v in decided) + "."
    series = [{dim: g, "win_rate": v["win_rate"],
               "low": (v["win_rate_ci"] or (None, None))[0],
               "high": (v["win_rate_ci"] or (None, None))[1],
               "closed": v["closed"], "median_cycle_days": v["cycle_days"],
               "avg_deal_size": v["avg_deal"], "open": v["open"], "velocity": v["velocity"]}
              for g, v in groups]
    return finding(
        ctx, slug=slug_, title=f"Pipeline mechanics by {dim}",
        statement=statement, metrics=metrics, n=n_total,
        severity=Severity.info,
        comparison=f"deals closed in the 12 months to as-of, grouped by {dim}",
        significance=Significance(test="chi-square test of win rate across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[evidence(ctx, "opportunities", expr, n_rows, f"grouped by {dim}")],
        caveats=[f"Deals with no recorded {dim} are grouped as 'unknown'."]
        if any(g == UNKNOWN for g, _ in groups) else [],
        series=series,
    )
