"""Attribution coverage: how much pipeline and revenue has no known source, and whether that
share is rising.

A deal is *unattributed* when its channel (else its raw lead source) is blank or a
placeholder such as 'unknown', 'other', 'none', 'n/a' (see ``expr.UNATTRIBUTED``).

Signals (``gated_strength``: 0 unless p < 0.01 and the effect is positive, then
min(1, effect / reference)):

* ``attribution_gap`` — over deals created in the 12 months to as-of: effect = unknown
  share − 0.05 (a well-kept CRM leaves about one deal in twenty unattributed); p = one-sided
  exact binomial that the share exceeds 0.05; reference 0.35 (full strength at 40%).
  Counter-signal ``healthy_attribution`` = 1 − min(1, share / 0.4) when p ≥ 0.05 and the
  window holds at least ``min_n`` deals.
* ``attribution_gap_trend`` — monthly unknown share over the last 24 complete months (months
  with a deal); effect = OLS slope × 12 (change per year); p = the slope's two-sided p;
  reference 0.20 (twenty points more per year).
"""

from __future__ import annotations

import ibis

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, pct, pp, severity_for
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "attribution"
ALPHA = 0.01
TOLERATED = 0.05
GAP_REFERENCE = 0.35
TREND_REFERENCE = 0.20
TREND_MONTHS = 24
MIN_MONTHS = 6

NEEDS = ("opportunities with a created date and the CRM's lead-source or channel field (a "
         "blank source on some deals is itself the finding)",)




@diagnostic(id="attribution.coverage", needs_text=NEEDS)
def coverage(ctx: DiagnoseContext) -> list[Finding]:
    o = ctx.require("opportunities")
    rows_total, filled = toolkit.filled_counts(ctx, o, ["created_date", "channel", "lead_source"])
    if rows_total == 0 or filled["created_date"] == 0:
        raise unmeasurable("no deal has a created date", NEEDS)
    if not (filled.get("channel", 0) or filled.get("lead_source", 0)):
        # A source field blank on every row is a field the export lacks, not a gap to score.
        raise unmeasurable("no deal records a channel or lead source: the export "
                           "carries no source field", NEEDS)
    d1 = toolkit.as_of(ctx)
    d0 = toolkit.add_months(d1, -12)
    lit0, lit1 = ibis.literal(d0, type="date"), ibis.literal(d1, type="date")
    t = o.mutate(_unknown=toolkit.is_unattributed(toolkit.deal_channel(o)))
    created = t.created_date.notnull() & (t.created_date > lit0) & (t.created_date <= lit1)
    won = t.is_won.fill_null(False) & t.close_date.notnull() & (t.close_date > lit0) \
        & (t.close_date <= lit1)
    expr = t.aggregate(
        deals=created.sum(), unknown=(created & t._unknown).sum(),
        revenue=toolkit.fsum(t.amount, where=won),
        unknown_revenue=toolkit.fsum(t.amount, where=won & t._unknown),
    )
    r = toolkit.records(ctx.execute(expr))[0]
    n, u = int(r["deals"] or 0), int(r["unknown"] or 0)
    if n == 0:
        raise unmeasurable("no deal was created in the 12 months before the as-of date", NEEDS)
    share = u / n
    p = stats.binomial_test_greater(u, n, TOLERATED)
    strength = stats.gated_strength(share - TOLERATED, GAP_REFERENCE, p, ALPHA)
    signals = {"attribution_gap": strength}
    if p >= 0.05 and n >= ctx.options.min_n:
        signals["healthy_attribution"] = 1 - min(1.0, share / (TOLERATED + GAP_REFERENCE))
    metrics = [metric("unknown_share_deals", share, "ratio", n, ci=stats.wilson_interval(u, n)),
               metric("unknown_deals", u, "count"), metric("deals", n, "count")]
    revenue = float(r["revenue"] or 0.0)
    statement = f"{pct(share)} of {count(n)} deals created in the last year have no known source"
    if revenue > 0:
        rev_share = float(r["unknown_revenue"] or 0.0) / revenue
        metrics.append(metric("unknown_share_revenue", rev_share, "ratio"))
        statement += f", and so does {pct(rev_share)} of the revenue won in that time"
    statement += "."
    findings = [finding(
        ctx, slug="share", title="Deals with no known source",
        statement=statement, metrics=metrics, n=n, severity=severity_for(strength),
        comparison="blank, 'unknown', 'other' or similar channel and lead source, against the "
                   "one deal in twenty a well-kept CRM leaves unattributed",
        significance=Significance(test="one-sided exact binomial (share > 0.05)", p_value=p,
                                  n=n, effect_size=share - TOLERATED,
                                  effect_measure="unknown share − 0.05"),
        evidence=[toolkit.evidence(ctx, "opportunities", expr, rows_total,
                                   f"created {d0.isoformat()} to {d1.isoformat()}")],
        signals=signals,
    )]
    findings.append(_trend(ctx, t, d1, rows_total))
    return findings


def _trend(ctx: DiagnoseContext, t: ibis.Table, d1: object, rows_total: int,
           ) -> Finding:
    start, end = toolkit.complete_months(d1, TREND_MONTHS)  # type: ignore[arg-type]
    expr, rows = toolkit.monthly(ctx, t, "created_date", start, end,
                                 value=t._unknown.ifelse(1, 0))
    months = [r["month"] for r in rows]
    series: list[dict[str, object]] = [
        {"month": toolkit.month_key(r["month"]), "share": int(r["total"] or 0) / r["n"],
         "n": r["n"]} for r in rows]
    n = sum(s["n"] for s in series)  # type: ignore[misc]
    if len(series) < MIN_MONTHS:
        return finding(
            ctx, slug="trend",
            title="Trend of unattributed deals",
            statement=f"Only {count(len(series))} months have deals, too few for a trend.",
            metrics=[metric("months", len(series), "count")], n=n,
            evidence=[toolkit.evidence(ctx, "opportunities", expr, rows_total, "monthly")],
            signals={"attribution_gap_trend": 0.0}, series=series)
    x = [toolkit.month_index(m, months[0]) for m in months]  # type: ignore[arg-type]
    y = [float(s["share"]) for s in series]  # type: ignore[arg-type]
    slope, se, p = stats.flat_safe_trend(x, y)
    per_year = slope * 12
    strength = stats.gated_strength(per_year, TREND_REFERENCE, p, ALPHA)
    word = "rising" if per_year > 0 else "falling"
    verdict = "beyond chance" if p < 0.05 else "within what chance allows"
    statement = (f"The unattributed share of new deals is {word} by {pp(abs(per_year))} a "
                 f"year ({verdict}), from {pct(y[0])} in the first month to {pct(y[-1])} in "
                 f"the last of {count(len(series))}.")
    return finding(
        ctx, slug="trend", title="Trend of unattributed deals",
        statement=statement, n=n, severity=severity_for(strength),
        metrics=[metric("slope_per_year", per_year, "ratio", len(series),
                        per_year - 1.96 * se * 12, per_year + 1.96 * se * 12),
                 metric("change_per_year", abs(per_year), "ratio", len(series)),
                 metric("first_month_share", y[0], "ratio", rows[0]["n"]),
                 metric("last_month_share", y[-1], "ratio", rows[-1]["n"]),
                 metric("months", len(series), "count")],
        comparison="monthly unattributed share of new deals, last 24 complete months",
        significance=Significance(test="OLS slope of monthly share", statistic=slope,
                                  p_value=p, n=len(series), effect_size=per_year,
                                  effect_measure="change in share per year"),
        evidence=[toolkit.evidence(ctx, "opportunities", expr, rows_total,
                                   "monthly, last 24 months")],
        signals={"attribution_gap_trend": strength}, series=series,
    )
