"""Pipeline mechanics: win rate, sales cycle, deal size, velocity; stage conversion and time
in stage; overall, by channel and by feature cohort.

Definitions (deals closed in the 12 months ending at the as-of date; open = not closed, or
closed after as-of, and created on or before it):

* **win rate (won / closed)** = won deals / closed deals (lost + won), Wilson interval.
* **median sales cycle** = median days created_date → close_date of won deals.
* **average deal size** = mean amount of won deals (interval from Σx, Σx²).
* **pipeline velocity** = open deals × win rate × average deal size ÷ median cycle days
  (currency per day).
* **stage conversion** (from ``stage_history``) = of deals that reached stage S and have
  since been decided, the share that went on to a later stage or were won. Stages are
  ordered by the probability the CRM gives them, else by when deals enter them; the
  labels of closed deals' stages are terminal and not shown. **Time in stage** = median
  days from entering a stage to the next recorded change. By channel: the channel whose
  conversion falls furthest below its stage's, with a chi-square test across channels at
  that stage.
* **feature cohort** = deals linked to a feature in ``opportunity_features``; its win rate
  is compared with the other closed deals (two-proportion z-test).

These findings are descriptive and carry no binding-constraint signals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.expr import (
    UNKNOWN,
    add_months,
    as_of,
    days_between,
    deal_channel,
    elapsed_days,
    evidence,
    filled_counts,
    fmean,
    fsum,
    label,
    quantile,
    records,
)
from throughline.diagnose.families.measure import (
    count,
    finding,
    metric,
    money,
    num,
    pct,
    quote,
    slug,
    unmeasurable,
)
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import DiagnoseContext, register

FAMILY = "pipeline"
MIN_GROUP = 5  # closed deals a group needs before it is named best or worst
MAX_FEATURES = 40
ALPHA_WORDS = 0.05

OPP_NEEDS = ("opportunities with outcome (closed, won), amount, created and close dates",
             "a channel or lead source per deal for the by-channel cut")


def _flags(ctx: DiagnoseContext, o: ir.Table, d1: date) -> ir.Table:
    """Per deal, what the mechanics aggregates read: id, amount, dates, channel and the
    window flags (closed / won in the 12 months to ``d1``, open at ``d1``, a usable cycle).
    Both mechanics diagnostics count from it, so it is a shared intermediate."""
    d0 = add_months(d1, -12)
    lit1, lit0 = ibis.literal(d1, type="date"), ibis.literal(d0, type="date")
    # Closed is closed: a closed deal without a close date (one the data-fitness gate could
    # not date from its history) is placed in the window by its created date, so it counts
    # in the win rate; it has no cycle.
    when = ibis.coalesce(o.close_date, o.created_date)
    closed_in = o.is_closed.fill_null(False) & when.notnull() \
        & (when > lit0) & (when <= lit1)
    won_in = closed_in & o.is_won.fill_null(False)
    created_ok = o.created_date.isnull() | (o.created_date <= lit1)
    is_open = created_ok & (~o.is_closed.fill_null(False)
                            | (o.close_date.notnull() & (o.close_date > lit1)))
    cycle_ok = won_in & o.created_date.notnull() & o.close_date.notnull() \
        & (o.close_date >= o.created_date)
    return ctx.shared(o.select("opportunity_id", "amount", "created_date", "close_date",
                               _closed=closed_in, _won=won_in, _open=is_open,
                               _cycle_ok=cycle_ok, _channel=deal_channel(o)))


def _mech_aggs(ctx: DiagnoseContext, t: ir.Table) -> dict[str, Any]:
    won_amt = t._won & t.amount.notnull()
    return dict(
        closed=t._closed.sum(),
        won=t._won.sum(),
        won_amount_n=won_amt.sum(),
        won_amount=fsum(t.amount, where=won_amt),
        won_amount_sq=fsum((t.amount * t.amount), where=won_amt),
        cycle_n=t._cycle_ok.sum(),
        cycle_median=quantile(ctx, days_between(t.close_date, t.created_date), 0.5,
                              where=t._cycle_ok),
        open=t._open.sum(),
        open_amount=fsum(t.amount, where=t._open),
    )


def mechanics(row: dict[str, Any]) -> dict[str, Any]:
    """Win rate, cycle, deal size and velocity from one group's aggregates."""
    closed, won = int(row["closed"] or 0), int(row["won"] or 0)
    out: dict[str, Any] = {"closed": closed, "won": won, "open": int(row["open"] or 0),
                           "cycle_n": int(row["cycle_n"] or 0),
                           "won_amount_n": int(row["won_amount_n"] or 0)}
    out["win_rate"] = won / closed if closed else None
    out["win_rate_ci"] = stats.wilson_interval(won, closed) if closed else None
    if out["won_amount_n"]:
        mean, se = stats.mean_from_sums(out["won_amount_n"], float(row["won_amount"] or 0),
                                        float(row["won_amount_sq"] or 0))
        out["avg_deal"], out["avg_deal_se"] = mean, se
    else:
        out["avg_deal"], out["avg_deal_se"] = None, None
    cyc = row.get("cycle_median")
    out["cycle_days"] = float(cyc) if cyc is not None and out["cycle_n"] else None
    if out["win_rate"] is not None and out["avg_deal"] is not None and out["cycle_days"]:
        out["velocity"] = out["open"] * out["win_rate"] * out["avg_deal"] / out["cycle_days"]
    else:
        out["velocity"] = None
    return out


def _usable(ctx: DiagnoseContext, diag: str, title: str) -> list[Finding] | None:
    o = ctx.table("opportunities")
    assert o is not None
    rows, filled = filled_counts(ctx, o, ["is_closed", "is_won", "close_date"])
    if rows == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="the opportunities table is empty", needs=OPP_NEEDS)
    if filled.get("close_date", 0) == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no opportunity has a close date", needs=OPP_NEEDS)
    return None


def _mech_metrics(v: dict[str, Any], suffix: str = "", label_: str | None = None) -> list:
    sfx = f"_{suffix}" if suffix else ""
    lab = f", {label_}" if label_ else ""
    ms = [metric(f"win_rate{sfx}", v["win_rate"], "ratio", v["closed"],
                 ci=v["win_rate_ci"], label=f"Win rate (won / closed){lab}"),
          metric(f"median_cycle_days{sfx}", v["cycle_days"], "days", v["cycle_n"],
                 label=f"Median sales cycle{lab}"),
          metric(f"avg_deal_size{sfx}", v["avg_deal"], "currency", v["won_amount_n"],
                 label=f"Average won deal{lab}"),
          metric(f"velocity{sfx}", v["velocity"], "currency_per_day", v["open"],
                 label=f"Pipeline velocity{lab}")]
    if not suffix:
        ms += [metric("closed_deals", v["closed"], "count"),
               metric("won_deals", v["won"], "count"),
               metric("open_deals", v["open"], "count")]
    else:
        ms += [metric(f"open_deals{sfx}", v["open"], "count", label=f"Open deals{lab}")]
    return ms


@register(
    "pipeline.velocity", family=FAMILY,
    title="Win rate, sales cycle, deal size and pipeline velocity",
    needs=("opportunities",), needs_text=OPP_NEEDS,
)
def velocity(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "pipeline.velocity", "Win rate, cycle and velocity"
    blocked = _usable(ctx, diag, title)
    if blocked:
        return blocked
    o = ctx.table("opportunities")
    assert o is not None
    d1 = as_of(ctx)
    t = _flags(ctx, o, d1)
    expr = t.aggregate(**_mech_aggs(ctx, t))
    v = mechanics(records(ctx.execute(expr))[0])
    if v["closed"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal closed in the 12 months before the as-of date",
                            needs=OPP_NEEDS[:1])
    n_rows = int(ctx.execute(o.count()))
    parts = [f"Win rate (won / closed) is {pct(v['win_rate'])} over {count(v['closed'])} deals "
             "closed in the last year"]
    if v["cycle_days"] is not None:
        parts.append(f"the median sales cycle is {num(v['cycle_days'])} days")
    if v["avg_deal"] is not None:
        parts.append(f"the average won deal {money(v['avg_deal'])}")
    if v["velocity"] is not None:
        parts.append(f"{count(v['open'])} open deals give a pipeline velocity of "
                     f"{money(v['velocity'])} per day")
    statement = "; ".join(parts) + "."
    caveats = _cycle_caveats(ctx, t, v)
    findings = [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="overall", title="Win rate, cycle and velocity",
        statement=statement, metrics=_mech_metrics(v), n=v["closed"],
        comparison=f"deals closed from {add_months(d1, -12).isoformat()} to {d1.isoformat()}; "
                   "open deals at as-of",
        evidence=[evidence(ctx, "opportunities", expr, n_rows,
                           "closed in the 12 months to as-of, or open at as-of")],
        caveats=caveats,
    )]
    gexpr = t.group_by(group=t._channel).aggregate(**_mech_aggs(ctx, t))
    groups = [(str(r["group"]), mechanics(r)) for r in
              sorted(records(ctx.execute(gexpr)), key=lambda r: str(r["group"]))]
    f = _by_group(ctx, diag, "by_channel", "channel", groups, gexpr, n_rows)
    if f is not None:
        findings.append(f)
    else:
        findings[0].caveats.append("Fewer than two known channels among closed deals: no "
                                   "cut by channel.")
    return findings


def _cycle_caveats(ctx: DiagnoseContext, t: ir.Table, v: dict[str, Any]) -> list[str]:
    """Say exactly why won deals are missing from the sales cycle: no created date, no close
    date, or closed before they were created (never one reason for another)."""
    if v["won"] == 0 or v["cycle_n"] == v["won"]:
        return []
    r = records(ctx.execute(t.aggregate(
        no_created=(t._won & t.created_date.isnull()).sum(),
        no_close=(t._won & t.close_date.isnull()).sum(),
        before=(t._won & (t.close_date < t.created_date)).sum())))[0]
    reasons = []
    for key, words in (("before", "closed before they were created"),
                       ("no_created", "have no created date"),
                       ("no_close", "have no close date")):
        k = int(r[key] or 0)
        if k:
            reasons.append(f"{count(k)} {words}")
    left = v["won"] - v["cycle_n"]
    text = (f"{count(left)} of {count(v['won'])} won deals are left out of the sales cycle: "
            + ", ".join(reasons) + ".")
    if v["cycle_days"] is None:
        text += " No won deal has a usable created-to-close span, so cycle and velocity " \
                "are unknown."
    return [text]


def _by_group(ctx: DiagnoseContext, diag: str, slug_: str, dim: str,
              groups: list[tuple[str, dict[str, Any]]], expr: Any, n_rows: int,
              ) -> Finding | None:
    decided = [(g, v) for g, v in groups if v["closed"] > 0]
    if len([g for g, _ in decided if g != UNKNOWN]) < 2:
        return None
    table = [[v["won"], v["closed"] - v["won"]] for _, v in decided]
    chi2, p, _, cramer = stats.chi_square(table)
    n_total = sum(v["closed"] for _, v in decided)
    metrics = []
    for g, v in groups:
        metrics += _mech_metrics(v, slug(g), g)
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    sized = [(g, v) for g, v in decided if v["closed"] >= MIN_GROUP and g != UNKNOWN]
    if len(sized) >= 2:
        hi = max(sized, key=lambda gv: (gv[1]["win_rate"], gv[0]))
        lo = min(sized, key=lambda gv: (gv[1]["win_rate"], gv[0]))
        verdict = "differs significantly" if p < ALPHA_WORDS else \
            "does not differ significantly"
        statement = (f"Win rate (won / closed) by {dim} {verdict} (chi-square): highest for "
                     f"{quote(hi[0])} at {pct(hi[1]['win_rate'])} of {count(hi[1]['closed'])} "
                     f"closed deals, lowest for {quote(lo[0])} at {pct(lo[1]['win_rate'])} of "
                     f"{count(lo[1]['closed'])}.")
    else:
        statement = f"Win rate (won / closed) by {dim}: " + "; ".join(
            f"{quote(g)} {pct(v['win_rate'])} of {count(v['closed'])}" for g, v in decided) + "."
    series = [{dim: g, "win_rate": v["win_rate"],
               "low": (v["win_rate_ci"] or (None, None))[0],
               "high": (v["win_rate_ci"] or (None, None))[1],
               "closed": v["closed"], "median_cycle_days": v["cycle_days"],
               "avg_deal_size": v["avg_deal"], "open": v["open"], "velocity": v["velocity"]}
              for g, v in groups]
    return finding(
        ctx, diagnostic=diag, family=FAMILY, slug=slug_, title=f"Pipeline mechanics by {dim}",
        statement=statement, metrics=metrics, n=n_total,
        severity=Severity.info,
        comparison=f"deals closed in the 12 months to as-of, grouped by {dim}",
        significance=Significance(test="chi-square test of win rate across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[evidence(ctx, "opportunities", expr, n_rows, f"grouped by {dim}")],
        caveats=[f"Deals with no recorded {dim} are grouped as 'unknown'."]
        if any(g == UNKNOWN for g, _ in groups) else [],
        series=series,
    )


# -- feature cohorts --------------------------------------------------------------------

FEATURE_NEEDS = ("links between deals and the features they involved "
                 "(opportunity_features: opportunity id, feature id)",) + OPP_NEEDS[:1]


@register(
    "pipeline.feature_cohorts", family=FAMILY,
    title="Pipeline mechanics by feature cohort",
    needs=("opportunities", "opportunity_features"), optional=("features",),
    needs_text=FEATURE_NEEDS,
)
def feature_cohorts(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "pipeline.feature_cohorts", "Pipeline mechanics by feature cohort"
    blocked = _usable(ctx, diag, title)
    if blocked:
        return blocked
    o = ctx.table("opportunities")
    links = ctx.table("opportunity_features")
    assert o is not None and links is not None
    n_links = int(ctx.execute(links.count()))
    if n_links == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal is linked to a feature", needs=FEATURE_NEEDS)
    d1 = as_of(ctx)
    t = _flags(ctx, o, d1)
    overall = mechanics(records(ctx.execute(t.aggregate(**_mech_aggs(ctx, t))))[0])
    lk = links.select(_oid=links.opportunity_id, feature=label(links.feature_id)).distinct()
    # Only what the aggregates read crosses the join.
    tj = t.drop("_channel")
    j = lk.join(tj, lk._oid == tj.opportunity_id)
    names = ctx.table("features")
    expr = j.group_by("feature").aggregate(**_mech_aggs(ctx, j))
    rows = records(ctx.execute(expr))
    feature_names: dict[str, str] = {}
    if names is not None:
        nexpr = names.select(feature=label(names.feature_id), name=names.name)
        feature_names = {str(r["feature"]): str(r["name"]) for r in records(ctx.execute(nexpr))
                         if r["name"] is not None}
    cohorts = [(str(r["feature"]), mechanics(r)) for r in rows]
    cohorts = [c for c in cohorts if c[1]["closed"] > 0]
    if not cohorts:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal linked to a feature closed in the 12 months "
                                   "before the as-of date", needs=FEATURE_NEEDS)
    cohorts.sort(key=lambda c: (-c[1]["closed"], c[0]))
    cohorts = cohorts[:MAX_FEATURES]
    metrics, series, tests = [], [], []
    for fid, v in cohorts:
        rest_closed = overall["closed"] - v["closed"]
        rest_won = overall["won"] - v["won"]
        z, p = stats.two_proportion_test(v["won"], v["closed"], rest_won, rest_closed)
        name = feature_names.get(fid, fid)
        tests.append((fid, name, v, p, rest_won / rest_closed if rest_closed else None))
        if v["closed"] >= MIN_GROUP:
            metrics += _mech_metrics(v, slug(fid), name)
        series.append({"feature": fid, "name": name, "win_rate": v["win_rate"],
                       "low": v["win_rate_ci"][0], "high": v["win_rate_ci"][1],
                       "closed": v["closed"], "median_cycle_days": v["cycle_days"],
                       "avg_deal_size": v["avg_deal"], "velocity": v["velocity"],
                       "p_value": p})
    metrics += [metric("win_rate_all", overall["win_rate"], "ratio", overall["closed"]),
                metric("feature_cohorts", len(cohorts), "count")]
    sized = [x for x in tests if x[2]["closed"] >= MIN_GROUP]
    n_total = sum(v["closed"] for _, v in cohorts)
    if sized:
        hi = max(sized, key=lambda x: (x[2]["win_rate"], x[0]))
        lo = min(sized, key=lambda x: (x[2]["win_rate"], x[0]))
        statement = (f"Across {count(len(cohorts))} feature cohorts, deals involving "
                     f"{quote(hi[1])} win {pct(hi[2]['win_rate'])} of "
                     f"{count(hi[2]['closed'])} closed and those involving {quote(lo[1])} "
                     f"{pct(lo[2]['win_rate'])} of {count(lo[2]['closed'])}, against "
                     f"{pct(overall['win_rate'])} for all closed deals.")
        significance = Significance(test="two-proportion z-test, weakest cohort vs other "
                                    "closed deals", p_value=lo[3], n=lo[2]["closed"])
        severity = Severity.watch if lo[3] < 0.01 and lo[4] is not None and \
            lo[2]["win_rate"] < lo[4] else Severity.info
    else:
        statement = (f"{count(len(cohorts))} feature cohorts have closed deals, none with "
                     "enough to compare win rates.")
        significance = None
        severity = Severity.info
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_total, severity=severity, significance=significance,
        comparison="each feature cohort against the other deals closed in the 12 months to "
                   "as-of",
        evidence=[evidence(ctx, "opportunity_features", expr, n_links,
                           "deals linked to features, closed in the window or open")],
        caveats=["A deal linked to several features is counted in each cohort."],
        series=series,
    )]


# -- stages -----------------------------------------------------------------------------

STAGE_NEEDS = ("stage history (each stage change per deal with its date; Salesforce "
               "OpportunityHistory)", "stage probabilities to order stages")


def stage_order(ctx: DiagnoseContext, hist: ir.Table, o: ir.Table,
                ) -> tuple[list[str], dict[str, float | None], set[str]]:
    """Non-terminal stages in order, each one's stated probability (percent, may be None),
    and the terminal labels (stages closed deals sit in)."""
    terminal = {str(r["stage"]) for r in records(ctx.execute(
        o.filter(o.is_closed.fill_null(False)).select(stage=label(o.stage)).distinct()))}

    def open_stages(expr: ir.Table) -> list[dict[str, Any]]:
        return [r for r in records(ctx.execute(expr))
                if str(r["stage"]) not in terminal and "closed" not in str(r["stage"])]

    # The mean position in each deal's history only breaks ties between stated
    # probabilities (or orders stages that have none); it needs a window over the whole
    # history, so it is computed only when the probabilities alone cannot order the stages.
    h = hist.mutate(_stage=label(hist.stage))
    rows = open_stages(h.group_by(stage=h._stage).aggregate(prob=fmean(h.probability)))
    have_prob = all(r["prob"] is not None for r in rows)
    if not have_prob or len({float(r["prob"]) for r in rows}) < len(rows):
        w = ibis.window(group_by=hist.opportunity_id,
                        order_by=[hist.changed_at, hist.history_id])
        h = hist.mutate(_stage=label(hist.stage), _pos=ibis.row_number().over(w))
        rows = open_stages(h.group_by(stage=h._stage).aggregate(
            prob=fmean(h.probability), pos=h._pos.mean()))
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
    h = hist.mutate(_stage=label(hist.stage))
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


@register(
    "pipeline.stages", family=FAMILY, title="Stage conversion and time in stage",
    needs=("opportunities", "stage_history"), needs_text=STAGE_NEEDS,
)
def stages(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "pipeline.stages", "Stage conversion and time in stage"
    hist = ctx.table("stage_history")
    o = ctx.table("opportunities")
    assert hist is not None and o is not None
    rows, filled = filled_counts(ctx, hist, ["stage", "changed_at"])
    if rows == 0 or filled["stage"] == 0 or filled["changed_at"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no stage changes with a date", needs=STAGE_NEEDS)
    hist = hist.filter(hist.stage.notnull() & hist.changed_at.notnull())
    order, probs, _terminal = stage_order(ctx, hist, o)
    if len(order) < 2:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="fewer than two open-pipeline stages in the history",
                            needs=STAGE_NEEDS)
    h = staged(hist, order)
    outcome = o.select(_oid2=o.opportunity_id, _closed=o.is_closed.fill_null(False),
                       _won=o.is_won.fill_null(False), _channel=deal_channel(o))
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
        median_days=quantile(ctx, elapsed_days(timed._next, timed.changed_at), 0.5))
    cells: list[dict[str, Any]] = []  # one row per stage and channel that deals reached
    for r in records(ctx.execute(conv_expr)):
        for i, s in enumerate(order):
            c = {k: int(r[f"s{i}_{k}"] or 0) for k in ("reached", "advanced", "lost")}
            if c["reached"]:
                cells.append({"stage": s, "_channel": str(r["_channel"]), **c})
    conv: dict[str, dict[str, int]] = {}
    for r in cells:
        per_stage = conv.setdefault(str(r["stage"]), {"reached": 0, "advanced": 0, "lost": 0})
        for k in per_stage:
            per_stage[k] += int(r[k] or 0)
    times = {order[int(r["stage_n"])]: r for r in records(ctx.execute(time_expr))}
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
        ctx, diagnostic=diag, family=FAMILY, slug="conversion", title=title,
        statement=statement, metrics=metrics, n=n_total,
        comparison="stages in CRM order; decided = moved on, won, or closed lost from there",
        evidence=[evidence(ctx, "stage_history", conv_expr, rows,
                           "every stage change; sN = stage N of "
                           + ", ".join(f"{i} {s}" for i, s in enumerate(order))
                           + " (per stage: summed over channels)"),
                  evidence(ctx, "stage_history", time_expr, rows,
                           "time to the next change, per stage; stage_n = N of "
                           + ", ".join(f"{i} {s}" for i, s in enumerate(order)))],
        series=series,
    )]
    by_channel = _stages_by_channel(ctx, diag, cells, conv_expr, order, rows)
    if by_channel is not None:
        findings.append(by_channel)
    return findings


def _stages_by_channel(ctx: DiagnoseContext, diag: str, rows: list[dict[str, Any]],
                       expr: ir.Table, order: list[str], n_rows: int) -> Finding | None:
    """Stage conversion per channel (``rows``: stage, _channel, advanced, lost, from ``expr``);
    names the channel furthest below its stage's conversion and tests, for that stage,
    whether conversion differs across channels (chi-square)."""
    cells: dict[str, dict[str, tuple[int, int]]] = {}
    for r in rows:
        cells.setdefault(str(r["stage"]), {})[str(r["_channel"])] = (
            int(r["advanced"] or 0), int(r["lost"] or 0))
    channels = sorted({c for per in cells.values() for c in per if c != UNKNOWN})
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
            if decided >= MIN_GROUP and c != UNKNOWN:
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
        ctx, diagnostic=diag, family=FAMILY, slug="by_channel",
        title="Stage conversion by channel", statement=statement, n=dec_all,
        metrics=[metric("weakest_conversion", rate, "ratio", decided,
                        ci=stats.wilson_interval(adv, decided)),
                 metric("stage_conversion", stage_rate, "ratio", dec_all),
                 metric("chi_square_p", p, "statistic", dec_all)],
        comparison="per stage and channel: decided deals that moved on",
        significance=Significance(test="chi-square across channels at the weakest stage",
                                  statistic=chi2, p_value=p, n=dec_all, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[evidence(ctx, "stage_history", expr, n_rows,
                           "by stage and channel; sN = stage N of "
                           + ", ".join(f"{i} {s}" for i, s in enumerate(order)))],
        series=series,
    )
