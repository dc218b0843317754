"""``icp.won_vs_retained``: the won cohort against the accounts that retain and expand.
"""

from __future__ import annotations

from typing import Any

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.icp import cohorts
from throughline.diagnose.families.measure import count, finding, metric, num, pct, quote, slug
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import UNKNOWN, evidence


@diagnostic(id="icp.won_vs_retained", needs_text=cohorts.REVEALED_NEEDS)
def won_vs_retained(ctx: DiagnoseContext) -> list[Finding]:
    title = "Who we win against who we keep"
    base, attrs = cohorts.revealed_cohorts(ctx)
    tables = cohorts.attribute_tables(ctx, base, attrs)
    results: dict[tuple[cohorts.Lens, str], dict[str, Any]] = {}
    for lens in cohorts.lenses(base):
        for a, (_expr, rows) in tables.items():
            known = [r for r in rows if r["value"] != UNKNOWN]
            if len(known) >= 2 and sum(r[lens.judged] for r in rows) > 0:
                results[(lens, a)] = cohorts.divergence(rows, lens)
    if not any(lens is cohorts.RETENTION for lens, _ in results):
        known_two = any(len([r for r in rows if r["value"] != UNKNOWN]) >= 2
                        for _e, rows in tables.values())
        if not known_two:
            raise unmeasurable("no attribute has two known values among won accounts",
                               cohorts.REVEALED_NEEDS)
        raise unmeasurable("no won account has been billed for 12 months yet",
                           cohorts.REVEALED_NEEDS[:1])
    k = len(results)
    findings: list[Finding] = []
    best: tuple[float, cohorts.Lens, str] | None = None
    n_rows = int(ctx.execute(base.count()))
    for lens, a in results:  # lenses in order, attributes in order within each
        res = results[(lens, a)]
        strength = stats.gated_strength(res["js"], cohorts.JS_REFERENCE, min(1.0, res["p"] * k),
                                        cohorts.ALPHA)
        res["strength"] = strength
        if best is None or strength > best[0]:
            best = (strength, lens, a)
    for a in attrs:
        if (cohorts.RETENTION, a) in results:
            expr, rows = tables[a]
            findings.append(_attribute_finding(ctx, a, rows, results, expr, n_rows))
    assert best is not None
    strength, lens, top = best
    res = results[(lens, top)]
    retention = {a: r for (ln, a), r in results.items() if ln is cohorts.RETENTION}
    ret = retention.get(top) or next(iter(retention.values()))
    summary_metrics = [metric(f"js_{a}", r["js"], "statistic", r["mature_total"])
                       for a, r in retention.items()]
    summary_metrics += [metric(f"js_advocacy_{a}", r["js"], "statistic", r["mature_total"])
                        for (ln, a), r in results.items() if ln is cohorts.ADVOCACY]
    summary_metrics += [metric("revealed_accounts", ret["revealed_total"], "count"),
                        metric("mature_accounts", ret["mature_total"], "count"),
                        metric("won_accounts", ret["won_total"], "count"),
                        metric("revealed_rate", ret["overall_rate"], "ratio",
                               ret["mature_total"])]
    if lens is cohorts.ADVOCACY:
        summary_metrics += [metric("respondents", res["mature_total"], "count"),
                            metric("account_nps", 100 * res["overall_rate"], "percent",
                                   res["mature_total"],
                                   label="NPS of the won accounts that answered (each "
                                         "account's own NPS, averaged)")]
    word = cohorts.ATTRIBUTE_WORDS[top]
    over, under = _extremes(tables[top][1], res)
    summary_metrics += [metric("won_share_top", over[2], "ratio", res["mature_total"],
                               label=f"Share of won accounts it can judge, {over[1]}"),
                        metric("retained_share_top", over[3], "ratio", res["revealed_total"],
                               label=f"Share of {lens.cohort}, {over[1]}")]
    keep = "who we keep" if lens is cohorts.RETENTION else "who recommends us"
    if strength > 0:
        lead = f"Who we win and {keep} differ most by {word}"
    elif res["p"] < 0.05:
        lead = (f"Who we win and {keep} differ most by {word}, though not strongly enough "
                "to count as a signal")
    else:
        lead = f"Who we win and {keep} look alike"
    if lens is cohorts.RETENTION:
        tail = (f"{pct(res['overall_rate'])} of {count(res['mature_total'])} won accounts "
                "old enough to judge retained or expanded.")
    else:
        tail = (f"the {count(res['mature_total'])} won accounts that answered NPS average "
                f"an NPS of {num(100 * res['overall_rate'])}.")
    judged = ("won accounts old enough to judge" if lens is cohorts.RETENTION else
              "won accounts that answered NPS")
    statement = (f"{lead}: {quote(over[1])} is {pct(over[2])} of {judged} but "
                 f"{pct(over[3])} of {lens.cohort}; {tail}")
    test = ("chi-square (revealed vs not, among mature won accounts; sparse values pooled)"
            if lens is cohorts.RETENTION else "one-way ANOVA of each won account's own NPS (small "
            "values pooled)")
    findings.insert(0, finding(
        ctx, slug="summary", title=title, statement=statement,
        metrics=summary_metrics, n=res["mature_total"],
        severity=Severity.watch if strength >= 0.5 else Severity.info,
        comparison="per attribute: shares in the won cohort against shares among accounts "
                   "that retained at full value or expanded over the last 12 months"
                   + (" and among promoters" if any(ln is cohorts.ADVOCACY for ln, _ in results)
                      else ""),
        significance=Significance(test=test + ", Bonferroni over attributes and lenses",
                                  statistic=res["chi2"], p_value=min(1.0, res["p"] * k),
                                  n=res["mature_total"], effect_size=res["js"],
                                  effect_measure="Jensen–Shannon divergence (bits)"),
        evidence=[evidence(ctx, "subscriptions", tables[top][0], n_rows,
                           f"won accounts by {word} (rows with dim = '{top}')")],
        signals={"icp_divergence": strength},
    ))
    return findings


def _extremes(rows: list[dict[str, Any]], res: dict[str, Any],
              ) -> tuple[tuple[float, str, float, float], tuple[float, str, float, float]]:
    """The known values most over- and under-represented among wins relative to the
    retained cohort: (won − retained share, value, won share, retained share)."""
    diffs = [(ws - rs, r["value"], ws, rs) for r, ws, rs in
             zip(rows, res["won_share"], res["revealed_share"]) if r["value"] != UNKNOWN]
    return (max(diffs, key=lambda d: (d[0], d[1])), min(diffs, key=lambda d: (d[0], d[1])))


def _attribute_finding(ctx: DiagnoseContext, attr: str, rows: list[dict[str, Any]],
                       results: dict[tuple[cohorts.Lens, str], dict[str, Any]], expr: Any,
                       n_rows: int) -> Finding:
    res = results[(cohorts.RETENTION, attr)]
    adv = results.get((cohorts.ADVOCACY, attr))
    strength = max(res["strength"], adv["strength"] if adv else 0.0)
    word = cohorts.ATTRIBUTE_WORDS[attr]
    series = []
    metrics = [metric("js_divergence", res["js"], "statistic", res["mature_total"]),
               metric("chi_square_p", res["p"], "statistic", res["mature_total"])]
    if adv is not None:
        metrics += [metric("js_divergence_advocacy", adv["js"], "statistic",
                           adv["mature_total"]),
                    metric("chi_square_p_advocacy", adv["p"], "statistic",
                           adv["mature_total"])]
    for i, (r, ws, rs) in enumerate(zip(rows, res["won_share"], res["revealed_share"])):
        v = r["value"]
        rate = r["revealed"] / r["mature"] if r["mature"] else None
        point = {attr: v, "won_share": ws, "retained_share": rs, "won": r["won"],
                 "mature": r["mature"], "revealed": r["revealed"], "revealed_rate": rate}
        metrics.append(metric(f"won_share_{slug(v)}", ws, "ratio", res["mature_total"],
                              label=f"Share of won accounts old enough to judge, {v}"))
        metrics.append(metric(f"retained_share_{slug(v)}", rs, "ratio", res["revealed_total"],
                              label=f"Share of retained or expanding accounts, {v}"))
        if adv is not None:
            nps_v = cohorts.lens_rate([r], cohorts.ADVOCACY)[0]
            point.update(promoter_share=adv["revealed_share"][i], respondents=r["respondents"],
                         nps=None if nps_v is None else 100 * nps_v)
            metrics.append(metric(f"promoter_share_{slug(v)}", adv["revealed_share"][i],
                                  "ratio", adv["revealed_total"],
                                  label=f"Share of promoters, {v}"))
        series.append(point)
    over, under = _extremes(rows, res)
    verdict = "beyond chance" if res["p"] < 0.05 else "within what chance allows"
    statement = (f"By {word}, {quote(over[1])} is {pct(over[2])} of won accounts old enough "
                 f"to judge but {pct(over[3])} of those that retain or expand, while "
                 f"{quote(under[1])} is {pct(under[2])} of them and {pct(under[3])} of "
                 f"retained ({verdict}).")
    return finding(
        ctx, slug=attr, title=f"Won vs retained by {word}",
        statement=statement, metrics=metrics, n=res["mature_total"],
        severity=Severity.watch if strength > 0 else Severity.info,
        comparison="share of won accounts against share of accounts that retain or expand"
                   + (" (and of promoters)" if adv is not None else ""),
        significance=Significance(test="chi-square, revealed vs not among mature won accounts "
                                       "(sparse values pooled; Fisher's exact if 2×2)",
                                  statistic=res["chi2"], p_value=res["p"],
                                  n=res["mature_total"], effect_size=res["js"],
                                  effect_measure="Jensen–Shannon divergence (bits)"),
        evidence=[evidence(ctx, "accounts", expr, n_rows,
                           f"won accounts grouped by {word} (rows with dim = '{attr}')")],
        series=series,
    )
