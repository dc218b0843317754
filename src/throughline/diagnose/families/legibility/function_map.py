"""``legibility.map``: what each function's data lets us measure, and what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from throughline.core.datafiles import packaged_yaml
from throughline.diagnose import toolkit
from throughline.diagnose.context import DiagnoseContext, unmeasurable
from throughline.diagnose.families.measure import count, finding, metric, pct
from throughline.diagnose.findings import Evidence, Finding, Severity
from throughline.diagnose.registry import diagnostic

FAMILY = "legibility"


FUNCTIONS = ("engineering", "product", "marketing", "sales", "customer_success")


GTM_FUNCTIONS = ("product", "marketing", "sales", "customer_success")


Where = Callable[[ir.Table], ir.BooleanValue]


@dataclass(frozen=True)
class Need:
    """Rows of ``table`` (matching ``where``) with every one of ``columns`` filled."""

    table: str
    columns: tuple[str, ...] = ()
    where: Where | None = None


@dataclass(frozen=True)
class MapMetric:
    function: str
    name: str
    needs: tuple[Need, ...]
    missing: str


def _closed(t: ir.Table) -> ir.BooleanValue:
    return toolkit.truthy(t.is_closed)


def _won(t: ir.Table) -> ir.BooleanValue:
    return toolkit.truthy(t.is_won)


def _known_channel(t: ir.Table) -> ir.BooleanValue:
    return ~toolkit.is_unattributed(toolkit.deal_channel(t))


def _known_motion(t: ir.Table) -> ir.BooleanValue:
    return ~toolkit.is_unattributed(toolkit.label(t.motion))


def _kind(*kinds: str) -> Where:
    return lambda t: toolkit.label(t.kind).isin(kinds)


WHERE: dict[str, Where] = {"closed": _closed, "won": _won, "known channel": _known_channel,
                           "known motion": _known_motion}


def _where(text: str | None) -> Where | None:
    """A ``where`` of ``function_map.yaml``: a name in :data:`WHERE`, or ``kind`` and the
    feedback kinds that count."""
    if text is None:
        return None
    word, *kinds = text.split()
    if word == "kind" and kinds:
        return _kind(*kinds)
    if text not in WHERE:
        raise ValueError(f"function_map.yaml: unknown where {text!r}")
    return WHERE[text]


def _load_catalogue() -> tuple[MapMetric, ...]:
    """The metrics in ``function_map.yaml``, checked: the functions of :data:`FUNCTIONS` in
    their order, each metric with its needs and what is missing without them."""
    declared = packaged_yaml("throughline.diagnose.families.legibility", "function_map.yaml")
    if list(declared) != list(FUNCTIONS):
        raise ValueError(f"function_map.yaml must list the functions {', '.join(FUNCTIONS)}")
    catalogue = []
    for function, metrics in declared.items():
        for name, spec in metrics.items():
            if set(spec) - {"needs", "where", "missing"} or not spec.get("needs") \
                    or not isinstance(spec.get("missing"), str):
                raise ValueError(f"function_map.yaml: {name} needs `needs` and `missing` "
                                 "(and at most `where`)")
            where = spec.get("where", {})
            needs = tuple(Need(table, tuple(columns), _where(where.get(table)))
                          for table, columns in spec["needs"].items())
            catalogue.append(MapMetric(function, name, needs, spec["missing"]))
    return tuple(catalogue)


CATALOGUE: tuple[MapMetric, ...] = _load_catalogue()


def _filled(t: ir.Table, need: Need) -> ir.BooleanValue:
    cond: ir.BooleanValue = ibis.literal(True)
    for c in need.columns:
        col = t[c]
        cond = cond & (~toolkit.blank(col) if col.type().is_string() else col.notnull())
    if need.where is not None:
        cond = cond & toolkit.truthy(need.where(t))
    return cond


@diagnostic(id="legibility.map")
def legibility_map(ctx: DiagnoseContext) -> list[Finding]:
    present = ctx.store.tables()
    counts: dict[tuple[int, int], int] = {}
    evidences: list[Evidence] = []
    any_rows = False
    by_table: dict[str, list[tuple[tuple[int, int], Need]]] = {}
    for i, spec in enumerate(CATALOGUE):
        for j, need in enumerate(spec.needs):
            by_table.setdefault(need.table, []).append(((i, j), need))
    for table in sorted(present):
        t = ctx.require(table)
        needs = by_table.get(table, [])
        aggs = {"_rows": t.count()}
        names: dict[tuple[int, int], str] = {}
        for k, (key, need) in enumerate(needs):
            names[key] = f"n{k}"
            aggs[f"n{k}"] = t.count(where=_filled(t, need))
        expr = t.aggregate(**aggs)
        row = toolkit.one_row(ctx, expr)
        total = toolkit.as_int(row["_rows"])
        any_rows = any_rows or total > 0
        for key, col in names.items():
            counts[key] = toolkit.as_int(row[col])
        if needs:
            evidences.append(toolkit.evidence(ctx, table, expr, total, "rows with the columns "
                                              "each metric needs filled"))
    if not any_rows:
        raise unmeasurable("the store holds no rows in any canonical table",
                           ["any export: CRM opportunities, billing, pull requests, product "
                            "delivery log, feedback, commitments or messaging artifacts"])
    series: list[dict[str, object]] = []
    computable: dict[str, list[str]] = {f: [] for f in FUNCTIONS}
    possible: dict[str, int] = {f: 0 for f in FUNCTIONS}
    missing: dict[str, list[str]] = {f: [] for f in FUNCTIONS}
    for i, spec in enumerate(CATALOGUE):
        possible[spec.function] += 1
        ok = all(need.table in present and counts.get((i, j), 0) > 0
                 for j, need in enumerate(spec.needs))
        if ok:
            computable[spec.function].append(spec.name)
        elif spec.missing not in missing[spec.function]:
            missing[spec.function].append(spec.missing)
    for fn in FUNCTIONS:
        series.append({"function": fn, "metrics": computable[fn], "missing": missing[fn],
                       "possible": possible[fn]})
    vacuums = [fn for fn in GTM_FUNCTIONS if not computable[fn]]
    eng = len(computable["engineering"])
    eng_possible = possible["engineering"]
    # how dark GTM is: the share of each function's catalogue the data cannot compute,
    # averaged over the functions (a vacuum counts 1, a function with half its metrics 0.5)
    gtm_illegible = sum(1 - len(computable[fn]) / possible[fn]
                        for fn in GTM_FUNCTIONS) / len(GTM_FUNCTIONS)
    engineering_legible = eng / eng_possible
    metrics = [
        metric("vacuum_functions", len(vacuums), "count", n=len(GTM_FUNCTIONS),
               label="Non-engineering functions with no computable metric"),
        metric("non_engineering_functions", len(GTM_FUNCTIONS), "count"),
        metric("engineering_metrics", eng, "count", n=eng_possible,
               label="Engineering metrics the data supports"),
        metric("engineering_metrics_possible", eng_possible, "count"),
        metric("gtm_illegible_share", gtm_illegible, "ratio", n=len(GTM_FUNCTIONS),
               label="Share of each non-engineering function's metrics the data cannot "
                     "compute, averaged over the functions"),
    ]
    for fn in FUNCTIONS:
        metrics.append(metric(f"{fn}_metrics", len(computable[fn]), "count",
                              n=possible[fn], label=f"Metrics computable for {fn}"))
    names = ", ".join(v.replace("_", " ") for v in vacuums)
    statement = (f"{count(len(vacuums))} of {count(len(GTM_FUNCTIONS))} non-engineering "
                 f"functions have no metric the data can compute"
                 + (f" ({names})" if vacuums else "")
                 + f", and on average {pct(gtm_illegible)} of what each of them should "
                 f"measure is out of reach; engineering has {count(eng)} of "
                 f"{count(eng_possible)}.")
    severity = (Severity.problem if vacuums and eng else
                Severity.watch if vacuums else Severity.info)
    return [finding(
        ctx, slug="functions",
        title="What each function can measure", statement=statement, metrics=metrics,
        n=None, severity=severity,
        comparison="metrics the data supports per function, engineering vs the rest",
        evidence=evidences,
        caveats=["Legibility is not value: a function that can be measured is not thereby "
                 "doing better."],
        signals={"gtm_illegible": gtm_illegible, "engineering_legible": engineering_legible},
        series=series,
    )]
