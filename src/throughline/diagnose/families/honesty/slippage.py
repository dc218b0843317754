"""``honesty.commit_slippage`` and ``honesty.close_date_pushes``: commit and late-stage
deals lost or slipped, and close dates pushed.
"""

from __future__ import annotations

import math

import ibis

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.honesty import common
from throughline.diagnose.families.measure import count, finding, metric, num, pct, severity_for
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import as_of, days_between, evidence, fmean, label, records


@diagnostic(id="honesty.commit_slippage", needs_text=common.HISTORY_NEEDS)
def commit_slippage(ctx: DiagnoseContext) -> list[Finding]:
    title = "Commit deals lost or slipped"
    n_rows, filled = common.history_counts(ctx, ["changed_at", "close_date"],
                                           also=("forecast_category", "probability"))
    hist = ctx.require("stage_history")
    o = ctx.require("opportunities")
    d1 = as_of(ctx)
    lit = ibis.literal(d1, type="date")
    h = hist.filter(hist.changed_at.notnull() & (hist.changed_at.cast("date") <= lit)
                    & hist.close_date.notnull())
    if filled.get("forecast_category", 0) > 0:
        f = h.filter(h.forecast_category.lower().contains("commit").fill_null(False))
        kind = "commit"
    elif filled.get("probability", 0) > 0:
        f = h.filter((h.probability >= common.LATE_STAGE_PROBABILITY) & (h.probability < 100)
                     & ~label(h.stage).contains("closed"))
        kind = "late-stage"
    else:
        raise unmeasurable("the stage history has neither forecast categories nor "
                           "probabilities", common.HISTORY_NEEDS)
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
        raise unmeasurable(f"no {kind} deal has been decided or passed its close date",
                           common.HISTORY_NEEDS)
    failed, lost_n, slipped_n = (int(r[k] or 0) for k in ("failed", "lost", "slipped"))
    if r["prob_n"] and r["prob_mean"] is not None:
        expected_success = min(1.0, max(0.0, float(r["prob_mean"]) / 100.0))
    else:
        expected_success = common.COMMIT_DEFAULT_PROBABILITY
    allowed = 1 - expected_success
    share = failed / n
    p = stats.binomial_test_greater(failed, n, allowed)
    strength = stats.gated_strength(share - allowed, common.COMMIT_REFERENCE, p, common.ALPHA)
    statement = (f"Of {count(n)} {kind} deals that are decided or past their close date, "
                 f"{pct(share)} failed: {pct(lost_n / n)} were lost and {pct(slipped_n / n)} "
                 f"closed or sat open past the quarter they were committed for, against the "
                 f"{pct(allowed)} the stated probability allows.")
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
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


@diagnostic(id="honesty.close_date_pushes", needs_text=common.HISTORY_NEEDS)
def close_date_pushes(ctx: DiagnoseContext) -> list[Finding]:
    title = "Close-date slippage"
    n_rows = common.history_counts(ctx, ["changed_at", "close_date"])[0]
    hist = ctx.require("stage_history")
    o = ctx.require("opportunities")
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
        raise unmeasurable("no stage change records a close date", common.HISTORY_NEEDS)
    pushed, pushes = int(r["pushed"] or 0), int(r["pushes"] or 0)
    closed = int(r["closed"] or 0)
    mean, se = stats.mean_from_sums(closed, float(r["net_sum"] or 0), float(r["net_sq"] or 0))
    p = stats.t_test_greater(mean, se, closed)
    strength = stats.gated_strength(mean, common.PUSH_REFERENCE_DAYS, p, common.ALPHA)
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
        ctx, slug="summary", title=title, statement=statement,
        metrics=metrics, n=deals, severity=severity_for(strength),
        comparison="successive close dates in the stage history; actual close vs the first "
                   "close date recorded",
        significance=Significance(test="one-sided t-test: mean days late > 0", p_value=p,
                                  n=closed, effect_size=mean, effect_measure="mean days late"),
        evidence=[evidence(ctx, "stage_history", expr, n_rows,
                           "stage changes with a close date, per deal")],
        signals={"close_date_pushes": strength},
    )]
