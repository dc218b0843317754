"""Engineering legibility from pull requests: cycle time (pickup, review), weekly
throughput, and the step change around a change date.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, counted, finding, metric, num, pct
from throughline.diagnose.findings import Finding, Metric, Severity, Significance
from throughline.diagnose.registry import diagnostic

PR_NEEDS = ("a pull_requests export (GitHub `gh pr list --json` or the REST API) with "
            "created, first review and merged times",)
STEP_NEEDS = PR_NEEDS + ("a change date (e.g. the AI tooling rollout) given with --change-date",)


MIN_WEEKS = 3


def _merged(ctx: DiagnoseContext) -> ir.Table:
    p = ctx.require("pull_requests")
    m = p.filter(p.merged_at.notnull() & (p.merged_at >= p.created_at))
    return m.mutate(_cycle=toolkit.hours_between(m.merged_at, m.created_at))


def _hours(v: float | None) -> str:
    text = num(v or 0.0)
    return f"{text} hour" if text == "1" else f"{text} hours"


@diagnostic(id="legibility.pr_cycle_time", needs_text=PR_NEEDS)
def pr_cycle_time(ctx: DiagnoseContext) -> list[Finding]:
    m = _merged(ctx)
    med, lo, hi, n = toolkit.median_interval(ctx, m, "_cycle")
    if n == 0:
        raise unmeasurable("no merged pull request", PR_NEEDS)
    r = m.filter(m.first_review_at.notnull() & (m.first_review_at >= m.created_at)
                 & (m.first_review_at <= m.merged_at))
    r = r.mutate(_pickup=toolkit.hours_between(r.first_review_at, r.created_at),
                 _review=toolkit.hours_between(r.merged_at, r.first_review_at))
    p_med, p_lo, p_hi, n_rev = toolkit.median_interval(ctx, r, "_pickup")
    v_med, v_lo, v_hi, _ = toolkit.median_interval(ctx, r, "_review")
    summary_expr = m.aggregate(n=m.count(), median_hours=m._cycle.median())
    metrics = [metric("median_cycle_hours", med, "hours", n=n, low=lo, high=hi,
                      label="Median created → merged")]
    statement = (f"Median PR cycle time (created → merged) is {_hours(med)} over "
                 f"{counted(n, 'merged PR')}")
    evidences = [toolkit.evidence(ctx, "pull_requests", summary_expr, n,
                                  "merged_at ≥ created_at")]
    caveats: list[str] = []
    if n_rev:
        metrics += [
            metric("median_pickup_hours", p_med, "hours", n=n_rev, low=p_lo, high=p_hi,
                   label="Median created → first review"),
            metric("median_review_hours", v_med, "hours", n=n_rev, low=v_lo, high=v_hi,
                   label="Median first review → merged"),
            metric("reviewed_prs", n_rev, "count", n=n),
        ]
        statement += (f"; pickup (to first review) takes a median {_hours(p_med)} and "
                      f"review (first review to merge) {_hours(v_med)} across "
                      f"{counted(n_rev, 'reviewed PR')}")
        evidences.append(toolkit.evidence(ctx, "pull_requests",
                                          r.aggregate(pickup=r._pickup.median(),
                                                      review=r._review.median()),
                                          n_rev, "first review between created and merged"))
        caveats.append("Medians of pickup and review need not add up to the median cycle "
                       "time.")
    else:
        caveats.append("No merged PR has a first-review time, so pickup and review cannot "
                       "be split.")
    out = [finding(ctx, slug="summary",
                   title="How long a pull request takes to merge", statement=statement + ".",
                   metrics=metrics, n=n, evidence=evidences, caveats=caveats,
                   comparison="merged pull requests, created → merged")]
    out.extend(_cycle_trend(ctx, m))
    return out


def _weekly(ctx: DiagnoseContext, m: ir.Table) -> tuple[ir.Table, list[dict[str, object]]]:
    expr = m.group_by(week=m.merged_at.truncate("W")).aggregate(
        merged=m.count(), median_hours=m._cycle.median()).order_by("week")
    out = []
    for row in toolkit.rows(ctx, expr):
        week = row["week"]
        d = week.date() if hasattr(week, "date") and callable(week.date) else week
        out.append({"week": d.isoformat() if isinstance(d, date) else str(d),
                    "merged": toolkit.as_int(row["merged"]),
                    "median_hours": None if row["median_hours"] is None
                    else float(row["median_hours"])})
    return expr, out


def _week_index(series: list[dict[str, object]]) -> list[int]:
    first = date.fromisoformat(str(series[0]["week"])[:10])
    return [(date.fromisoformat(str(r["week"])[:10]) - first).days // 7 for r in series]


def _cycle_trend(ctx: DiagnoseContext, m: ir.Table) -> list[Finding]:
    expr, series = _weekly(ctx, m)
    if len(series) < MIN_WEEKS:
        return []
    x = _week_index(series)
    y = [float(r["median_hours"]) for r in series]  # type: ignore[arg-type]
    slope, _se, p = stats.flat_safe_trend(x, y)
    weeks = len(series)
    metrics = [metric("cycle_hours_slope_per_week", slope, "statistic", n=weeks,
                      label="Change in weekly median cycle time, hours per week"),
               metric("weeks_with_merges", weeks, "count")]
    significant = p < 0.05
    if significant:
        direction = "falling" if slope < 0 else "rising"
        statement = (f"Weekly median PR cycle time is {direction} by {num(abs(slope))} hours "
                     f"per week over {counted(weeks, 'week')} with merges.")
    else:
        statement = (f"Weekly median PR cycle time shows no clear trend over "
                     f"{counted(weeks, 'week')} with merges (a slope indistinguishable from "
                     "none).")
    return [finding(ctx, slug="trend",
                    title="PR cycle time trend", statement=statement, metrics=metrics,
                    n=weeks,
                    severity=Severity.watch if significant and slope > 0 else Severity.info,
                    comparison="weekly median cycle time against week number",
                    significance=Significance(test="OLS slope", statistic=slope, p_value=p,
                                              n=weeks),
                    evidence=[toolkit.evidence(
                        ctx, "pull_requests", expr,
                        sum(int(r["merged"]) for r in series),  # type: ignore[misc]
                        "merged PRs grouped by week of merge")],
                    series=series)]


@diagnostic(id="legibility.pr_throughput", needs_text=PR_NEEDS)
def pr_throughput(ctx: DiagnoseContext) -> list[Finding]:
    m = _merged(ctx)
    expr, series = _weekly(ctx, m)
    if not series:
        raise unmeasurable("no merged pull request", PR_NEEDS)
    idx = _week_index(series)
    span = idx[-1] + 1
    counts = [0] * span
    for i, r in zip(idx, series):
        counts[i] = int(r["merged"])  # type: ignore[call-overload]
    total = sum(counts)
    per_week = total / span
    metrics: list[Metric] = [
        metric("merged_per_week", per_week, "statistic", n=span,
               label="PRs merged per week"),
        metric("merged_prs", total, "count"),
        metric("weeks_spanned", span, "count"),
    ]
    statement = (f"{counted(total, 'PR')} merged over {counted(span, 'week')}: "
                 f"{num(per_week)} per week")
    significance = None
    if span >= MIN_WEEKS:
        slope, _se, p = stats.flat_safe_trend(list(range(span)), counts)
        metrics.append(metric("merged_per_week_slope", slope, "statistic", n=span,
                              label="Change in weekly merges per week"))
        significance = Significance(test="OLS slope of weekly merges", statistic=slope,
                                    p_value=p, n=span)
        trend = ("rising" if slope > 0 else "falling") if p < 0.05 else "with no clear trend"
        statement += f", {trend}" + (f" by {num(abs(slope))} per week" if p < 0.05 else "")
    return [finding(ctx, slug="weekly",
                    title="Pull requests merged per week", statement=statement + ".",
                    metrics=metrics, n=total, significance=significance,
                    comparison="merged PRs per calendar week (weeks with none count as zero)",
                    evidence=[toolkit.evidence(ctx, "pull_requests", expr, total,
                                               "merged PRs grouped by week of merge")],
                    series=[{"week": r["week"], "merged": r["merged"]} for r in series])]


@diagnostic(id="legibility.pr_step_change", needs_text=STEP_NEEDS)
def pr_step_change(ctx: DiagnoseContext) -> list[Finding]:
    title = ctx.declared.title  # the declared title
    change = ctx.options.change_date
    needs = ["a change date (e.g. the AI tooling rollout) given with --change-date",
             "merged pull requests on both sides of it"]
    if change is None:
        raise unmeasurable("no change date was given", needs)
    m = _merged(ctx)
    m = m.mutate(_after=m.created_at >= toolkit.ts_lit(change))
    w = m.mutate(_r0=ibis.rank().over(order_by=m._cycle),
                 _t=m._cycle.count().over(group_by=m._cycle))
    rank_expr = w.aggregate(
        n_after=w._after.sum(), n=w.count(),
        rank_sum_after=(w._r0 + 1 + (w._t - 1) / 2.0).sum(where=w._after),
        tie_term=(w._t * w._t - 1).sum())
    row = toolkit.one_row(ctx, rank_expr)
    n = toolkit.as_int(row["n"])
    n2 = toolkit.as_int(row["n_after"])
    n1 = n - n2
    if n1 < 2 or n2 < 2:
        raise unmeasurable("fewer than two merged PRs on one side of the change date", needs)
    before = m.filter(~m._after)
    after = m.filter(m._after)
    b_med, b_lo, b_hi, _ = toolkit.median_interval(ctx, before, "_cycle")
    a_med, a_lo, a_hi, _ = toolkit.median_interval(ctx, after, "_cycle")
    u2, z, p, r = stats.mann_whitney_from_ranks(float(row["rank_sum_after"]), n1, n2,
                                                float(row["tie_term"] or 0.0))
    change_share = (a_med - b_med) / b_med if b_med else None
    metrics = [
        metric("median_before_hours", b_med, "hours", n=n1, low=b_lo, high=b_hi),
        metric("median_after_hours", a_med, "hours", n=n2, low=a_lo, high=a_hi),
        metric("median_change", change_share, "ratio", label="Change of the median"),
        metric("rank_biserial", r, "statistic", n=n,
               label="Rank-biserial correlation (negative = faster after)"),
        metric("p_value", float(_p(p)), "statistic", label="Mann–Whitney p-value (two-sided)"),
    ]
    moved = "fell" if (a_med or 0) < (b_med or 0) else "rose"
    verdict = ("a shift unlikely to be chance" if p < 0.05
               else "a difference chance alone could explain")
    by = f" {pct(abs(change_share))}," if change_share is not None else ""
    statement = (f"Median PR cycle time {moved}{by} from {_hours(b_med)} before the change "
                 f"date to {_hours(a_med)} after ({count(n1)} and {count(n2)} merged PRs; "
                 f"Mann–Whitney p = {_p(p)}, {verdict}).")
    return [finding(
        ctx, slug="before_after", title=title,
        statement=statement, metrics=metrics, n=n,
        comparison=f"PRs created before {change.isoformat()} vs on or after it",
        significance=Significance(test="Mann–Whitney U (normal approximation, tie- and "
                                       "continuity-corrected)", statistic=u2, p_value=p, n=n,
                                  effect_size=r, effect_measure="rank-biserial r"),
        evidence=[toolkit.evidence(ctx, "pull_requests", rank_expr, n,
                                   f"merged PRs; after = created_at ≥ {change.isoformat()}")],
        series=[{"phase": "before", "median_hours": b_med, "n": n1},
                {"phase": "after", "median_hours": a_med, "n": n2}],
    )]


def _p(p: float) -> str:
    """A p-value to three significant digits, as both the statement and metric hold it."""
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.1e}"
