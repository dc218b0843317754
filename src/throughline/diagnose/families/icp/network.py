"""``icp.network_concentration``: wins concentrated in warm-intro and founder-network
sources.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.icp.cohorts import NETWORK_MARKERS, NETWORK_WATCH_SHARE
from throughline.diagnose.families.measure import count, finding, metric, pct
from throughline.diagnose.findings import Finding, Severity
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import as_of, evidence, filled_counts, records

NETWORK_NEEDS = ("won opportunities with their lead source or channel",)


def is_network(opps: ir.Table) -> ir.BooleanValue:
    cond = ibis.literal(False)
    for col in ("channel", "lead_source"):
        if col in opps.columns:
            text = opps[col].lower()
            for marker in NETWORK_MARKERS:
                cond = cond | text.contains(marker).fill_null(False)
    return cond


@diagnostic(id="icp.network_concentration", needs_text=NETWORK_NEEDS)
def network_concentration(ctx: DiagnoseContext) -> list[Finding]:
    title = "Network-sourced wins"
    o = ctx.require("opportunities")
    rows, filled = filled_counts(ctx, o, ["channel", "lead_source"])
    if rows == 0 or not any(filled.values()):
        raise unmeasurable("no deal records a source", NETWORK_NEEDS)
    d1 = as_of(ctx)
    won = o.filter(o.is_won.fill_null(False)
                   & (o.close_date.isnull() | (o.close_date <= ibis.literal(d1, type="date"))))
    won = won.mutate(_net=is_network(won))
    expr = won.aggregate(won=won.count(), network=won._net.sum())
    r = {k: int(v or 0) for k, v in records(ctx.execute(expr))[0].items()}
    if r["won"] == 0:
        raise unmeasurable("no won deal", NETWORK_NEEDS)
    share = r["network"] / r["won"]
    metrics = [metric("network_share", share, "ratio", r["won"],
                      ci=stats.wilson_interval(r["network"], r["won"])),
               metric("network_wins", r["network"], "count"),
               metric("wins", r["won"], "count")]
    statement = (f"{pct(share)} of {count(r['won'])} won deals came through warm introductions "
                 "or the founders' network")
    if share >= NETWORK_WATCH_SHARE:
        statement += ": the won cohort maps who trusts the founders more than who needs the " \
                     "product, so an ICP fitted to it inherits that network."
        severity = Severity.watch
    else:
        statement += "."
        severity = Severity.info
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=r["won"], severity=severity,
        comparison="won deals whose channel or lead source names a warm intro, founder, "
                   "investor or personal network; watch from 40% of wins",
        evidence=[evidence(ctx, "opportunities", expr, rows, "won deals up to as-of")],
    )]
