"""``post_sale.nps``: Net Promoter Score by how customers were acquired.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, num, pct, quote, slug
from throughline.diagnose.families.post_sale import common
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic

NPS_NEEDS = ("NPS survey answers (account, date, score 0-10)",
             "won opportunities and accounts to segment answers by channel, segment, persona "
             "and motion")


def _nps_counts(t: ir.Table) -> dict[str, Any]:
    return dict(
        promoters=(t.score >= 9).sum(),
        passives=((t.score >= 7) & (t.score <= 8)).sum(),
        detractors=(t.score <= 6).sum(),
    )


@diagnostic(id="post_sale.nps", needs_text=NPS_NEEDS)
def nps(ctx: DiagnoseContext) -> list[Finding]:
    t = ctx.require("nps_responses")
    d1 = toolkit.as_of(ctx)
    toolkit.require_filled(ctx, t, ["score"], "no NPS answers with a score", NPS_NEEDS)
    answers = t.filter(t.score.notnull() & (t.score >= 0) & (t.score <= 10)
                       & (t.responded_at.isnull()
                          | (t.responded_at <= ibis.literal(d1, type="date"))))
    expr = answers.aggregate(**_nps_counts(answers))
    c = {k: int(v or 0) for k, v in toolkit.records(ctx.execute(expr))[0].items()}
    n = sum(c.values())
    res = stats.nps_interval(c["promoters"], c["passives"], c["detractors"])
    if res is None:
        raise unmeasurable("no NPS answer up to the as-of date", NPS_NEEDS)
    score, lo, hi = res
    ev = toolkit.evidence(ctx, "nps_responses", expr, n, f"answers up to {d1.isoformat()}")
    statement = (f"NPS is {num(score)} from {count(n)} answers: {pct(c['promoters'] / n)} "
                 f"promoters and {pct(c['detractors'] / n)} detractors.")
    findings = [finding(
        ctx, slug="overall", title="Net Promoter Score",
        statement=statement, n=n,
        metrics=[metric("nps", score, "percent", n, lo, hi),
                 metric("promoter_share", c["promoters"] / n, "ratio", n),
                 metric("detractor_share", c["detractors"] / n, "ratio", n),
                 metric("answers", n, "count")],
        severity=Severity.watch if hi < 0 else Severity.info,
        comparison="promoters (9-10) minus detractors (0-6), all answers up to as-of",
        evidence=[ev],
    )]
    profile = toolkit.account_profile(ctx)
    if profile is None:
        return findings
    j = toolkit.attach_profile(answers, profile)
    keys = {}
    for dim in common.DIMENSIONS:
        if dim not in profile.columns:
            continue
        key = j[f"by_{dim}"]
        if dim == "persona" and "persona" in answers.columns:
            # the respondent's own persona first
            key = ibis.coalesce(toolkit.label_or_null(j.persona), key)
        keys[dim] = key
    if not keys:
        return findings
    long = toolkit.by_dimensions(j, keys)
    gexpr = long.group_by("dim", "group").aggregate(**_nps_counts(long))
    per_dim = toolkit.split_by_dimension(toolkit.records(ctx.execute(gexpr)))
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
    if len([g for g, *_ in rows if g != toolkit.UNKNOWN]) < 2:
        return None
    words = common.DIMENSION_WORDS[dim]
    chi2, p, _, cramer = stats.chi_square([list(c) for *_, c in rows])
    n_total = sum(n for _, n, _, _ in rows)
    metrics = [metric(f"nps_{slug(g)}", res[0], "percent", n, res[1], res[2],
                      label=f"NPS, {g}") for g, n, res, _ in rows]
    metrics.append(metric("chi_square_p", p, "statistic", n_total))
    sized = [r for r in rows if r[1] >= common.MIN_GROUP and r[0] != toolkit.UNKNOWN]
    significant = p < common.ALPHA_WORDS
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
        ctx, slug=f"by_{dim}",
        title=f"NPS by {words}", statement=statement, metrics=metrics, n=n_total,
        severity=Severity.watch if p < 0.01 and len(sized) >= 2 else Severity.info,
        comparison=f"answers grouped by the account's {words}",
        significance=Significance(test="chi-square test of answer mix across groups",
                                  statistic=chi2, p_value=p, n=n_total, effect_size=cramer,
                                  effect_measure="Cramér's V"),
        evidence=[toolkit.evidence(ctx, "nps_responses", expr, n_total,
                                   f"grouped by {words} (rows with dim = '{dim}')")],
        series=[{dim: g, "nps": res[0], "low": res[1], "high": res[2], "n": n}
                for g, n, res, _ in rows],
    )
