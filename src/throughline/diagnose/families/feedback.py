"""Feedback loops that close: does field truth reach someone who acts on it?

Diagnostics
-----------
``feedback.loop_closure``
    Win/loss and debrief records (community posts are not expected to have an owner)
    recorded at least 14 days before the as-of date, so each had its full 14 days:

    * *owned* — an accountable owner is named;
    * *answered* — someone responded within 14 days of the record (0 ≤ days ≤ 14);
    * *changed* — a change was recorded because of it.

    A loop is **open** when it has no owner or was not answered within 14 days; a change
    is reported but not required (not every loss should change the product).
    **Signal** ``feedback_loop_open`` = one-sided 95% Wilson lower bound of the open share.
    The binding-constraint scorer counts it as corroborating evidence for *honesty*: a
    pipeline whose losses nobody reads cannot correct its own optimism.

``feedback.loss_reasons``
    The unit is a lost deal (closed, not won). Its reason is the win/loss record's reason
    when one exists (lower-cased, trimmed), else the opportunity's ``loss_reason``. Top
    reasons overall and by channel and segment (of the opportunity), with a chi-square
    test of reason × channel and reason × segment (top five reasons, the rest pooled as
    'other reasons'). Informational: no binding-constraint signal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import ibis

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, counted, finding, metric, pct, quote
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "feedback"
ANSWER_DAYS = 14
LOOP_KINDS = ("win_loss", "debrief")
TOP_REASONS = 5
OTHER = "other reasons"
FEEDBACK_NEEDS = ("a feedback export: win/loss interviews and field debriefs with the date "
                  "recorded, an accountable owner, when someone responded and whether a "
                  "change was made",)
LOSS_NEEDS = ("closed-lost opportunities with a loss reason (or win/loss records linked to "
              "them), channel and segment",)


@diagnostic(id="feedback.loop_closure", needs_text=FEEDBACK_NEEDS)
def loop_closure(ctx: DiagnoseContext) -> list[Finding]:
    title = "Feedback loops that close"
    fb = ctx.require("feedback")
    today = toolkit.as_of(ctx)
    due_by = toolkit.date_lit(today - timedelta(days=ANSWER_DAYS))
    kind = toolkit.label(fb.kind)
    loops = fb.filter(kind.isin(LOOP_KINDS))
    loops = loops.mutate(_kind=toolkit.label(loops.kind), _due=loops.recorded_at <= due_by)
    delay = toolkit.days_between(loops.responded_at, loops.recorded_at)
    owned = ~toolkit.blank(loops.owner)
    answered = toolkit.truthy(loops.responded_at.notnull() & (delay >= 0) & (delay <= ANSWER_DAYS))
    changed = toolkit.truthy(loops.change_recorded)
    open_ = ~(owned & answered)
    due = loops.filter(loops._due)
    by_kind = loops.group_by("_kind").aggregate(
        records=loops.count(),
        due=loops._due.sum(),
        owned=(owned & loops._due).sum(),
        answered=(answered & loops._due).sum(),
        changed=(changed & loops._due).sum(),
        open=(open_ & loops._due).sum(),
    ).order_by("_kind")
    per_kind = toolkit.rows(ctx, by_kind)
    n = sum(toolkit.as_int(r["due"]) for r in per_kind)
    records = sum(toolkit.as_int(r["records"]) for r in per_kind)
    if n == 0:
        reason = ("no win/loss or debrief record" if records == 0 else
                  f"no win/loss or debrief record is {ANSWER_DAYS} days old yet")
        raise unmeasurable(reason, FEEDBACK_NEEDS)
    totals = {k: sum(toolkit.as_int(r[k]) for r in per_kind)
              for k in ("owned", "answered", "changed", "open")}
    metrics = []
    for key, label_text in (("owned", "With an accountable owner"),
                            ("answered", f"Answered within {ANSWER_DAYS} days"),
                            ("changed", "A change was recorded"),
                            ("open", "Open: no owner or not answered in time")):
        share, lo, hi = toolkit.share_interval(totals[key], n)
        metrics.append(metric(f"{key}_share", share, "ratio", n=n, low=lo, high=hi,
                              label=label_text))
        metrics.append(metric(f"{key}_records", totals[key], "count", n=n))
    metrics.append(metric("records_due", n, "count",
                          label=f"Records at least {ANSWER_DAYS} days old"))
    metrics.append(metric("answer_window_days", ANSWER_DAYS, "days"))
    signal = stats.wilson_lower(totals["open"], n)
    shares = {m.name: m.value or 0.0 for m in metrics}
    statement = (f"Of {counted(n, 'win/loss or debrief record')} old enough to judge, "
                 f"{pct(shares['owned_share'])} have an accountable owner, "
                 f"{pct(shares['answered_share'])} were answered within "
                 f"{ANSWER_DAYS} days and {pct(shares['changed_share'])} led to a "
                 f"recorded change; {pct(shares['open_share'])} of loops are open.")
    _, open_lo, open_hi = toolkit.share_interval(totals["open"], n)
    severity = (Severity.problem if signal >= 0.5 else
                Severity.watch if signal > 0 else Severity.info)
    series: list[dict[str, object]] = []
    for r in per_kind:
        d = toolkit.as_int(r["due"])
        series.append({"kind": r["_kind"], "records": toolkit.as_int(r["records"]), "due": d,
                       **{f"{k}_share": (toolkit.as_int(r[k]) / d if d else None)
                          for k in ("owned", "answered", "changed", "open")}})
    agg = due.aggregate(n=due.count())
    return [finding(
        ctx, slug="closure", title=title,
        statement=statement, metrics=metrics, n=n, severity=severity,
        comparison=f"win/loss and debrief records recorded at least {ANSWER_DAYS} days "
                   "before the as-of date",
        significance=Significance(test="Wilson score interval (open share)",
                                  interval=(open_lo or 0.0, open_hi or 1.0), n=n),
        evidence=[toolkit.evidence(ctx, "feedback", by_kind, n,
                                   f"kind in {LOOP_KINDS}, recorded ≥ {ANSWER_DAYS} days before "
                                   "as-of"),
                  toolkit.evidence(ctx, "feedback", agg, n, "records old enough to judge")],
        caveats=[f"{count(records - n)} newer record(s) are not yet {ANSWER_DAYS} days old and "
                 "were left out."] if records > n else [],
        signals={"feedback_loop_open": signal},
        series=series,
    )]


@diagnostic(id="feedback.loss_reasons", needs_text=LOSS_NEEDS)
def loss_reasons(ctx: DiagnoseContext) -> list[Finding]:
    title = "Top loss reasons by channel and segment"
    o = ctx.require("opportunities")
    lost = o.filter(toolkit.truthy(o.is_closed) & ~toolkit.truthy(o.is_won))
    lost = lost.select(
        _oid=lost.opportunity_id,
        _channel=toolkit.deal_channel(lost),
        _segment=toolkit.label(lost.segment),
        _crm_reason=lost.loss_reason.strip().lower().nullif(""),
    )
    fb = ctx.table("feedback")
    if fb is not None:
        wl = fb.filter((toolkit.label(fb.kind) == "win_loss") & fb.opportunity_id.notnull()
                       & ~toolkit.blank(fb.reason))
        wl = wl.group_by(_fid=wl.opportunity_id).aggregate(
            _fb_reason=wl.reason.strip().lower().min())
        j = lost.left_join(wl, lost._oid == wl._fid)
        lost = j.select("_oid", "_channel", "_segment",
                        _reason=ibis.coalesce(j._fb_reason, j._crm_reason))
    else:
        lost = lost.select("_oid", "_channel", "_segment", _reason=lost._crm_reason)
    with_reason = lost.filter(lost._reason.notnull())
    counts_expr = with_reason.group_by(["_channel", "_segment", "_reason"]).aggregate(
        n=with_reason.count())
    cells = toolkit.rows(ctx, counts_expr)
    total_lost = toolkit.as_int(toolkit.one_row(ctx, lost.aggregate(n=lost.count()))["n"])
    n = sum(toolkit.as_int(c["n"]) for c in cells)
    if n == 0:
        raise unmeasurable("no lost deal has a loss reason",
                           ["closed-lost opportunities with a loss_reason, or win/loss "
                            "records with a reason linked to their opportunity"])
    overall: dict[str, int] = defaultdict(int)
    for c in cells:
        overall[str(c["_reason"])] += toolkit.as_int(c["n"])
    ranked = sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))
    top = [r for r, _ in ranked[:TOP_REASONS]]
    metrics = [metric("lost_with_reason", n, "count", n=total_lost,
                      label="Lost deals with a known reason"),
               metric("lost_deals", total_lost, "count")]
    for i, (reason, k) in enumerate(ranked[:3], start=1):
        share, lo, hi = toolkit.share_interval(k, n)
        metrics.append(metric(f"top{i}_share", share, "ratio", n=n, low=lo, high=hi,
                              label=f"Share of losses: {reason}"))
    series: list[dict[str, object]] = []
    tests: list[tuple[str, float, float, float]] = []
    for dim, key in (("channel", "_channel"), ("segment", "_segment")):
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for c in cells:
            reason = str(c["_reason"])
            table[str(c[key])][reason if reason in top else OTHER] += toolkit.as_int(c["n"])
        cols = top + ([OTHER] if any(OTHER in v for v in table.values()) else [])
        groups = sorted(table)
        chi2, p, _dof, v = stats.chi_square([[table[g][r] for r in cols] for g in groups])
        tests.append((dim, chi2, p, v))
        for g in groups:
            g_total = sum(table[g].values())
            best = sorted(table[g].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            series.append({"group": f"{dim}: {g}", "top_reason": best[0],
                           "n": g_total, "share": best[1] / g_total})
        metrics.append(metric(f"cramers_v_{dim}", v, "statistic", n=n,
                              label=f"Association of reason with {dim} (Cramér's V)"))
    first = ranked[0]
    statement = (f"The most common loss reason is {quote(first[0])} at "
                 f"{pct(first[1] / n)} of {count(n)} lost deals with a reason")
    if len(ranked) > 1:
        statement += (f", then {quote(ranked[1][0])} at {pct(ranked[1][1] / n)}")
    differing = [t for t in tests if t[2] < 0.05]
    if differing:
        statement += "; reasons differ by " + " and ".join(t[0] for t in differing)
    statement += "."
    strongest = min(tests, key=lambda t: t[2])
    return [finding(
        ctx, slug="top", title=title,
        statement=statement, metrics=metrics, n=n,
        severity=Severity.watch if differing else Severity.info,
        comparison="loss reasons across channels and segments",
        significance=Significance(test=f"chi-square, reason × {strongest[0]}",
                                  statistic=strongest[1], p_value=strongest[2], n=n,
                                  effect_size=strongest[3], effect_measure="Cramér's V"),
        evidence=[toolkit.evidence(ctx, "opportunities", counts_expr, n,
                                   "closed, not won, with a reason (win/loss record first)")],
        caveats=[] if n == total_lost else
        [f"{count(total_lost - n)} lost deal(s) have no reason and were left out."],
        series=series,
    )]
