"""``post_sale.survival``: account survival by acquisition channel (Kaplan–Meier,
log-rank).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from throughline.diagnose import toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, pct, quote, slug
from throughline.diagnose.families.post_sale import common
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic


def survival_frame(ctx: DiagnoseContext, d1: date) -> tuple[Any, Any]:
    """Per account (an aggregate: one row each) the duration in days, whether it ended,
    and its acquisition channel. Returns (expression, DataFrame)."""
    subs = ctx.require("subscriptions")
    lit = ibis.literal(d1, type="date")
    s = subs.filter(subs.account_id.notnull() & subs.start_date.notnull() & (subs.mrr > 0)
                    & (subs.start_date <= lit))
    g = s.group_by("account_id").aggregate(
        first_start=s.start_date.min(),
        last_end=s.end_date.max(),
        still_billed=(s.end_date.isnull() | (s.end_date > lit)).any(),
    )
    g = g.mutate(
        event=~g.still_billed,
        duration=ibis.ifelse(g.still_billed, toolkit.days_between(lit, g.first_start),
                             toolkit.days_between(g.last_end, g.first_start)),
    )
    profile = toolkit.account_profile(ctx)
    if profile is not None:
        j = toolkit.attach_profile(g, profile)
        g = j.select(duration=j.duration, event=j.event, channel=j.by_channel)
    else:
        g = g.select(duration=g.duration, event=g.event, channel=ibis.literal(toolkit.UNKNOWN))
    expr = g.filter(g.duration >= 0)
    return expr, ctx.execute(expr)


def km_at(kmf: Any, t: float) -> tuple[float, float, float]:
    """Kaplan–Meier survival at time t with its (lower, upper) confidence bounds."""
    return km_curve(kmf, [t])[0]


def km_curve(kmf: Any, times: list[float]) -> list[tuple[float, float, float]]:
    """``km_at`` for several times at once: the bounds are those of the last event time at
    or before each t (1.0 before the first)."""
    import numpy as np

    s = kmf.survival_function_at_times(times).to_numpy(dtype=float)
    ci = kmf.confidence_interval_survival_function_
    at = np.searchsorted(ci.index.to_numpy(dtype=float), np.asarray(times, dtype=float),
                         side="right") - 1
    bounds = ci.to_numpy(dtype=float)
    return [(float(s[i]), 1.0, 1.0) if k < 0 else
            (float(s[i]), float(bounds[k, 0]), float(bounds[k, 1]))
            for i, k in enumerate(at)]


@diagnostic(id="post_sale.survival", needs_text=common.SUBS_NEEDS)
def survival(ctx: DiagnoseContext) -> list[Finding]:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    common.require_subscriptions(ctx)
    d1 = toolkit.as_of(ctx)
    expr, df = survival_frame(ctx, d1)
    n = len(df)
    if n == 0 or float(df["duration"].max()) < common.SURVIVAL_HORIZON_DAYS:
        raise unmeasurable("no account has been followed for 12 months yet", common.SUBS_NEEDS)
    # Rows in a fixed order: the log-rank statistic sums floats in row order, and the order
    # an engine returns rows in is arbitrary (it changes with the query plan).
    df = df.assign(duration=df["duration"].astype(float), event=df["event"].astype(bool)) \
        .sort_values(["channel", "duration", "event"], kind="stable", ignore_index=True)
    kmf = KaplanMeierFitter()
    kmf.fit(df["duration"], df["event"], label="all")
    s_all, lo_all, hi_all = km_at(kmf, common.SURVIVAL_HORIZON_DAYS)
    ev = [toolkit.evidence(ctx, "subscriptions", expr, n,
                           f"one row per account billed on or before {d1.isoformat()}")]
    events = int(df["event"].sum())
    metrics = [metric("survival_12m", s_all, "ratio", n, lo_all, hi_all),
               metric("horizon_months", 12, "months"),
               metric("accounts", n, "count"), metric("ended", events, "count")]
    counts = df.groupby("channel").size()
    groups = sorted(g for g, k in counts.items() if k >= common.MIN_GROUP)
    curves: list[dict[str, object]] = []
    horizon = int(min(float(df["duration"].max()), 2 * common.SURVIVAL_HORIZON_DAYS))
    grid = list(range(0, horizon + 1, 30))
    per: list[tuple[str, int, float, float, float]] = []
    for g in groups:
        sub = df[df["channel"] == g]
        k = KaplanMeierFitter().fit(sub["duration"], sub["event"], label=str(g))
        s, lo, hi = km_at(k, common.SURVIVAL_HORIZON_DAYS)
        per.append((str(g), len(sub), s, lo, hi))
        for t, (st, lt, ht) in zip(grid, km_curve(k, grid), strict=True):
            curves.append({"channel": str(g), "days": t, "survival": st, "low": lt, "high": ht})
    known = [p for p in per if p[0] != toolkit.UNKNOWN]
    if len(known) < 2:
        statement = (f"{pct(s_all)} of accounts are still billed 12 months after they started "
                     f"(Kaplan–Meier, {count(n)} accounts, {count(events)} ended).")
        return [finding(
            ctx, slug="overall", title="Account survival",
            statement=statement, metrics=metrics, n=n,
            comparison="Kaplan–Meier survival at 365 days; accounts still billed are censored",
            evidence=ev, caveats=["Fewer than two acquisition channels have enough accounts "
                                  "to compare survival by channel."],
        )]
    sel = df[df["channel"].isin(groups)]
    test = multivariate_logrank_test(sel["duration"], sel["channel"], sel["event"])
    p = float(test.p_value)
    stat = float(test.test_statistic)
    for g, k, s, lo, hi in per:
        metrics.append(metric(f"survival_12m_{slug(g)}", s, "ratio", k, lo, hi,
                              label=f"12-month survival, {g}"))
    metrics.append(metric("logrank_p", p, "statistic", len(sel)))
    best = max(known, key=lambda x: (x[2], x[0]))
    worst_ = min(known, key=lambda x: (x[2], x[0]))
    verdict = "differ significantly" if p < common.ALPHA_WORDS else "do not differ significantly"
    statement = (f"{pct(s_all)} of accounts survive 12 months; by acquisition channel from "
                 f"{pct(worst_[2])} ({quote(worst_[0])}, {count(worst_[1])} accounts) to "
                 f"{pct(best[2])} ({quote(best[0])}, {count(best[1])} accounts); the curves "
                 f"{verdict} (log-rank).")
    severity = Severity.info
    if p < 0.01 and best[2] - worst_[2] >= 0.1:
        severity = Severity.watch
    if p < 0.01 and best[2] - worst_[2] >= 0.25:
        severity = Severity.problem
    caveats = []
    small = [str(g) for g, k in counts.items() if k < common.MIN_GROUP]
    if small:
        caveats.append("Channels with too few accounts for a curve are left out of the test: "
                       + ", ".join(sorted(small)) + ".")
    return [finding(
        ctx, slug="by_channel",
        title="Account survival by acquisition channel", statement=statement,
        metrics=metrics, n=n, severity=severity,
        comparison="Kaplan–Meier survival at 365 days by the channel of the first won deal",
        significance=Significance(test="multivariate log-rank", statistic=stat, p_value=p,
                                  n=len(sel)),
        evidence=ev, caveats=caveats, series=curves,
    )]
