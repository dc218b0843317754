"""``icp.stated_vs_revealed``: each function's stated ICP against the revealed one.
"""

from __future__ import annotations

import math
from typing import Any

from scipy.stats import t as _t

from throughline.diagnose import stats
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.icp import cohorts
from throughline.diagnose.families.measure import count, finding, metric, num, pct, quote
from throughline.diagnose.findings import Finding, Severity, Significance
from throughline.diagnose.registry import diagnostic
from throughline.diagnose.toolkit import UNKNOWN, evidence, label, label_or_null, records

STATED_NEEDS = ("each function's stated ICP (function, attribute, value)",) + cohorts.REVEALED_NEEDS


@diagnostic(id="icp.stated_vs_revealed", needs_text=STATED_NEEDS)
def stated_vs_revealed(ctx: DiagnoseContext) -> list[Finding]:
    title = "Stated against revealed ICP"
    st = ctx.require("stated_icp")
    stated_expr = st.select(function=label(st.function), attribute=label(st.attribute),
                            value=label_or_null(st.value))
    stated_rows = records(ctx.execute(stated_expr.filter(stated_expr.value.notnull())))
    if not stated_rows:
        raise unmeasurable("no stated ICP rows", STATED_NEEDS)
    base, attrs = cohorts.revealed_cohorts(ctx)
    stated: dict[tuple[str, str], list[str]] = {}
    for r in stated_rows:
        attr = str(r["attribute"]).replace(" ", "_")
        stated.setdefault((str(r["function"]), attr), []).append(str(r["value"]))
    pairs = sorted((k, sorted(set(v))) for k, v in stated.items() if k[1] in attrs)
    if not pairs:
        raise unmeasurable("the stated ICP names no attribute the data records", STATED_NEEDS)
    tables = cohorts.attribute_tables(ctx, base, attrs)
    lens_list = cohorts.lenses(base)
    # Bonferroni over distinct hypotheses: functions that state the same values for an
    # attribute pose the same question of the data, which is tested once
    m = len({(a, tuple(v)) for (_, a), v in pairs}) * len(lens_list)
    results = []
    for lens in lens_list:
        for (function, attr), values in pairs:
            results.append(_stated_gap(function, attr, values, tables[attr][1], lens, m))
    tested = [r for r in results if r["effect"] is not None]
    if not any(r["lens"] is cohorts.RETENTION for r in tested):
        raise unmeasurable("no stated value has both won accounts old enough to judge "
                           "and others to compare with", STATED_NEEDS)
    worst_ = max(tested, key=lambda r: (r["strength"], r["effect"] / r["lens"].reference,
                                        r["lens"] is cohorts.RETENTION, r["function"],
                                        r["attribute"]))
    strength = worst_["strength"]
    lens = worst_["lens"]
    signals = {"stated_vs_revealed": strength}
    aligned = all(r["top"] is None or r["top"] in r["values"] for r in results
                  if r["lens"] is cohorts.RETENTION)
    if all(r["p"] >= 0.05 for r in tested) and aligned:
        signals["healthy_icp_alignment"] = 1.0
    word = cohorts.ATTRIBUTE_WORDS[worst_["attribute"]]
    fn = worst_["function"].replace("_", " ")
    named = ", ".join(quote(v) for v in worst_["values"])
    n_both = worst_["n_in"] + worst_["n_out"]
    if lens is cohorts.RETENTION:
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
                if r["effect"] is None and r["lens"] is cohorts.RETENTION]
    if untested:
        caveats.append("No won account old enough to judge on one side of: "
                       + ", ".join(untested) + ".")
    if lens is cohorts.RETENTION:
        test = "two-proportion z-test, Bonferroni over stated pairs and lenses"
        measure = "revealed rate outside − inside"
    else:
        test = ("Student's t-test of the accounts' own NPS, Bonferroni over stated pairs and "
                "lenses")
        measure = "NPS outside − inside (as a fraction)"
    return [finding(
        ctx, slug="summary", title=title, statement=statement,
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
                lens: cohorts.Lens, m: int) -> dict[str, Any]:
    """One stated pair read through one lens: rates inside and outside, test, strength."""
    inside = [r for r in rows if r["value"] in values]
    outside = [r for r in rows if r["value"] not in values]
    rate_in, var_in, n_in = cohorts.lens_rate(inside, lens)
    rate_out, var_out, n_out = cohorts.lens_rate(outside, lens)
    sized = [r for r in rows if r[lens.judged] >= cohorts.MIN_GROUP and r["value"] != UNKNOWN]
    top = max(sized, key=lambda r: (cohorts.lens_rate([r], lens)[0] or 0.0, r["value"]))["value"] \
        if sized else None
    z, p, effect, strength = 0.0, 1.0, None, 0.0
    if rate_in is not None and rate_out is not None:
        effect = rate_out - rate_in
        if lens is cohorts.RETENTION:
            ri, ro = sum(r["revealed"] for r in inside), sum(r["revealed"] for r in outside)
            z, _ = stats.two_proportion_test(ro, n_out, ri, n_in)
            # the same test as a 2×2 chi-square (z² = χ²), exact (Fisher) when sparse
            p = stats.chi_square_pooled([[ri, n_in - ri], [ro, n_out - ro]])[1]
        elif n_in >= cohorts.MIN_GROUP and n_out >= cohorts.MIN_GROUP:
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
        strength = stats.gated_strength(effect, lens.reference, min(1.0, p * m), cohorts.ALPHA)
    return {"function": function, "attribute": attr, "values": values, "lens": lens,
            "rate_in": rate_in, "n_in": n_in, "rate_out": rate_out, "n_out": n_out,
            "top": top, "p": p, "z": z, "effect": effect, "strength": strength}
