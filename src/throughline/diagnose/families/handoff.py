"""Handoff velocity and inventory: how fast a decision becomes something sales can sell.

Diagnostics
-----------
``handoff.stage_times``
    Median days decided → spec-ready, spec-ready → shipped and shipped → enablement-ready
    (features with both dates, negative spans excluded and counted), each with an
    approximate 95% order-statistic interval. Then *deciding vs building*: per feature
    with all three dates, the log ratio ln((decided→spec + 1) / (spec→shipped + 1)) (+1
    day because dates are whole days and spans can be 0). Its mean is the log of the
    geometric-mean ratio R; a one-sided t interval gives R_low.
    **Signal** ``slow_decided_to_spec`` = max(0, 1 − 1/R_low): 0 unless deciding is
    significantly slower than building (R_low > 1); 0.5 when it is at least twice as slow
    at the lower bound, 0.75 at four times.

``handoff.inventory``
    Features shipped at least ``inventory_days`` (N) before the as-of date. A feature is
    *sold in time* if enablement was ready within N days of shipping, or — when no
    enablement date is recorded — it has a named sales play. The rest accumulated as
    inventory. Also counted: features that still have neither (``stuck``) and their age.
    **Signal** ``inventory_accumulation`` = one-sided 95% Wilson lower bound of the share
    not sold in time (the share we are 95% sure is at least this high).

``handoff.feature_pipeline_divergence``
    Two consecutive half-years (182 days each) ending at the as-of date. Feature velocity
    growth G_f = features shipped (recent) / (prior); conversion growth G_c = win rate
    (won / closed by close date) recent / prior. Divergence R = G_f / G_c — growth is
    measured as a factor because a flat series has a growth *rate* of zero. Delta-method
    variance of ln R = 1/F₁ + 1/F₂ (Poisson counts) + Σ (1/won − 1/closed) (binomial
    rates); R_low = exp(ln R − 1.645·se). **Signal** ``feature_pipeline_divergence`` =
    max(0, 1 − 1/R_low): exactly 0.5 at the seed's 2× imbalance, at the lower bound.

Pipeline velocity by feature cohort is left to the pipeline family.
"""

from __future__ import annotations

import math
from datetime import timedelta

import ibis.expr.types as ir
from scipy import stats as _st

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, counted, days, finding, metric, num, pct
from throughline.diagnose.findings import Finding, Metric, Severity, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "handoff"
WINDOW_DAYS = 182  # one half-year: enough closed deals per window for a win rate
STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("decided_to_spec", "decided_at", "spec_ready_at", "decided → spec-ready"),
    ("spec_to_shipped", "spec_ready_at", "shipped_at", "spec-ready → shipped"),
    ("shipped_to_enablement", "shipped_at", "enablement_ready_at",
     "shipped → enablement-ready"),
)
FEATURE_NEEDS = ("a features export (product delivery log) with decided, spec-ready, "
                 "shipped and enablement-ready dates and the sales play of each feature",)
DIVERGENCE_NEEDS = FEATURE_NEEDS + ("closed opportunities with close dates over the last year",)


def _severity(signal: float) -> Severity:
    return Severity.problem if signal >= 0.5 else Severity.watch if signal > 0 else Severity.info


@diagnostic(id="handoff.stage_times", needs_text=FEATURE_NEEDS)
def stage_times(ctx: DiagnoseContext) -> list[Finding]:
    f = ctx.require("features")
    medians: list[Metric] = []
    parts: list[str] = []
    caveats: list[str] = []
    evidences = []
    total = 0
    for key, start, end, words in STAGES:
        both = f.filter(f[start].notnull() & f[end].notnull())
        spans = both.mutate(_d=toolkit.days_between(both[end], both[start]))
        negative = toolkit.as_int(
            toolkit.one_row(ctx, spans.aggregate(k=(spans._d < 0).sum()))["k"])
        valid = spans.filter(spans._d >= 0)
        med, lo, hi, n = toolkit.median_interval(ctx, valid, "_d")
        if n == 0:
            continue
        total = max(total, n)
        m = metric(f"median_{key}_days", med, "days", n=n, low=lo, high=hi,
                   label=f"Median days {words}")
        medians.append(m)
        parts.append(f"{words} {days(med or 0.0)} (n = {count(n)})")
        if negative:
            medians.append(metric(f"negative_{key}", negative, "count",
                                  label=f"Features with {words} before it started"))
            caveats.append(f"{negative} feature(s) have {words} dates in the wrong order; "
                           "they were left out of that median.")
        evidences.append(toolkit.evidence(ctx, "features", valid.aggregate(m=valid._d.median()), n,
                                          f"{start} and {end} present, {end} ≥ {start}"))
    if not medians:
        raise unmeasurable("no feature has two consecutive handoff dates", FEATURE_NEEDS)
    out = [finding(
        ctx, slug="medians",
        title="How long each handoff takes",
        statement="Median days per handoff: " + "; ".join(parts) + ".",
        metrics=medians, n=total, evidence=evidences, caveats=caveats,
        comparison="features with both dates of each handoff",
    )]
    out.extend(_deciding_vs_building(ctx, f))
    return out


def _deciding_vs_building(ctx: DiagnoseContext, f: ir.Table) -> list[Finding]:
    full = f.filter(f.decided_at.notnull() & f.spec_ready_at.notnull() & f.shipped_at.notnull())
    full = full.mutate(_a=toolkit.days_between(full.spec_ready_at, full.decided_at),
                       _b=toolkit.days_between(full.shipped_at, full.spec_ready_at))
    full = full.filter((full._a >= 0) & (full._b >= 0))
    full = full.mutate(_lr=((full._a + 1).cast("float64") / (full._b + 1)).ln())
    expr = full.aggregate(n=full.count(), mean=full._lr.mean(), sd=full._lr.std(),
                          slower=(full._a > full._b).sum())
    row = toolkit.one_row(ctx, expr)
    n = toolkit.as_int(row["n"])
    if n < 2 or row["mean"] is None or row["sd"] is None:
        return []
    mean, sd = float(row["mean"]), float(row["sd"])
    ratio = math.exp(mean)
    ratio_low = stats.ratio_lower_bound(mean, sd, n)
    signal = stats.ratio_strength(ratio_low)
    if sd > 0:
        t = mean / (sd / math.sqrt(n))
        p = float(_st.t.sf(t, n - 1))
    else:
        t, p = (math.inf if mean > 0 else -math.inf if mean < 0 else 0.0), (
            0.0 if mean > 0 else 1.0)
    slower = toolkit.as_int(row["slower"])
    metrics = [
        metric("decide_build_ratio", ratio, "statistic", n=n,
               label="Geometric-mean ratio decided→spec / spec→shipped"),
        metric("decide_build_ratio_low", ratio_low, "statistic", n=n,
               label="One-sided 95% lower bound of that ratio"),
        metric("features_deciding_slower", slower, "count", n=n,
               label="Features where deciding took longer than building"),
        metric("features_compared", n, "count"),
    ]
    statement = (f"Deciding took {num(ratio)} times as long as building (geometric mean of "
                 f"decided → spec-ready over spec-ready → shipped, lower bound "
                 f"{num(ratio_low)}); it was the longer step for {count(slower)} of "
                 f"{count(n)} features.")
    return [finding(
        ctx, slug="deciding_vs_building",
        title="Deciding vs building: where the lead time goes",
        statement=statement, metrics=metrics, n=n, severity=_severity(signal),
        comparison="per feature: days decided → spec-ready vs days spec-ready → shipped",
        significance=Significance(
            test="one-sample t on paired log ratios (one-sided, ratio > 1)",
            statistic=t if math.isfinite(t) else None, p_value=p, n=n,
            effect_size=ratio, effect_measure="geometric-mean ratio"),
        evidence=[toolkit.evidence(ctx, "features", expr, n,
                                   "decided, spec-ready and shipped dates present and in order")],
        caveats=["One day is added to both spans before taking the ratio (dates are whole "
                 "days and a span can be zero)."],
        signals={"slow_decided_to_spec": signal},
    )]


@diagnostic(id="handoff.inventory", needs_text=FEATURE_NEEDS)
def inventory(ctx: DiagnoseContext) -> list[Finding]:
    f = ctx.require("features")
    today = toolkit.as_of(ctx)
    n_days = int(ctx.options.inventory_days)
    cut = today - timedelta(days=n_days)
    shipped = f.filter(f.shipped_at.notnull() & (f.shipped_at <= toolkit.date_lit(cut)))
    enab = shipped.enablement_ready_at
    enabled_now = enab.notnull() & (enab <= toolkit.date_lit(today))
    has_play = ~toolkit.blank(shipped.sales_play)
    in_time = (enab.notnull() & (toolkit.days_between(enab, shipped.shipped_at) <= n_days)
               & enabled_now) | (enab.isnull() & has_play)
    stuck = ~enabled_now & ~has_play
    age = toolkit.days_between(toolkit.date_lit(today), shipped.shipped_at)
    expr = shipped.aggregate(n=shipped.count(), late=(~toolkit.truthy(in_time)).sum(),
                             stuck=toolkit.truthy(stuck).sum(),
                             stuck_age=age.median(where=toolkit.truthy(stuck)))
    row = toolkit.one_row(ctx, expr)
    n = toolkit.as_int(row["n"])
    if n == 0:
        raise unmeasurable(f"no feature shipped {n_days} or more days before the "
                           "as-of date", FEATURE_NEEDS)
    late, stuck_n = toolkit.as_int(row["late"]), toolkit.as_int(row["stuck"])
    share, lo, hi = toolkit.share_interval(late, n)
    signal = stats.wilson_lower(late, n)
    oldest = shipped.filter(toolkit.truthy(stuck)).mutate(age_days=age).order_by(
        [shipped.shipped_at, shipped.feature_id]).limit(10).select(
        "feature_id", "name", "age_days")
    series = toolkit.rows(ctx, oldest) if stuck_n else []
    metrics = [
        metric("features_not_sold_in_time", late, "count", n=n,
               label=f"Shipped features without a play within {n_days} days"),
        metric("features_eligible", n, "count",
               label=f"Features shipped {n_days}+ days before the as-of date"),
        metric("share_not_sold_in_time", share, "ratio", n=n, low=lo, high=hi),
        metric("inventory_days", n_days, "days"),
        metric("features_still_without_play", stuck_n, "count", n=n),
    ]
    text = (f"{count(late)} of {counted(n, 'feature')} shipped at least {days(n_days)} ago "
            f"({pct(share or 0.0)}) had no sales play or enablement within "
            f"{days(n_days)}; {count(stuck_n)} still lack one")
    if stuck_n and row["stuck_age"] is not None:
        metrics.append(metric("median_age_without_play_days", row["stuck_age"], "days",
                              n=stuck_n))
        text += f", a median of {days(float(row['stuck_age']))} after shipping"
    return [finding(
        ctx, slug="unsold",
        title="Shipped features waiting for a sales play",
        statement=text + ".", metrics=metrics, n=n, severity=_severity(signal),
        comparison=f"enablement-ready date (or a named sales play) vs shipped + {n_days} days",
        significance=Significance(test="Wilson score interval", interval=(lo or 0.0, hi or 1.0),
                                  n=n),
        evidence=[toolkit.evidence(ctx, "features", expr, n,
                                   f"shipped_at ≤ as-of − {n_days} days")],
        caveats=["A feature with a named sales play but no enablement date counts as sold "
                 "in time (the date is unknown)."],
        signals={"inventory_accumulation": signal},
        series=series or None,
    )]


@diagnostic(id="handoff.feature_pipeline_divergence", needs_text=DIVERGENCE_NEEDS)
def feature_pipeline_divergence(ctx: DiagnoseContext) -> list[Finding]:
    f = ctx.require("features")
    o = ctx.require("opportunities")
    title = ctx.declared.title  # the declared title
    today = toolkit.as_of(ctx)
    mid = today - timedelta(days=WINDOW_DAYS)
    start = mid - timedelta(days=WINDOW_DAYS)
    t_end, t_mid, t_start = toolkit.date_lit(today), toolkit.date_lit(mid), toolkit.date_lit(start)

    def recent(col: ir.Value) -> ir.BooleanValue:
        return (col > t_mid) & (col <= t_end)

    def prior(col: ir.Value) -> ir.BooleanValue:
        return (col > t_start) & (col <= t_mid)

    f_expr = f.aggregate(f1=prior(f.shipped_at).sum(), f2=recent(f.shipped_at).sum())
    closed = o.filter(toolkit.truthy(o.is_closed) & o.close_date.notnull())
    won = toolkit.truthy(closed.is_won)
    o_expr = closed.aggregate(c1=prior(closed.close_date).sum(),
                              w1=(prior(closed.close_date) & won).sum(),
                              c2=recent(closed.close_date).sum(),
                              w2=(recent(closed.close_date) & won).sum())
    fr, orow = toolkit.one_row(ctx, f_expr), toolkit.one_row(ctx, o_expr)
    f1, f2 = toolkit.as_int(fr["f1"]), toolkit.as_int(fr["f2"])
    c1, w1, c2, w2 = (toolkit.as_int(orow[k]) for k in ("c1", "w1", "c2", "w2"))
    if min(f1, f2, w1, w2) == 0:
        raise unmeasurable("each of the last two half-years needs at least one shipped feature "
                           "and one won deal",
                           ("features with shipped dates and closed opportunities with close "
                            "dates covering the 12 months before the as-of date",))
    g_f = f2 / f1
    r1, r2 = w1 / c1, w2 / c2
    g_c = r2 / r1
    ratio = g_f / g_c
    se = math.sqrt(1 / f1 + 1 / f2 + (1 / w1 - 1 / c1) + (1 / w2 - 1 / c2))
    z = math.log(ratio) / se if se > 0 else 0.0
    p = float(_st.norm.sf(z))
    ratio_low = math.exp(math.log(ratio) - float(_st.norm.ppf(0.95)) * se)
    signal = stats.ratio_strength(ratio_low)
    metrics = [
        metric("features_shipped_prior", f1, "count"),
        metric("features_shipped_recent", f2, "count"),
        metric("win_rate_prior", r1, "ratio", n=c1),
        metric("win_rate_recent", r2, "ratio", n=c2),
        metric("feature_growth", g_f, "statistic", label="Features shipped, recent / prior"),
        metric("conversion_growth", g_c, "statistic", label="Win rate, recent / prior"),
        metric("divergence", ratio, "statistic", label="Feature growth / conversion growth"),
        metric("divergence_low", ratio_low, "statistic",
               label="One-sided 95% lower bound of the divergence"),
    ]
    statement = (f"Features shipped went from {count(f1)} to {count(f2)} between the last two "
                 f"half-years (growth {num(g_f)}) while the win rate went from {pct(r1)} to "
                 f"{pct(r2)} (growth {num(g_c)}): feature velocity outgrew conversion "
                 f"{num(ratio)} times, lower bound {num(ratio_low)}.")
    series: list[dict[str, object]] = [
        {"window": "prior", "start": start.isoformat(), "end": mid.isoformat(),
         "features_shipped": f1, "closed": c1, "won": w1, "win_rate": r1},
        {"window": "recent", "start": mid.isoformat(), "end": today.isoformat(),
         "features_shipped": f2, "closed": c2, "won": w2, "win_rate": r2},
    ]
    return [finding(
        ctx, slug="growth_ratio", title=title,
        statement=statement, metrics=metrics, n=c1 + c2, severity=_severity(signal),
        comparison="growth of features shipped vs growth of win rate, last two half-years",
        significance=Significance(test="z on log ratio of growth factors (delta method, "
                                       "one-sided)", statistic=z, p_value=p, n=c1 + c2,
                                  effect_size=ratio, effect_measure="growth ratio"),
        evidence=[toolkit.evidence(ctx, "features", f_expr, f1 + f2, "shipped in the last year"),
                  toolkit.evidence(ctx, "opportunities", o_expr, c1 + c2,
                                   "closed with a close date in the last year")],
        caveats=["The seed's imbalance is a 2× divergence; the signal reaches 0.5 only when "
                 "the lower bound does."],
        signals={"feature_pipeline_divergence": signal},
        series=series,
    )]
