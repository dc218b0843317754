"""``pipeline.feature_cohorts``: pipeline mechanics of the deals that involved each
feature.
"""

from __future__ import annotations

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, pct, quote, slug
from throughline.diagnose.families.sales_pipeline import mechanics
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import as_of, evidence, label, records

FEATURE_NEEDS = ("links between deals and the features they involved "
                 "(opportunity_features: opportunity id, feature id)",) + mechanics.OPP_NEEDS[:1]


@diagnostic(id="pipeline.feature_cohorts", needs_text=FEATURE_NEEDS)
def feature_cohorts(ctx: DiagnoseContext) -> list[Finding]:
    title = ctx.declared.title  # the declared title
    mechanics.require_closed_deals(ctx)
    o = ctx.require("opportunities")
    links = ctx.require("opportunity_features")
    n_links = int(ctx.execute(links.count()))
    if n_links == 0:
        raise unmeasurable("no deal is linked to a feature", FEATURE_NEEDS)
    d1 = as_of(ctx)
    t = mechanics.deal_flags(ctx, o, d1)
    aggs = mechanics.mech_aggs(ctx, t)
    overall = mechanics.mechanics(records(ctx.execute(t.aggregate(**aggs)))[0])
    lk = links.select(_oid=links.opportunity_id, feature=label(links.feature_id)).distinct()
    # Only what the aggregates read crosses the join.
    tj = t.drop("_channel")
    j = lk.join(tj, lk._oid == tj.opportunity_id)
    names = ctx.table("features")
    expr = j.group_by("feature").aggregate(**mechanics.mech_aggs(ctx, j))
    rows = records(ctx.execute(expr))
    feature_names: dict[str, str] = {}
    if names is not None:
        nexpr = names.select(feature=label(names.feature_id), name=names.name)
        feature_names = {str(r["feature"]): str(r["name"]) for r in records(ctx.execute(nexpr))
                         if r["name"] is not None}
    cohorts = [(str(r["feature"]), mechanics.mechanics(r)) for r in rows]
    cohorts = [c for c in cohorts if c[1]["closed"] > 0]
    if not cohorts:
        raise unmeasurable("no deal linked to a feature closed in the 12 months "
                           "before the as-of date", FEATURE_NEEDS)
    cohorts.sort(key=lambda c: (-c[1]["closed"], c[0]))
    cohorts = cohorts[:mechanics.MAX_FEATURES]
    metrics, series, tests = [], [], []
    for fid, v in cohorts:
        rest_closed = overall["closed"] - v["closed"]
        rest_won = overall["won"] - v["won"]
        z, p = stats.two_proportion_test(v["won"], v["closed"], rest_won, rest_closed)
        name = feature_names.get(fid, fid)
        tests.append((fid, name, v, p, rest_won / rest_closed if rest_closed else None))
        if v["closed"] >= mechanics.MIN_GROUP:
            metrics += mechanics.mech_metrics(v, slug(fid), name)
        series.append({"feature": fid, "name": name, "win_rate": v["win_rate"],
                       "low": v["win_rate_ci"][0], "high": v["win_rate_ci"][1],
                       "closed": v["closed"], "median_cycle_days": v["cycle_days"],
                       "avg_deal_size": v["avg_deal"], "velocity": v["velocity"],
                       "p_value": p})
    metrics += [metric("win_rate_all", overall["win_rate"], "ratio", overall["closed"]),
                metric("feature_cohorts", len(cohorts), "count")]
    sized = [x for x in tests if x[2]["closed"] >= mechanics.MIN_GROUP]
    n_total = sum(v["closed"] for _, v in cohorts)
    if sized:
        hi = max(sized, key=lambda x: (x[2]["win_rate"], x[0]))
        lo = min(sized, key=lambda x: (x[2]["win_rate"], x[0]))
        statement = (f"Across {count(len(cohorts))} feature cohorts, deals involving "
                     f"{quote(hi[1])} win {pct(hi[2]['win_rate'])} of "
                     f"{count(hi[2]['closed'])} closed and those involving {quote(lo[1])} "
                     f"{pct(lo[2]['win_rate'])} of {count(lo[2]['closed'])}, against "
                     f"{pct(overall['win_rate'])} for all closed deals.")
        significance = Significance(test="two-proportion z-test, weakest cohort vs other "
                                    "closed deals", p_value=lo[3], n=lo[2]["closed"])
        severity = Severity.watch if lo[3] < 0.01 and lo[4] is not None and \
            lo[2]["win_rate"] < lo[4] else Severity.info
    else:
        statement = (f"{count(len(cohorts))} feature cohorts have closed deals, none with "
                     "enough to compare win rates.")
        significance = None
        severity = Severity.info
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_total, severity=severity, significance=significance,
        comparison="each feature cohort against the other deals closed in the 12 months to "
                   "as-of",
        evidence=[evidence(ctx, "opportunity_features", expr, n_links,
                           "deals linked to features, closed in the window or open")],
        caveats=["A deal linked to several features is counted in each cohort."],
        series=series,
    )]
