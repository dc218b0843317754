"""``post_sale.retention``: NRR, GRR, logo churn and expansion, overall and by how
customers were acquired.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, money, pct, quote, slug
from throughline.diagnose.families.post_sale import common
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic


def _movements(subs: ir.Table, d0: date, d1: date) -> ir.Table:
    """One row per account: MRR at d0 and d1 and its classified movements."""
    s = subs.filter(subs.account_id.notnull() & subs.mrr.notnull() & subs.start_date.notnull())
    g = s.group_by("account_id").aggregate(
        start=toolkit.mrr_at(s, d0),
        end=toolkit.mrr_at(s, d1),
        before=toolkit.fsum(s.mrr,
                            where=(s.start_date < ibis.literal(d0, type="date")) & (s.mrr > 0))
        .fill_null(0.0),
    )
    in_cohort = g.start > 0
    reactivated = (g.start <= 0) & (g.end > 0) & (g.before > 0)
    zero = ibis.literal(0.0)
    return g.mutate(
        cohort=in_cohort,
        lost=in_cohort & (g.end <= 0),
        churned=ibis.ifelse(in_cohort & (g.end <= 0), g.start, zero),
        contraction=ibis.ifelse(in_cohort & (g.end > 0) & (g.end < g.start), g.start - g.end,
                                zero),
        expansion=ibis.ifelse(in_cohort & (g.end > g.start), g.end - g.start, zero),
        reactivation=ibis.ifelse(reactivated, g.end, zero),
        new=ibis.ifelse((g.start <= 0) & (g.end > 0) & (g.before <= 0), g.end, zero),
        nrr_unit=in_cohort | reactivated,
        nrr_y=ibis.ifelse(in_cohort, g.end, ibis.ifelse(reactivated, g.end, zero)),
        kept=ibis.ifelse(in_cohort, ibis.least(g.start, g.end), zero),
    )


def _retention_sums(m: ir.Table) -> dict[str, Any]:
    x = m.start
    return dict(
        starting_accounts=m.cohort.sum(),
        churned_accounts=m.lost.sum(),
        starting_mrr=toolkit.fsum(m.start, where=m.cohort),
        churned_mrr=toolkit.fsum(m.churned),
        contraction_mrr=toolkit.fsum(m.contraction),
        expansion_mrr=toolkit.fsum(m.expansion),
        reactivation_mrr=toolkit.fsum(m.reactivation),
        new_mrr=toolkit.fsum(m.new),
        nrr_n=m.nrr_unit.sum(),
        sxx=toolkit.fsum((x * x), where=m.nrr_unit),
        sy=toolkit.fsum(m.nrr_y, where=m.nrr_unit),
        syy=toolkit.fsum((m.nrr_y * m.nrr_y), where=m.nrr_unit),
        sxy=toolkit.fsum((x * m.nrr_y), where=m.nrr_unit),
        sk=toolkit.fsum(m.kept, where=m.cohort),
        skk=toolkit.fsum((m.kept * m.kept), where=m.cohort),
        sxk=toolkit.fsum((x * m.kept), where=m.cohort),
    )


def _retention_values(row: dict[str, Any]) -> dict[str, Any]:
    """Ratios and intervals from one group's sums."""
    r = {k: (0.0 if v is None else float(v)) for k, v in row.items() if k != "group"}
    n = int(r["starting_accounts"])
    start = r["starting_mrr"]
    out: dict[str, Any] = {"n": n, "starting_mrr": start,
                           "churned_accounts": int(r["churned_accounts"])}
    if n == 0 or start <= 0:
        return out
    out["logo_churn"] = r["churned_accounts"] / n
    out["logo_churn_ci"] = stats.wilson_interval(int(r["churned_accounts"]), n)
    out["grr"] = 1 - (r["churned_mrr"] + r["contraction_mrr"]) / start
    out["grr_ci"] = stats.ratio_of_sums_interval(n, start, r["sk"], r["sxx"], r["skk"], r["sxk"])
    out["nrr"] = (start + r["expansion_mrr"] + r["reactivation_mrr"] - r["contraction_mrr"]
                  - r["churned_mrr"]) / start
    out["nrr_ci"] = stats.ratio_of_sums_interval(int(r["nrr_n"]), start, r["sy"], r["sxx"],
                                                 r["syy"], r["sxy"])
    out["expansion_rate"] = r["expansion_mrr"] / start
    for k in ("churned_mrr", "contraction_mrr", "expansion_mrr", "reactivation_mrr", "new_mrr"):
        out[k] = r[k]
    return out


@diagnostic(id="post_sale.retention", needs_text=common.SUBS_NEEDS)
def retention(ctx: DiagnoseContext) -> list[Finding]:
    common.require_subscriptions(ctx)
    subs = ctx.require("subscriptions")
    d1 = toolkit.as_of(ctx)
    d0 = toolkit.add_months(d1, -12)
    moves = _movements(subs, d0, d1)
    overall_expr = moves.aggregate(**_retention_sums(moves))
    total = toolkit.records(ctx.execute(overall_expr))[0]
    v = _retention_values(total)
    if v["n"] == 0:
        raise unmeasurable("no account was billed 12 months before the as-of date, so there is no "
                           "starting cohort", common.SUBS_NEEDS[:1])
    n_lines = int(ctx.execute(subs.count()))
    ev = [toolkit.evidence(ctx, "subscriptions", overall_expr, n_lines,
                           f"MRR per account on {d0.isoformat()} and {d1.isoformat()}")]
    metrics = [
        metric("nrr", v["nrr"], "ratio", int(total["nrr_n"] or 0), ci=v["nrr_ci"]),
        metric("grr", v["grr"], "ratio", v["n"], ci=v["grr_ci"]),
        metric("logo_churn", v["logo_churn"], "ratio", v["n"], ci=v["logo_churn_ci"]),
        metric("expansion_rate", v["expansion_rate"], "ratio", v["n"]),
        metric("starting_mrr", v["starting_mrr"], "currency", v["n"]),
        metric("starting_accounts", v["n"], "count"),
        metric("churned_accounts", v["churned_accounts"], "count"),
        metric("churned_mrr", v["churned_mrr"], "currency"),
        metric("contraction_mrr", v["contraction_mrr"], "currency"),
        metric("expansion_mrr", v["expansion_mrr"], "currency"),
        metric("reactivation_mrr", v["reactivation_mrr"], "currency"),
        metric("new_mrr", v["new_mrr"], "currency"),
    ]
    severity = Severity.info
    if v["nrr"] < 1.0 or v["grr"] < 0.9:
        severity = Severity.watch
    if v["nrr"] < 0.9 or v["grr"] < 0.8:
        severity = Severity.problem
    statement = (
        f"Over the last year NRR is {pct(v['nrr'])} and GRR {pct(v['grr'])} on a starting MRR "
        f"of {money(v['starting_mrr'])}; {pct(v['logo_churn'])} of {count(v['n'])} starting "
        f"accounts churned and expansion added {pct(v['expansion_rate'])} of starting MRR."
    )
    caveats = ["Movements are measured between the two end points of the window (cohort "
               "method): an account that left and came back inside the year counts once."]
    findings = [finding(
        ctx, slug="overall", title="Net and gross revenue "
        "retention", statement=statement, metrics=metrics, n=v["n"], severity=severity,
        comparison=f"12 months from {d0.isoformat()} to {d1.isoformat()}; GRR watch below "
                   "90%, NRR watch below 100%",
        evidence=ev, caveats=caveats,
    )]
    profile = toolkit.account_profile(ctx)
    if profile is None:
        findings[0].caveats.append("No accounts or won opportunities: retention cannot be cut "
                                   "by channel, segment, persona or motion.")
        return findings
    joined = toolkit.attach_profile(moves, profile)
    dims = [d for d in common.DIMENSIONS if d in profile.columns]
    skipped: list[str] = []
    long = toolkit.by_dimensions(joined, {d: joined[f"by_{d}"] for d in dims})
    expr = long.group_by("dim", "group").aggregate(**_retention_sums(long))
    per_dim = toolkit.split_by_dimension(toolkit.records(ctx.execute(expr))) if dims else {}
    for dim in dims:
        rows = per_dim.get(dim, [])
        f = _retention_by(ctx, dim, rows, expr, n_lines, d0, d1)
        if f is not None:
            findings.append(f)
        else:
            skipped.append(common.DIMENSION_WORDS[dim])
    if skipped:
        findings[0].caveats.append("Not cut by " + ", ".join(skipped) + ": fewer than two "
                                   "known values among starting accounts.")
    return findings


def _retention_by(ctx: DiagnoseContext, dim: str, rows: list[dict[str, Any]], expr: Any,
                  n_lines: int, d0: date, d1: date) -> Finding | None:
    groups = [(str(r["group"]), _retention_values(r)) for r in rows]
    groups = [(g, v) for g, v in groups if v["n"] > 0]
    known = [g for g, _ in groups if g != toolkit.UNKNOWN]
    if len(known) < 2:
        return None
    words = common.DIMENSION_WORDS[dim]
    table = [[v["churned_accounts"], v["n"] - v["churned_accounts"]] for _, v in groups]
    chi2, p, dof, cramer = stats.chi_square(table)
    n_total = sum(v["n"] for _, v in groups)
    metrics = []
    series = []
    for g, v in groups:
        s = slug(g)
        metrics += [
            metric(f"logo_churn_{s}", v["logo_churn"], "ratio", v["n"], ci=v["logo_churn_ci"],
                   label=f"Logo churn, {g}"),
            metric(f"nrr_{s}", v["nrr"], "ratio", v["n"], ci=v["nrr_ci"],
                   label=f"NRR, {g}"),
            metric(f"grr_{s}", v["grr"], "ratio", v["n"], ci=v["grr_ci"],
                   label=f"GRR, {g}"),
            metric(f"expansion_rate_{s}", v["expansion_rate"], "ratio", v["n"],
                   label=f"Expansion rate, {g}"),
        ]
        series.append({dim: g, "starting_accounts": v["n"], "logo_churn": v["logo_churn"],
                       "grr": v["grr"], "nrr": v["nrr"], "expansion_rate": v["expansion_rate"],
                       "starting_mrr": v["starting_mrr"]})
    sized = [(g, v) for g, v in groups if v["n"] >= common.MIN_GROUP and g != toolkit.UNKNOWN]
    significant = p < common.ALPHA_WORDS
    if len(sized) >= 2:
        hi = max(sized, key=lambda gv: (gv[1]["logo_churn"], gv[0]))
        lo = min(sized, key=lambda gv: (gv[1]["logo_churn"], gv[0]))
        verdict = "differs significantly" if significant else "does not differ significantly"
        statement = (
            f"Logo churn by {words} {verdict} (chi-square): highest for {quote(hi[0])} at "
            f"{pct(hi[1]['logo_churn'])} of {count(hi[1]['n'])} accounts (NRR "
            f"{pct(hi[1]['nrr'])}), lowest for {quote(lo[0])} at {pct(lo[1]['logo_churn'])} "
            f"of {count(lo[1]['n'])} (NRR {pct(lo[1]['nrr'])})."
        )
        spread = hi[1]["logo_churn"] - lo[1]["logo_churn"]
    else:
        statement = (f"Logo churn by {words}: " + "; ".join(
            f"{quote(g)} {pct(v['logo_churn'])} of {count(v['n'])}" for g, v in groups) + ".")
        spread = 0.0
    severity = Severity.watch if significant and p < 0.01 and spread >= 0.1 else Severity.info
    caveats = []
    if any(g == toolkit.UNKNOWN for g, _ in groups):
        caveats.append(f"Accounts with no recorded {words} are grouped as 'unknown'.")
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    return finding(
        ctx, slug=f"by_{dim}",
        title=f"Retention by {words}", statement=statement, metrics=metrics, n=n_total,
        severity=severity,
        comparison=f"starting accounts on {d0.isoformat()} followed to {d1.isoformat()}, "
                   f"grouped by {words}",
        significance=Significance(test="chi-square test of logo churn across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[toolkit.evidence(
            ctx, "subscriptions", expr, n_lines,
            f"starting cohort grouped by {words} (rows with dim = '{dim}')")],
        caveats=caveats, series=series,
    )
