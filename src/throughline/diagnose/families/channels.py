"""Channel stability: how steady each channel's share of new pipeline is, how much the
business leans on one channel, and which channels appeared or died.

New pipeline = opportunities created per month, over the last 12 complete months before the
as-of date, by channel (``channel``, else the raw lead source); unattributed deals are left
out (the attribution family reports them).

Signals (``gated_strength``: 0 unless p < 0.01 and the effect is positive, then
min(1, effect / reference)):

* ``channel_volatility`` — for each channel with at least 5% of the window's new pipeline
  and at least five deals a month expected, the coefficient of variation (CV) of its
  monthly share; sampling noise alone would give CV_noise = sqrt(mean_m p(1 − p) / n_m) /
  p, so the excess CV = sqrt(max(0, CV² − CV_noise²)). Effect = mean excess CV over those
  channels, weighted by their shares of the window (how volatile the pipeline the company
  relies on is: one big channel surging and collapsing is not diluted by steady small
  ones); p = chi-square test of homogeneity of the month × channel table, the other
  channels pooled into one column (and pooled further while the table breaks Cochran's
  rule, ``stats.chi_square_pooled``); reference 0.5 (monthly shares swinging by half their
  level). A channel expecting a deal or two a month swings by counting noise alone, and
  the CV of twelve such shares is too noisy to subtract that noise from.
* ``channel_dependency`` — effect = largest channel share − 0.5; p = one-sided exact
  binomial that the share exceeds one half; reference 0.4 (a channel bringing 90%). HHI is
  reported beside it.
* ``channel_churn`` — the window split into halves; a channel *died* when it held ≥ 5% of
  the first half and fell to at most a fifth of that share in the second, *appeared* in the
  mirror case, each confirmed by a two-proportion z-test at p < 0.01 / channels
  (Bonferroni). Effect = the larger of the first-half share of died channels and the
  second-half share of appeared channels; reference 0.3.
* ``channel_churn`` is also read on the raw lead-source labels (finding ``source_churn``,
  same rule): a profile folds several labels into one channel, so a source that died
  beside one that appeared can leave every channel's share unchanged.
* ``healthy_channel_stability`` — 1 − min(1, mean excess CV / 0.5) when the month × channel
  test is not significant (p ≥ 0.05) and the window holds at least ``min_n`` deals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from throughline.diagnose import stats, toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import (
    count, finding, metric, pct, quote, severity_for, slug)
from throughline.diagnose.findings import Finding, Significance
from throughline.diagnose.registry import diagnostic

FAMILY = "channels"
WINDOW_MONTHS = 12
MIN_MONTHS = 6
MIN_SHARE = 0.05
MIN_EXPECTED = 5  # deals a month a channel needs before its monthly share is read
ALPHA = 0.01
VOLATILITY_REFERENCE = 0.5
DEPENDENCY_REFERENCE = 0.4
CHURN_REFERENCE = 0.3
CHURN_FALL = 0.2  # "died": fell to at most a fifth of its earlier share

NEEDS = ("opportunities with a created date and a channel or lead source, over at least six "
         "months",)


def excess_cv(shares: list[float], sizes: list[int], p: float) -> tuple[float | None, float]:
    """(CV of monthly shares, CV beyond binomial sampling noise) for a channel of share p."""
    cv = stats.coefficient_of_variation(shares)
    if cv is None or p <= 0:
        return cv, 0.0
    noise_var = sum(p * (1 - p) / n for n in sizes if n > 0) / max(1, len(sizes))
    noise_cv = math.sqrt(noise_var) / p
    return cv, math.sqrt(max(0.0, cv * cv - noise_cv * noise_cv))


@diagnostic(id="channels.stability", needs_text=NEEDS)
def stability(ctx: DiagnoseContext) -> list[Finding]:
    o = ctx.require("opportunities")
    rows_total, filled = toolkit.filled_counts(ctx, o, ["created_date", "channel", "lead_source"])
    if rows_total == 0 or filled["created_date"] == 0 or not (
            filled.get("channel", 0) or filled.get("lead_source", 0)):
        raise unmeasurable("no deal has both a created date and a source", NEEDS)
    d1 = toolkit.as_of(ctx)
    start, end = toolkit.complete_months(d1, WINDOW_MONTHS)
    t = o.mutate(_channel=toolkit.deal_channel(o))
    t = t.filter(~toolkit.is_unattributed(t._channel))
    expr, rows = toolkit.monthly(ctx, t, "created_date", start, end, key=t._channel)
    months = sorted({r["month"] for r in rows})
    if len(months) < MIN_MONTHS:
        raise unmeasurable("fewer than six months of attributed new pipeline in the "
                           "last year", NEEDS)
    counts: dict[str, dict[Any, int]] = defaultdict(dict)
    for r in rows:
        counts[r["key"]][r["month"]] = r["n"]
    channels = sorted(counts)
    month_tot = {m: sum(counts[c].get(m, 0) for c in channels) for m in months}
    n = sum(month_tot.values())
    chan_tot = {c: sum(counts[c].values()) for c in channels}
    share = {c: chan_tot[c] / n for c in channels}
    ev = [toolkit.evidence(ctx, "opportunities", expr, n,
                           f"attributed deals created {start.isoformat()} to {end.isoformat()}")]
    series = [{"month": toolkit.month_key(m), "channel": c,
               "share": counts[c].get(m, 0) / month_tot[m], "n": counts[c].get(m, 0)}
              for m in months for c in channels]
    findings = [
        _volatility(ctx, channels, months, counts, month_tot, share, n, ev, series),
        _dependency(ctx, channels, share, chan_tot, n, ev),
        _churn(ctx, channels, months, counts, n, ev),
    ]
    if filled.get("lead_source", 0):
        sources = _source_churn(ctx, o, start, end)
        if sources is not None:
            findings.append(sources)
    return findings


def _source_churn(ctx: DiagnoseContext, o: Any, start: Any, end: Any,
                  ) -> Finding | None:
    """Churn of the raw lead-source labels (a profile folds several into one channel, so a
    source that died and one that appeared can leave the channel's share unchanged)."""
    s = o.mutate(_source=toolkit.label_or_null(o.lead_source))
    s = s.filter(s._source.notnull() & ~toolkit.is_unattributed(s._source))
    expr, rows = toolkit.monthly(ctx, s, "created_date", start, end, key=s._source)
    months = sorted({r["month"] for r in rows})
    counts: dict[str, dict[Any, int]] = defaultdict(dict)
    for r in rows:
        counts[r["key"]][r["month"]] = r["n"]
    if len(months) < MIN_MONTHS or len(counts) < 2:
        return None
    n = sum(sum(c.values()) for c in counts.values())
    ev = [toolkit.evidence(ctx, "opportunities", expr, n,
                           f"deals with a lead source created {start.isoformat()} to "
                           f"{end.isoformat()}, by raw lead-source label")]
    return _churn(ctx, sorted(counts), months, counts, n, ev, slug_="source_churn",
                  title="Lead sources that appeared or died", noun="lead sources",
                  comparison="raw lead-source labels (before any folding into channels), "
                             "first against second half of the last 12 complete months")


def _volatility(ctx: DiagnoseContext, channels: list[str], months: list[Any],
                counts: dict[str, dict[Any, int]], month_tot: dict[Any, int],
                share: dict[str, float], n: int, ev: list[Any],
                series: list[dict[str, object]]) -> Finding:
    per_month = n / max(1, len(months))
    big = [c for c in channels if share[c] >= MIN_SHARE
           and share[c] * per_month >= MIN_EXPECTED]
    small = [c for c in channels if c not in big]
    cols = big + (["(small channels)"] if small else [])

    def cell(c: str, m: Any) -> int:
        if c == "(small channels)":
            return sum(counts[s].get(m, 0) for s in small)
        return counts[c].get(m, 0)

    chi2, p, _, v = stats.chi_square_pooled([[cell(c, m) for m in months] for c in cols])
    sizes = [month_tot[m] for m in months]
    per: list[tuple[str, float | None, float]] = []
    for c in big:
        shares = [counts[c].get(m, 0) / month_tot[m] for m in months if month_tot[m]]
        cv, ex = excess_cv(shares, sizes, share[c])
        per.append((c, cv, ex))
    usable = [x for x in per if x[1] is not None]
    # weighted by each channel's share of the window: how volatile the pipeline the
    # company relies on is (one big channel surging and collapsing is not diluted by the
    # steady small ones, and a small channel's swings count for what it brings)
    weight = sum(share[x[0]] for x in usable)
    mean_cv = (sum(share[x[0]] * x[1] for x in usable) / weight  # type: ignore[misc]
               if usable else 0.0)
    mean_ex = sum(share[x[0]] * x[2] for x in usable) / weight if usable else 0.0
    strength = stats.gated_strength(mean_ex, VOLATILITY_REFERENCE, p, ALPHA)
    signals = {"channel_volatility": strength}
    if p >= 0.05 and n >= ctx.options.min_n:
        signals["healthy_channel_stability"] = 1 - min(1.0, mean_ex / VOLATILITY_REFERENCE)
    metrics = [metric("mean_cv", mean_cv, "ratio", len(usable),
                      label="Mean CV of monthly channel shares, weighted by share"),
               metric("mean_excess_cv", mean_ex, "ratio", len(usable),
                      label="Mean CV beyond sampling noise, weighted by share"),
               metric("channels", len(big), "count"), metric("months", len(months), "count"),
               metric("deals", n, "count")]
    for c, cv, ex in per:
        metrics.append(metric(f"cv_{slug(c)}", cv, "ratio", len(months),
                              label=f"CV of monthly share, {c}"))
    if usable:
        jumpy = max(usable, key=lambda x: (x[2], x[1], x[0]))
        metrics.append(metric("cv_most_volatile", jumpy[1], "ratio", len(months)))
        tail = (f"; the most volatile, {quote(jumpy[0])}, has a CV of "
                f"{pct(jumpy[1])}")  # type: ignore[arg-type]
    else:
        tail = ""
    verdict = ("more than sampling noise explains" if p < 0.05
               else "within what sampling noise explains")
    statement = (f"Across {count(len(months))} months, the {count(len(big))} main channels' "
                 f"shares of new pipeline vary with a share-weighted mean CV of {pct(mean_cv)}, "
                 f"{verdict}{tail}.")
    return finding(
        ctx, slug="volatility",
        title="Volatility of channel shares", statement=statement, metrics=metrics, n=n,
        severity=severity_for(strength),
        comparison="monthly share of new opportunities per channel (channels with at least "
                   "5% of the window)",
        significance=Significance(test="chi-square test of homogeneity, month × channel",
                                  statistic=chi2, p_value=p, n=n, effect_size=mean_ex,
                                  effect_measure="mean excess CV"),
        evidence=ev, signals=signals, series=series,
    )


def _dependency(ctx: DiagnoseContext, channels: list[str], share: dict[str, float],
                chan_tot: dict[str, int], n: int, ev: list[Any]) -> Finding:
    top = max(channels, key=lambda c: (share[c], c))
    h = stats.hhi(list(share.values()))
    p = stats.binomial_test_greater(chan_tot[top], n, 0.5)
    strength = stats.gated_strength(share[top] - 0.5, DEPENDENCY_REFERENCE, p, ALPHA)
    lo, hi = stats.wilson_interval(chan_tot[top], n)
    statement = (f"{quote(top)} brings {pct(share[top])} of {count(n)} new attributed deals; "
                 f"the concentration index (HHI) across {count(len(channels))} channels is "
                 f"{count(h * 10000)} points.")
    return finding(
        ctx, slug="dependency", title="Dependency on one channel",
        statement=statement, n=n,
        metrics=[metric("largest_share", share[top], "ratio", n, lo, hi,
                        label=f"Share of new pipeline, {top}"),
                 metric("hhi_points", h * 10000, "score", len(channels),
                        label="HHI (0 to 10,000)"),
                 metric("hhi", h, "ratio", len(channels)),
                 metric("channels_all", len(channels), "count")],
        severity=severity_for(strength),
        comparison="largest channel's share of new pipeline against one half",
        significance=Significance(test="one-sided exact binomial (share > 0.5)", p_value=p,
                                  n=n, effect_size=share[top] - 0.5,
                                  effect_measure="share − 0.5"),
        evidence=ev, signals={"channel_dependency": strength},
        series=[{"channel": c, "share": share[c], "n": chan_tot[c]} for c in channels],
    )


def _churn(ctx: DiagnoseContext, channels: list[str], months: list[Any],
           counts: dict[str, dict[Any, int]], n: int, ev: list[Any], *,
           slug_: str = "churn", title: str = "Channels that appeared or died",
           noun: str = "channels",
           comparison: str = "first against second half of the last 12 complete months",
           ) -> Finding:
    half = len(months) // 2
    early_m, late_m = months[:half], months[half:]
    e_tot = sum(counts[c].get(m, 0) for c in channels for m in early_m)
    l_tot = sum(counts[c].get(m, 0) for c in channels for m in late_m)
    k = max(1, len(channels))
    died, appeared = [], []
    for c in channels:
        e = sum(counts[c].get(m, 0) for m in early_m)
        la = sum(counts[c].get(m, 0) for m in late_m)
        se, sl = (e / e_tot if e_tot else 0.0), (la / l_tot if l_tot else 0.0)
        _, p = stats.two_proportion_test(e, e_tot, la, l_tot)
        if p * k >= ALPHA:
            continue
        if se >= MIN_SHARE and sl <= CHURN_FALL * se:
            died.append((c, se, sl))
        elif sl >= MIN_SHARE and se <= CHURN_FALL * sl:
            appeared.append((c, se, sl))
    died_share = sum(x[1] for x in died)
    new_share = sum(x[2] for x in appeared)
    effect = max(died_share, new_share)
    strength = min(1.0, effect / CHURN_REFERENCE) if effect > 0 else 0.0
    if died or appeared:
        parts = []
        if died:
            parts.append("died: " + ", ".join(f"{quote(c)} (from {pct(a)} to {pct(b)})"
                                              for c, a, b in died))
        if appeared:
            parts.append("appeared: " + ", ".join(f"{quote(c)} (from {pct(a)} to {pct(b)})"
                                                  for c, a, b in appeared))
        statement = (f"Between the two halves of the window, {noun} " + "; ".join(parts)
                     + f"; they carry {pct(effect)} of a half's new pipeline.")
    else:
        statement = (f"No {noun[:-1]} with a meaningful share appeared or died between the "
                     "two halves of the window.")
    metrics = [metric("churned_share", effect, "ratio", e_tot + l_tot),
               metric("channels_died", len(died), "count"),
               metric("channels_appeared", len(appeared), "count")]
    for c, a, b in died + appeared:
        metrics += [metric(f"share_before_{slug(c)}", a, "ratio", e_tot),
                    metric(f"share_after_{slug(c)}", b, "ratio", l_tot)]
    return finding(
        ctx, slug=slug_, title=title,
        statement=statement, metrics=metrics, n=n,
        severity=severity_for(strength),
        comparison=comparison,
        significance=Significance(test="two-proportion z-test per channel, Bonferroni",
                                  n=e_tot + l_tot),
        evidence=ev, signals={"channel_churn": strength},
    )
