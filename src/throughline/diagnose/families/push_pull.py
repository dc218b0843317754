"""Push vs pull physics: which motions bring pipeline and revenue, whether pull grows and
compounds, and whether activity grows faster than the pipeline it should create.

Motions are the schema's: outbound (push); inbound, referral, partner, product_led (pull);
'unknown' is left out of the shares. New pipeline = opportunities created; won revenue =
amount of deals won; both over the 12 months to as-of unless stated.

Signals (``gated_strength``: 0 unless p < 0.01 and the effect is positive, then
min(1, effect / reference)):

* ``pull_share_low`` — effect = 0.5 − pull share of new deals; p = one-sided exact binomial
  that the share is below one half; reference 0.4 (full strength when one deal in ten is
  pulled). Counter-signal ``healthy_pull_share`` = gated_strength(share − 0.5, 0.3,
  one-sided binomial p that it exceeds one half).
* ``pull_share_declining`` — monthly pull share over the last 24 complete months; effect =
  −(OLS slope × 12), the fall per year; p = the slope's p; reference 0.10.
* ``activity_pipeline_divergence`` — monthly activity totals and monthly new deals over the
  months both are recorded (last 24 complete); growth = OLS slope of log(1 + value) per
  month, with its SE. Effect = exp(12 × (g_activity − g_pipeline)) − 1, how much faster
  activity grows per year; p = one-sided z-test on the slope difference; reference 0.5.

``push_pull.compounding`` (no signal) regresses log(0.5 + pull deals per month) on
log(installed base), the won customers to date: an elasticity near 1 means pull grows in
proportion to the base (compounding), near 0 that it stays flat or linear.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, num, pct, pp, severity_for
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "push_pull"
PUSH_MOTIONS = ("outbound",)
PULL_MOTIONS = ("inbound", "referral", "partner", "product_led")
SYNONYMS = {"plg": "product_led", "product": "product_led", "self_serve": "product_led",
            "selfserve": "product_led", "partners": "partner", "referrals": "referral",
            "outbound_sdr": "outbound", "sdr": "outbound", "ae_sourced": "outbound"}
ALPHA = 0.01
LOW_REFERENCE = 0.4
HEALTHY_REFERENCE = 0.3
DECLINE_REFERENCE = 0.10
DIVERGENCE_REFERENCE = 0.5
TREND_MONTHS = 24
MIN_MONTHS = 6

MOTION_NEEDS = ("opportunities with a sales motion (outbound, inbound, referral, partner, "
                "product_led) and created dates",)
ACTIVITY_NEEDS = ("sales activity counts per day (emails, calls, meetings, sequence steps)",
                  "opportunities with created dates over the same months")


def motion(col: ir.Value) -> ir.StringValue:
    """The motion as a schema label ('Product-led' → 'product_led')."""
    s = toolkit.label(col).replace("-", "_").replace(" ", "_")
    # Look a value up only when it is a synonym: engines expand `CASE s WHEN ...` into one
    # evaluation of `s` per synonym, which costs on every row when pushed into a scan filter.
    return s.isin(tuple(SYNONYMS)).ifelse(s.substitute(SYNONYMS), s)




def _deals(ctx: DiagnoseContext) -> ir.Table:
    """The deals with their motion label (``_motion``) and the columns the motion
    diagnostics read. Three diagnostics count from it, so it is a shared intermediate (the
    label is worked out once per run, not once per query)."""
    o = ctx.require("opportunities")
    return ctx.shared(o.select("created_date", "close_date", "is_won", "amount",
                               _motion=motion(o.motion)))


def _require_known_motion(ctx: DiagnoseContext) -> None:
    """Not measurable unless some dated deal has a *known* motion: 'unknown' is not a
    motion, so deals that all carry it say nothing about push or pull."""
    o = ctx.require("opportunities")
    toolkit.require_filled(ctx, o, ["motion", "created_date"], "no deal records its sales motion",
                           MOTION_NEEDS)
    t = _deals(ctx)
    known = int(ctx.execute(t.filter((t._motion != toolkit.UNKNOWN) & t.created_date.notnull())
                            .count()))
    if known == 0:
        raise unmeasurable("no dated deal has a known sales motion ('unknown' is not a "
                           "motion)", MOTION_NEEDS)


@diagnostic(id="push_pull.mix", needs_text=MOTION_NEEDS)
def mix(ctx: DiagnoseContext) -> list[Finding]:
    title = "Push and pull mix"
    _require_known_motion(ctx)
    d1 = toolkit.as_of(ctx)
    d0 = toolkit.add_months(d1, -12)
    lit0, lit1 = ibis.literal(d0, type="date"), ibis.literal(d1, type="date")
    t = _deals(ctx)
    created = t.created_date.notnull() & (t.created_date > lit0) & (t.created_date <= lit1)
    won = t.is_won.fill_null(False) & t.close_date.notnull() & (t.close_date > lit0) \
        & (t.close_date <= lit1)
    expr = t.group_by(motion=t._motion).aggregate(
        deals=created.sum(), pipeline=toolkit.fsum(t.amount, where=created),
        won_revenue=toolkit.fsum(t.amount, where=won))
    rows = sorted(toolkit.records(ctx.execute(expr)), key=lambda r: str(r["motion"]))
    known = [r for r in rows if r["motion"] != toolkit.UNKNOWN]
    n = sum(int(r["deals"] or 0) for r in known)
    if n == 0:
        raise unmeasurable("no deal with a known motion was created in the last year", MOTION_NEEDS)
    pull = sum(int(r["deals"] or 0) for r in known if r["motion"] in PULL_MOTIONS)
    share = pull / n
    rev_total = sum(float(r["won_revenue"] or 0) for r in known)
    rev_pull = sum(float(r["won_revenue"] or 0) for r in known if r["motion"] in PULL_MOTIONS)
    p_low = stats.binomial_test_less(pull, n, 0.5)
    p_high = stats.binomial_test_greater(pull, n, 0.5)
    low = stats.gated_strength(0.5 - share, LOW_REFERENCE, p_low, ALPHA)
    signals = {"pull_share_low": low,
               "healthy_pull_share": stats.gated_strength(share - 0.5, HEALTHY_REFERENCE,
                                                          p_high, ALPHA)}
    metrics = [metric("pull_share_deals", share, "ratio", n, ci=stats.wilson_interval(pull, n)),
               metric("pull_deals", pull, "count"), metric("deals", n, "count")]
    statement = (f"Pull motions (inbound, referral, partner, product-led) bring {pct(share)} of "
                 f"{count(n)} new deals")
    if rev_total > 0:
        metrics.append(metric("pull_share_revenue", rev_pull / rev_total, "ratio"))
        statement += f" and {pct(rev_pull / rev_total)} of won revenue"
    statement += " in the last year."
    series = []
    for r in rows:
        deals = int(r["deals"] or 0)
        rev = float(r["won_revenue"] or 0)
        series.append({"motion": r["motion"], "deals": deals,
                       "share": deals / n if r["motion"] != toolkit.UNKNOWN else None,
                       "pipeline": float(r["pipeline"] or 0), "won_revenue": rev,
                       "revenue_share": rev / rev_total if rev_total and
                       r["motion"] != toolkit.UNKNOWN else None})
    unknown = sum(int(r["deals"] or 0) for r in rows if r["motion"] == toolkit.UNKNOWN)
    caveats = ["Deals with no recorded motion are left out of the shares."] if unknown else []
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n, severity=severity_for(low),
        comparison="share of new deals from pull motions against one half",
        significance=Significance(test="one-sided exact binomial (pull share < 0.5)",
                                  p_value=p_low, n=n, effect_size=0.5 - share,
                                  effect_measure="0.5 − pull share"),
        evidence=[toolkit.evidence(ctx, "opportunities", expr, n,
                                   f"created or won {d0.isoformat()} to {d1.isoformat()}")],
        caveats=caveats, signals=signals, series=series,
    )]


@diagnostic(id="push_pull.pull_trend", needs_text=MOTION_NEEDS)
def pull_trend(ctx: DiagnoseContext) -> list[Finding]:
    title = "Pull share trend"
    _require_known_motion(ctx)
    start, end = toolkit.complete_months(toolkit.as_of(ctx), TREND_MONTHS)
    t = _deals(ctx)
    t = t.filter(t._motion != toolkit.UNKNOWN)
    expr, rows = toolkit.monthly(ctx, t, "created_date", start, end,
                                 value=t._motion.isin(PULL_MOTIONS).ifelse(1, 0))
    if len(rows) < MIN_MONTHS:
        raise unmeasurable("fewer than six months of deals with a known motion", MOTION_NEEDS)
    series: list[dict[str, Any]] = [
        {"month": toolkit.month_key(r["month"]), "share": int(r["total"] or 0) / r["n"],
         "n": r["n"]} for r in rows]
    x = [toolkit.month_index(r["month"], rows[0]["month"]) for r in rows]
    y = [s["share"] for s in series]
    slope, se, p = stats.flat_safe_trend(x, y)
    per_year = slope * 12
    strength = stats.gated_strength(-per_year, DECLINE_REFERENCE, p, ALPHA)
    n = sum(s["n"] for s in series)
    word = "falling" if per_year < 0 else "rising"
    verdict = "beyond chance" if p < 0.05 else "within what chance allows"
    statement = (f"The pull share of new deals is {word} by {pp(abs(per_year))} a year "
                 f"({verdict}), from {pct(y[0])} in the first to {pct(y[-1])} in the last of "
                 f"{count(len(series))} months.")
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        n=n, severity=severity_for(strength),
        metrics=[metric("slope_per_year", per_year, "ratio", len(series),
                        per_year - 1.96 * 12 * se, per_year + 1.96 * 12 * se),
                 metric("change_per_year", abs(per_year), "ratio", len(series)),
                 metric("first_month_share", y[0], "ratio", series[0]["n"]),
                 metric("last_month_share", y[-1], "ratio", series[-1]["n"]),
                 metric("months", len(series), "count")],
        comparison="monthly pull share of new deals with a known motion, last 24 complete "
                   "months",
        significance=Significance(test="OLS slope of monthly share", statistic=slope,
                                  p_value=p, n=len(series), effect_size=per_year,
                                  effect_measure="change in share per year"),
        evidence=[toolkit.evidence(ctx, "opportunities", expr, n, "monthly, last 24 months")],
        signals={"pull_share_declining": strength}, series=series,
    )]


@diagnostic(id="push_pull.compounding", needs_text=MOTION_NEEDS)
def compounding(ctx: DiagnoseContext) -> list[Finding]:
    title = "Pull compounding"
    _require_known_motion(ctx)
    o = ctx.require("opportunities")
    start, end = toolkit.complete_months(toolkit.as_of(ctx), TREND_MONTHS)
    t = _deals(ctx)
    pull = t.filter(t._motion.isin(PULL_MOTIONS))
    pexpr, prow = toolkit.monthly(ctx, pull, "created_date", start, end)
    fw = toolkit.first_won(o)
    fw = fw.filter(fw.won_date.notnull() & (fw.won_date < ibis.literal(end, type="date")))
    bexpr = fw.group_by(month=fw.won_date.truncate("M")).aggregate(n=fw.count())
    base_rows = sorted(toolkit.records(ctx.execute(bexpr)), key=lambda r: str(r["month"]))
    pulls = {r["month"]: r["n"] for r in prow}
    months = []
    m = start
    while m < end:
        months.append(m)
        m = toolkit.add_months(m, 1)
    cum, installed = 0, {}
    added: dict[Any, int] = defaultdict(int)
    for r in base_rows:
        added[toolkit.to_date(r["month"])] += int(r["n"] or 0)
    first_month = min([k for k in added if k is not None] + [start])
    m = first_month
    while m < end:
        if m in months:
            installed[m] = cum  # customers won before the month started
        cum += added.get(m, 0)
        m = toolkit.add_months(m, 1)
    pts = [(installed[m], pulls.get(m, 0)) for m in months if installed.get(m, 0) > 0]
    if len(pts) < MIN_MONTHS or len({b for b, _ in pts}) < 3:
        raise unmeasurable("the customer base did not change over enough months", MOTION_NEEDS)
    xs = [math.log(b) for b, _ in pts]
    ys = [math.log(0.5 + c) for _, c in pts]
    slope, se, p = stats.flat_safe_trend(xs, ys)
    lo, hi = slope - 1.96 * se, slope + 1.96 * se
    if lo > 0.5:
        verdict = "grow with the customer base, as a compounding loop would"
    elif hi < 0.5:
        verdict = "do not grow with the customer base: pull adds linearly at best"
    else:
        verdict = "are not clearly tied to the size of the customer base"
    statement = (f"Pull-sourced deals {verdict} (elasticity {num(slope)} over "
                 f"{count(len(pts))} months, base from {count(pts[0][0])} to "
                 f"{count(pts[-1][0])} customers).")
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        n=sum(c for _, c in pts),
        metrics=[metric("elasticity", slope, "statistic", len(pts), lo, hi,
                        label="Elasticity of monthly pull deals to installed base"),
                 metric("months", len(pts), "count"),
                 metric("base_first", pts[0][0], "count"),
                 metric("base_last", pts[-1][0], "count")],
        comparison="log(0.5 + pull deals created in a month) against log(customers won "
                   "before that month)",
        significance=Significance(test="OLS slope (elasticity)", statistic=slope, p_value=p,
                                  interval=(lo, hi), n=len(pts)),
        evidence=[toolkit.evidence(ctx, "opportunities", pexpr, sum(c for _, c in pts),
                                   "pull deals per month"),
                  toolkit.evidence(ctx, "opportunities", bexpr, pts[-1][0],
                                   "new customers per month")],
        series=[{"month": toolkit.month_key(m), "installed_base": installed.get(m, 0),
                 "pull_deals": pulls.get(m, 0)} for m in months if installed.get(m, 0) > 0],
    )]


@diagnostic(id="push_pull.activity_vs_pipeline", needs_text=ACTIVITY_NEEDS)
def activity_vs_pipeline(ctx: DiagnoseContext) -> list[Finding]:
    title = "Activity against pipeline"
    a = ctx.require("activities")
    o = ctx.require("opportunities")
    rows_a = toolkit.require_filled(ctx, a, ["activity_date", "count"], "no dated activity counts",
                                    ACTIVITY_NEEDS)
    start, end = toolkit.complete_months(toolkit.as_of(ctx), TREND_MONTHS)
    aexpr, arows = toolkit.monthly(ctx, a, "activity_date", start, end, value=a["count"])
    oexpr, orows = toolkit.monthly(ctx, o, "created_date", start, end)
    acts = {r["month"]: float(r["total"] or 0) for r in arows}
    opps = {r["month"]: r["n"] for r in orows}
    if not acts:
        raise unmeasurable("no activity in the last 24 complete months", ACTIVITY_NEEDS)
    months = []
    m = min(acts)
    while m <= max(acts):
        months.append(m)
        m = toolkit.add_months(m, 1)
    if len(months) < MIN_MONTHS:
        raise unmeasurable("fewer than six months of activity", ACTIVITY_NEEDS)
    x = [toolkit.month_index(m, months[0]) for m in months]
    ya = [math.log1p(acts.get(m, 0.0)) for m in months]
    yp = [math.log1p(opps.get(m, 0)) for m in months]
    sa, sea, _ = stats.flat_safe_trend(x, ya)
    sp, sep, _ = stats.flat_safe_trend(x, yp)
    z, p = stats.slope_difference_test(sa, sea, sp, sep)
    effect = math.exp(12 * (sa - sp)) - 1
    strength = stats.gated_strength(effect, DIVERGENCE_REFERENCE, p, ALPHA)
    g_a, g_p = math.exp(12 * sa) - 1, math.exp(12 * sp) - 1
    n_acts = int(sum(acts.values()))
    n_opps = sum(opps.get(m, 0) for m in months)
    verb_a = "grew" if g_a >= 0 else "shrank"
    verb_p = "grew" if g_p >= 0 else "shrank"
    statement = (f"Over {count(len(months))} months, sales activity {verb_a} "
                 f"{pct(abs(g_a))} a year while new deals {verb_p} {pct(abs(g_p))} a year")
    if strength > 0:
        statement += ": activity is outrunning the pipeline it should create."
    else:
        statement += "."
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        n=n_opps, severity=severity_for(strength),
        metrics=[metric("activity_growth_per_year", g_a, "ratio", len(months)),
                 metric("activity_change_per_year", abs(g_a), "ratio", len(months)),
                 metric("pipeline_growth_per_year", g_p, "ratio", len(months)),
                 metric("pipeline_change_per_year", abs(g_p), "ratio", len(months)),
                 metric("divergence", effect, "ratio", len(months),
                        label="How much faster activity grows per year"),
                 metric("activities", n_acts, "count"), metric("new_deals", n_opps, "count"),
                 metric("months", len(months), "count")],
        comparison="log-linear growth of monthly activity totals against monthly new deals, "
                   "over the months the activity log covers",
        significance=Significance(test="one-sided z-test on the difference of log-growth "
                                  "slopes", statistic=z, p_value=p, n=len(months),
                                  effect_size=effect,
                                  effect_measure="exp(12 × slope difference) − 1"),
        evidence=[toolkit.evidence(ctx, "activities", aexpr, rows_a, "monthly totals"),
                  toolkit.evidence(ctx, "opportunities", oexpr, n_opps, "deals created per month")],
        signals={"activity_pipeline_divergence": strength},
        series=[{"month": toolkit.month_key(m), "activities": acts.get(m, 0.0),
                 "new_deals": opps.get(m, 0)} for m in months],
    )]
