"""``icp.drift``: the won mix drifting away from the revealed ICP.
"""

from __future__ import annotations

import ibis

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.icp import cohorts
from throughline.diagnose.families.measure import count, finding, metric, pct, quote
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import UNKNOWN, add_months, as_of, evidence, records


@diagnostic(id="icp.drift", needs_text=cohorts.REVEALED_NEEDS)
def drift(ctx: DiagnoseContext) -> list[Finding]:
    title = "ICP drift"
    base, attrs = cohorts.revealed_cohorts(ctx)
    d1 = as_of(ctx)
    split = ibis.literal(add_months(d1, -12), type="date")
    candidates = []
    tables = cohorts.attribute_tables(ctx, base, attrs)
    tests = [(lens, a, cohorts.divergence(tables[a][1], lens))
             for lens in cohorts.lenses(base) for a in attrs
             if len([r for r in tables[a][1] if r["value"] != UNKNOWN]) >= 2]
    for lens, a, res in tests:
        rows = tables[a][1]
        known = [r for r in rows if r["value"] != UNKNOWN]
        overall = res["overall_rate"]
        # the revealed ICP must hold up across every attribute and lens tried (Bonferroni
        # at 0.05): with a dozen tests, one passes p < 0.05 by chance about half the time,
        # and any real change in who is won (a channel surge, say) would then read as
        # drift away from an ICP that is not there
        if res["p"] * len(tests) >= 0.05 or overall is None or (
                lens is cohorts.RETENTION and not overall):
            continue
        fit = sorted(r["value"] for r in known if r[lens.judged]
                     and (cohorts.lens_rate([r], lens)[0] or 0.0) >= overall)
        if not fit or len(fit) == len(known):
            continue
        candidates.append((a, fit, res))
    if not candidates:
        n_base = int(ctx.execute(base.count()))
        return [finding(
            ctx, slug="summary", title=title,
            statement="No attribute separates the accounts that retain or expand from the rest "
                      "of the won cohort, so there is no revealed ICP for wins to drift from.",
            metrics=[metric("won_accounts", n_base, "count"),
                     metric("attributes_tested", len(attrs), "count")], n=n_base,
            comparison="won-vs-retained divergence per attribute and lens (chi-square p < "
                       "0.05 needed to define a revealed ICP)",
            evidence=[evidence(ctx, "subscriptions", base.count(), n_base, "won accounts")],
            signals={"icp_drift": 0.0},
        )]
    k = len(candidates)
    best = None
    # One query counts every candidate's fit values (cN_*: candidate N) among earlier and
    # recent wins.
    recent = base.won_date > split
    fits = {}
    for i, (a, fit, _res) in enumerate(candidates):
        in_fit = base[a].isin(fit)
        fits[f"c{i}_early_fit"] = (in_fit & ~recent).sum()
        fits[f"c{i}_late_fit"] = (in_fit & recent).sum()
    expr = base.aggregate(early=(~recent).sum(), late=recent.sum(), **fits)
    fit_counts = {key: int(v or 0) for key, v in records(ctx.execute(expr))[0].items()}
    for i, (a, fit, _res) in enumerate(candidates):
        r = {"early": fit_counts["early"], "early_fit": fit_counts[f"c{i}_early_fit"],
             "late": fit_counts["late"], "late_fit": fit_counts[f"c{i}_late_fit"]}
        if r["early"] == 0 or r["late"] == 0:
            continue
        e_sh, l_sh = r["early_fit"] / r["early"], r["late_fit"] / r["late"]
        z, p = stats.two_proportion_test(r["early_fit"], r["early"], r["late_fit"], r["late"])
        strength = stats.gated_strength(e_sh - l_sh, cohorts.DRIFT_REFERENCE, min(1.0, p * k),
                                        cohorts.ALPHA)
        item = (strength, a, fit, r, e_sh, l_sh, p, z, i)
        if best is None or strength > best[0]:
            best = item
    if best is None:
        raise unmeasurable("wins do not span both the last 12 months and before",
                           ["won deals over more than a year"])
    strength, a, fit, r, e_sh, l_sh, p, z, best_i = best
    lens = next(res["lens"] for a_, fit_, res in candidates if a_ == a and fit_ == fit)
    word = cohorts.ATTRIBUTE_WORDS[a]
    direction = "fell" if l_sh < e_sh else "rose"
    statement = (f"Wins in the {word} values that {lens.best} "
                 f"({', '.join(quote(v) for v in fit)}) {direction} from {pct(e_sh)} of "
                 f"{count(r['early'])} earlier won accounts to {pct(l_sh)} of "
                 f"{count(r['late'])} in the last year.")
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
        n=r["early"] + r["late"],
        metrics=[metric("fit_share_earlier", e_sh, "ratio", r["early"],
                        ci=stats.wilson_interval(r["early_fit"], r["early"])),
                 metric("fit_share_recent", l_sh, "ratio", r["late"],
                        ci=stats.wilson_interval(r["late_fit"], r["late"])),
                 metric("drift", e_sh - l_sh, "ratio", r["early"] + r["late"])],
        severity=Severity.watch if strength >= 0.5 else Severity.info,
        comparison=f"won accounts before and within the last 12 months, share in the {word} "
                   + ("values whose retain-or-expand rate is at least the overall rate"
                      if lens is cohorts.RETENTION else
                      "values whose NPS (each account's own, averaged) is at least the "
                      "overall NPS"),
        significance=Significance(test="two-proportion z-test, Bonferroni over attributes",
                                  statistic=z, p_value=min(1.0, p * k), n=r["early"] + r["late"],
                                  effect_size=e_sh - l_sh, effect_measure="fall in fit share"),
        evidence=[evidence(ctx, "opportunities", expr, r["early"] + r["late"],
                           f"won accounts by when they were won; this attribute's fit "
                           f"values are candidate c{best_i}")],
        signals={"icp_drift": strength},
    )]
