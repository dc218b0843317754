"""Engineering legibility and the legibility map: who can see their own work in the data.

Diagnostics
-----------
``legibility.pr_cycle_time``
    Merged pull requests (merged ≥ created). Cycle time = created → merged, in hours,
    split LinearB-style into pickup (created → first review) and review (first review →
    merged) for PRs whose first review falls inside that span. Medians with approximate
    95% order-statistic intervals (medians of the parts need not add up to the median of
    the whole). Trend: OLS slope of the weekly median cycle time (week of merge) over
    weeks, with its p-value (needs three or more weeks).

``legibility.pr_throughput``
    PRs merged per week over the weeks spanned (weeks with none count as zero) and the
    OLS slope of the weekly count.

``legibility.pr_step_change``
    Cycle time of PRs created before vs on/after ``options.change_date`` (e.g. an AI
    tooling rollout): medians per side and a Mann–Whitney U test computed in the engine
    from mid-ranks (window ``RANK`` + tie-group sizes), normal approximation with tie and
    continuity corrections; effect size = rank-biserial correlation (negative = faster
    after the change).

``legibility.map``
    For each function — engineering, product, marketing, sales, customer success — which
    metrics of the catalogue below the store lets us compute *at all*: the tables are
    present and the columns each metric needs hold at least one non-blank value (counted
    in the engine). A function with none is a **measurement vacuum**. The finding's
    ``series`` carries the map in the shape the engine reads
    (``{"function", "metrics", "missing"}``).

    Signals (a census of what is measurable, so no sampling interval applies):

    * ``gtm_illegible`` = the share of each non-engineering function's catalogue the data
      cannot compute, averaged over the four functions. A vacuum counts 1; a sales team
      whose CRM supports 3 of its 7 metrics counts 4/7. (Counting only total vacuums
      would call a function with one metric of seven as legible as a fully instrumented
      one, and would move in steps of a quarter.)
    * ``engineering_legible`` = computable engineering metrics / 4 (the same census for
      engineering, read the other way round).

    The measurement-vacuum hypothesis needs both: legible engineering beside dark GTM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.expr import deal_channel, evidence, is_unattributed, label
from throughline.diagnose.families.expressions import (
    as_int,
    blank,
    counted,
    hours_between,
    median_interval,
    one_row,
    rows,
    truthy,
    ts_lit,
)
from throughline.diagnose.families.measure import (
    count,
    finding,
    metric,
    num,
    pct,
    unmeasurable,
)
from throughline.diagnose.findings import Evidence, Finding, Metric, Severity, Significance
from throughline.diagnose.registry import DiagnoseContext, register

FAMILY = "legibility"
PR_NEEDS = ("a pull_requests export (GitHub `gh pr list --json` or the REST API) with "
            "created, first review and merged times",)
MIN_WEEKS = 3


def _merged(ctx: DiagnoseContext) -> ir.Table:
    p = ctx.table("pull_requests")
    assert p is not None
    m = p.filter(p.merged_at.notnull() & (p.merged_at >= p.created_at))
    return m.mutate(_cycle=hours_between(m.merged_at, m.created_at))


def _hours(v: float | None) -> str:
    text = num(v or 0.0)
    return f"{text} hour" if text == "1" else f"{text} hours"


# -- cycle time ------------------------------------------------------------------------


@register("legibility.pr_cycle_time", family=FAMILY,
          title="Pull-request cycle time (pickup and review)",
          needs=("pull_requests",), needs_text=PR_NEEDS)
def pr_cycle_time(ctx: DiagnoseContext) -> list[Finding]:
    diagnostic = "legibility.pr_cycle_time"
    m = _merged(ctx)
    med, lo, hi, n = median_interval(ctx, m, "_cycle")
    if n == 0:
        return unmeasurable(diagnostic=diagnostic, family=FAMILY,
                            title="Pull-request cycle time (pickup and review)",
                            reason="no merged pull request", needs=PR_NEEDS)
    r = m.filter(m.first_review_at.notnull() & (m.first_review_at >= m.created_at)
                 & (m.first_review_at <= m.merged_at))
    r = r.mutate(_pickup=hours_between(r.first_review_at, r.created_at),
                 _review=hours_between(r.merged_at, r.first_review_at))
    p_med, p_lo, p_hi, n_rev = median_interval(ctx, r, "_pickup")
    v_med, v_lo, v_hi, _ = median_interval(ctx, r, "_review")
    summary_expr = m.aggregate(n=m.count(), median_hours=m._cycle.median())
    metrics = [metric("median_cycle_hours", med, "hours", n=n, low=lo, high=hi,
                      label="Median created → merged")]
    statement = (f"Median PR cycle time (created → merged) is {_hours(med)} over "
                 f"{counted(n, 'merged PR')}")
    evidences = [evidence(ctx, "pull_requests", summary_expr, n, "merged_at ≥ created_at")]
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
        evidences.append(evidence(ctx, "pull_requests",
                                  r.aggregate(pickup=r._pickup.median(),
                                              review=r._review.median()),
                                  n_rev, "first review between created and merged"))
        caveats.append("Medians of pickup and review need not add up to the median cycle "
                       "time.")
    else:
        caveats.append("No merged PR has a first-review time, so pickup and review cannot "
                       "be split.")
    out = [finding(ctx, diagnostic=diagnostic, family=FAMILY, slug="summary",
                   title="How long a pull request takes to merge", statement=statement + ".",
                   metrics=metrics, n=n, evidence=evidences, caveats=caveats,
                   comparison="merged pull requests, created → merged")]
    out.extend(_cycle_trend(ctx, m))
    return out


def _weekly(ctx: DiagnoseContext, m: ir.Table) -> tuple[ir.Table, list[dict[str, object]]]:
    expr = m.group_by(week=m.merged_at.truncate("W")).aggregate(
        merged=m.count(), median_hours=m._cycle.median()).order_by("week")
    out = []
    for row in rows(ctx, expr):
        week = row["week"]
        d = week.date() if hasattr(week, "date") and callable(week.date) else week
        out.append({"week": d.isoformat() if isinstance(d, date) else str(d),
                    "merged": as_int(row["merged"]),
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
    return [finding(ctx, diagnostic="legibility.pr_cycle_time", family=FAMILY, slug="trend",
                    title="PR cycle time trend", statement=statement, metrics=metrics,
                    n=weeks,
                    severity=Severity.watch if significant and slope > 0 else Severity.info,
                    comparison="weekly median cycle time against week number",
                    significance=Significance(test="OLS slope", statistic=slope, p_value=p,
                                              n=weeks),
                    evidence=[evidence(ctx, "pull_requests", expr,
                                       sum(int(r["merged"]) for r in series),  # type: ignore[misc]
                                       "merged PRs grouped by week of merge")],
                    series=series)]


# -- throughput ------------------------------------------------------------------------


@register("legibility.pr_throughput", family=FAMILY, title="Pull requests merged per week",
          needs=("pull_requests",), needs_text=PR_NEEDS)
def pr_throughput(ctx: DiagnoseContext) -> list[Finding]:
    diagnostic = "legibility.pr_throughput"
    m = _merged(ctx)
    expr, series = _weekly(ctx, m)
    if not series:
        return unmeasurable(diagnostic=diagnostic, family=FAMILY,
                            title="Pull requests merged per week",
                            reason="no merged pull request", needs=PR_NEEDS)
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
    return [finding(ctx, diagnostic=diagnostic, family=FAMILY, slug="weekly",
                    title="Pull requests merged per week", statement=statement + ".",
                    metrics=metrics, n=total, significance=significance,
                    comparison="merged PRs per calendar week (weeks with none count as zero)",
                    evidence=[evidence(ctx, "pull_requests", expr, total,
                                       "merged PRs grouped by week of merge")],
                    series=[{"week": r["week"], "merged": r["merged"]} for r in series])]


# -- step change -----------------------------------------------------------------------


@register("legibility.pr_step_change", family=FAMILY,
          title="PR cycle time before and after a change date",
          needs=("pull_requests",),
          needs_text=PR_NEEDS + ("a change date (e.g. the AI tooling rollout) given with "
                                 "--change-date",))
def pr_step_change(ctx: DiagnoseContext) -> list[Finding]:
    diagnostic = "legibility.pr_step_change"
    title = "PR cycle time before and after a change date"
    change = ctx.options.change_date
    needs = ["a change date (e.g. the AI tooling rollout) given with --change-date",
             "merged pull requests on both sides of it"]
    if change is None:
        return unmeasurable(diagnostic=diagnostic, family=FAMILY, title=title,
                            reason="no change date was given", needs=needs)
    m = _merged(ctx)
    m = m.mutate(_after=m.created_at >= ts_lit(change))
    w = m.mutate(_r0=ibis.rank().over(order_by=m._cycle),
                 _t=m._cycle.count().over(group_by=m._cycle))
    rank_expr = w.aggregate(
        n_after=w._after.sum(), n=w.count(),
        rank_sum_after=(w._r0 + 1 + (w._t - 1) / 2.0).sum(where=w._after),
        tie_term=(w._t * w._t - 1).sum())
    row = one_row(ctx, rank_expr)
    n = as_int(row["n"])
    n2 = as_int(row["n_after"])
    n1 = n - n2
    if n1 < 2 or n2 < 2:
        return unmeasurable(diagnostic=diagnostic, family=FAMILY, title=title,
                            reason="fewer than two merged PRs on one side of the change date",
                            needs=needs)
    before = m.filter(~m._after)
    after = m.filter(m._after)
    b_med, b_lo, b_hi, _ = median_interval(ctx, before, "_cycle")
    a_med, a_lo, a_hi, _ = median_interval(ctx, after, "_cycle")
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
        ctx, diagnostic=diagnostic, family=FAMILY, slug="before_after", title=title,
        statement=statement, metrics=metrics, n=n,
        comparison=f"PRs created before {change.isoformat()} vs on or after it",
        significance=Significance(test="Mann–Whitney U (normal approximation, tie- and "
                                       "continuity-corrected)", statistic=u2, p_value=p, n=n,
                                  effect_size=r, effect_measure="rank-biserial r"),
        evidence=[evidence(ctx, "pull_requests", rank_expr, n,
                           f"merged PRs; after = created_at ≥ {change.isoformat()}")],
        series=[{"phase": "before", "median_hours": b_med, "n": n1},
                {"phase": "after", "median_hours": a_med, "n": n2}],
    )]


def _p(p: float) -> str:
    """A p-value to three significant digits, as both the statement and metric hold it."""
    return f"{p:.3g}" if p >= 1e-4 else f"{p:.1e}"


# -- the legibility map ----------------------------------------------------------------

FUNCTIONS = ("engineering", "product", "marketing", "sales", "customer_success")
GTM_FUNCTIONS = ("product", "marketing", "sales", "customer_success")

Where = Callable[[ir.Table], ir.BooleanValue]


@dataclass(frozen=True)
class Need:
    """Rows of ``table`` (matching ``where``) with every one of ``columns`` filled."""

    table: str
    columns: tuple[str, ...] = ()
    where: Where | None = None


@dataclass(frozen=True)
class MapMetric:
    function: str
    name: str
    needs: tuple[Need, ...]
    missing: str


def _closed(t: ir.Table) -> ir.BooleanValue:
    return truthy(t.is_closed)


def _won(t: ir.Table) -> ir.BooleanValue:
    return truthy(t.is_won)


def _known_channel(t: ir.Table) -> ir.BooleanValue:
    return ~is_unattributed(deal_channel(t))


def _known_motion(t: ir.Table) -> ir.BooleanValue:
    return ~is_unattributed(label(t.motion))


def _kind(*kinds: str) -> Where:
    return lambda t: label(t.kind).isin(kinds)


CATALOGUE: tuple[MapMetric, ...] = (
    MapMetric("engineering", "pr_cycle_time",
              (Need("pull_requests", ("created_at", "merged_at")),),
              "pull requests with created and merged times"),
    MapMetric("engineering", "pr_pickup_time",
              (Need("pull_requests", ("created_at", "first_review_at")),),
              "pull requests with first-review times"),
    MapMetric("engineering", "pr_review_time",
              (Need("pull_requests", ("first_review_at", "merged_at")),),
              "pull requests with first-review and merged times"),
    MapMetric("engineering", "pr_throughput", (Need("pull_requests", ("merged_at",)),),
              "pull requests with merged times"),
    MapMetric("product", "decided_to_spec_days",
              (Need("features", ("decided_at", "spec_ready_at")),),
              "features with decided and spec-ready dates"),
    MapMetric("product", "spec_to_shipped_days",
              (Need("features", ("spec_ready_at", "shipped_at")),),
              "features with spec-ready and shipped dates"),
    MapMetric("product", "capability_status", (Need("capabilities", ("status",)),),
              "a capabilities list with GA / beta / roadmap status"),
    MapMetric("product", "feature_cohort_pipeline",
              (Need("opportunity_features", ("feature_id",)),
               Need("opportunities", ("opportunity_id",))),
              "links between opportunities and features"),
    MapMetric("marketing", "channel_mix", (Need("opportunities", (), _known_channel),),
              "opportunities with a known channel or lead source"),
    MapMetric("marketing", "pull_share", (Need("opportunities", (), _known_motion),),
              "opportunities with a known motion (inbound, outbound, referral ...)"),
    MapMetric("marketing", "shipped_to_enablement_days",
              (Need("features", ("shipped_at", "enablement_ready_at")),),
              "features with shipped and enablement-ready dates"),
    MapMetric("marketing", "messaging_coherence", (Need("messaging_artifacts", ("text",)),),
              "messaging artifacts (website, deck, email sequence, proposal)"),
    MapMetric("sales", "win_rate", (Need("opportunities", ("is_won",), _closed),),
              "closed opportunities with won/lost"),
    MapMetric("sales", "sales_cycle_days",
              (Need("opportunities", ("created_date", "close_date"), _won),),
              "won opportunities with created and close dates"),
    MapMetric("sales", "stage_conversion", (Need("stage_history", ("stage",)),),
              "opportunity stage history"),
    MapMetric("sales", "forecast_accuracy", (Need("forecasts", ("amount",)),),
              "forecast submissions per period"),
    MapMetric("sales", "activity_volume", (Need("activities", ("count",)),),
              "sales activity counts"),
    MapMetric("sales", "promise_ledger", (Need("commitments", ("made_at",)),),
              "commitments made in deals"),
    MapMetric("sales", "win_loss_reviews", (Need("feedback", (), _kind("win_loss")),),
              "win/loss review records"),
    MapMetric("customer_success", "revenue_retention",
              (Need("subscriptions", ("mrr", "start_date")),),
              "billing subscriptions (MRR with start and end dates)"),
    MapMetric("customer_success", "nps", (Need("nps_responses", ("score",)),),
              "NPS survey responses"),
    MapMetric("customer_success", "time_to_value_days",
              (Need("time_to_value", ("signed_at", "first_value_at")),),
              "signed and first-value dates per account"),
    MapMetric("customer_success", "field_feedback_loops",
              (Need("feedback", (), _kind("debrief", "community")),),
              "field debriefs or community feedback records"),
)


def _filled(t: ir.Table, need: Need) -> ir.BooleanValue:
    cond: ir.BooleanValue = ibis.literal(True)
    for c in need.columns:
        col = t[c]
        cond = cond & (~blank(col) if col.type().is_string() else col.notnull())
    if need.where is not None:
        cond = cond & truthy(need.where(t))
    return cond


@register("legibility.map", family=FAMILY, title="What each function can measure")
def legibility_map(ctx: DiagnoseContext) -> list[Finding]:
    diagnostic = "legibility.map"
    present = ctx.store.tables()
    counts: dict[tuple[int, int], int] = {}
    evidences: list[Evidence] = []
    any_rows = False
    by_table: dict[str, list[tuple[tuple[int, int], Need]]] = {}
    for i, spec in enumerate(CATALOGUE):
        for j, need in enumerate(spec.needs):
            by_table.setdefault(need.table, []).append(((i, j), need))
    for table in sorted(present):
        t = ctx.table(table)
        assert t is not None
        needs = by_table.get(table, [])
        aggs = {"_rows": t.count()}
        names: dict[tuple[int, int], str] = {}
        for k, (key, need) in enumerate(needs):
            names[key] = f"n{k}"
            aggs[f"n{k}"] = t.count(where=_filled(t, need))
        expr = t.aggregate(**aggs)
        row = one_row(ctx, expr)
        total = as_int(row["_rows"])
        any_rows = any_rows or total > 0
        for key, col in names.items():
            counts[key] = as_int(row[col])
        if needs:
            evidences.append(evidence(ctx, table, expr, total, "rows with the columns each "
                                      "metric needs filled"))
    if not any_rows:
        return unmeasurable(
            diagnostic=diagnostic, family=FAMILY, title="What each function can measure",
            reason="the store holds no rows in any canonical table",
            needs=["any export: CRM opportunities, billing, pull requests, product delivery "
                   "log, feedback, commitments or messaging artifacts"])
    series: list[dict[str, object]] = []
    computable: dict[str, list[str]] = {f: [] for f in FUNCTIONS}
    possible: dict[str, int] = {f: 0 for f in FUNCTIONS}
    missing: dict[str, list[str]] = {f: [] for f in FUNCTIONS}
    for i, spec in enumerate(CATALOGUE):
        possible[spec.function] += 1
        ok = all(need.table in present and counts.get((i, j), 0) > 0
                 for j, need in enumerate(spec.needs))
        if ok:
            computable[spec.function].append(spec.name)
        elif spec.missing not in missing[spec.function]:
            missing[spec.function].append(spec.missing)
    for fn in FUNCTIONS:
        series.append({"function": fn, "metrics": computable[fn], "missing": missing[fn],
                       "possible": possible[fn]})
    vacuums = [fn for fn in GTM_FUNCTIONS if not computable[fn]]
    eng = len(computable["engineering"])
    eng_possible = possible["engineering"]
    # how dark GTM is: the share of each function's catalogue the data cannot compute,
    # averaged over the functions (a vacuum counts 1, a function with half its metrics 0.5)
    gtm_illegible = sum(1 - len(computable[fn]) / possible[fn]
                        for fn in GTM_FUNCTIONS) / len(GTM_FUNCTIONS)
    engineering_legible = eng / eng_possible
    metrics = [
        metric("vacuum_functions", len(vacuums), "count", n=len(GTM_FUNCTIONS),
               label="Non-engineering functions with no computable metric"),
        metric("non_engineering_functions", len(GTM_FUNCTIONS), "count"),
        metric("engineering_metrics", eng, "count", n=eng_possible,
               label="Engineering metrics the data supports"),
        metric("engineering_metrics_possible", eng_possible, "count"),
        metric("gtm_illegible_share", gtm_illegible, "ratio", n=len(GTM_FUNCTIONS),
               label="Share of each non-engineering function's metrics the data cannot "
                     "compute, averaged over the functions"),
    ]
    for fn in FUNCTIONS:
        metrics.append(metric(f"{fn}_metrics", len(computable[fn]), "count",
                              n=possible[fn], label=f"Metrics computable for {fn}"))
    names = ", ".join(v.replace("_", " ") for v in vacuums)
    statement = (f"{count(len(vacuums))} of {count(len(GTM_FUNCTIONS))} non-engineering "
                 f"functions have no metric the data can compute"
                 + (f" ({names})" if vacuums else "")
                 + f", and on average {pct(gtm_illegible)} of what each of them should "
                 f"measure is out of reach; engineering has {count(eng)} of "
                 f"{count(eng_possible)}.")
    severity = (Severity.problem if vacuums and eng else
                Severity.watch if vacuums else Severity.info)
    return [finding(
        ctx, diagnostic=diagnostic, family=FAMILY, slug="functions",
        title="What each function can measure", statement=statement, metrics=metrics,
        n=None, severity=severity,
        comparison="metrics the data supports per function, engineering vs the rest",
        evidence=evidences,
        caveats=["Legibility is not value: a function that can be measured is not thereby "
                 "doing better."],
        signals={"gtm_illegible": gtm_illegible, "engineering_legible": engineering_legible},
        series=series,
    )]
