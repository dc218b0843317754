"""Post-sale truth: retention, expansion, NPS, time-to-value and survival by how customers
were acquired.

Definitions (ChartMogul / Baremetrics style), over the 12 months ending at the as-of date
d1 (d0 = d1 − 12 months), with MRR at a date as in :mod:`throughline.diagnose.expr`:

* per account: start = MRR(d0), end = MRR(d1); an account with start > 0 is in the
  *starting cohort*. churned = start when end = 0; contraction = start − end when
  0 < end < start; expansion = end − start when end > start; reactivation = end when
  start = 0, end > 0 and the account was billed before d0 (new otherwise).
* gross MRR churn = (churned + contraction) / starting MRR; **GRR** = 1 − gross churn;
  **NRR** = (starting + expansion + reactivation − contraction − churned) / starting MRR;
  **logo churn** = starting accounts with end = 0 / starting accounts; **expansion rate**
  = expansion / starting MRR. Intervals: Wilson for logo churn, delta-method for the MRR
  ratios (from per-group sums the engine returns, see ``stats.ratio_of_sums_interval``).
* **NPS** = % promoters (9–10) − % detractors (0–6) over all answers up to as-of, with a
  normal-approximation interval (``stats.nps_interval``).
* **Time-to-value** = median days signed_at → first_value_at among accounts that reached
  first value by as-of; those that have not are reported as a censored count.
* **Survival**: per account, first billed day → last billed day (event) or → as-of
  (censored, still billed); Kaplan–Meier by acquisition channel (lifelines) and a
  multivariate log-rank test of whether channels differ; 12-month survival with its CI.

Segments: acquisition channel, motion and persona of the account's first won deal;
segment from the account (else the deal). These findings carry no binding-constraint
signals: the ICP family turns the same post-sale truth into ``icp_*`` signals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats
from throughline.diagnose.expr import (
    UNKNOWN,
    account_profile,
    add_months,
    as_of,
    attach_profile,
    clean,
    days_between,
    evidence,
    filled_counts,
    fsum,
    mrr_at,
    quantile,
    records,
)
from throughline.diagnose.families.expressions import by_dimensions, split_by_dimension
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

FAMILY = "post_sale"
DIMENSIONS = ("channel", "segment", "persona", "motion")
DIMENSION_WORDS = {"channel": "acquisition channel", "segment": "segment",
                   "persona": "buyer persona", "motion": "sales motion"}
MIN_GROUP = 5  # accounts a group needs before it is named as highest or lowest
SURVIVAL_HORIZON_DAYS = 365
ALPHA_WORDS = 0.05  # "statistically significant" in statements

SUBS_NEEDS = (
    "billing subscriptions (account, MRR, start and end dates) reaching back at least 12 "
    "months before the as-of date",
    "won opportunities with channel, persona and motion, and accounts with segment, to cut "
    "it by how customers were acquired",
)


# -- retention --------------------------------------------------------------------------


def _movements(subs: ir.Table, d0: date, d1: date) -> ir.Table:
    """One row per account: MRR at d0 and d1 and its classified movements."""
    s = subs.filter(subs.account_id.notnull() & subs.mrr.notnull() & subs.start_date.notnull())
    g = s.group_by("account_id").aggregate(
        start=mrr_at(s, d0),
        end=mrr_at(s, d1),
        before=fsum(s.mrr, where=(s.start_date < ibis.literal(d0, type="date")) & (s.mrr > 0))
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
        starting_mrr=fsum(m.start, where=m.cohort),
        churned_mrr=fsum(m.churned),
        contraction_mrr=fsum(m.contraction),
        expansion_mrr=fsum(m.expansion),
        reactivation_mrr=fsum(m.reactivation),
        new_mrr=fsum(m.new),
        nrr_n=m.nrr_unit.sum(),
        sxx=fsum((x * x), where=m.nrr_unit),
        sy=fsum(m.nrr_y, where=m.nrr_unit),
        syy=fsum((m.nrr_y * m.nrr_y), where=m.nrr_unit),
        sxy=fsum((x * m.nrr_y), where=m.nrr_unit),
        sk=fsum(m.kept, where=m.cohort),
        skk=fsum((m.kept * m.kept), where=m.cohort),
        sxk=fsum((x * m.kept), where=m.cohort),
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


def _subs_usable(ctx: DiagnoseContext, diagnostic: str, title: str) -> list[Finding] | None:
    subs = ctx.table("subscriptions")
    assert subs is not None
    rows, filled = filled_counts(ctx, subs, ["account_id", "mrr", "start_date"])
    empty = [c for c, k in filled.items() if k == 0]
    if rows == 0 or empty:
        what = "the subscriptions table is empty" if rows == 0 else \
            "subscriptions." + ", subscriptions.".join(empty) + " is blank on every row"
        return unmeasurable(diagnostic=diagnostic, family=FAMILY, title=title, reason=what,
                            needs=SUBS_NEEDS)
    return None


@register(
    "post_sale.retention", family=FAMILY,
    title="Revenue and logo retention (NRR, GRR, logo churn, expansion)",
    needs=("subscriptions",), optional=("accounts", "opportunities"), needs_text=SUBS_NEEDS,
)
def retention(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "post_sale.retention", "Revenue and logo retention"
    blocked = _subs_usable(ctx, diag, title)
    if blocked:
        return blocked
    subs = ctx.table("subscriptions")
    assert subs is not None
    d1 = as_of(ctx)
    d0 = add_months(d1, -12)
    moves = _movements(subs, d0, d1)
    overall_expr = moves.aggregate(**_retention_sums(moves))
    total = records(ctx.execute(overall_expr))[0]
    v = _retention_values(total)
    if v["n"] == 0:
        return unmeasurable(
            diagnostic=diag, family=FAMILY, title=title,
            reason="no account was billed 12 months before the as-of date, so there is no "
                   "starting cohort", needs=SUBS_NEEDS[:1])
    n_lines = int(ctx.execute(subs.count()))
    ev = [evidence(ctx, "subscriptions", overall_expr, n_lines,
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
        ctx, diagnostic=diag, family=FAMILY, slug="overall", title="Net and gross revenue "
        "retention", statement=statement, metrics=metrics, n=v["n"], severity=severity,
        comparison=f"12 months from {d0.isoformat()} to {d1.isoformat()}; GRR watch below "
                   "90%, NRR watch below 100%",
        evidence=ev, caveats=caveats,
    )]
    profile = account_profile(ctx)
    if profile is None:
        findings[0].caveats.append("No accounts or won opportunities: retention cannot be cut "
                                   "by channel, segment, persona or motion.")
        return findings
    joined = attach_profile(moves, profile)
    dims = [d for d in DIMENSIONS if d in profile.columns]
    skipped: list[str] = []
    long = by_dimensions(joined, {d: joined[f"by_{d}"] for d in dims})
    expr = long.group_by("dim", "group").aggregate(**_retention_sums(long))
    per_dim = split_by_dimension(records(ctx.execute(expr))) if dims else {}
    for dim in dims:
        rows = per_dim.get(dim, [])
        f = _retention_by(ctx, dim, rows, expr, n_lines, d0, d1)
        if f is not None:
            findings.append(f)
        else:
            skipped.append(DIMENSION_WORDS[dim])
    if skipped:
        findings[0].caveats.append("Not cut by " + ", ".join(skipped) + ": fewer than two "
                                   "known values among starting accounts.")
    return findings


def _retention_by(ctx: DiagnoseContext, dim: str, rows: list[dict[str, Any]], expr: Any,
                  n_lines: int, d0: date, d1: date) -> Finding | None:
    groups = [(str(r["group"]), _retention_values(r)) for r in rows]
    groups = [(g, v) for g, v in groups if v["n"] > 0]
    known = [g for g, _ in groups if g != UNKNOWN]
    if len(known) < 2:
        return None
    words = DIMENSION_WORDS[dim]
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
    sized = [(g, v) for g, v in groups if v["n"] >= MIN_GROUP and g != UNKNOWN]
    significant = p < ALPHA_WORDS
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
    if any(g == UNKNOWN for g, _ in groups):
        caveats.append(f"Accounts with no recorded {words} are grouped as 'unknown'.")
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    return finding(
        ctx, diagnostic="post_sale.retention", family=FAMILY, slug=f"by_{dim}",
        title=f"Retention by {words}", statement=statement, metrics=metrics, n=n_total,
        severity=severity,
        comparison=f"starting accounts on {d0.isoformat()} followed to {d1.isoformat()}, "
                   f"grouped by {words}",
        significance=Significance(test="chi-square test of logo churn across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[evidence(ctx, "subscriptions", expr, n_lines,
                           f"starting cohort grouped by {words} (rows with dim = '{dim}')")],
        caveats=caveats, series=series,
    )


# -- NPS --------------------------------------------------------------------------------

NPS_NEEDS = ("NPS survey answers (account, date, score 0-10)",
             "won opportunities and accounts to segment answers by channel, segment, persona "
             "and motion")


def _nps_counts(t: ir.Table) -> dict[str, Any]:
    return dict(
        promoters=(t.score >= 9).sum(),
        passives=((t.score >= 7) & (t.score <= 8)).sum(),
        detractors=(t.score <= 6).sum(),
    )


@register(
    "post_sale.nps", family=FAMILY, title="Net Promoter Score by how customers were acquired",
    needs=("nps_responses",), optional=("accounts", "opportunities"), needs_text=NPS_NEEDS,
)
def nps(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "post_sale.nps", "Net Promoter Score"
    t = ctx.table("nps_responses")
    assert t is not None
    d1 = as_of(ctx)
    rows, filled = filled_counts(ctx, t, ["score", "responded_at"])
    if rows == 0 or filled["score"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no NPS answers with a score", needs=NPS_NEEDS)
    answers = t.filter(t.score.notnull() & (t.score >= 0) & (t.score <= 10)
                       & (t.responded_at.isnull()
                          | (t.responded_at <= ibis.literal(d1, type="date"))))
    expr = answers.aggregate(**_nps_counts(answers))
    c = {k: int(v or 0) for k, v in records(ctx.execute(expr))[0].items()}
    n = sum(c.values())
    res = stats.nps_interval(c["promoters"], c["passives"], c["detractors"])
    if res is None:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no NPS answer up to the as-of date", needs=NPS_NEEDS)
    score, lo, hi = res
    ev = evidence(ctx, "nps_responses", expr, n, f"answers up to {d1.isoformat()}")
    statement = (f"NPS is {num(score)} from {count(n)} answers: {pct(c['promoters'] / n)} "
                 f"promoters and {pct(c['detractors'] / n)} detractors.")
    findings = [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="overall", title="Net Promoter Score",
        statement=statement, n=n,
        metrics=[metric("nps", score, "percent", n, lo, hi),
                 metric("promoter_share", c["promoters"] / n, "ratio", n),
                 metric("detractor_share", c["detractors"] / n, "ratio", n),
                 metric("answers", n, "count")],
        severity=Severity.watch if hi < 0 else Severity.info,
        comparison="promoters (9-10) minus detractors (0-6), all answers up to as-of",
        evidence=[ev],
    )]
    profile = account_profile(ctx)
    if profile is None:
        return findings
    j = attach_profile(answers, profile)
    keys = {}
    for dim in DIMENSIONS:
        if dim not in profile.columns:
            continue
        key = j[f"by_{dim}"]
        if dim == "persona" and "persona" in answers.columns:
            key = ibis.coalesce(clean(j.persona), key)  # the respondent's own persona first
        keys[dim] = key
    if not keys:
        return findings
    long = by_dimensions(j, keys)
    gexpr = long.group_by("dim", "group").aggregate(**_nps_counts(long))
    per_dim = split_by_dimension(records(ctx.execute(gexpr)))
    for dim in keys:
        f = _nps_by(ctx, dim, per_dim.get(dim, []), gexpr)
        if f is not None:
            findings.append(f)
    return findings


def _nps_by(ctx: DiagnoseContext, dim: str, groups: list[dict[str, Any]],
            expr: Any) -> Finding | None:
    rows = []
    for r in groups:
        pro, pas, det = (int(r[k] or 0) for k in ("promoters", "passives", "detractors"))
        res = stats.nps_interval(pro, pas, det)
        if res is None:
            continue
        rows.append((str(r["group"]), pro + pas + det, res, (pro, pas, det)))
    if len([g for g, *_ in rows if g != UNKNOWN]) < 2:
        return None
    words = DIMENSION_WORDS[dim]
    chi2, p, _, cramer = stats.chi_square([list(c) for *_, c in rows])
    n_total = sum(n for _, n, _, _ in rows)
    metrics = [metric(f"nps_{slug(g)}", res[0], "percent", n, res[1], res[2],
                      label=f"NPS, {g}") for g, n, res, _ in rows]
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    sized = [r for r in rows if r[1] >= MIN_GROUP and r[0] != UNKNOWN]
    significant = p < ALPHA_WORDS
    if len(sized) >= 2:
        hi = max(sized, key=lambda r: (r[2][0], r[0]))
        lo = min(sized, key=lambda r: (r[2][0], r[0]))
        verdict = "differs significantly" if significant else "does not differ significantly"
        statement = (f"NPS by {words} {verdict} (chi-square on promoter/passive/detractor "
                     f"counts): highest for {quote(hi[0])} at {num(hi[2][0])} "
                     f"({count(hi[1])} answers), lowest for {quote(lo[0])} at {num(lo[2][0])} "
                     f"({count(lo[1])} answers).")
    else:
        statement = f"NPS by {words}: " + "; ".join(
            f"{quote(g)} {num(res[0])} ({count(n)} answers)" for g, n, res, _ in rows) + "."
    return finding(
        ctx, diagnostic="post_sale.nps", family=FAMILY, slug=f"by_{dim}",
        title=f"NPS by {words}", statement=statement, metrics=metrics, n=n_total,
        severity=Severity.watch if p < 0.01 and len(sized) >= 2 else Severity.info,
        comparison=f"answers grouped by the account's {words}",
        significance=Significance(test="chi-square test of answer mix across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[evidence(ctx, "nps_responses", expr, n_total,
                           f"grouped by {words} (rows with dim = '{dim}')")],
        series=[{dim: g, "nps": res[0], "low": res[1], "high": res[2], "n": n}
                for g, n, res, _ in rows],
    )


# -- time to value ----------------------------------------------------------------------

TTV_NEEDS = ("onboarding dates per account (contract signed, first value reached)",
             "won opportunities and accounts to segment it by channel, segment, persona and "
             "motion")


def _ttv_aggs(ctx: DiagnoseContext, t: ir.Table, d1: date) -> dict[str, Any]:
    lit = ibis.literal(d1, type="date")
    reached = t.first_value_at.notnull() & (t.first_value_at <= lit)
    days = days_between(t.first_value_at, t.signed_at)
    return dict(
        accounts=t.count(),
        reached=reached.sum(),
        median_days=quantile(ctx, days, 0.5, where=reached),
        p25_days=quantile(ctx, days, 0.25, where=reached),
        p75_days=quantile(ctx, days, 0.75, where=reached),
    )


@register(
    "post_sale.time_to_value", family=FAMILY, title="Time to value",
    needs=("time_to_value",), optional=("accounts", "opportunities"), needs_text=TTV_NEEDS,
)
def time_to_value(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "post_sale.time_to_value", "Time to value"
    t = ctx.table("time_to_value")
    assert t is not None
    d1 = as_of(ctx)
    rows, filled = filled_counts(ctx, t, ["signed_at", "first_value_at"])
    if rows == 0 or filled["signed_at"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no account has a signed date", needs=TTV_NEEDS)
    base = t.filter(t.signed_at.notnull() & (t.signed_at <= ibis.literal(d1, type="date"))
                    & (t.first_value_at.isnull() | (t.first_value_at >= t.signed_at)))
    expr = base.aggregate(**_ttv_aggs(ctx, base, d1))
    r = records(ctx.execute(expr))[0]
    accounts, reached = int(r["accounts"] or 0), int(r["reached"] or 0)
    if reached == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no account has reached first value by the as-of date",
                            needs=["first-value dates (the milestone each customer reached)"])
    censored = accounts - reached
    med = float(r["median_days"])
    statement = (f"Median time-to-value is {num(med)} days across {count(reached)} accounts "
                 f"that reached first value; {count(censored)} more have not reached it yet "
                 "(censored).")
    findings = [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="overall", title="Time to value",
        statement=statement, n=reached,
        metrics=[metric("median_ttv_days", med, "days", reached, r["p25_days"], r["p75_days"]),
                 metric("reached", reached, "count"), metric("censored", censored, "count"),
                 metric("reached_share", reached / accounts, "ratio", accounts,
                        ci=stats.wilson_interval(reached, accounts))],
        comparison="signed → first value; the interval shown is the interquartile range",
        evidence=[evidence(ctx, "time_to_value", expr, accounts,
                           f"signed on or before {d1.isoformat()}")],
        caveats=["The median covers accounts that reached first value; the censored ones "
                 "would only lengthen it."] if censored else [],
    )]
    profile = account_profile(ctx)
    if profile is None:
        return findings
    j = attach_profile(base, profile)
    dims = [d for d in DIMENSIONS if d in profile.columns]
    if not dims:
        return findings
    long = by_dimensions(j, {d: j[f"by_{d}"] for d in dims})
    gexpr = long.group_by("dim", "group").aggregate(**_ttv_aggs(ctx, long, d1))
    per_dim = split_by_dimension(records(ctx.execute(gexpr)))
    for dim in dims:
        groups = [g for g in per_dim.get(dim, []) if int(g["reached"] or 0) > 0]
        if len([g for g in groups if g["group"] != UNKNOWN]) < 2:
            continue
        words = DIMENSION_WORDS[dim]
        sized = [g for g in groups if int(g["reached"]) >= MIN_GROUP and g["group"] != UNKNOWN]
        pool = sized if len(sized) >= 2 else groups
        slow = max(pool, key=lambda g: (float(g["median_days"]), str(g["group"])))
        fast = min(pool, key=lambda g: (float(g["median_days"]), str(g["group"])))
        n_total = sum(int(g["reached"]) for g in groups)
        findings.append(finding(
            ctx, diagnostic=diag, family=FAMILY, slug=f"by_{dim}",
            title=f"Time to value by {words}",
            statement=(f"By {words}, median time-to-value is longest for {quote(slow['group'])} "
                       f"at {num(float(slow['median_days']))} days and shortest for "
                       f"{quote(fast['group'])} at {num(float(fast['median_days']))} days."),
            n=n_total,
            metrics=[metric(f"median_ttv_days_{slug(g['group'])}", float(g["median_days"]),
                            "days", int(g["reached"]), g["p25_days"], g["p75_days"],
                            label=f"Median time to value, {g['group']}") for g in groups]
            + [metric(f"censored_{slug(g['group'])}", int(g["accounts"]) - int(g["reached"]),
                      "count") for g in groups],
            comparison=f"median days signed → first value, by the account's {words}",
            evidence=[evidence(ctx, "time_to_value", gexpr, n_total,
                               f"grouped by {words} (rows with dim = '{dim}')")],
            series=[{dim: g["group"], "median": float(g["median_days"]),
                     "low": g["p25_days"], "high": g["p75_days"], "n": int(g["reached"])}
                    for g in groups],
        ))
    return findings


# -- survival ---------------------------------------------------------------------------


def survival_frame(ctx: DiagnoseContext, d1: date) -> tuple[Any, Any]:
    """Per account (an aggregate: one row each) the duration in days, whether it ended,
    and its acquisition channel. Returns (expression, DataFrame)."""
    subs = ctx.table("subscriptions")
    assert subs is not None
    lit = ibis.literal(d1, type="date")
    s = subs.filter(subs.account_id.notnull() & subs.start_date.notnull() & (subs.mrr > 0)
                    & (subs.start_date <= lit))
    g = s.group_by("account_id").aggregate(
        first_start=s.start_date.min(),
        last_end=s.end_date.max(),
        still_billed=(s.end_date.isnull() | (s.end_date > lit)).any(),
    )
    g = g.mutate(
        event=~g.still_billed,
        duration=ibis.ifelse(g.still_billed, days_between(lit, g.first_start),
                             days_between(g.last_end, g.first_start)),
    )
    profile = account_profile(ctx)
    if profile is not None:
        j = attach_profile(g, profile)
        g = j.select(duration=j.duration, event=j.event, channel=j.by_channel)
    else:
        g = g.select(duration=g.duration, event=g.event, channel=ibis.literal(UNKNOWN))
    expr = g.filter(g.duration >= 0)
    return expr, ctx.execute(expr)


def km_at(kmf: Any, t: float) -> tuple[float, float, float]:
    """Kaplan–Meier survival at time t with its (lower, upper) confidence bounds."""
    return km_curve(kmf, [t])[0]


def km_curve(kmf: Any, times: list[float]) -> list[tuple[float, float, float]]:
    """``km_at`` for several times at once: the bounds are those of the last event time at
    or before each t (1.0 before the first)."""
    import numpy as np

    s = kmf.survival_function_at_times(times).to_numpy(dtype=float)
    ci = kmf.confidence_interval_survival_function_
    at = np.searchsorted(ci.index.to_numpy(dtype=float), np.asarray(times, dtype=float),
                         side="right") - 1
    bounds = ci.to_numpy(dtype=float)
    return [(float(s[i]), 1.0, 1.0) if k < 0 else
            (float(s[i]), float(bounds[k, 0]), float(bounds[k, 1]))
            for i, k in enumerate(at)]


@register(
    "post_sale.survival", family=FAMILY,
    title="Account survival by acquisition channel (Kaplan–Meier, log-rank)",
    needs=("subscriptions",), optional=("accounts", "opportunities"), needs_text=SUBS_NEEDS,
)
def survival(ctx: DiagnoseContext) -> list[Finding]:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    diag, title = "post_sale.survival", "Account survival by acquisition channel"
    blocked = _subs_usable(ctx, diag, title)
    if blocked:
        return blocked
    d1 = as_of(ctx)
    expr, df = survival_frame(ctx, d1)
    n = len(df)
    if n == 0 or float(df["duration"].max()) < SURVIVAL_HORIZON_DAYS:
        return unmeasurable(
            diagnostic=diag, family=FAMILY, title=title,
            reason="no account has been followed for 12 months yet", needs=SUBS_NEEDS)
    # Rows in a fixed order: the log-rank statistic sums floats in row order, and the order
    # an engine returns rows in is arbitrary (it changes with the query plan).
    df = df.assign(duration=df["duration"].astype(float), event=df["event"].astype(bool)) \
        .sort_values(["channel", "duration", "event"], kind="stable", ignore_index=True)
    kmf = KaplanMeierFitter()
    kmf.fit(df["duration"], df["event"], label="all")
    s_all, lo_all, hi_all = km_at(kmf, SURVIVAL_HORIZON_DAYS)
    ev = [evidence(ctx, "subscriptions", expr, n,
                   f"one row per account billed on or before {d1.isoformat()}")]
    events = int(df["event"].sum())
    metrics = [metric("survival_12m", s_all, "ratio", n, lo_all, hi_all),
               metric("horizon_months", 12, "months"),
               metric("accounts", n, "count"), metric("ended", events, "count")]
    counts = df.groupby("channel").size()
    groups = sorted(g for g, k in counts.items() if k >= MIN_GROUP)
    curves: list[dict[str, object]] = []
    horizon = int(min(float(df["duration"].max()), 2 * SURVIVAL_HORIZON_DAYS))
    grid = list(range(0, horizon + 1, 30))
    per: list[tuple[str, int, float, float, float]] = []
    for g in groups:
        sub = df[df["channel"] == g]
        k = KaplanMeierFitter().fit(sub["duration"], sub["event"], label=str(g))
        s, lo, hi = km_at(k, SURVIVAL_HORIZON_DAYS)
        per.append((str(g), len(sub), s, lo, hi))
        for t, (st, lt, ht) in zip(grid, km_curve(k, grid), strict=True):
            curves.append({"channel": str(g), "days": t, "survival": st, "low": lt, "high": ht})
    known = [p for p in per if p[0] != UNKNOWN]
    if len(known) < 2:
        statement = (f"{pct(s_all)} of accounts are still billed 12 months after they started "
                     f"(Kaplan–Meier, {count(n)} accounts, {count(events)} ended).")
        return [finding(
            ctx, diagnostic=diag, family=FAMILY, slug="overall", title="Account survival",
            statement=statement, metrics=metrics, n=n,
            comparison="Kaplan–Meier survival at 365 days; accounts still billed are censored",
            evidence=ev, caveats=["Fewer than two acquisition channels have enough accounts "
                                  "to compare survival by channel."],
        )]
    sel = df[df["channel"].isin(groups)]
    test = multivariate_logrank_test(sel["duration"], sel["channel"], sel["event"])
    p = float(test.p_value)
    stat = float(test.test_statistic)
    for g, k, s, lo, hi in per:
        metrics.append(metric(f"survival_12m_{slug(g)}", s, "ratio", k, lo, hi,
                              label=f"12-month survival, {g}"))
    metrics.append(metric("logrank_p", p, "statistic", len(sel)))
    best = max(known, key=lambda x: (x[2], x[0]))
    worst_ = min(known, key=lambda x: (x[2], x[0]))
    verdict = "differ significantly" if p < ALPHA_WORDS else "do not differ significantly"
    statement = (f"{pct(s_all)} of accounts survive 12 months; by acquisition channel from "
                 f"{pct(worst_[2])} ({quote(worst_[0])}, {count(worst_[1])} accounts) to "
                 f"{pct(best[2])} ({quote(best[0])}, {count(best[1])} accounts); the curves "
                 f"{verdict} (log-rank).")
    severity = Severity.info
    if p < 0.01 and best[2] - worst_[2] >= 0.1:
        severity = Severity.watch
    if p < 0.01 and best[2] - worst_[2] >= 0.25:
        severity = Severity.problem
    caveats = []
    small = [str(g) for g, k in counts.items() if k < MIN_GROUP]
    if small:
        caveats.append("Channels with too few accounts for a curve are left out of the test: "
                       + ", ".join(sorted(small)) + ".")
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="by_channel",
        title="Account survival by acquisition channel", statement=statement,
        metrics=metrics, n=n, severity=severity,
        comparison="Kaplan–Meier survival at 365 days by the channel of the first won deal",
        significance=Significance(test="multivariate log-rank", statistic=stat, p_value=p,
                                  n=len(sel)),
        evidence=ev, caveats=caveats, series=curves,
    )]
