"""The ICP cohorts (won, mature, revealed), the retention and advocacy lenses, and the
divergence between who is won and who is revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import unmeasurable
from throughline.diagnose.registry import DiagnoseContext

FAMILY = "icp"


ATTRIBUTES = (*toolkit.ACCOUNT_ATTRIBUTES, "persona", "channel")


ATTRIBUTE_WORDS = {"segment": "segment", "industry": "industry", "size_band": "size band",
                   "region": "region", "persona": "buyer persona",
                   "channel": "acquisition channel"}


ALPHA = 0.01


JS_REFERENCE = 0.05


DRIFT_REFERENCE = 0.20


STATED_REFERENCE = 0.20


MIN_GROUP = 5


NETWORK_MARKERS = ("warm", "intro", "founder", "network", "personal", "friend", "investor",
                   "board member", "relationship", "exec connection")


NETWORK_WATCH_SHARE = 0.4


REVEALED_NEEDS = (
    "billing subscriptions reaching back at least 12 months (who retains and expands)",
    "won opportunities with channel and persona, and accounts with segment, industry, size "
    "band and region",
)


def cohorts(ctx: DiagnoseContext) -> tuple[ir.Table, list[str]] | str:
    """One row per won account: attributes, won date, mature and revealed flags; or the
    reason it cannot be built. Every ICP diagnostic reads it, so it is a shared
    intermediate (computed once per run)."""
    subs = ctx.table("subscriptions")
    profile = toolkit.account_profile(ctx)
    if subs is None:
        return "no billing subscriptions"
    rows, filled = toolkit.filled_counts(ctx, subs, ["account_id", "mrr", "start_date"])
    if rows == 0 or min(filled.values()) == 0:
        return "no usable billing subscriptions"
    d1 = toolkit.as_of(ctx)
    d0 = toolkit.add_months(d1, -12)
    s = subs.filter(subs.account_id.notnull() & subs.mrr.notnull() & subs.start_date.notnull())
    acct = s.group_by(_aid=s.account_id).aggregate(
        first_start=s.start_date.min(), start=toolkit.mrr_at(s, d0), end=toolkit.mrr_at(s, d1))
    lit0 = ibis.literal(d0, type="date")
    acct = acct.mutate(mature=acct.first_start <= lit0,
                       revealed=(acct.first_start <= lit0) & (acct.end > 0)
                       & (acct.end >= acct.start))
    has_wins = profile is not None and "won_date" in profile.columns and \
        ctx.table("opportunities") is not None
    if has_wins:
        assert profile is not None
        won = profile.filter(profile.won_date.notnull()
                             & (profile.won_date <= ibis.literal(d1, type="date")))
        attrs = [a for a in ATTRIBUTES if a in won.columns]
        j = won.left_join(acct, won.account_id == acct._aid)
        base = j.select(
            account_id=j.account_id, won_date=j.won_date,
            mature=j.mature.fill_null(False), revealed=j.revealed.fill_null(False),
            **{a: j[a] for a in attrs})
    else:
        attrs = []
        if profile is not None:
            attrs = [a for a in toolkit.ACCOUNT_ATTRIBUTES if a in profile.columns]
            j = acct.left_join(profile, acct._aid == profile.account_id)
            base = j.select(account_id=j._aid, won_date=j.first_start, mature=j.mature,
                            revealed=j.revealed,
                            **{a: j[a].fill_null(toolkit.UNKNOWN) for a in attrs})
        else:
            base = acct.select(account_id=acct._aid, won_date=acct.first_start,
                               mature=acct.mature, revealed=acct.revealed)
    if not attrs:
        return "no account attributes (segment, industry, size band, region, persona, channel)"
    answers = _account_answers(ctx, d1)
    if answers is not None:
        j = base.left_join(answers, base.account_id == answers._nid)
        base = j.select(*[j[c] for c in base.columns], nps=j.nps, promoter=j.promoter)
    return ctx.shared(base), attrs


def _account_answers(ctx: DiagnoseContext, d1: Any) -> ir.Table | None:
    """Per account, from all its NPS answers up to as-of: its own NPS (promoter answers −
    detractor answers, over its answers) and its promoter share. The account is the unit
    — one value each, however often it answered — and every answer counts towards it;
    None without NPS answers."""
    t = ctx.table("nps_responses")
    if t is None or not {"account_id", "score", "responded_at"} <= set(t.columns):
        return None
    a = t.filter(t.account_id.notnull() & t.score.notnull() & (t.score >= 0)
                 & (t.score <= 10) & t.responded_at.notnull()
                 & (t.responded_at.cast("date") <= ibis.literal(d1, type="date")))
    g = a.group_by(_nid=a.account_id).aggregate(
        _n=a.count(), _p=(a.score >= 9).sum(), _d=(a.score <= 6).sum())
    n = g._n.cast("float64")
    return g.select("_nid", nps=(g._p - g._d).cast("float64") / n,
                    promoter=g._p.cast("float64") / n)


@dataclass(frozen=True)
class Lens:
    """One way to read who the company serves well (module docstring)."""

    name: str
    judged: str  # row key: accounts that can be judged (population)
    revealed: str  # row key: accounts judged well served
    cohort: str  # words for the revealed cohort
    best: str  # "values that <best>"
    best_one: str  # "the value that <best_one>"
    reference: float  # stated vs revealed: the gap that counts as full strength


RETENTION = Lens("retention", "mature", "revealed", "those that retain or expand",
                 "retain best", "retains best", STATED_REFERENCE)


ADVOCACY = Lens("advocacy", "respondents", "promoters", "promoters (NPS 9-10)",
                "recommend us most", "recommends us most", 2 * STATED_REFERENCE)


COUNTS = ("won", "mature", "revealed", "respondents")  # the rest are sums of shares


def lenses(base: ir.Table) -> tuple[Lens, ...]:
    return (RETENTION, ADVOCACY) if "nps" in base.columns else (RETENTION,)


def attribute_tables(ctx: DiagnoseContext, base: ir.Table, attrs: list[str],
                      ) -> dict[str, tuple[Any, list[dict[str, Any]]]]:
    """Per attribute: (the query, its value rows with won / mature / revealed counts and,
    with NPS answers, the accounts that answered with the sum and sum of squares of their
    own NPS and the sum of their promoter shares). One query for all of them."""
    long = toolkit.by_dimensions(base, {a: base[a] for a in attrs})
    aggs: dict[str, Any] = dict(won=long.count(), mature=long.mature.sum(),
                                revealed=long.revealed.sum())
    if "nps" in base.columns:
        aggs.update(respondents=long.nps.notnull().sum(),
                    nps_sum=toolkit.fsum(long.nps).fill_null(0.0),
                    nps_sq=toolkit.fsum(long.nps * long.nps).fill_null(0.0),
                    promoters=toolkit.fsum(long.promoter).fill_null(0.0))
    expr = long.group_by("dim", "group").aggregate(**aggs)
    per_attr = toolkit.split_by_dimension(toolkit.records(ctx.execute(expr)))
    out = {}
    for a in attrs:
        rows = per_attr.get(a, [])
        for r in rows:
            r["value"] = str(r.pop("group"))
            for k in aggs:
                r[k] = int(r[k] or 0) if k in COUNTS else float(r[k] or 0.0)
        out[a] = (expr, rows)
    return out


def lens_test(rows: list[dict[str, Any]], lens: Lens) -> tuple[float, float, int, float]:
    """Does the lens' outcome depend on the attribute? (statistic, p, dof, effect).
    Retention: chi-square with sparse values pooled (Fisher's exact p for a sparse 2×2),
    effect Cramér's V. Advocacy: one-way ANOVA of the accounts' own NPS with values of
    fewer than ``MIN_GROUP`` accounts pooled, effect η²."""
    if lens is ADVOCACY:
        return stats.anova_from_sums([(r["respondents"], r["nps_sum"], r["nps_sq"])
                                      for r in rows], min_group=MIN_GROUP)
    return stats.chi_square_pooled([[r["revealed"], r["mature"] - r["revealed"]]
                                    for r in rows])


def lens_rate(rows: list[dict[str, Any]], lens: Lens) -> tuple[float | None, float, int]:
    """The lens' rate over some value rows: (rate, its sampling variance, n judged).
    Advocacy: the mean of the accounts' own NPS (−1..1)."""
    n = sum(r[lens.judged] for r in rows)
    if n == 0:
        return None, 0.0, 0
    if lens is ADVOCACY:
        mean = sum(r["nps_sum"] for r in rows) / n
        ss = max(0.0, sum(r["nps_sq"] for r in rows) - n * mean * mean)
        return mean, (ss / (n - 1) / n if n > 1 else 0.0), n
    rate = sum(r["revealed"] for r in rows) / n
    return rate, rate * (1 - rate) / n, n


def divergence(rows: list[dict[str, Any]], lens: Lens = RETENTION) -> dict[str, Any]:
    """Shares, JS divergence and the lens' test for one attribute's value counts.

    Both profiles come from the accounts the lens can judge (mature won accounts;
    won accounts that answered NPS): the divergence then measures who the company keeps
    or delights among those it won, not when it won them — a won mix that moved on since
    (growth into a new segment that retains perfectly well, say) is drift, measured by
    ``icp.drift``, and would otherwise inflate the divergence."""
    won_total = sum(r["won"] for r in rows)
    rev_total = sum(r[lens.revealed] for r in rows)
    judged_total = sum(r[lens.judged] for r in rows)
    won_sh = [r[lens.judged] / judged_total if judged_total else 0.0 for r in rows]
    rev_sh = [r[lens.revealed] / rev_total if rev_total else 0.0 for r in rows]
    js = stats.js_divergence(won_sh, rev_sh) if rev_total else 0.0
    chi2, p, dof, v = lens_test(rows, lens)
    overall = lens_rate(rows, lens)[0] if lens is ADVOCACY else (
        rev_total / judged_total if judged_total else None)
    return {"won_share": won_sh, "revealed_share": rev_sh, "js": js, "chi2": chi2, "p": p,
            "cramer_v": v, "won_total": won_total, "revealed_total": rev_total,
            "mature_total": judged_total, "overall_rate": overall, "lens": lens}


def revealed_cohorts(ctx: DiagnoseContext) -> tuple[ir.Table, list[str]]:
    """:func:`cohorts`, or not measurable with the reason it gives."""
    built = cohorts(ctx)
    if isinstance(built, str):
        raise unmeasurable(built, REVEALED_NEEDS)
    return built
