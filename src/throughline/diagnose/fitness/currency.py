"""Currencies: never add two of them.

Amounts live in ``opportunities.amount``, ``subscriptions.mrr`` and ``forecasts.amount``,
each with a ``currency`` column (ISO code; blank = the reporting currency).

Reporting currency:

* with an ``fx_rates`` table (Salesforce CurrencyType): the row marked ``is_reporting``, else
  the one code whose rate is 1, else the dominant currency below. Every amount is converted:
  amount in C × rate(reporting) / rate(C) (a rate is units of C per reporting unit). Rows in
  a currency with no rate are left out of amount metrics, and said.
* without one: when at most one code appears, it is the reporting currency (blank rows are
  in it, as the schema says). When several appear, the **dominant** one is the code on the
  most deals (then subscription lines, then forecast rows; ties by code); blank rows count
  as the reporting currency. Amounts in the other currencies are excluded from every
  amount metric — deal amounts set to NULL, so the deals still count in deal counts and
  win rates; subscription lines and forecast rows in them are left out — and the issue
  says how many rows and which currencies.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from throughline.core.format import plural
from throughline.diagnose.fitness.base import AMOUNT_DIAGNOSTICS, Gate, code, n
from throughline.diagnose.quality import DataQualityIssue

AMOUNTS = {"opportunities": "amount", "subscriptions": "mrr", "forecasts": "amount"}
NOUNS = {"opportunities": ("deal", "deals"), "subscriptions": ("subscription line", None),
         "forecasts": ("forecast row", None)}


def check(gate: Gate) -> str | None:
    """Add the currency issue and views; return the reporting currency (None: unnamed)."""
    counts: dict[str, dict[str | None, int]] = {}
    for table in AMOUNTS:
        t = gate.raw(table)
        if t is None or "currency" not in t.columns:
            continue
        got = gate.rows(t.group_by(cur=code(t.currency)).aggregate(k=t.count()))
        counts[table] = {r["cur"]: n(r["k"]) for r in got if n(r["k"])}
    named = sorted({c for per in counts.values() for c in per if c is not None})
    rates = _rates(gate)
    if rates:
        return _convert(gate, counts, named, rates)
    if len(named) <= 1:
        return named[0] if named else None
    reporting = _dominant(counts, named)
    excluded = {t: {c: k for c, k in per.items() if c is not None and c != reporting}
                for t, per in counts.items()}
    _exclude(gate, reporting, keep=None)
    parts, total_out = [], 0
    for table, per in excluded.items():
        k = sum(per.values())
        if k:
            one, many = NOUNS[table]
            parts.append(plural(k, one, many))
            total_out += k
    others = sorted({c for per in excluded.values() for c in per})
    mix = ", ".join(f"{c} {k:,}" for c, k in sorted(
        _totals(counts).items(), key=lambda kv: (-kv[1], kv[0])))
    gate.add(DataQualityIssue(
        id="dq.currency.mixed", check="currencies", action="corrected",
        table="opportunities", columns=["currency", "amount"],
        title="Amounts in several currencies",
        statement=(f"Amounts come in {len(named)} currencies ({mix} rows) and no exchange "
                   f"rates were given: every amount is reported in {reporting}, the most "
                   f"common, and " + " and ".join(parts) + " in " + ", ".join(others)
                   + " are left out of every amount metric."),
        remedy=("Deals in other currencies still count in deal counts and win rates, never "
                "in sums or averages of amounts; add an fx_rates table (Salesforce "
                "CurrencyType: IsoCode, ConversionRate, IsCorporate) to convert them "
                "instead."),
        rows_affected=total_out, rows_total=sum(sum(p.values()) for p in counts.values()),
        affects=list(AMOUNT_DIAGNOSTICS),
        details={"reporting": reporting, "excluded": excluded,
                 "counts": {t: {str(c): k for c, k in p.items()} for t, p in counts.items()}}))
    return reporting


def _totals(counts: dict[str, dict[str | None, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for per in counts.values():
        for c, k in per.items():
            if c is not None:
                out[c] = out.get(c, 0) + k
    return out


def _dominant(counts: dict[str, dict[str | None, int]], named: list[str]) -> str:
    for table in AMOUNTS:
        per = {c: k for c, k in counts.get(table, {}).items() if c is not None}
        if per:
            return min(per, key=lambda c: (-per[c], c))
    return named[0]


def _rates(gate: Gate) -> list[dict[str, Any]]:
    fx = gate.raw("fx_rates")
    if fx is None:
        return []
    got = gate.rows(fx.select(cur=code(fx.currency), rate=fx.rate,
                              rep=fx.is_reporting.fill_null(False)))
    return [r for r in got if r["cur"] and r["rate"] is not None and float(r["rate"]) > 0]


def _convert(gate: Gate, counts: dict[str, dict[str | None, int]], named: list[str],
             rates: list[dict[str, Any]]) -> str:
    rate = {str(r["cur"]): float(r["rate"]) for r in rates}
    marked = sorted(str(r["cur"]) for r in rates if r["rep"])
    ones = sorted(c for c, v in rate.items() if v == 1.0)
    reporting = (marked[0] if marked else ones[0] if len(ones) == 1
                 else _dominant(counts, named or sorted(rate)))
    if reporting not in rate:
        rate[reporting] = 1.0
    factor = {c: rate[reporting] / v for c, v in rate.items()}
    foreign = [c for c in named if c != reporting]
    if not foreign:
        return reporting
    _exclude(gate, reporting, keep=factor)
    missing = {t: {c: k for c, k in per.items() if c is not None and c not in factor}
               for t, per in counts.items()}
    converted = sorted(c for c in foreign if c in factor)
    lost = sum(sum(p.values()) for p in missing.values())
    statement = (f"Amounts come in {len(named)} currencies; those in "
                 + ", ".join(converted) + f" were converted to {reporting} with the exchange "
                 "rates given (" + ", ".join(f"1 {reporting} = {rate[c]:g} {c}"
                                            for c in converted) + ")")
    if lost:
        gone = sorted({c for p in missing.values() for c in p})
        verb = ("has", "is") if lost == 1 else ("have", "are")
        statement += (f"; {plural(lost, 'row')} in " + ", ".join(gone) + f" {verb[0]} no "
                      f"rate and {verb[1]} left out of every amount metric")
    gate.add(DataQualityIssue(
        id="dq.currency.converted", check="currencies", action="corrected",
        table="opportunities", columns=["currency", "amount"],
        title="Amounts converted to one currency",
        statement=statement + ".",
        remedy=(f"Every amount in the findings is in {reporting}; nothing in two currencies "
                "is ever added."),
        rows_affected=sum(k for p in counts.values() for c, k in p.items()
                          if c is not None and c != reporting),
        rows_total=sum(sum(p.values()) for p in counts.values()),
        affects=list(AMOUNT_DIAGNOSTICS),
        details={"reporting": reporting, "rates": {c: rate[c] for c in sorted(rate)},
                 "without_rate": missing}))
    return reporting


def _exclude(gate: Gate, reporting: str, keep: dict[str, float] | None) -> None:
    """Views with every amount in ``reporting``: converted by ``keep`` (code → factor), or,
    without rates, amounts in other currencies removed (NULL for deals, rows dropped for
    subscriptions and forecasts)."""
    for table, column in AMOUNTS.items():
        t = gate.view(table)
        if t is None or "currency" not in t.columns:
            continue
        cur = code(t.currency).fill_null(reporting)
        if keep is None:
            ok: ir.BooleanValue = cur == reporting
            if table == "opportunities":
                gate.views[table] = t.mutate(**{column: ibis.ifelse(
                    ok, t[column], ibis.null("float64"))})
            else:
                gate.views[table] = t.filter(ok)
            continue
        factor = cur.substitute(keep, else_=ibis.null("float64"))
        converted = (t[column] * factor).cast("float64")
        if table == "opportunities":
            gate.views[table] = t.mutate(**{column: converted})
        else:
            gate.views[table] = t.filter(cur.isin(list(keep))).mutate(**{column: converted})
