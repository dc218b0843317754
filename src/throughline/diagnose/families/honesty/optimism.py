"""``honesty.stage_optimism``: stage probabilities against realised stage-to-win
conversion.
"""

from __future__ import annotations

from typing import NamedTuple

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.honesty import common
from throughline.diagnose.families.measure import (
    count, finding, metric, pct, pp, quote, severity_for, slug)
from throughline.diagnose.families.sales_pipeline.stages import stage_order, stage_reach
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import evidence, records


class StageRow(NamedTuple):
    stage: str
    stated: float  # the CRM's probability, as a fraction
    decided: int  # closed deals that reached the stage
    won: int
    realised: float  # won / decided (0 when none decided)
    p: float  # one-sided binomial p (realised < stated)


@diagnostic(id="honesty.stage_optimism", needs_text=common.HISTORY_NEEDS)
def stage_optimism(ctx: DiagnoseContext) -> list[Finding]:
    title = "Stage optimism"
    n_rows = common.history_counts(ctx, ["stage", "changed_at", "probability"])[0]
    hist = ctx.require("stage_history")
    o = ctx.require("opportunities")
    hist = hist.filter(hist.stage.notnull() & hist.changed_at.notnull())
    all_stages, probs, _ = stage_order(ctx, hist, o)
    stated_pct = {s: p for s, p in probs.items() if p is not None and 0 < p < 100}
    order = [s for s in all_stages if s in stated_pct]
    if not order:
        raise unmeasurable("no open-pipeline stage carries a probability", common.HISTORY_NEEDS)
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
    tested = [x for x in rows if x.decided >= common.MIN_DECIDED]
    if not tested:
        raise unmeasurable("too few closed deals passed through the stages", common.HISTORY_NEEDS)
    n_all = int(got["deals"] or 0)
    weight = sum(x.decided for x in tested)
    gap = sum(x.decided * (x.stated - x.realised) for x in tested) / weight
    k = len(tested)
    p_min = min(1.0, min(x.p for x in tested) * k)
    strength = stats.gated_strength(gap, common.STAGE_REFERENCE, p_min, common.ALPHA)
    signals = {"stage_optimism": strength}
    if p_min >= 0.05 and n_all >= ctx.options.min_n:
        signals["healthy_stage_calibration"] = 1 - min(1.0, abs(gap) / common.STAGE_REFERENCE)
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
        ctx, slug="summary", title=title, statement=statement,
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
