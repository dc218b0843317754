"""``honesty.forecast_accuracy``: forecast submissions against actual bookings.
"""

from __future__ import annotations

import math
from datetime import timedelta

import ibis
import numpy as np

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.honesty.common import ALPHA, FORECAST_REFERENCE
from throughline.diagnose.families.measure import count, finding, metric, money, pct, severity_for
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import as_of, evidence, filled_counts, fsum, records

FORECAST_NEEDS = ("forecast submissions per period (period start and end, submitted date, "
                  "owner, amount, category)",
                  "won opportunities with amount and close date")


@diagnostic(id="honesty.forecast_accuracy", needs_text=FORECAST_NEEDS)
def forecast_accuracy(ctx: DiagnoseContext) -> list[Finding]:
    title = "Forecast against actual"
    fc = ctx.require("forecasts")
    o = ctx.require("opportunities")
    rows, filled = filled_counts(ctx, fc, ["period_start", "amount", "category"])
    if rows == 0 or filled["period_start"] == 0 or filled["amount"] == 0:
        raise unmeasurable("no forecast with a period and an amount", FORECAST_NEEDS)
    d1 = as_of(ctx)
    end_of_day = ibis.literal(d1 + timedelta(days=1), type="date")
    f = fc.filter(fc.period_start.notnull() & fc.amount.notnull())
    f = f.mutate(_end=ibis.coalesce(f.period_end,
                                    (f.period_start + ibis.interval(months=3)).cast("date")))
    has_commit = int(ctx.execute(f.filter(f.category.lower().contains("commit")).count())) > 0
    if has_commit:
        f = f.filter(f.category.lower().contains("commit"))
    f = f.filter((f._end <= end_of_day)
                 & (f.submitted_at.isnull() | (f.submitted_at < f._end)))
    w = ibis.window(group_by=[f.period_start, f.owner],
                    order_by=[f.submitted_at.desc(), f.amount.desc()])
    latest = f.mutate(_rn=ibis.row_number().over(w))
    latest = latest.filter(latest._rn == 0)
    periods = latest.group_by(["period_start", "_end"]).aggregate(forecast=fsum(latest.amount),
                                                                  owners=latest.count())
    won = o.filter(o.is_won.fill_null(False) & o.close_date.notnull()).select(
        _close=o.close_date, _amount=o.amount.fill_null(0.0))
    j = periods.left_join(won, (won._close >= periods.period_start) & (won._close < periods._end))
    expr = j.group_by(["period_start", "_end", "forecast", "owners"]).aggregate(
        actual=fsum(j._amount).fill_null(0.0), deals=j._amount.count())
    got = sorted(records(ctx.execute(expr)), key=lambda r: (str(r["period_start"]),
                                                            str(r["_end"])))
    if not got:
        raise unmeasurable("no forecast period has ended by the as-of date", FORECAST_NEEDS)
    pairs = [(str(r["period_start"])[:10], float(r["forecast"]), float(r["actual"] or 0.0))
             for r in got]
    series: list[dict[str, object]] = [{"period": k, "forecast": f_, "actual": a_}
                                       for k, f_, a_ in pairs]
    logs = [math.log(f_ / a_) for _, f_, a_ in pairs if f_ > 0 and a_ > 0]
    n = len(logs)
    _, last_f, last_a = pairs[-1]
    metrics = [metric("periods", len(pairs), "count"),
               metric("latest_forecast", last_f, "currency"),
               metric("latest_actual", last_a, "currency")]
    if n == 0:
        statement = (f"The latest completed period forecast {money(last_f)} against "
                     f"{money(last_a)} won.")
        return [finding(ctx, slug="summary", title=title,
                        statement=statement, metrics=metrics, n=0,
                        evidence=[evidence(ctx, "forecasts", expr, rows,
                                           "completed periods")], series=series)]
    arr = np.asarray(logs)
    mean = float(arr.mean())
    se = float(arr.std(ddof=1) / math.sqrt(n)) if n >= 2 else float("inf")
    p = stats.t_test_greater(mean, se, n)
    ratio = math.exp(mean)
    effect = ratio - 1
    strength = stats.gated_strength(effect, FORECAST_REFERENCE, p, ALPHA) if n >= 3 else 0.0
    metrics.append(metric("forecast_to_actual", ratio, "ratio", n,
                          ci=((math.exp(mean - 1.96 * se), math.exp(mean + 1.96 * se))
                            if math.isfinite(se) else (None, None)),
                          label="Geometric mean of forecast / actual"))
    direction = "exceeded" if ratio >= 1 else "fell short of"
    gap = abs(effect)
    metrics.append(metric("forecast_gap", gap, "ratio", n))
    statement = (f"Over {count(len(pairs))} completed periods the forecast {direction} won "
                 f"bookings by {pct(gap)} on average (geometric mean of forecast / actual); "
                 f"the latest period forecast {money(last_f)} against {money(last_a)} won.")
    caveats = []
    if n < 3:
        caveats.append("Fewer than three periods with both a forecast and bookings: no test.")
    if any(int(r["owners"]) > 1 for r in got):
        caveats.append("Several owners forecast the same period; their latest submissions are "
                       "added up, which double counts if one forecast includes another.")
    won_deals = sum(int(r["deals"] or 0) for r in got)
    metrics.append(metric("won_deals", won_deals, "count"))
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=won_deals, severity=severity_for(strength),
        comparison=("commit " if has_commit else "") + "forecast per completed period (each "
                   "owner's latest submission) against won amount closed in the period",
        significance=Significance(test="one-sided t-test on log(forecast / actual)",
                                  p_value=p, n=n, effect_size=effect,
                                  effect_measure="geometric mean ratio − 1"),
        evidence=[evidence(ctx, "forecasts", expr, rows, "completed periods, latest "
                           "submission per owner")],
        caveats=caveats, signals={"forecast_optimism": strength}, series=series,
    )]
