"""``pipeline.stages``: stage order and reach from the stage history, stage conversion and
time in stage.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, num, pct, quote, slug
from throughline.diagnose.families.sales_pipeline.mechanics import ALPHA_WORDS, MIN_GROUP
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic

STAGE_NEEDS = ("stage history (each stage change per deal with its date; Salesforce "
               "OpportunityHistory)", "stage probabilities to order stages")


def stage_order(ctx: DiagnoseContext, hist: ir.Table, o: ir.Table,
                ) -> tuple[list[str], dict[str, float | None], set[str]]:
    """Non-terminal stages in order, each one's stated probability (percent, may be None),
    and the terminal labels (stages closed deals sit in)."""
    terminal = {str(r["stage"]) for r in toolkit.records(ctx.execute(
        o.filter(o.is_closed.fill_null(False)).select(stage=toolkit.label(o.stage)).distinct()))}

    def open_stages(expr: ir.Table) -> list[dict[str, Any]]:
        return [r for r in toolkit.records(ctx.execute(expr))
                if str(r["stage"]) not in terminal and "closed" not in str(r["stage"])]

    # The mean position in each deal's history only breaks ties between stated
    # probabilities (or orders stages that have none); it needs a window over the whole
    # history, so it is computed only when the probabilities alone cannot order the stages.
    h = hist.mutate(_stage=toolkit.label(hist.stage))
    rows = open_stages(h.group_by(stage=h._stage).aggregate(prob=toolkit.fmean(h.probability)))
    have_prob = all(r["prob"] is not None for r in rows)
    if not have_prob or len({float(r["prob"]) for r in rows}) < len(rows):
        w = ibis.window(group_by=hist.opportunity_id,
                        order_by=[hist.changed_at, hist.history_id])
        h = hist.mutate(_stage=toolkit.label(hist.stage), _pos=ibis.row_number().over(w))
        rows = open_stages(h.group_by(stage=h._stage).aggregate(
            prob=toolkit.fmean(h.probability), pos=h._pos.mean()))
        have_prob = all(r["prob"] is not None for r in rows)
    else:
        for r in rows:
            r["pos"] = 0.0  # distinct probabilities: the position never decides the order
    rows.sort(key=lambda r: ((float(r["prob"]) if have_prob else 0.0), float(r["pos"]),
                             str(r["stage"])))
    probs = {str(r["stage"]): (float(r["prob"]) if r["prob"] is not None else None)
             for r in rows}
    return [str(r["stage"]) for r in rows], probs, terminal


def staged(hist: ir.Table, order: list[str]) -> ir.Table:
    """``hist`` with ``_stage`` (its label) and ``_ord`` (its position in ``order``, -1 for a
    stage outside it)."""
    h = hist.mutate(_stage=toolkit.label(hist.stage))
    return h.mutate(_ord=h._stage.substitute({s: i for i, s in enumerate(order)}, else_=-1))


def stage_reach(ctx: DiagnoseContext, hist: ir.Table, order: list[str]) -> ir.Table:
    """Per deal in ``hist`` (``_oid``): the furthest stage of ``order`` it reached
    (``max_ord``, -1 when none) and whether it reached each (``sN``: stage N of ``order``).

    One pass over the whole history; the stage and honesty families both count from it,
    so it is a shared intermediate (one row per deal, computed once per run).
    """
    h = staged(hist, order)
    return ctx.shared(h.group_by(_oid=h.opportunity_id).aggregate(
        max_ord=h._ord.max(), **{f"s{i}": (h._ord == i).any() for i in range(len(order))}))


@diagnostic(id="pipeline.stages", needs_text=STAGE_NEEDS)
def stages(ctx: DiagnoseContext) -> list[Finding]:
    title = ctx.declared.title  # the declared title
    hist = ctx.require("stage_history")
    o = ctx.require("opportunities")
    rows = toolkit.require_filled(ctx, hist, ["stage", "changed_at"],
                                  "no stage changes with a date", STAGE_NEEDS)
    hist = hist.filter(hist.stage.notnull() & hist.changed_at.notnull())
    order, probs, _terminal = stage_order(ctx, hist, o)
    if len(order) < 2:
        raise unmeasurable("fewer than two open-pipeline stages in the history", STAGE_NEEDS)
    h = staged(hist, order)
    outcome = o.select(_oid2=o.opportunity_id, _closed=o.is_closed.fill_null(False),
                       _won=o.is_won.fill_null(False), _channel=toolkit.deal_channel(o))
    # Per deal, the furthest stage it reached and which stages it reached at all, joined to
    # the deal's outcome and counted per channel. A deal that reached stage N advanced when
    # it went further or was won, and was lost from there when it closed without advancing.
    # One query serves both findings: a stage's figures are the sums of its counts over
    # channels (exact).
    per_opp = stage_reach(ctx, hist, order)
    j = per_opp.join(outcome, per_opp._oid == outcome._oid2)
    counts: dict[str, Any] = {}
    for i in range(len(order)):
        at, advanced = j[f"s{i}"], (j.max_ord > i) | j._won
        counts[f"s{i}_reached"] = at.sum()
        counts[f"s{i}_advanced"] = (at & advanced).sum()
        counts[f"s{i}_lost"] = (at & ~advanced & j._closed).sum()
    conv_expr = j.group_by("_channel").aggregate(**counts)
    # Time to the next change: only the columns the window orders by and the stage's
    # position (a number, cheaper to carry through the sort than its label) go through it.
    narrow = h.select("opportunity_id", "changed_at", "history_id", "_ord")
    w = ibis.window(group_by=narrow.opportunity_id,
                    order_by=[narrow.changed_at, narrow.history_id])
    timed = narrow.mutate(_next=narrow.changed_at.lead().over(w))
    timed = timed.filter(timed._next.notnull() & (timed._ord >= 0))
    time_expr = timed.group_by(stage_n=timed._ord).aggregate(
        stays=timed.count(),
        median_days=toolkit.quantile(ctx, toolkit.elapsed_days(timed._next, timed.changed_at), 0.5))
    cells: list[dict[str, Any]] = []  # one row per stage and channel that deals reached
    for r in toolkit.records(ctx.execute(conv_expr)):
        for i, s in enumerate(order):
            c = {k: int(r[f"s{i}_{k}"] or 0) for k in ("reached", "advanced", "lost")}
            if c["reached"]:
                cells.append({"stage": s, "_channel": str(r["_channel"]), **c})
    conv: dict[str, dict[str, int]] = {}
    for r in cells:
        per_stage = conv.setdefault(str(r["stage"]), {"reached": 0, "advanced": 0, "lost": 0})
        for k in per_stage:
            per_stage[k] += int(r[k] or 0)
    times = {order[int(r["stage_n"])]: r for r in toolkit.records(ctx.execute(time_expr))}
    metrics, series = [], []
    table = []
    for s in order:
        c = conv.get(s, {})
        adv, lost = int(c.get("advanced") or 0), int(c.get("lost") or 0)
        decided = adv + lost
        rate = adv / decided if decided else None
        ci = stats.wilson_interval(adv, decided) if decided else (None, None)
        med = times.get(s, {}).get("median_days")
        table.append((s, int(c.get("reached") or 0), decided, rate, med))
        metrics.append(metric(f"conversion_{slug(s)}", rate, "ratio", decided, ci=ci,
                              label=f"Moved on from {s}"))
        metrics.append(metric(f"median_days_in_{slug(s)}", None if med is None else float(med),
                              "days", int(times.get(s, {}).get("stays") or 0),
                              label=f"Median days in {s}"))
        series.append({"stage": s, "reached": int(c.get("reached") or 0), "decided": decided,
                       "conversion": rate, "low": ci[0], "high": ci[1],
                       "median_days": None if med is None else float(med),
                       "stated_probability": probs.get(s)})
    decided_rows = [(st, d, r) for st, _, d, r, _ in table if r is not None and d >= MIN_GROUP]
    timed_rows = [(st, float(m)) for st, _, _, _, m in table if m is not None]
    # deals in `reached`: those with a row at an open-pipeline stage (counted from the
    # per-deal pass rather than by a distinct count over the history)
    n_total = int(ctx.execute(per_opp.filter(per_opp._oid.notnull()
                                             & (per_opp.max_ord >= 0)).count()))
    bits = []
    if decided_rows:
        weak = min(decided_rows, key=lambda x: (x[2], x[0]))
        bits.append(f"the weakest step is {quote(weak[0])}, where {pct(weak[2])} of "
                    f"{count(weak[1])} decided deals moved on")
    if timed_rows:
        slow = max(timed_rows, key=lambda x: (x[1], x[0]))
        bits.append(f"deals stay longest in {quote(slow[0])} (median {num(slow[1])} days)")
    if not bits:
        statement = f"{count(len(order))} stages found, too few decided deals to compare."
    else:
        statement = ("Across " + count(len(order)) + " stages, " + " and ".join(bits) + ".")
    metrics.append(metric("stages", len(order), "count"))
    metrics.append(metric("deals", n_total, "count"))
    findings = [finding(
        ctx, slug="conversion", title=title,
        statement=statement, metrics=metrics, n=n_total,
        comparison="stages in CRM order; decided = moved on, won, or closed lost from there",
        evidence=[toolkit.evidence(ctx, "stage_history", conv_expr, rows,
                                   "every stage change; sN = stage N of "
                                   + ", ".join(f"{i} {s}" for i, s in enumerate(order))
                                   + " (per stage: summed over channels)"),
                  toolkit.evidence(ctx, "stage_history", time_expr, rows,
                                   "time to the next change, per stage; stage_n = N of "
                                   + ", ".join(f"{i} {s}" for i, s in enumerate(order)))],
        series=series,
    )]
    by_channel = _stages_by_channel(ctx, cells, conv_expr, order, rows)
    if by_channel is not None:
        findings.append(by_channel)
    return findings


def _stages_by_channel(ctx: DiagnoseContext, rows: list[dict[str, Any]],
                       expr: ir.Table, order: list[str], n_rows: int) -> Finding | None:
    """Stage conversion per channel (``rows``: stage, _channel, advanced, lost, from ``expr``);
    names the channel furthest below its stage's conversion and tests, for that stage,
    whether conversion differs across channels (chi-square)."""
    cells: dict[str, dict[str, tuple[int, int]]] = {}
    for r in rows:
        cells.setdefault(str(r["stage"]), {})[str(r["_channel"])] = (
            int(r["advanced"] or 0), int(r["lost"] or 0))
    channels = sorted({c for per in cells.values() for c in per if c != toolkit.UNKNOWN})
    if len(channels) < 2:
        return None
    series: list[dict[str, object]] = []
    candidates = []
    for s in order:
        per = cells.get(s, {})
        dec_stage = sum(a + b for a, b in per.values())
        if not dec_stage:
            continue
        stage_rate = sum(a for a, _ in per.values()) / dec_stage
        for c in sorted(per):
            adv, lost = per[c]
            decided = adv + lost
            if not decided:
                continue
            rate = adv / decided
            series.append({"stage": s, "channel": c, "conversion": rate, "decided": decided})
            if decided >= MIN_GROUP and c != toolkit.UNKNOWN:
                candidates.append((rate - stage_rate, s, c, adv, decided, stage_rate, dec_stage))
    if not candidates:
        return None
    _, stage, channel, adv, decided, stage_rate, dec_all = min(candidates)
    rate = adv / decided
    table = [[a, b] for _, (a, b) in sorted(cells[stage].items()) if a + b > 0]
    chi2, p, _, cramer = stats.chi_square(table)
    verdict = "differs significantly" if p < ALPHA_WORDS else "does not differ significantly"
    statement = (f"The channel furthest below its stage is {quote(channel)} at {quote(stage)}: "
                 f"{pct(rate)} of {count(decided)} decided deals moved on, against "
                 f"{pct(stage_rate)} for the stage across channels; conversion at that stage "
                 f"{verdict} by channel (chi-square).")
    return finding(
        ctx, slug="by_channel",
        title="Stage conversion by channel", statement=statement, n=dec_all,
        metrics=[metric("weakest_conversion", rate, "ratio", decided,
                        ci=stats.wilson_interval(adv, decided)),
                 metric("stage_conversion", stage_rate, "ratio", dec_all),
                 metric("chi_square_p", p, "statistic", dec_all)],
        comparison="per stage and channel: decided deals that moved on",
        significance=Significance(test="chi-square across channels at the weakest stage",
                                  statistic=chi2, p_value=p, n=dec_all, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[toolkit.evidence(ctx, "stage_history", expr, n_rows,
                                   "by stage and channel; sN = stage N of "
                                   + ", ".join(f"{i} {s}" for i, s in enumerate(order)))],
        series=series,
    )
