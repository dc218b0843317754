"""The honesty layer: do stages, commits, close dates, forecasts and notes mean what they say?

Signals (strength 0..1; ``gated_strength(effect, reference, p)`` is 0 unless p < 0.01 and
the effect points the symptom's way, then min(1, effect / reference)):

* ``stage_optimism`` — per open-pipeline stage S: realised = deals that ever reached S and
  are now closed, share won; stated = mean CRM probability of S. Effect = n-weighted mean
  of (stated − realised) over stages; p = smallest one-sided exact binomial p (realised <
  stated) × number of stages (Bonferroni); reference 0.20 (twenty points of optimism).
  Counter-signal ``healthy_stage_calibration`` = 1 − min(1, |effect| / 0.20) when no stage
  is significantly optimistic (p ≥ 0.05) and at least ``min_n`` deals are decided.
* ``commit_slippage`` — deals flagged commit (forecast category), or late-stage (stated
  probability ≥ 70%) when the CRM records no forecast category, that are decided or past
  their committed close date. Failed = lost, or closed (or still open) in a later quarter
  than the close date they had when first flagged. Effect = failed share − (1 − stated
  probability at flagging; 0.9 for commits without a probability); p = one-sided exact
  binomial; reference 0.30.
* ``close_date_pushes`` — pushes = successive ``stage_history.close_date`` values that
  increase. Effect = mean days from the first close date the CRM held to the actual close
  date of closed deals; p = one-sided t-test that the mean exceeds 0 (an honest close date
  is unbiased); reference 30 days. Pushes per deal are reported beside it.
* ``forecast_optimism`` — per completed forecast period: forecast (each owner's latest
  submission before the period ends, commit category when there is one, summed) against
  won amount closed in the period. Effect = geometric mean of forecast / actual − 1;
  p = one-sided t-test on the log ratios (≥ 3 periods); reference 0.25.
* ``positive_notes_stall`` — deals whose next-step notes use positive language vs the other
  deals: stalled = lost, or open with no change for 60 days or past its close date.
  Effect = stall rate(positive) − stall rate(others); p = two-proportion z-test; reference
  0.20.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import NamedTuple

import ibis
import ibis.expr.types as ir
import numpy as np

from throughline.diagnose import stats
from throughline.diagnose.expr import (
    as_of,
    days_between,
    evidence,
    filled_counts,
    fmean,
    fsum,
    label,
    records,
)
from throughline.diagnose.families.measure import (
    count,
    finding,
    metric,
    money,
    num,
    pct,
    pp,
    quote,
    severity_for,
    slug,
    unmeasurable,
)
from throughline.diagnose.families.sales_pipeline import stage_order, stage_reach
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import DiagnoseContext, register

FAMILY = "honesty"
ALPHA = 0.01
STAGE_REFERENCE = 0.20
COMMIT_REFERENCE = 0.30
COMMIT_DEFAULT_PROBABILITY = 0.9
LATE_STAGE_PROBABILITY = 70.0
PUSH_REFERENCE_DAYS = 30.0
FORECAST_REFERENCE = 0.25
STALL_REFERENCE = 0.20
STALL_DAYS = 60
MIN_DECIDED = 5  # decided deals a stage needs before it is tested
POSITIVE_MARKERS = (
    "champion", "budget confirmed", "budget approved", "verbal", "great call",
    "great meeting", "great demo", "excited", "promising", "positive", "strong interest",
    "very interested", "loves", "love the", "ready to sign", "ready to buy", "green light",
    "good fit", "on track", "keen", "enthusiastic", "looks good", "going well",
)

HISTORY_NEEDS = ("stage history with each change's stage, date, probability, close date and "
                 "forecast category (Salesforce OpportunityHistory)",
                 "opportunities with their current outcome (closed, won)")




class StageRow(NamedTuple):
    stage: str
    stated: float  # the CRM's probability, as a fraction
    decided: int  # closed deals that reached the stage
    won: int
    realised: float  # won / decided (0 when none decided)
    p: float  # one-sided binomial p (realised < stated)


def _history_usable(ctx: DiagnoseContext, diag: str, title: str, cols: list[str],
                    also: tuple[str, ...] = ()) -> tuple[int, dict[str, int]] | list[Finding]:
    """(rows, filled counts) of stage_history, or a not-measurable answer when it is empty
    or one of ``cols`` is blank everywhere (``also`` are counted, not required)."""
    hist = ctx.table("stage_history")
    assert hist is not None
    rows, filled = filled_counts(ctx, hist, [*cols, *also])
    if rows == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="the stage history is empty", needs=HISTORY_NEEDS)
    blank = [c for c in cols if filled.get(c, 0) == 0]
    if blank:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="stage_history." + ", stage_history.".join(blank)
                            + " is blank on every row", needs=HISTORY_NEEDS)
    return rows, filled


# -- stage optimism ---------------------------------------------------------------------


@register(
    "honesty.stage_optimism", family=FAMILY,
    title="Stage probabilities against realised stage-to-win conversion",
    needs=("stage_history", "opportunities"), needs_text=HISTORY_NEEDS,
)
def stage_optimism(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "honesty.stage_optimism", "Stage optimism"
    usable = _history_usable(ctx, diag, title, ["stage", "changed_at", "probability"])
    if isinstance(usable, list):
        return usable
    n_rows = usable[0]
    hist = ctx.table("stage_history")
    o = ctx.table("opportunities")
    assert hist is not None and o is not None
    hist = hist.filter(hist.stage.notnull() & hist.changed_at.notnull())
    all_stages, probs, _ = stage_order(ctx, hist, o)
    stated_pct = {s: p for s, p in probs.items() if p is not None and 0 < p < 100}
    order = [s for s in all_stages if s in stated_pct]
    if not order:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no open-pipeline stage carries a probability",
                            needs=HISTORY_NEEDS)
    # Per deal, which stages it ever reached (the pipeline family's per-deal pass, shared);
    # joined to the closed deals, then counted: decided and won per stage (sN: stage N of
    # `order`), and `deals`, the closed deals with a stage change.
    per_opp = stage_reach(ctx, hist, all_stages)
    outcome = o.filter(o.is_closed.fill_null(False)).select(
        _oid2=o.opportunity_id, _won=o.is_won.fill_null(False))
    j = per_opp.join(outcome, per_opp._oid == outcome._oid2)
    counts = {"deals": j._oid.nunique()}
    for i, s in enumerate(order):
        reached = j[f"s{all_stages.index(s)}"]
        counts[f"s{i}_decided"] = reached.sum()
        counts[f"s{i}_won"] = (reached & j._won).sum()
    expr = j.aggregate(**counts)
    got = records(ctx.execute(expr))[0]
    rows: list[StageRow] = []
    for i, s in enumerate(order):
        n, won = int(got[f"s{i}_decided"] or 0), int(got[f"s{i}_won"] or 0)
        stated = stated_pct[s] / 100.0
        p = stats.binomial_test_less(won, n, stated) if n else 1.0
        rows.append(StageRow(s, stated, n, won, won / n if n else 0.0, p))
    tested = [x for x in rows if x.decided >= MIN_DECIDED]
    if not tested:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="too few closed deals passed through the stages",
                            needs=HISTORY_NEEDS)
    n_all = int(got["deals"] or 0)
    weight = sum(x.decided for x in tested)
    gap = sum(x.decided * (x.stated - x.realised) for x in tested) / weight
    k = len(tested)
    p_min = min(1.0, min(x.p for x in tested) * k)
    strength = stats.gated_strength(gap, STAGE_REFERENCE, p_min, ALPHA)
    signals = {"stage_optimism": strength}
    if p_min >= 0.05 and n_all >= ctx.options.min_n:
        signals["healthy_stage_calibration"] = 1 - min(1.0, abs(gap) / STAGE_REFERENCE)
    metrics = [metric("weighted_gap", gap, "ratio", weight,
                      label="Stated minus realised, weighted by deals")]
    series: list[dict[str, object]] = []
    for x in rows:
        ci = stats.wilson_interval(x.won, x.decided) if x.decided else (None, None)
        real = x.realised if x.decided else None
        metrics.append(metric(f"stated_{slug(x.stage)}", x.stated, "probability",
                              label=f"Stated probability, {x.stage}"))
        metrics.append(metric(f"realised_{slug(x.stage)}", real, "ratio", x.decided, ci=ci,
                              label=f"Realised win rate from {x.stage}"))
        series.append({"stage": x.stage, "stated_probability": x.stated,
                       "realised_rate": real, "low": ci[0], "high": ci[1], "n": x.decided,
                       "p_value": x.p})
    metrics.append(metric("bonferroni_p", p_min, "statistic", weight))
    worst_ = max(tested, key=lambda x: (x.stated - x.realised, x.stage))
    if gap > 0:
        lead = ("Stages are optimistic" if strength > 0 else
                "Stages lean optimistic, within what chance allows")
        statement = (f"{lead}: deals that reached {quote(worst_.stage)} won "
                     f"{pct(worst_.realised)} of {count(worst_.decided)} decided against the "
                     f"{pct(worst_.stated)} the CRM states; "
                     f"across stages the realised win rate is {pp(gap)} below the stated "
                     "probability (weighted by deals).")
    else:
        statement = (f"Stage probabilities are not optimistic: across stages the realised win "
                     f"rate is {pp(-gap)} above the stated probability (weighted by deals).")
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_all, severity=severity_for(strength),
        comparison="per stage: share won among closed deals that ever reached it, against the "
                   "mean probability the CRM records for it",
        significance=Significance(
            test="one-sided exact binomial per stage (realised < stated), Bonferroni",
            p_value=p_min, n=weight, effect_size=gap,
            effect_measure="weighted stated − realised"),
        evidence=[evidence(ctx, "stage_history", expr, n_rows,
                           "deals that reached each stage and are now closed; sN = stage N of "
                           + ", ".join(f"{i} {s}" for i, s in enumerate(order)))],
        signals=signals, series=series,
    )]


# -- commits that fail -----------------------------------------------------------------


@register(
    "honesty.commit_slippage", family=FAMILY,
    title="Commit and late-stage deals that were lost or slipped",
    needs=("stage_history", "opportunities"), needs_text=HISTORY_NEEDS,
)
def commit_slippage(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "honesty.commit_slippage", "Commit deals lost or slipped"
    usable = _history_usable(ctx, diag, title, ["changed_at", "close_date"],
                             also=("forecast_category", "probability"))
    if isinstance(usable, list):
        return usable
    n_rows, filled = usable
    hist = ctx.table("stage_history")
    o = ctx.table("opportunities")
    assert hist is not None and o is not None
    d1 = as_of(ctx)
    lit = ibis.literal(d1, type="date")
    h = hist.filter(hist.changed_at.notnull() & (hist.changed_at.cast("date") <= lit)
                    & hist.close_date.notnull())
    if filled.get("forecast_category", 0) > 0:
        f = h.filter(h.forecast_category.lower().contains("commit").fill_null(False))
        kind = "commit"
    elif filled.get("probability", 0) > 0:
        f = h.filter((h.probability >= LATE_STAGE_PROBABILITY) & (h.probability < 100)
                     & ~label(h.stage).contains("closed"))
        kind = "late-stage"
    else:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="the stage history has neither forecast categories nor "
                                   "probabilities", needs=HISTORY_NEEDS)
    w = ibis.window(group_by=f.opportunity_id, order_by=[f.changed_at, f.history_id])
    first = f.mutate(_rn=ibis.row_number().over(w))
    first = first.filter(first._rn == 0).select(
        _oid=first.opportunity_id, c0=first.close_date, prob=first.probability)
    out = o.select(_oid2=o.opportunity_id, closed=o.is_closed.fill_null(False),
                   won=o.is_won.fill_null(False), final=o.close_date)
    j = first.join(out, first._oid == out._oid2)
    q0 = j.c0.truncate("Q")
    lost = j.closed & ~j.won
    slipped = ibis.ifelse(j.closed, j.final.notnull() & (j.final.truncate("Q") > q0),
                          j.c0 < lit)
    decided = j.closed | (j.c0 < lit)
    jj = j.mutate(_lost=lost, _slipped=slipped, _decided=decided)
    expr = jj.aggregate(
        flagged=jj.count(), decided=jj._decided.sum(),
        lost=jj._lost.sum(where=jj._decided), slipped=jj._slipped.sum(where=jj._decided),
        failed=(jj._lost | jj._slipped).sum(where=jj._decided),
        prob_mean=fmean(jj.prob, where=jj._decided), prob_n=jj.prob.count(where=jj._decided),
    )
    r = records(ctx.execute(expr))[0]
    n = int(r["decided"] or 0)
    if n == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason=f"no {kind} deal has been decided or passed its close date",
                            needs=HISTORY_NEEDS)
    failed, lost_n, slipped_n = (int(r[k] or 0) for k in ("failed", "lost", "slipped"))
    if r["prob_n"] and r["prob_mean"] is not None:
        expected_success = min(1.0, max(0.0, float(r["prob_mean"]) / 100.0))
    else:
        expected_success = COMMIT_DEFAULT_PROBABILITY
    allowed = 1 - expected_success
    share = failed / n
    p = stats.binomial_test_greater(failed, n, allowed)
    strength = stats.gated_strength(share - allowed, COMMIT_REFERENCE, p, ALPHA)
    statement = (f"Of {count(n)} {kind} deals that are decided or past their close date, "
                 f"{pct(share)} failed: {pct(lost_n / n)} were lost and {pct(slipped_n / n)} "
                 f"closed or sat open past the quarter they were committed for, against the "
                 f"{pct(allowed)} the stated probability allows.")
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        n=n, severity=severity_for(strength),
        metrics=[metric("failed_share", share, "ratio", n, ci=stats.wilson_interval(failed, n)),
                 metric("lost_share", lost_n / n, "ratio", n),
                 metric("slipped_share", slipped_n / n, "ratio", n),
                 metric("allowed_failure", allowed, "probability"),
                 metric("flagged_deals", int(r["flagged"] or 0), "count"),
                 metric("decided_deals", n, "count")],
        comparison=f"{kind} deals (first flagged in the stage history) against the failure rate "
                   "their stated probability allows",
        significance=Significance(test="one-sided exact binomial (failed share > allowed)",
                                  p_value=p, n=n, effect_size=share - allowed,
                                  effect_measure="failed share − allowed"),
        evidence=[evidence(ctx, "stage_history", expr, n_rows, f"{kind} rows, first per deal")],
        caveats=["A deal that slipped and was then lost counts once as failed, and in both "
                 "the lost and the slipped share."],
        signals={"commit_slippage": strength},
    )]


# -- close-date pushes -----------------------------------------------------------------


@register(
    "honesty.close_date_pushes", family=FAMILY, title="Close-date slippage",
    needs=("stage_history", "opportunities"), needs_text=HISTORY_NEEDS,
)
def close_date_pushes(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "honesty.close_date_pushes", "Close-date slippage"
    usable = _history_usable(ctx, diag, title, ["changed_at", "close_date"])
    if isinstance(usable, list):
        return usable
    n_rows = usable[0]
    hist = ctx.table("stage_history")
    o = ctx.table("opportunities")
    assert hist is not None and o is not None
    d1 = as_of(ctx)
    h = hist.filter(hist.close_date.notnull() & hist.changed_at.notnull()
                    & (hist.changed_at.cast("date") <= ibis.literal(d1, type="date")))
    # Only the columns the window orders by and reads go through its sort.
    h = h.select("opportunity_id", "changed_at", "history_id", "close_date")
    w = ibis.window(group_by=h.opportunity_id, order_by=[h.changed_at, h.history_id])
    h = h.mutate(_prev=h.close_date.lag().over(w), _rn=ibis.row_number().over(w))
    h = h.mutate(_push=h._prev.notnull() & (h.close_date > h._prev))
    h = h.mutate(_push_days=ibis.ifelse(h._push, days_between(h.close_date, h._prev), 0))
    per = h.group_by(_oid=h.opportunity_id).aggregate(
        pushes=h._push.sum(), push_days=h._push_days.sum(),
        first_close=h.close_date.min(where=h._rn == 0))
    out = o.select(_oid2=o.opportunity_id, closed=o.is_closed.fill_null(False),
                   final=o.close_date)
    j = per.left_join(out, per._oid == out._oid2)
    net = days_between(j.final, j.first_close)
    use = j.closed.fill_null(False) & j.final.notnull()
    expr = j.aggregate(
        deals=j.count(), pushed=(j.pushes > 0).sum(), pushes=j.pushes.sum(),
        push_days=j.push_days.sum(),
        closed=use.sum(), net_sum=net.sum(where=use), net_sq=(net * net).sum(where=use),
    )
    r = records(ctx.execute(expr))[0]
    deals = int(r["deals"] or 0)
    if deals == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no stage change records a close date", needs=HISTORY_NEEDS)
    pushed, pushes = int(r["pushed"] or 0), int(r["pushes"] or 0)
    closed = int(r["closed"] or 0)
    mean, se = stats.mean_from_sums(closed, float(r["net_sum"] or 0), float(r["net_sq"] or 0))
    p = stats.t_test_greater(mean, se, closed)
    strength = stats.gated_strength(mean, PUSH_REFERENCE_DAYS, p, ALPHA)
    metrics = [
        metric("pushed_share", pushed / deals, "ratio", deals,
               ci=stats.wilson_interval(pushed, deals)),
        metric("pushes_per_deal", pushes / deals, "count", deals),
        metric("pushes", pushes, "count"),
        metric("days_pushed_per_pushed_deal",
               float(r["push_days"] or 0) / pushed if pushed else None, "days", pushed),
    ]
    parts = [f"{pct(pushed / deals)} of {count(deals)} deals had their close date pushed at "
             f"least once ({num(pushes / deals)} pushes per deal)"]
    if closed:
        ci = (mean - 1.96 * se, mean + 1.96 * se) if math.isfinite(se) else (None, None)
        metrics.append(metric("mean_days_late", mean, "days", closed, ci=ci,
                              label="Actual close minus first close date, closed deals"))
        if mean >= 0:
            parts.append(f"closed deals closed a mean of {num(mean)} days after the first "
                         "close date the CRM held for them")
        else:
            metrics.append(metric("mean_days_early", -mean, "days", closed))
            parts.append(f"closed deals closed a mean of {num(-mean)} days before the first "
                         "close date the CRM held for them")
    statement = "; ".join(parts) + "."
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=deals, severity=severity_for(strength),
        comparison="successive close dates in the stage history; actual close vs the first "
                   "close date recorded",
        significance=Significance(test="one-sided t-test: mean days late > 0", p_value=p,
                                  n=closed, effect_size=mean, effect_measure="mean days late"),
        evidence=[evidence(ctx, "stage_history", expr, n_rows,
                           "stage changes with a close date, per deal")],
        signals={"close_date_pushes": strength},
    )]


# -- forecast vs actual ---------------------------------------------------------------

FORECAST_NEEDS = ("forecast submissions per period (period start and end, submitted date, "
                  "owner, amount, category)",
                  "won opportunities with amount and close date")


@register(
    "honesty.forecast_accuracy", family=FAMILY, title="Forecast against actual bookings",
    needs=("forecasts", "opportunities"), needs_text=FORECAST_NEEDS,
)
def forecast_accuracy(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "honesty.forecast_accuracy", "Forecast against actual"
    fc = ctx.table("forecasts")
    o = ctx.table("opportunities")
    assert fc is not None and o is not None
    rows, filled = filled_counts(ctx, fc, ["period_start", "amount", "category"])
    if rows == 0 or filled["period_start"] == 0 or filled["amount"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no forecast with a period and an amount",
                            needs=FORECAST_NEEDS)
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
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no forecast period has ended by the as-of date",
                            needs=FORECAST_NEEDS)
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
        return [finding(ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title,
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
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
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


# -- positive notes that stall ----------------------------------------------------------

NOTES_NEEDS = ("deal notes or next steps (opportunities.next_step)",
               "stage history dates to tell a stalled deal from a moving one")


# The markers are plain words and spaces, so one regular-expression alternation finds any of
# them (one pass over the lower-cased text instead of one per marker).
assert all(m.replace(" ", "").isalpha() for m in POSITIVE_MARKERS)
POSITIVE_PATTERN = "|".join(POSITIVE_MARKERS)


def positive_note(col: ir.StringValue) -> ir.BooleanValue:
    return col.lower().re_search(POSITIVE_PATTERN).fill_null(False)


@register(
    "honesty.positive_notes_stall", family=FAMILY, title="Deals with positive notes that stall",
    needs=("opportunities",), optional=("stage_history",), needs_text=NOTES_NEEDS,
)
def positive_notes_stall(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "honesty.positive_notes_stall", "Positive notes that stall"
    o = ctx.table("opportunities")
    assert o is not None
    rows, filled = filled_counts(ctx, o, ["next_step"])
    if rows == 0 or filled.get("next_step", 0) == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal has notes or a next step", needs=NOTES_NEEDS)
    d1 = as_of(ctx)
    lit = ibis.literal(d1, type="date")
    cutoff = ibis.literal(d1 - timedelta(days=STALL_DAYS), type="date")
    hist = ctx.table("stage_history")
    t = o.filter(o.created_date.isnull() | (o.created_date <= cutoff))
    if hist is not None:
        last = hist.group_by(_oid=hist.opportunity_id).aggregate(
            last_change=hist.changed_at.max().cast("date"))
        t = t.left_join(last, t.opportunity_id == last._oid)
        moved = ibis.coalesce(t.last_change, t.created_date)
    else:
        moved = t.created_date
    closed = t.is_closed.fill_null(False)
    lost = closed & ~t.is_won.fill_null(False)
    idle = ~closed & (moved.isnull() | (moved < cutoff)
                      | (t.close_date.notnull() & (t.close_date < lit)))
    t = t.mutate(_pos=positive_note(t.next_step), _stalled=lost | idle)
    expr = t.group_by("_pos").aggregate(deals=t.count(), stalled=t._stalled.sum())
    got = {bool(r["_pos"]): r for r in records(ctx.execute(expr))}
    pos = got.get(True)
    if pos is None or int(pos["deals"]) == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal old enough to judge has positive notes",
                            needs=NOTES_NEEDS)
    n_pos, s_pos = int(pos["deals"]), int(pos["stalled"] or 0)
    other = got.get(False)
    n_oth, s_oth = (int(other["deals"]), int(other["stalled"] or 0)) if other else (0, 0)
    rate_pos = s_pos / n_pos
    metrics = [metric("stall_rate_positive", rate_pos, "ratio", n_pos,
                      ci=stats.wilson_interval(s_pos, n_pos)),
               metric("positive_stalled", s_pos, "count"),
               metric("positive_deals", n_pos, "count")]
    caveats = ["Positive language is matched by key phrases in the next-step text."]
    if n_oth:
        rate_oth = s_oth / n_oth
        z, p = stats.two_proportion_test(s_pos, n_pos, s_oth, n_oth)
        effect = rate_pos - rate_oth
        strength = stats.gated_strength(effect, STALL_REFERENCE, p, ALPHA)
        metrics.append(metric("stall_rate_other", rate_oth, "ratio", n_oth,
                              ci=stats.wilson_interval(s_oth, n_oth)))
        statement = (f"{pct(rate_pos)} of {count(n_pos)} deals with positive notes stalled or "
                     f"were lost, against {pct(rate_oth)} of {count(n_oth)} other deals.")
        significance = Significance(test="two-proportion z-test", statistic=z, p_value=p,
                                    n=n_pos + n_oth, effect_size=effect,
                                    effect_measure="difference in stall rate")
    else:
        strength = 0.0
        statement = (f"{pct(rate_pos)} of {count(n_pos)} deals with positive notes stalled or "
                     "were lost; every judged deal has positive notes, so there is nothing to "
                     "compare them with.")
        significance = None
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_pos + n_oth, severity=severity_for(strength),
        comparison=f"deals created at least {STALL_DAYS} days before as-of; stalled = lost, or "
                   "open with no change in that time or past its close date",
        significance=significance,
        evidence=[evidence(ctx, "opportunities", expr, rows, "deals old enough to judge")],
        caveats=caveats, signals={"positive_notes_stall": strength},
    )]
