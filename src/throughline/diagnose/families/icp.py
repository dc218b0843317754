"""Stated vs revealed ICP: who we could convince against who we serve.

Cohorts (d1 = as-of, d0 = d1 − 12 months):

* **won cohort** — accounts with a won deal closed by as-of (without opportunities: every
  billed account);
* **mature** — won accounts first billed on or before d0 (old enough to judge);
* **revealed cohort** — who the company serves well, read through two lenses:

  - *retention* ("retain or expand"): mature accounts still billed at d1 with MRR(d1) ≥
    MRR(d0), among the mature accounts;
  - *advocacy* ("would refer"): the won accounts that answered NPS up to as-of, each with
    its own NPS (promoter answers − detractor answers, over its answers: the account is
    the unit, and all its answers count) and its promoter share. It reaches the accounts
    won in the last 12 months, whose retention cannot be judged yet — annual contracts
    show no churn before their first renewal — so a recent shift in who is won is visible
    in it long before it is in retention. Without NPS answers only the retention lens is
    used.

Per attribute (segment, industry, size_band, region from ``accounts``; persona and channel
from the first won deal) we compare each value's share of the won accounts a lens can
judge with its share of the revealed cohort (Jensen–Shannon divergence, base 2) — both
from the same accounts, so the comparison shows who is kept, not when they were won (a
won mix that moved since is drift, below) — and test whether being revealed depends on
the attribute (chi-square, Cramér's V; values too small for the chi-square approximation
are pooled — Cochran's rule — and a sparse 2×2 gets Fisher's exact test).

Each lens has a test of whether the attribute matters — chi-square of revealed vs not
among mature accounts (retention), one-way ANOVA of the accounts' own NPS (advocacy;
values with fewer than five accounts pooled) — and a rate: the revealed rate
(retention), the mean of the accounts' own NPS (advocacy; promoters − detractors, so it
moves twice as far as a share when accounts flip from promoter to detractor).

Signals (``gated_strength``: 0 unless p < 0.01 and the effect is positive, then
min(1, effect / reference)); Bonferroni over every attribute × lens (or pair × lens)
tested:

* ``icp_divergence`` — max over attributes and lenses of gated_strength(JS, 0.05, p_chi ×
  k) with k tests, JS between the won shares and the revealed shares. JS = 0.05 bits is
  about two equal halves of the won cohort, one retaining three times as often as the
  other.
* ``icp_drift`` — for each attribute and lens whose test is significant (p_chi × tests <
  0.05, Bonferroni over the attribute × lens tests: a revealed ICP has to be established
  before wins can drift from it), the ICP-fit values are those whose rate is at least the
  overall rate; effect = share of wins in fit values before the last 12 months − share
  in the last 12 months, two-proportion z-test; max of gated_strength(effect, 0.20, p ×
  k).
* ``stated_vs_revealed`` — per function, attribute in ``stated_icp`` and lens: rate outside
  the stated values − inside them (stated values serve worse); retention: two-proportion
  test (the 2×2 chi-square, Fisher's exact when its expected counts are too small),
  reference 0.20; advocacy: Student's t-test of the accounts' own NPS with the variance
  pooled over both sides (under "no difference" they share one: a handful of accounts
  that happen to agree cannot claim a tiny variance), no verdict with fewer than five
  accounts on a side, reference 0.40 NPS (a fifth of the accounts flipped from promoter
  to detractor — the same 0.20 as a share); max of gated_strength(effect, reference, p × m)
  over the m pair × lens tests. Counter-signal ``healthy_icp_alignment`` = 1 when no test
  shows a significant gap (p ≥ 0.05) and the revealed top value (retention) is in every
  stated set.

``icp.network_concentration`` warns (no signal) when wins concentrate in warm-intro /
founder-network sources: the won cohort then maps a network, not a market.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
from scipy.stats import t as _t

from throughline.diagnose import stats
from throughline.diagnose.expr import (
    ACCOUNT_ATTRIBUTES,
    UNKNOWN,
    account_profile,
    add_months,
    as_of,
    clean,
    evidence,
    filled_counts,
    fsum,
    label,
    mrr_at,
    records,
)
from throughline.diagnose.families.expressions import by_dimensions, split_by_dimension
from throughline.diagnose.families.measure import (
    count,
    finding,
    metric,
    num,
    pct,
    quote,
    slug,
    unmeasurable,
)
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import DiagnoseContext, register

FAMILY = "icp"
ATTRIBUTES = (*ACCOUNT_ATTRIBUTES, "persona", "channel")
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
    profile = account_profile(ctx)
    if subs is None:
        return "no billing subscriptions"
    rows, filled = filled_counts(ctx, subs, ["account_id", "mrr", "start_date"])
    if rows == 0 or min(filled.values()) == 0:
        return "no usable billing subscriptions"
    d1 = as_of(ctx)
    d0 = add_months(d1, -12)
    s = subs.filter(subs.account_id.notnull() & subs.mrr.notnull() & subs.start_date.notnull())
    acct = s.group_by(_aid=s.account_id).aggregate(
        first_start=s.start_date.min(), start=mrr_at(s, d0), end=mrr_at(s, d1))
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
            attrs = [a for a in ACCOUNT_ATTRIBUTES if a in profile.columns]
            j = acct.left_join(profile, acct._aid == profile.account_id)
            base = j.select(account_id=j._aid, won_date=j.first_start, mature=j.mature,
                            revealed=j.revealed,
                            **{a: j[a].fill_null(UNKNOWN) for a in attrs})
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


def _attribute_tables(ctx: DiagnoseContext, base: ir.Table, attrs: list[str],
                      ) -> dict[str, tuple[Any, list[dict[str, Any]]]]:
    """Per attribute: (the query, its value rows with won / mature / revealed counts and,
    with NPS answers, the accounts that answered with the sum and sum of squares of their
    own NPS and the sum of their promoter shares). One query for all of them."""
    long = by_dimensions(base, {a: base[a] for a in attrs})
    aggs: dict[str, Any] = dict(won=long.count(), mature=long.mature.sum(),
                                revealed=long.revealed.sum())
    if "nps" in base.columns:
        aggs.update(respondents=long.nps.notnull().sum(),
                    nps_sum=fsum(long.nps).fill_null(0.0),
                    nps_sq=fsum(long.nps * long.nps).fill_null(0.0),
                    promoters=fsum(long.promoter).fill_null(0.0))
    expr = long.group_by("dim", "group").aggregate(**aggs)
    per_attr = split_by_dimension(records(ctx.execute(expr)))
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


def _needs_ok(ctx: DiagnoseContext, diag: str, title: str
              ) -> tuple[ir.Table, list[str]] | list[Finding]:
    built = cohorts(ctx)
    if isinstance(built, str):
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title, reason=built,
                            needs=REVEALED_NEEDS)
    return built


@register(
    "icp.won_vs_retained", family=FAMILY,
    title="Won cohort against the accounts that retain and expand",
    needs=("subscriptions",), optional=("accounts", "opportunities"),
    needs_text=REVEALED_NEEDS,
)
def won_vs_retained(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "icp.won_vs_retained", "Who we win against who we keep"
    built = _needs_ok(ctx, diag, title)
    if isinstance(built, list):
        return built
    base, attrs = built
    tables = _attribute_tables(ctx, base, attrs)
    results: dict[tuple[Lens, str], dict[str, Any]] = {}
    for lens in lenses(base):
        for a, (_expr, rows) in tables.items():
            known = [r for r in rows if r["value"] != UNKNOWN]
            if len(known) >= 2 and sum(r[lens.judged] for r in rows) > 0:
                results[(lens, a)] = divergence(rows, lens)
    if not any(lens is RETENTION for lens, _ in results):
        known_two = any(len([r for r in rows if r["value"] != UNKNOWN]) >= 2
                        for _e, rows in tables.values())
        if not known_two:
            return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                                reason="no attribute has two known values among won accounts",
                                needs=REVEALED_NEEDS)
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no won account has been billed for 12 months yet",
                            needs=REVEALED_NEEDS[:1])
    k = len(results)
    findings: list[Finding] = []
    best: tuple[float, Lens, str] | None = None
    n_rows = int(ctx.execute(base.count()))
    for lens, a in results:  # lenses in order, attributes in order within each
        res = results[(lens, a)]
        strength = stats.gated_strength(res["js"], JS_REFERENCE, min(1.0, res["p"] * k), ALPHA)
        res["strength"] = strength
        if best is None or strength > best[0]:
            best = (strength, lens, a)
    for a in attrs:
        if (RETENTION, a) in results:
            expr, rows = tables[a]
            findings.append(_attribute_finding(ctx, diag, a, rows, results, expr, n_rows))
    assert best is not None
    strength, lens, top = best
    res = results[(lens, top)]
    retention = {a: r for (ln, a), r in results.items() if ln is RETENTION}
    ret = retention.get(top) or next(iter(retention.values()))
    summary_metrics = [metric(f"js_{a}", r["js"], "statistic", r["mature_total"])
                       for a, r in retention.items()]
    summary_metrics += [metric(f"js_advocacy_{a}", r["js"], "statistic", r["mature_total"])
                        for (ln, a), r in results.items() if ln is ADVOCACY]
    summary_metrics += [metric("revealed_accounts", ret["revealed_total"], "count"),
                        metric("mature_accounts", ret["mature_total"], "count"),
                        metric("won_accounts", ret["won_total"], "count"),
                        metric("revealed_rate", ret["overall_rate"], "ratio",
                               ret["mature_total"])]
    if lens is ADVOCACY:
        summary_metrics += [metric("respondents", res["mature_total"], "count"),
                            metric("account_nps", 100 * res["overall_rate"], "percent",
                                   res["mature_total"],
                                   label="NPS of the won accounts that answered (each "
                                         "account's own NPS, averaged)")]
    word = ATTRIBUTE_WORDS[top]
    over, under = _extremes(tables[top][1], res)
    summary_metrics += [metric("won_share_top", over[2], "ratio", res["mature_total"],
                               label=f"Share of won accounts it can judge, {over[1]}"),
                        metric("retained_share_top", over[3], "ratio", res["revealed_total"],
                               label=f"Share of {lens.cohort}, {over[1]}")]
    keep = "who we keep" if lens is RETENTION else "who recommends us"
    if strength > 0:
        lead = f"Who we win and {keep} differ most by {word}"
    elif res["p"] < 0.05:
        lead = (f"Who we win and {keep} differ most by {word}, though not strongly enough "
                "to count as a signal")
    else:
        lead = f"Who we win and {keep} look alike"
    if lens is RETENTION:
        tail = (f"{pct(res['overall_rate'])} of {count(res['mature_total'])} won accounts "
                "old enough to judge retained or expanded.")
    else:
        tail = (f"the {count(res['mature_total'])} won accounts that answered NPS average "
                f"an NPS of {num(100 * res['overall_rate'])}.")
    judged = ("won accounts old enough to judge" if lens is RETENTION else
              "won accounts that answered NPS")
    statement = (f"{lead}: {quote(over[1])} is {pct(over[2])} of {judged} but "
                 f"{pct(over[3])} of {lens.cohort}; {tail}")
    test = ("chi-square (revealed vs not, among mature won accounts; sparse values pooled)"
            if lens is RETENTION else "one-way ANOVA of each won account's own NPS (small "
            "values pooled)")
    findings.insert(0, finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=summary_metrics, n=res["mature_total"],
        severity=Severity.watch if strength >= 0.5 else Severity.info,
        comparison="per attribute: shares in the won cohort against shares among accounts "
                   "that retained at full value or expanded over the last 12 months"
                   + (" and among promoters" if any(ln is ADVOCACY for ln, _ in results)
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


def _attribute_finding(ctx: DiagnoseContext, diag: str, attr: str, rows: list[dict[str, Any]],
                       results: dict[tuple[Lens, str], dict[str, Any]], expr: Any,
                       n_rows: int) -> Finding:
    res = results[(RETENTION, attr)]
    adv = results.get((ADVOCACY, attr))
    strength = max(res["strength"], adv["strength"] if adv else 0.0)
    word = ATTRIBUTE_WORDS[attr]
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
            nps_v = lens_rate([r], ADVOCACY)[0]
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
        ctx, diagnostic=diag, family=FAMILY, slug=attr, title=f"Won vs retained by {word}",
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


# -- drift ------------------------------------------------------------------------------


@register(
    "icp.drift", family=FAMILY, title="Won mix drifting away from the revealed ICP",
    needs=("subscriptions", "opportunities"), optional=("accounts",),
    needs_text=REVEALED_NEEDS,
)
def drift(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "icp.drift", "ICP drift"
    built = _needs_ok(ctx, diag, title)
    if isinstance(built, list):
        return built
    base, attrs = built
    d1 = as_of(ctx)
    split = ibis.literal(add_months(d1, -12), type="date")
    candidates = []
    tables = _attribute_tables(ctx, base, attrs)
    tests = [(lens, a, divergence(tables[a][1], lens)) for lens in lenses(base) for a in attrs
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
                lens is RETENTION and not overall):
            continue
        fit = sorted(r["value"] for r in known if r[lens.judged]
                     and (lens_rate([r], lens)[0] or 0.0) >= overall)
        if not fit or len(fit) == len(known):
            continue
        candidates.append((a, fit, res))
    if not candidates:
        n_base = int(ctx.execute(base.count()))
        return [finding(
            ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title,
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
        strength = stats.gated_strength(e_sh - l_sh, DRIFT_REFERENCE, min(1.0, p * k), ALPHA)
        item = (strength, a, fit, r, e_sh, l_sh, p, z, i)
        if best is None or strength > best[0]:
            best = item
    if best is None:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="wins do not span both the last 12 months and before",
                            needs=["won deals over more than a year"])
    strength, a, fit, r, e_sh, l_sh, p, z, best_i = best
    lens = next(res["lens"] for a_, fit_, res in candidates if a_ == a and fit_ == fit)
    word = ATTRIBUTE_WORDS[a]
    direction = "fell" if l_sh < e_sh else "rose"
    statement = (f"Wins in the {word} values that {lens.best} "
                 f"({', '.join(quote(v) for v in fit)}) {direction} from {pct(e_sh)} of "
                 f"{count(r['early'])} earlier won accounts to {pct(l_sh)} of "
                 f"{count(r['late'])} in the last year.")
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        n=r["early"] + r["late"],
        metrics=[metric("fit_share_earlier", e_sh, "ratio", r["early"],
                        ci=stats.wilson_interval(r["early_fit"], r["early"])),
                 metric("fit_share_recent", l_sh, "ratio", r["late"],
                        ci=stats.wilson_interval(r["late_fit"], r["late"])),
                 metric("drift", e_sh - l_sh, "ratio", r["early"] + r["late"])],
        severity=Severity.watch if strength >= 0.5 else Severity.info,
        comparison=f"won accounts before and within the last 12 months, share in the {word} "
                   + ("values whose retain-or-expand rate is at least the overall rate"
                      if lens is RETENTION else
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


# -- stated vs revealed -----------------------------------------------------------------

STATED_NEEDS = ("each function's stated ICP (function, attribute, value)",) + REVEALED_NEEDS


@register(
    "icp.stated_vs_revealed", family=FAMILY, title="Stated ICP against revealed ICP",
    needs=("stated_icp", "subscriptions"), optional=("accounts", "opportunities"),
    needs_text=STATED_NEEDS,
)
def stated_vs_revealed(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "icp.stated_vs_revealed", "Stated against revealed ICP"
    st = ctx.table("stated_icp")
    assert st is not None
    stated_expr = st.select(function=label(st.function), attribute=label(st.attribute),
                            value=clean(st.value))
    stated_rows = records(ctx.execute(stated_expr.filter(stated_expr.value.notnull())))
    if not stated_rows:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no stated ICP rows", needs=STATED_NEEDS)
    built = _needs_ok(ctx, diag, title)
    if isinstance(built, list):
        return built
    base, attrs = built
    stated: dict[tuple[str, str], list[str]] = {}
    for r in stated_rows:
        attr = str(r["attribute"]).replace(" ", "_")
        stated.setdefault((str(r["function"]), attr), []).append(str(r["value"]))
    pairs = sorted((k, sorted(set(v))) for k, v in stated.items() if k[1] in attrs)
    if not pairs:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="the stated ICP names no attribute the data records",
                            needs=STATED_NEEDS)
    tables = _attribute_tables(ctx, base, attrs)
    lens_list = lenses(base)
    # Bonferroni over distinct hypotheses: functions that state the same values for an
    # attribute pose the same question of the data, which is tested once
    m = len({(a, tuple(v)) for (_, a), v in pairs}) * len(lens_list)
    results = []
    for lens in lens_list:
        for (function, attr), values in pairs:
            results.append(_stated_gap(function, attr, values, tables[attr][1], lens, m))
    tested = [r for r in results if r["effect"] is not None]
    if not any(r["lens"] is RETENTION for r in tested):
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no stated value has both won accounts old enough to judge "
                                   "and others to compare with", needs=STATED_NEEDS)
    worst_ = max(tested, key=lambda r: (r["strength"], r["effect"] / r["lens"].reference,
                                        r["lens"] is RETENTION, r["function"], r["attribute"]))
    strength = worst_["strength"]
    lens = worst_["lens"]
    signals = {"stated_vs_revealed": strength}
    aligned = all(r["top"] is None or r["top"] in r["values"] for r in results
                  if r["lens"] is RETENTION)
    if all(r["p"] >= 0.05 for r in tested) and aligned:
        signals["healthy_icp_alignment"] = 1.0
    word = ATTRIBUTE_WORDS[worst_["attribute"]]
    fn = worst_["function"].replace("_", " ")
    named = ", ".join(quote(v) for v in worst_["values"])
    n_both = worst_["n_in"] + worst_["n_out"]
    if lens is RETENTION:
        statement = (f"The {fn} team's stated {word} ({named}) retained or expanded "
                     f"{pct(worst_['rate_in'])} of {count(worst_['n_in'])} won accounts old "
                     f"enough to judge, against {pct(worst_['rate_out'])} of "
                     f"{count(worst_['n_out'])} outside it")
        metrics = [metric("revealed_rate_stated", worst_["rate_in"], "ratio", worst_["n_in"]),
                   metric("revealed_rate_other", worst_["rate_out"], "ratio", worst_["n_out"]),
                   metric("gap", worst_["effect"], "ratio", n_both)]
    else:
        statement = (f"The {fn} team's stated {word} ({named}) has an NPS of "
                     f"{num(100 * worst_['rate_in'])} across {count(worst_['n_in'])} won "
                     f"accounts that answered, against {num(100 * worst_['rate_out'])} "
                     f"across {count(worst_['n_out'])} outside it")
        metrics = [metric("nps_stated", 100 * worst_["rate_in"], "percent", worst_["n_in"]),
                   metric("nps_other", 100 * worst_["rate_out"], "percent", worst_["n_out"]),
                   metric("nps_gap", 100 * worst_["effect"], "percent", n_both)]
    if worst_["top"] is not None and worst_["top"] not in worst_["values"]:
        statement += f"; the {word} that {lens.best_one} is {quote(worst_['top'])}"
    statement += "."
    series_rows: list[dict[str, object]] = [
        {"team": r["function"], "attribute": r["attribute"], "lens": r["lens"].name,
         "stated": ", ".join(r["values"]), "revealed_top": r["top"], "rate_in": r["rate_in"],
         "rate_out": r["rate_out"], "p_value": r["p"]} for r in results]
    caveats = []
    untested = [f"{r['function']}/{r['attribute']}" for r in results
                if r["effect"] is None and r["lens"] is RETENTION]
    if untested:
        caveats.append("No won account old enough to judge on one side of: "
                       + ", ".join(untested) + ".")
    if lens is RETENTION:
        test = "two-proportion z-test, Bonferroni over stated pairs and lenses"
        measure = "revealed rate outside − inside"
    else:
        test = ("Student's t-test of the accounts' own NPS, Bonferroni over stated pairs and "
                "lenses")
        measure = "NPS outside − inside (as a fraction)"
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=n_both,
        severity=Severity.watch if strength > 0 else Severity.info,
        comparison="retain-or-expand rate of mature won accounts (and the NPS of won "
                   "accounts, each account's own) inside the stated ICP against those "
                   "outside it, per function and attribute",
        significance=Significance(test=test, statistic=worst_["z"],
                                  p_value=min(1.0, worst_["p"] * m), n=n_both,
                                  effect_size=worst_["effect"], effect_measure=measure),
        evidence=[evidence(ctx, "stated_icp", stated_expr, len(stated_rows),
                           "stated ICP rows")],
        caveats=caveats, signals=signals, series=series_rows,
    )]


def _stated_gap(function: str, attr: str, values: list[str], rows: list[dict[str, Any]],
                lens: Lens, m: int) -> dict[str, Any]:
    """One stated pair read through one lens: rates inside and outside, test, strength."""
    inside = [r for r in rows if r["value"] in values]
    outside = [r for r in rows if r["value"] not in values]
    rate_in, var_in, n_in = lens_rate(inside, lens)
    rate_out, var_out, n_out = lens_rate(outside, lens)
    sized = [r for r in rows if r[lens.judged] >= MIN_GROUP and r["value"] != UNKNOWN]
    top = max(sized, key=lambda r: (lens_rate([r], lens)[0] or 0.0, r["value"]))["value"] \
        if sized else None
    z, p, effect, strength = 0.0, 1.0, None, 0.0
    if rate_in is not None and rate_out is not None:
        effect = rate_out - rate_in
        if lens is RETENTION:
            ri, ro = sum(r["revealed"] for r in inside), sum(r["revealed"] for r in outside)
            z, _ = stats.two_proportion_test(ro, n_out, ri, n_in)
            # the same test as a 2×2 chi-square (z² = χ²), exact (Fisher) when sparse
            p = stats.chi_square_pooled([[ri, n_in - ri], [ro, n_out - ro]])[1]
        elif n_in >= MIN_GROUP and n_out >= MIN_GROUP:
            # Student's t on the accounts' own NPS with the variance pooled over both
            # sides: under "no difference" they share one, and a handful of accounts
            # that happen to agree cannot claim a tiny one
            ss = sum(r["nps_sq"] for r in rows) - sum(
                sum(r["nps_sum"] for r in side) ** 2 / n
                for side, n in ((inside, n_in), (outside, n_out)))
            df = n_in + n_out - 2
            var = max(0.0, ss) / df * (1 / n_in + 1 / n_out)
            if var > 0:
                z = effect / math.sqrt(var)
                p = float(2 * _t.sf(abs(z), df))
        strength = stats.gated_strength(effect, lens.reference, min(1.0, p * m), ALPHA)
    return {"function": function, "attribute": attr, "values": values, "lens": lens,
            "rate_in": rate_in, "n_in": n_in, "rate_out": rate_out, "n_out": n_out,
            "top": top, "p": p, "z": z, "effect": effect, "strength": strength}


# -- network concentration ------------------------------------------------------------

NETWORK_NEEDS = ("won opportunities with their lead source or channel",)


def is_network(opps: ir.Table) -> ir.BooleanValue:
    cond = ibis.literal(False)
    for col in ("channel", "lead_source"):
        if col in opps.columns:
            text = opps[col].lower()
            for marker in NETWORK_MARKERS:
                cond = cond | text.contains(marker).fill_null(False)
    return cond


@register(
    "icp.network_concentration", family=FAMILY,
    title="Wins concentrated in warm-intro and founder-network sources",
    needs=("opportunities",), optional=("subscriptions",), needs_text=NETWORK_NEEDS,
)
def network_concentration(ctx: DiagnoseContext) -> list[Finding]:
    diag, title = "icp.network_concentration", "Network-sourced wins"
    o = ctx.table("opportunities")
    assert o is not None
    rows, filled = filled_counts(ctx, o, ["channel", "lead_source"])
    if rows == 0 or not any(filled.values()):
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no deal records a source", needs=NETWORK_NEEDS)
    d1 = as_of(ctx)
    won = o.filter(o.is_won.fill_null(False)
                   & (o.close_date.isnull() | (o.close_date <= ibis.literal(d1, type="date"))))
    won = won.mutate(_net=is_network(won))
    expr = won.aggregate(won=won.count(), network=won._net.sum())
    r = {k: int(v or 0) for k, v in records(ctx.execute(expr))[0].items()}
    if r["won"] == 0:
        return unmeasurable(diagnostic=diag, family=FAMILY, title=title,
                            reason="no won deal", needs=NETWORK_NEEDS)
    share = r["network"] / r["won"]
    metrics = [metric("network_share", share, "ratio", r["won"],
                      ci=stats.wilson_interval(r["network"], r["won"])),
               metric("network_wins", r["network"], "count"),
               metric("wins", r["won"], "count")]
    statement = (f"{pct(share)} of {count(r['won'])} won deals came through warm introductions "
                 "or the founders' network")
    if share >= NETWORK_WATCH_SHARE:
        statement += ": the won cohort maps who trusts the founders more than who needs the " \
                     "product, so an ICP fitted to it inherits that network."
        severity = Severity.watch
    else:
        statement += "."
        severity = Severity.info
    return [finding(
        ctx, diagnostic=diag, family=FAMILY, slug="summary", title=title, statement=statement,
        metrics=metrics, n=r["won"], severity=severity,
        comparison="won deals whose channel or lead source names a warm intro, founder, "
                   "investor or personal network; watch from 40% of wins",
        evidence=[evidence(ctx, "opportunities", expr, rows, "won deals up to as-of")],
    )]
