"""Benchmark `throughline diagnose` against the scan floor and a pandas implementation.

Not a test. Generates (or reuses, from --data-dir) a sample company at --scale (500 ≈
1,260,000 opportunities and ≈ 7,900,000 stage-history rows), ingests it into a workspace
(also cached), then measures, each in its own process so peak RSS is its own:

  trace    one untimed diagnose run that asks DuckDB (EXPLAIN) which columns of which tables
           each query the diagnostics execute scans (shared intermediates materialized as
           temporary tables included); it also
           warms the OS page cache so every measured path starts from the same state
  floor    the scan floor: one DuckDB query (a UNION ALL, one branch per table) that reads
           every column the trace found, as count(*) and sum(hash(col, ...)) so each value
           is really read — the least any implementation of these diagnostics can cost
  per_query  the scan floor of each query the trace saw, run on its own, summed: reading only
           the columns each query reads, as each finding's evidence query does by itself
  ordering   bare DuckDB ordering every deal's stage changes once (one window pass giving
           the previous close date and the next change time): the sort that close-date
           slippage and time in stage need however they are written
  ours     throughline's ``run_diagnose`` (the library call behind the CLI): open the store,
           run the data-fitness gate and all registered diagnostics, rank the constraint;
           no report rendering (the HTML render is timed separately and printed, not
           counted). The gate's own time (its ``gate`` event, same call) is printed
           beside it as a share of the whole (target ≤ 10%)
  subset   the same engine restricted to the diagnostics the pandas path covers
  pandas   a straightforward pandas implementation of those diagnostics' metrics: the same
           columns loaded from the same DuckDB file with duckdb's ``.df()`` (so neither side
           pays for CSV parsing or type inference, which is ingest's job, not diagnose's),
           then vectorised groupby / merge / sort; lifelines for Kaplan–Meier and log-rank

The report ends with those two and the time ours spends compiling Ibis expressions to SQL,
each as a multiple of the scan floor: together, a lower bound for any implementation that
keeps one query per finding and builds it with Ibis.

Times are wall-clock seconds of the measured call (imports excluded, and done first in every
process) and process CPU seconds (user + system, all threads). ``--repeat N`` keeps the best
of N runs per path. The pandas path's headline numbers are checked against ours, so the two
really compute the same metrics. Targets: ours ≤ 5× the scan floor, pandas ≥ 5× slower than
ours, ours' peak RSS ≤ 2 GiB, the data-fitness gate ≤ 10% of ours.

    python bench/diagnose.py --scale 500 [--data-dir DIR] [--repeat N] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, Self

DEFAULT_DATA_DIR = Path(os.environ.get("THROUGHLINE_BENCH_DATA",
                                      Path(__file__).resolve().parent / "out" / "diagnose"))
TARGET_FLOOR = 5.0
TARGET_PANDAS = 5.0
TARGET_RSS_MB = 2048.0
TARGET_GATE = 0.10  # the data-fitness gate's share of ours (same diagnose call)


# -- measurement helpers ------------------------------------------------------------------


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Self:
        self.c0, self.t0 = _cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu = _cpu() - self.c0


def _warm_imports() -> None:
    """Import what any path uses before the clock starts (both sides pay nothing for it)."""
    import duckdb  # noqa: F401
    import ibis  # noqa: F401
    import lifelines  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    from throughline.diagnose import run as engine, families  # noqa: F401


def _settings(ws: str) -> Any:
    from throughline.core.settings import load_settings

    return load_settings(workspace=ws)


def _db_path(ws: str) -> str:
    url = str(_settings(ws).backend_url)
    if not url.startswith("duckdb://"):
        raise SystemExit(f"the bench needs a DuckDB workspace, got {url}")
    return url[len("duckdb://"):]


def _metric_values(findings: list[Any]) -> dict[str, float]:
    return {f"{f.id}:{name}": m.value for f in findings for name, m in f.metrics.items()
            if m.value is not None}


# -- the paths (children) ------------------------------------------------------------------


def child_trace(ws: str, work: str) -> dict[str, Any]:
    """Run diagnose once, asking DuckDB (EXPLAIN, on the run's own connection, where its
    temporary tables exist) which columns of which tables each query it runs scans —
    including the queries that materialize shared intermediates."""
    import duckdb
    from ibis.backends.duckdb import Backend

    from throughline.diagnose.run import run_diagnose

    plans: list[str] = []
    explaining = [0.0]  # seconds spent in EXPLAIN, not part of the warm-up diagnose
    original, original_create = Backend._to_duckdb_relation, Backend.create_table

    def explain(self: Any, sql: str) -> None:
        t0 = time.perf_counter()
        plans.append(self.con.execute("EXPLAIN (FORMAT JSON) " + sql).fetchall()[0][1])
        explaining[0] += time.perf_counter() - t0

    def traced(self: Any, expr: Any, *, params: Any = None, limit: Any = None,
               **kwargs: Any) -> Any:
        explain(self, self.compile(expr.as_table(), limit=limit, params=params, **kwargs))
        return original(self, expr, params=params, limit=limit, **kwargs)

    def traced_create(self: Any, name: str, obj: Any = None, **kwargs: Any) -> Any:
        if hasattr(obj, "op"):  # an Ibis expression (a shared intermediate)
            explain(self, self.compile(obj))
        return original_create(self, name, obj, **kwargs)

    Backend._to_duckdb_relation = traced  # type: ignore[method-assign]
    Backend.create_table = traced_create  # type: ignore[method-assign]
    with Clock() as clock:
        run_diagnose(_settings(ws))
    Backend._to_duckdb_relation = original  # type: ignore[method-assign]
    Backend.create_table = original_create  # type: ignore[method-assign]
    con = duckdb.connect(_db_path(ws), read_only=True)
    table_cols = {t: list(c) for t, c in con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE NOT internal GROUP BY 1").fetchall()}
    con.close()
    used: dict[str, set[str]] = {}

    def walk(node: dict[str, Any]) -> None:
        info = node.get("extra_info") or {}
        if isinstance(info, dict) and "Table" in info:
            table = str(info["Table"]).split(".")[-1]
            text = []
            for key in ("Projections", "Filters"):
                v = info.get(key)
                text += v if isinstance(v, list) else ([v] if v else [])
            for col in table_cols.get(table, []):
                pat = r'(?<![\w"])"?' + re.escape(col) + r'"?(?![\w"])'
                if any(re.search(pat, t) for t in text):
                    used.setdefault(table, set()).add(col)
        for ch in node.get("children", []):
            walk(ch)

    canonical = {t for t in table_cols if not t.startswith("_")}
    per_query: list[dict[str, list[str]]] = []
    for plan in plans:
        used.clear()
        for node in json.loads(plan):
            walk(node)
        cols = {t: [c for c in table_cols[t] if c in used[t]]
                for t in sorted(used) if t in canonical and used[t]}
        if cols:
            per_query.append(cols)
    columns = {t: [c for c in table_cols[t] if any(c in q.get(t, ()) for q in per_query)]
               for t in sorted({t for q in per_query for t in q})}
    return {"seconds": clock.seconds - explaining[0], "cpu": clock.cpu, "queries": len(plans),
            "columns": columns, "per_query": per_query}


def floor_sql(columns: dict[str, list[str]]) -> str:
    def q(c: str) -> str:
        return '"' + c.replace('"', '""') + '"'

    return " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n, sum(hash({', '.join(q(c) for c in cols)})) AS h "
        f"FROM {q(t)}" for t, cols in columns.items() if cols)


def child_floor(ws: str, work: str, columns: dict[str, list[str]]) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(_db_path(ws), read_only=True)
    sql = floor_sql(columns)
    with Clock() as clock:
        rows = con.execute(sql).fetchall()
    con.close()
    return {"seconds": clock.seconds, "cpu": clock.cpu, "rows": sum(int(r[1]) for r in rows)}


def child_per_query(ws: str, work: str, per_query: list[dict[str, list[str]]]) -> dict[str, Any]:
    """The scan floor of each query the diagnostics run, on its own (best of two), summed:
    what reading only the columns each query reads costs when each finding's query runs by
    itself, as its evidence does."""
    import duckdb

    con = duckdb.connect(_db_path(ws), read_only=True)
    total = cpu = 0.0
    for cols in per_query:
        sql = floor_sql(cols)
        runs = []
        for _ in range(2):
            with Clock() as clock:
                con.execute(sql).fetchall()
            runs.append(clock)
        fastest = min(runs, key=lambda c: c.seconds)
        total, cpu = total + fastest.seconds, cpu + fastest.cpu
    con.close()
    return {"seconds": total, "cpu": cpu, "queries": len(per_query)}


ORDERING_SQL = (
    "SELECT count(*) AS n, count(p) AS p, count(x) AS x FROM (SELECT lag(close_date) OVER w "
    "AS p, lead(changed_at) OVER w AS x FROM stage_history WINDOW w AS (PARTITION BY "
    "opportunity_id ORDER BY changed_at, history_id))")


def child_ordering(ws: str, work: str) -> dict[str, Any]:
    """Bare DuckDB putting every deal's stage changes in order once (the previous close date
    and the next change time in one window pass): the sort that close-date slippage and
    time in stage cannot do without, however they are written."""
    import duckdb

    con = duckdb.connect(_db_path(ws), read_only=True)
    with Clock() as clock:
        con.execute(ORDERING_SQL).fetchall()
    con.close()
    return {"seconds": clock.seconds, "cpu": clock.cpu}


class _CompileClock:
    """Seconds spent turning Ibis expressions into SQL (outermost calls only)."""

    def __init__(self) -> None:
        self.seconds, self.depth = 0.0, 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.seconds += time.perf_counter() - t0
        return timed


def child_ours(ws: str, work: str, ids: list[str] | None = None) -> dict[str, Any]:
    from ibis.backends.duckdb import Backend
    from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

    settings = _settings(ws)
    timings: dict[str, float] = {}
    # Time spent compiling SQL (the wrapper costs about a microsecond a call).
    compiling = _CompileClock()
    originals = Backend.compile, DuckDBCompiler.to_sqlglot
    Backend.compile = compiling.wrap(Backend.compile)  # type: ignore[method-assign]
    DuckDBCompiler.to_sqlglot = compiling.wrap(  # type: ignore[method-assign]
        DuckDBCompiler.to_sqlglot)
    try:
        return _ours(settings, work, ids, timings, compiling)
    finally:
        Backend.compile, DuckDBCompiler.to_sqlglot = originals  # type: ignore[method-assign]


def _ours(settings: Any, work: str, ids: list[str] | None, timings: dict[str, float],
          compiling: _CompileClock) -> dict[str, Any]:
    from throughline.diagnose.run import diagnose, ensure_ingested, run_diagnose
    from throughline.diagnose.registry import diagnostics
    from throughline.store.connection import store_session

    gate: dict[str, float] = {}

    def on_event(e: Any) -> None:
        if e.kind == "finish" and e.diagnostic:
            timings[e.diagnostic] = round(e.duration_s or 0.0, 3)
        elif e.kind == "gate":  # the data-fitness gate, inside the same diagnose call
            gate["seconds"] = e.duration_s or 0.0

    if ids is None:
        with Clock() as clock:
            diagnosis = run_diagnose(settings, on_event=on_event)
    else:
        units = [d for d in diagnostics() if d.id in set(ids)]
        with Clock() as clock, store_session(settings, read_only=True) as store:
            ensure_ingested(store)
            diagnosis = diagnose(store, diagnostics=units, on_event=on_event)
    out: dict[str, Any] = {"seconds": clock.seconds, "cpu": clock.cpu,
                           "findings": len(diagnosis.findings), "timings": timings,
                           "compile_seconds": compiling.seconds,
                           "gate_seconds": gate.get("seconds", 0.0),
                           "data_quality": [i.id for i in diagnosis.data_quality]}
    if ids is None:
        from throughline.diagnose.report import write_report

        with Clock() as render:
            write_report(diagnosis, Path(work) / "report.html", "html")
        out["render_html_seconds"] = render.seconds
        Path(work, "ours-metrics.json").write_text(json.dumps(
            _metric_values(diagnosis.findings)))
    return out


def child_pandas(ws: str, work: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(_db_path(ws), read_only=True)
    with Clock() as load:
        frames = {t: con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} '
                                 f'FROM "{t}"').df() for t, cols in PANDAS_COLUMNS.items()}
    con.close()
    with Clock() as compute:
        values, steps = run_pandas(frames)
    Path(work, "pandas-metrics.json").write_text(json.dumps(values))
    return {"seconds": load.seconds + compute.seconds, "cpu": load.cpu + compute.cpu,
            "load_seconds": load.seconds, "compute_seconds": compute.seconds,
            "rows": sum(len(f) for f in frames.values()), "timings": steps}


def child(kind: str, ws: str, work: str, extra: str) -> None:
    _warm_imports()
    arg = json.loads(extra) if extra else None
    fn: dict[str, Callable[[], dict[str, Any]]] = {
        "trace": lambda: child_trace(ws, work),
        "floor": lambda: child_floor(ws, work, arg),
        "ours": lambda: child_ours(ws, work),
        "subset": lambda: child_ours(ws, work, arg),
        "per_query": lambda: child_per_query(ws, work, arg),
        "ordering": lambda: child_ordering(ws, work),
        "pandas": lambda: child_pandas(ws, work),
    }
    out = fn[kind]()
    out["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(out, default=str))


# -- the pandas implementation ------------------------------------------------------------
#
# Each function computes one diagnostic's metrics with vectorised pandas (no Python loops
# over rows; loops over a handful of groups or dimensions only) and returns them under the
# same "<finding id>:<metric>" keys as the engine's findings, so the bench can check that
# both paths agree. Definitions follow the family modules' docstrings.

# The columns the pandas path reads (a subset of what the trace finds the engine reading).
PANDAS_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "segment", "industry", "size_band", "region"),
    "opportunities": ("opportunity_id", "account_id", "lead_source", "channel", "motion",
                      "persona", "segment", "stage", "amount", "is_closed", "is_won",
                      "created_date", "close_date", "next_step"),
    "stage_history": ("history_id", "opportunity_id", "stage", "changed_at", "close_date",
                      "probability", "forecast_category"),
    "subscriptions": ("account_id", "mrr", "start_date", "end_date"),
    "nps_responses": ("account_id", "responded_at", "score", "persona"),
    "time_to_value": ("account_id", "signed_at", "first_value_at"),
    "features": ("feature_id", "decided_at", "spec_ready_at", "shipped_at",
                 "enablement_ready_at", "sales_play"),
    "opportunity_features": ("opportunity_id", "feature_id"),
    "pull_requests": ("created_at", "first_review_at", "merged_at"),
    "feedback": ("kind", "recorded_at", "owner", "responded_at", "change_recorded"),
    "commitments": ("opportunity_id", "capability", "engineering_signoff", "due_date",
                    "status", "amount_at_stake"),
    "capabilities": ("capability_id", "name", "status"),
    "forecasts": ("period_start", "period_end", "submitted_at", "owner", "amount", "category"),
}

PANDAS_DIAGNOSTICS = (
    "post_sale.retention", "post_sale.nps", "post_sale.time_to_value", "post_sale.survival",
    "icp.won_vs_retained", "pipeline.velocity", "pipeline.stages", "pipeline.feature_cohorts",
    "honesty.close_date_pushes", "honesty.commit_slippage", "honesty.stage_optimism",
    "honesty.forecast_accuracy", "honesty.positive_notes_stall", "channels.stability",
    "attribution.coverage", "handoff.stage_times", "handoff.inventory",
    "legibility.pr_cycle_time", "feedback.loop_closure", "promises.ledger", "push_pull.mix",
    "push_pull.pull_trend",
)


def run_pandas(D: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    import pandas as pd

    P = _Pandas(D)
    values: dict[str, float] = {}
    steps: dict[str, float] = {}
    t = time.perf_counter()
    P.prepare()
    steps["(shared: as-of, labels, account profile)"] = round(time.perf_counter() - t, 3)
    for name in PANDAS_DIAGNOSTICS:
        t = time.perf_counter()
        got = getattr(P, name.replace(".", "__"))()
        steps[name] = round(time.perf_counter() - t, 3)
        for k, v in got.items():
            if v is not None and not (isinstance(v, float) and math.isnan(v)) \
                    and not pd.isna(v):
                values[f"{name}.{k}"] = float(v)
    return values, steps


def _add_months(d: date, months: int) -> date:
    import calendar

    total = d.year * 12 + (d.month - 1) + months
    year, mon = divmod(total, 12)
    return date(year, mon + 1, min(d.day, calendar.monthrange(year, mon + 1)[1]))


class _Pandas:
    UNKNOWN = "unknown"
    UNATTRIBUTED = ("unknown", "other", "others", "none", "n/a", "na", "null", "-", "--",
                    "?", "not set", "(not set)", "(none)", "unattributed", "undefined",
                    "blank", "misc", "miscellaneous")
    DIMENSIONS = ("channel", "segment", "persona", "motion")
    PULL = ("inbound", "referral", "partner", "product_led")
    SYNONYMS: ClassVar[dict[str, str]] = {
        "plg": "product_led", "product": "product_led", "self_serve": "product_led",
        "selfserve": "product_led", "partners": "partner", "referrals": "referral",
        "outbound_sdr": "outbound", "sdr": "outbound", "ae_sourced": "outbound"}
    POSITIVE = ("champion", "budget confirmed", "budget approved", "verbal", "great call",
                "great meeting", "great demo", "excited", "promising", "positive",
                "strong interest", "very interested", "loves", "love the", "ready to sign",
                "ready to buy", "green light", "good fit", "on track", "keen", "enthusiastic",
                "looks good", "going well")

    def __init__(self, D: dict[str, Any]) -> None:
        self.D = D

    # -- shared pieces ----------------------------------------------------------------

    @staticmethod
    def clean(s: Any) -> Any:
        out = s.str.strip().str.lower()
        return out.mask(out == "")

    def label(self, s: Any) -> Any:
        return self.clean(s).fillna(self.UNKNOWN)

    def ts(self, d: date) -> Any:
        import pandas as pd

        return pd.Timestamp(d)

    def prepare(self) -> None:
        import pandas as pd

        D = self.D
        # the default as-of: the latest CRM event — a deal created, a closed deal's close
        # date, a stage change — never after today (throughline.diagnose.fitness.dates;
        # the sample has no bulk-loaded history, so no instant is set aside)
        o, h = D["opportunities"], D["stage_history"]
        closed = o["is_closed"].astype("boolean").fillna(False).astype(bool)
        today = pd.Timestamp(date.today())
        events = [pd.Timestamp(v) for v in (o["created_date"].max(),
                                            o.loc[closed, "close_date"].max(),
                                            h["changed_at"].max()) if pd.notna(v)]
        latest = max(v for v in events if v <= today)
        self.d1 = pd.Timestamp(latest).date()
        self.D1 = self.ts(self.d1)
        self.d0 = _add_months(self.d1, -12)
        self.D0 = self.ts(self.d0)
        o = D["opportunities"]
        o["_channel"] = self.clean(o["channel"]).fillna(self.clean(o["lead_source"])) \
            .fillna(self.UNKNOWN)
        o["_closed"] = o["is_closed"].astype("boolean").fillna(False).astype(bool)
        o["_won"] = o["is_won"].astype("boolean").fillna(False).astype(bool)
        # account profile: accounts' attributes + the first won deal's channel/motion/persona
        won = o[o["_won"] & o["account_id"].notna()]
        won = won.sort_values(["account_id", "close_date", "created_date", "opportunity_id"],
                              na_position="last")
        fw = won.drop_duplicates("account_id")
        fw = pd.DataFrame({"account_id": fw["account_id"], "channel": fw["_channel"],
                           "motion": self.label(fw["motion"]),
                           "persona": self.label(fw["persona"]),
                           "deal_segment": self.clean(fw["segment"]),
                           "won_date": fw["close_date"]})
        a = D["accounts"]
        acc = pd.DataFrame({"account_id": a["account_id"],
                            **{c: self.clean(a[c]) for c in ("segment", "industry",
                                                             "size_band", "region")}})
        p = acc.merge(fw, on="account_id", how="left")
        p["segment"] = p["segment"].fillna(p["deal_segment"]).fillna(self.UNKNOWN)
        for c in ("industry", "size_band", "region", "channel", "motion", "persona"):
            p[c] = p[c].fillna(self.UNKNOWN)
        self.profile = p.drop(columns=["deal_segment"])

    def attach(self, t: Any) -> Any:
        cols = ["segment", "industry", "size_band", "region", "channel", "motion", "persona"]
        p = self.profile[["account_id", *cols]].rename(columns={c: f"by_{c}" for c in cols})
        j = t.merge(p, on="account_id", how="left")
        j[[f"by_{c}" for c in cols]] = j[[f"by_{c}" for c in cols]].fillna(self.UNKNOWN)
        return j

    def mrr_moves(self) -> Any:
        s = self.D["subscriptions"]
        s = s[s["account_id"].notna() & s["mrr"].notna() & s["start_date"].notna()]
        act0 = (s["start_date"] <= self.D0) & (s["end_date"].isna() | (s["end_date"] > self.D0))
        act1 = (s["start_date"] <= self.D1) & (s["end_date"].isna() | (s["end_date"] > self.D1))
        before = (s["start_date"] < self.D0) & (s["mrr"] > 0)
        g = s.assign(start=s["mrr"].where(act0, 0.0), end=s["mrr"].where(act1, 0.0),
                     before=s["mrr"].where(before, 0.0)) \
            .groupby("account_id", as_index=False)[["start", "end", "before"]].sum()
        g["first_start"] = s.groupby("account_id")["start_date"].min().values
        return g

    def retention_values(self, g: Any, by: str | None) -> dict[str, dict[str, float]]:
        import numpy as np

        cohort = g["start"] > 0
        react = (g["start"] <= 0) & (g["end"] > 0) & (g["before"] > 0)
        m = g.assign(
            cohort=cohort, lost=cohort & (g["end"] <= 0),
            churned=np.where(cohort & (g["end"] <= 0), g["start"], 0.0),
            contraction=np.where(cohort & (g["end"] > 0) & (g["end"] < g["start"]),
                                 g["start"] - g["end"], 0.0),
            expansion=np.where(cohort & (g["end"] > g["start"]), g["end"] - g["start"], 0.0),
            reactivation=np.where(react, g["end"], 0.0),
            starting=np.where(cohort, g["start"], 0.0))
        key = m[by] if by else np.zeros(len(m), dtype=int)
        agg = m.groupby(key)[["cohort", "lost", "starting", "churned", "contraction",
                              "expansion", "reactivation"]].sum()
        out = {}
        for grp, r in agg.iterrows():
            if r["cohort"] == 0 or r["starting"] <= 0:
                continue
            st = r["starting"]
            out[str(grp)] = {
                "n": r["cohort"], "logo_churn": r["lost"] / r["cohort"],
                "grr": 1 - (r["churned"] + r["contraction"]) / st,
                "nrr": (st + r["expansion"] + r["reactivation"] - r["contraction"]
                        - r["churned"]) / st,
                "expansion_rate": r["expansion"] / st}
        return out

    # -- post-sale --------------------------------------------------------------------

    def post_sale__retention(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        g = self.mrr_moves()
        out: dict[str, float] = {}
        v = self.retention_values(g, None)["0"]
        for k in ("nrr", "grr", "logo_churn", "expansion_rate"):
            out[f"overall:{k}"] = v[k]
        out["overall:starting_accounts"] = v["n"]
        j = self.attach(g)
        for dim in self.DIMENSIONS:
            for grp, v in self.retention_values(j, f"by_{dim}").items():
                for k in ("nrr", "grr", "logo_churn"):
                    out[f"by_{dim}:{k}_{slug(grp)}"] = v[k]
        return out

    def post_sale__nps(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        t = self.D["nps_responses"]
        a = t[t["score"].notna() & (t["score"] >= 0) & (t["score"] <= 10)
              & (t["responded_at"].isna() | (t["responded_at"] <= self.D1))]

        def nps(frame: Any, key: Any) -> Any:
            c = frame.assign(pro=frame["score"] >= 9, det=frame["score"] <= 6) \
                .groupby(key)[["pro", "det"]].agg(["sum", "count"])
            return 100 * (c[("pro", "sum")] - c[("det", "sum")]) / c[("pro", "count")]

        out = {"overall:nps": float(nps(a, lambda _: 0).iloc[0])}
        j = self.attach(a)
        for dim in self.DIMENSIONS:
            key = j[f"by_{dim}"]
            if dim == "persona":
                key = self.clean(j["persona"]).fillna(key)
            for grp, v in nps(j, key).items():
                out[f"by_{dim}:nps_{slug(grp)}"] = v
        return out

    def post_sale__time_to_value(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        t = self.D["time_to_value"]
        b = t[t["signed_at"].notna() & (t["signed_at"] <= self.D1)
              & (t["first_value_at"].isna() | (t["first_value_at"] >= t["signed_at"]))]
        reached = b["first_value_at"].notna() & (b["first_value_at"] <= self.D1)
        days = (b["first_value_at"] - b["signed_at"]).dt.days
        out = {"overall:median_ttv_days": days[reached].median(),
               "overall:reached": int(reached.sum()),
               "overall:censored": int(len(b) - reached.sum())}
        j = self.attach(b.assign(_days=days.where(reached)))
        for dim in self.DIMENSIONS:
            for grp, v in j.groupby(f"by_{dim}")["_days"].median().items():
                out[f"by_{dim}:median_ttv_days_{slug(grp)}"] = v
        return out

    def post_sale__survival(self) -> dict[str, float]:
        import numpy as np
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import multivariate_logrank_test

        from throughline.diagnose.families.measure import slug

        s = self.D["subscriptions"]
        s = s[s["account_id"].notna() & s["start_date"].notna() & (s["mrr"] > 0)
              & (s["start_date"] <= self.D1)]
        s = s.assign(_billed=s["end_date"].isna() | (s["end_date"] > self.D1))
        g = s.groupby("account_id", as_index=False).agg(
            first_start=("start_date", "min"), last_end=("end_date", "max"),
            still=("_billed", "any"))
        g["duration"] = np.where(g["still"], (self.D1 - g["first_start"]).dt.days,
                                 (g["last_end"] - g["first_start"]).dt.days)
        g["event"] = ~g["still"]
        g = self.attach(g)
        g = g[g["duration"] >= 0]
        kmf = KaplanMeierFitter().fit(g["duration"].astype(float), g["event"], label="all")
        out = {"by_channel:survival_12m": float(kmf.survival_function_at_times([365]).iloc[0]),
               "by_channel:accounts": len(g), "by_channel:ended": int(g["event"].sum())}
        sizes = g.groupby("by_channel").size()
        groups = sorted(sizes[sizes >= 5].index)
        for grp in groups:
            sub = g[g["by_channel"] == grp]
            k = KaplanMeierFitter().fit(sub["duration"].astype(float), sub["event"])
            out[f"by_channel:survival_12m_{slug(grp)}"] = float(
                k.survival_function_at_times([365]).iloc[0])
        sel = g[g["by_channel"].isin(groups)]
        test = multivariate_logrank_test(sel["duration"].astype(float), sel["by_channel"],
                                         sel["event"])
        out["by_channel:logrank_p"] = float(test.p_value)
        return out

    # -- ICP --------------------------------------------------------------------------

    def icp__won_vs_retained(self) -> dict[str, float]:
        from throughline.diagnose import stats

        g = self.mrr_moves()
        g["mature"] = g["first_start"] <= self.D0
        g["revealed"] = g["mature"] & (g["end"] > 0) & (g["end"] >= g["start"])
        p = self.profile
        won = p[p["won_date"].notna() & (p["won_date"] <= self.D1)]
        b = won.merge(g[["account_id", "mature", "revealed"]], on="account_id", how="left")
        b[["mature", "revealed"]] = b[["mature", "revealed"]].astype("boolean").fillna(False).astype(bool)
        out: dict[str, float] = {}
        for attr in ("segment", "industry", "size_band", "region", "persona", "channel"):
            t = b.groupby(attr).agg(won=("account_id", "size"), mature=("mature", "sum"),
                                    revealed=("revealed", "sum")).sort_index()
            t = t.set_index(t.index.astype(str)).sort_index()
            if (t.index != self.UNKNOWN).sum() < 2:
                continue
            # profiles among the accounts old enough to judge: all of them vs those kept
            ws = t["mature"] / t["mature"].sum()
            rs = t["revealed"] / t["revealed"].sum()
            out[f"{attr}:js_divergence"] = stats.js_divergence(list(ws), list(rs))
            test = getattr(stats, "chi_square_pooled", stats.chi_square)
            _, pval, _, _ = test([[int(a), int(b)] for a, b in
                                  zip(t["revealed"], t["mature"] - t["revealed"])])
            out[f"{attr}:chi_square_p"] = pval
            out[f"summary:js_{attr}"] = out[f"{attr}:js_divergence"]
            out["summary:mature_accounts"] = t["mature"].sum()
            out["summary:won_accounts"] = t["won"].sum()
        return out

    # -- pipeline ---------------------------------------------------------------------

    def flags(self, o: Any) -> Any:
        d0 = self.ts(_add_months(self.d1, -12))
        closed = o["_closed"] & o["close_date"].notna() & (o["close_date"] > d0) \
            & (o["close_date"] <= self.D1)
        won = closed & o["_won"]
        created_ok = o["created_date"].isna() | (o["created_date"] <= self.D1)
        is_open = created_ok & (~o["_closed"] | (o["close_date"].notna()
                                                 & (o["close_date"] > self.D1)))
        cycle_ok = won & o["created_date"].notna() & (o["close_date"] >= o["created_date"])
        return o.assign(f_closed=closed, f_won=won, f_open=is_open,
                        f_cycle=(o["close_date"] - o["created_date"]).dt.days.where(cycle_ok),
                        f_amount=o["amount"].where(won & o["amount"].notna()))

    @staticmethod
    def mechanics(t: Any, key: Any) -> Any:
        g = t.groupby(key).agg(closed=("f_closed", "sum"), won=("f_won", "sum"),
                               open=("f_open", "sum"), avg=("f_amount", "mean"),
                               cycle=("f_cycle", "median"))
        g["win_rate"] = g["won"] / g["closed"]
        g["velocity"] = g["open"] * g["win_rate"] * g["avg"] / g["cycle"]
        return g

    def pipeline__velocity(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        t = self.flags(self.D["opportunities"])
        r = self.mechanics(t, lambda _: 0).iloc[0]
        out = {"overall:win_rate": r["win_rate"], "overall:median_cycle_days": r["cycle"],
               "overall:avg_deal_size": r["avg"], "overall:velocity": r["velocity"],
               "overall:open_deals": r["open"]}
        for grp, r in self.mechanics(t, "_channel").iterrows():
            s = slug(grp)
            out[f"by_channel:win_rate_{s}"] = r["win_rate"]
            out[f"by_channel:median_cycle_days_{s}"] = r["cycle"]
            out[f"by_channel:velocity_{s}"] = r["velocity"]
        return out

    def pipeline__feature_cohorts(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        t = self.flags(self.D["opportunities"])
        lk = self.D["opportunity_features"]
        lk = lk.assign(feature=self.label(lk["feature_id"]))[["opportunity_id", "feature"]] \
            .drop_duplicates()
        j = lk.merge(t, on="opportunity_id")
        g = self.mechanics(j, "feature")
        g = g[g["closed"] >= 5]
        out = {f"summary:win_rate_{slug(f)}": r["win_rate"] for f, r in g.iterrows()}
        out["summary:win_rate_all"] = self.mechanics(t, lambda _: 0).iloc[0]["win_rate"]
        return out

    def history(self) -> Any:
        if not hasattr(self, "_hist"):
            h = self.D["stage_history"]
            h = h[h["stage"].notna() & h["changed_at"].notna()]
            h = h.assign(_stage=self.label(h["stage"]))
            self._hist = h.sort_values(["opportunity_id", "changed_at", "history_id"])
        return self._hist

    def stage_order(self) -> tuple[list[str], dict[str, float]]:
        """As pipeline.stage_order: stages by stated probability; the mean position in each
        deal's history breaks ties (computed only when probabilities tie or are missing)."""
        if hasattr(self, "_order"):
            return self._order
        o = self.D["opportunities"]
        terminal = set(self.label(o.loc[o["_closed"], "stage"]).unique())
        h = self.history()
        g = h.groupby("_stage")["probability"].mean()
        g = g[[s not in terminal and "closed" not in s for s in g.index]]
        have = bool(g.notna().all())
        if have and g.is_unique:
            order = sorted(g.index, key=lambda s: (g[s], s))
        else:
            pos = h.groupby("opportunity_id").cumcount().groupby(h["_stage"]).mean()
            order = sorted(g.index, key=lambda s: (g[s] if have else 0.0, pos[s], s))
        self._order = (order, {s: g[s] for s in order})
        return self._order

    def pipeline__stages(self) -> dict[str, float]:
        from throughline.diagnose.families.measure import slug

        order, _ = self.stage_order()
        h = self.history()
        ordmap = {s: i for i, s in enumerate(order)}
        h = h.assign(_ord=h["_stage"].map(ordmap).fillna(-1).astype(int))
        per_opp = h.groupby("opportunity_id")["_ord"].max().rename("max_ord")
        reached = h.loc[h["_ord"] >= 0, ["opportunity_id", "_stage", "_ord"]].drop_duplicates()
        o = self.D["opportunities"][["opportunity_id", "_closed", "_won", "_channel"]]
        j = reached.join(per_opp, on="opportunity_id").merge(o, on="opportunity_id")
        adv = (j["max_ord"] > j["_ord"]) | j["_won"]
        j = j.assign(adv=adv, lost=~adv & j["_closed"])
        conv = j.groupby("_stage")[["adv", "lost"]].sum()
        nxt = h.groupby("opportunity_id")["changed_at"].shift(-1)
        timed = h.assign(_days=(nxt - h["changed_at"]).dt.total_seconds() / 86400.0)
        timed = timed[nxt.notna() & (timed["_ord"] >= 0)]
        med = timed.groupby("_stage")["_days"].median()
        out: dict[str, float] = {"conversion:deals": reached["opportunity_id"].nunique()}
        for s in order:
            if s in conv.index and conv.loc[s].sum():
                out[f"conversion:conversion_{slug(s)}"] = conv.loc[s, "adv"] / conv.loc[s].sum()
            if s in med.index:
                out[f"conversion:median_days_in_{slug(s)}"] = med[s]
        by = j.groupby(["_stage", "_channel"])[["adv", "lost"]].sum()
        stage_rate = conv["adv"] / conv.sum(axis=1)
        by = by[by.sum(axis=1) > 0]
        rate = by["adv"] / by.sum(axis=1)
        gap = rate - stage_rate.reindex(by.index.get_level_values(0)).values
        ok = (by.sum(axis=1) >= 5) & (by.index.get_level_values(1) != self.UNKNOWN)
        weakest = gap[ok].idxmin()
        out["by_channel:weakest_conversion"] = rate[weakest]
        return out

    # -- honesty ----------------------------------------------------------------------

    def honesty__stage_optimism(self) -> dict[str, float]:
        _, probs = self.stage_order()
        stated = {s: p for s, p in probs.items() if p is not None and 0 < p < 100}
        h = self.history()
        reached = h[["opportunity_id", "_stage"]].drop_duplicates()
        o = self.D["opportunities"]
        o = o.loc[o["_closed"], ["opportunity_id", "_won"]]
        j = reached.merge(o, on="opportunity_id")
        g = j.groupby("_stage")["_won"].agg(["count", "sum"])
        g = g[g.index.isin(list(stated)) & (g["count"] >= 5)]
        real = g["sum"] / g["count"]
        gap = ((g.index.map(stated).to_numpy() / 100.0 - real) * g["count"]).sum() / \
            g["count"].sum()
        return {"summary:weighted_gap": gap}

    def honesty__close_date_pushes(self) -> dict[str, float]:
        import numpy as np

        h = self.D["stage_history"]
        h = h[h["close_date"].notna() & h["changed_at"].notna()
              & (h["changed_at"].dt.normalize() <= self.D1)]
        h = h.sort_values(["opportunity_id", "changed_at", "history_id"])
        prev = h.groupby("opportunity_id")["close_date"].shift()
        push = prev.notna() & (h["close_date"] > prev)
        h = h.assign(_push=push, _days=np.where(push, (h["close_date"] - prev).dt.days, 0))
        per = h.groupby("opportunity_id").agg(pushes=("_push", "sum"), days=("_days", "sum"),
                                              first_close=("close_date", "first"))
        o = self.D["opportunities"].set_index("opportunity_id")[["_closed", "close_date"]]
        j = per.join(o, how="left")
        use = j["_closed"].astype("boolean").fillna(False).astype(bool) & j["close_date"].notna()
        net = (j["close_date"] - j["first_close"]).dt.days[use]
        return {"summary:pushed_share": (j["pushes"] > 0).mean(),
                "summary:pushes_per_deal": j["pushes"].mean(),
                "summary:mean_days_late": net.mean()}

    def honesty__commit_slippage(self) -> dict[str, float]:
        h = self.D["stage_history"]
        h = h[h["changed_at"].notna() & (h["changed_at"].dt.normalize() <= self.D1)
              & h["close_date"].notna()]
        f = h[h["forecast_category"].str.lower().str.contains("commit", na=False)]
        first = f.sort_values(["opportunity_id", "changed_at", "history_id"]) \
            .drop_duplicates("opportunity_id")[["opportunity_id", "close_date", "probability"]]
        o = self.D["opportunities"][["opportunity_id", "_closed", "_won", "close_date"]]
        j = first.merge(o, on="opportunity_id", suffixes=("_c0", "_final"))
        q0 = j["close_date_c0"].dt.to_period("Q")
        qf = j["close_date_final"].dt.to_period("Q")
        slipped = (j["_closed"] & j["close_date_final"].notna() & (qf > q0)) \
            | (~j["_closed"] & (j["close_date_c0"] < self.D1))
        decided = j["_closed"] | (j["close_date_c0"] < self.D1)
        lost = j["_closed"] & ~j["_won"]
        n = decided.sum()
        return {"summary:failed_share": ((lost | slipped) & decided).sum() / n,
                "summary:lost_share": (lost & decided).sum() / n,
                "summary:slipped_share": (slipped & decided).sum() / n,
                "summary:decided_deals": n}

    def honesty__forecast_accuracy(self) -> dict[str, float]:
        import numpy as np
        import pandas as pd

        fc = self.D["forecasts"]
        f = fc[fc["period_start"].notna() & fc["amount"].notna()].copy()
        f["_end"] = f["period_end"].fillna(f["period_start"] + pd.DateOffset(months=3))
        commit = f["category"].str.lower().str.contains("commit", na=False)
        if commit.any():
            f = f[commit]
        f = f[(f["_end"] <= self.D1 + pd.Timedelta(days=1))
              & (f["submitted_at"].isna() | (f["submitted_at"] < f["_end"]))]
        latest = f.sort_values(["submitted_at", "amount"], ascending=False,
                               na_position="last").drop_duplicates(["period_start", "owner"])
        periods = latest.groupby(["period_start", "_end"], as_index=False)["amount"].sum()
        o = self.D["opportunities"]
        won = o.loc[o["_won"] & o["close_date"].notna(), ["close_date", "amount"]]
        won = won.assign(amount=won["amount"].fillna(0.0)).sort_values("close_date")
        cum = np.concatenate([[0.0], won["amount"].cumsum().to_numpy()])
        lo = np.searchsorted(won["close_date"].to_numpy(), periods["period_start"].to_numpy(),
                             side="left")
        hi = np.searchsorted(won["close_date"].to_numpy(), periods["_end"].to_numpy(),
                             side="left")
        periods["actual"] = cum[hi] - cum[lo]
        ok = (periods["amount"] > 0) & (periods["actual"] > 0)
        logs = np.log(periods.loc[ok, "amount"] / periods.loc[ok, "actual"])
        return {"summary:periods": len(periods),
                "summary:forecast_to_actual": float(np.exp(logs.mean())),
                "summary:latest_forecast": periods.sort_values("period_start")["amount"].iloc[-1]}

    def honesty__positive_notes_stall(self) -> dict[str, float]:
        o = self.D["opportunities"]
        cutoff = self.ts(self.d1 - timedelta(days=60))
        t = o[o["created_date"].isna() | (o["created_date"] <= cutoff)]
        last = self.D["stage_history"].groupby("opportunity_id")["changed_at"].max() \
            .dt.normalize().rename("last_change")
        t = t.join(last, on="opportunity_id")
        moved = t["last_change"].fillna(t["created_date"])
        lost = t["_closed"] & ~t["_won"]
        idle = ~t["_closed"] & (moved.isna() | (moved < cutoff)
                                | (t["close_date"].notna() & (t["close_date"] < self.D1)))
        pattern = "|".join(re.escape(m) for m in self.POSITIVE)
        pos = t["next_step"].str.lower().str.contains(pattern, regex=True, na=False)
        stalled = lost | idle
        return {"summary:stall_rate_positive": stalled[pos].mean(),
                "summary:stall_rate_other": stalled[~pos].mean(),
                "summary:positive_deals": int(pos.sum())}

    # -- distribution -----------------------------------------------------------------

    def monthly_window(self, months: int) -> tuple[Any, Any]:
        end = self.ts(self.d1 + timedelta(days=1)).replace(day=1)
        start = self.ts(_add_months(end.date(), -months))
        return start, end

    def channels__stability(self) -> dict[str, float]:
        o = self.D["opportunities"]
        start, end = self.monthly_window(12)
        t = o[~o["_channel"].isin(self.UNATTRIBUTED) & o["created_date"].notna()
              & (o["created_date"] >= start) & (o["created_date"] < end)]
        counts = t.groupby([t["created_date"].dt.to_period("M"), "_channel"]).size() \
            .unstack(fill_value=0)
        share_all = counts.sum() / counts.values.sum()
        monthly = counts.div(counts.sum(axis=1), axis=0)
        per_month = counts.values.sum() / len(counts)  # deals a month
        big = share_all[(share_all >= 0.05) & (share_all * per_month >= 5)].index
        cv = monthly[big].std(ddof=1) / monthly[big].mean()
        weight = share_all[big]  # the mean is weighted by each channel's share
        return {"volatility:mean_cv": float((cv * weight).sum() / weight.sum()),
                "dependency:largest_share": share_all.max(),
                "dependency:hhi": float((share_all ** 2).sum())}

    def attribution__coverage(self) -> dict[str, float]:
        import numpy as np

        from throughline.diagnose import stats

        o = self.D["opportunities"]
        unknown = o["_channel"].isin(self.UNATTRIBUTED)
        created = o["created_date"].notna() & (o["created_date"] > self.D0) \
            & (o["created_date"] <= self.D1)
        won = o["_won"] & o["close_date"].notna() & (o["close_date"] > self.D0) \
            & (o["close_date"] <= self.D1)
        rev = o.loc[won, "amount"].sum()
        start, end = self.monthly_window(24)
        m = o["created_date"].notna() & (o["created_date"] >= start) & (o["created_date"] < end)
        monthly = unknown[m].groupby(o.loc[m, "created_date"].dt.to_period("M")).mean()
        x = np.array([(p.year - monthly.index[0].year) * 12 + p.month - monthly.index[0].month
                      for p in monthly.index])
        slope, _, _ = stats.flat_safe_trend(list(x), list(monthly.to_numpy()))
        return {"share:unknown_share_deals": unknown[created].mean(),
                "share:unknown_share_revenue": o.loc[won & unknown, "amount"].sum() / rev,
                "trend:slope_per_year": slope * 12}

    def motion(self, s: Any) -> Any:
        m = self.label(s).str.replace("-", "_").str.replace(" ", "_")
        return m.replace(self.SYNONYMS)

    def push_pull__mix(self) -> dict[str, float]:
        o = self.D["opportunities"]
        mo = self.motion(o["motion"])
        created = o["created_date"].notna() & (o["created_date"] > self.D0) \
            & (o["created_date"] <= self.D1)
        won = o["_won"] & o["close_date"].notna() & (o["close_date"] > self.D0) \
            & (o["close_date"] <= self.D1)
        known = mo != self.UNKNOWN
        pull = mo.isin(self.PULL)
        rev = o.loc[won & known, "amount"].sum()
        return {"summary:pull_share_deals": (created & pull).sum() / (created & known).sum(),
                "summary:pull_share_revenue": o.loc[won & pull, "amount"].sum() / rev}

    def push_pull__pull_trend(self) -> dict[str, float]:
        import numpy as np

        from throughline.diagnose import stats

        o = self.D["opportunities"]
        mo = self.motion(o["motion"])
        start, end = self.monthly_window(24)
        m = (mo != self.UNKNOWN) & o["created_date"].notna() & (o["created_date"] >= start) \
            & (o["created_date"] < end)
        monthly = mo[m].isin(self.PULL).groupby(o.loc[m, "created_date"].dt.to_period("M")) \
            .mean()
        x = [(p.year - monthly.index[0].year) * 12 + p.month - monthly.index[0].month
             for p in monthly.index]
        slope, _, _ = stats.flat_safe_trend(x, list(np.asarray(monthly)))
        return {"summary:slope_per_year": slope * 12, "summary:months": len(monthly)}

    # -- handoff, legibility, feedback, promises ------------------------------------------

    def handoff__stage_times(self) -> dict[str, float]:
        import numpy as np

        f = self.D["features"]
        out = {}
        for key, a, b in (("decided_to_spec", "decided_at", "spec_ready_at"),
                          ("spec_to_shipped", "spec_ready_at", "shipped_at"),
                          ("shipped_to_enablement", "shipped_at", "enablement_ready_at")):
            d = (f[b] - f[a]).dt.days
            out[f"medians:median_{key}_days"] = d[d >= 0].median()
        x = (f["spec_ready_at"] - f["decided_at"]).dt.days
        y = (f["shipped_at"] - f["spec_ready_at"]).dt.days
        ok = (x >= 0) & (y >= 0)
        out["deciding_vs_building:decide_build_ratio"] = float(
            np.exp(np.log((x[ok] + 1) / (y[ok] + 1)).mean()))
        return out

    def handoff__inventory(self) -> dict[str, float]:
        f = self.D["features"]
        cut = self.ts(self.d1 - timedelta(days=45))
        s = f[f["shipped_at"].notna() & (f["shipped_at"] <= cut)]
        enab = s["enablement_ready_at"]
        play = s["sales_play"].fillna("").str.strip() != ""
        in_time = (enab.notna() & ((enab - s["shipped_at"]).dt.days <= 45) & (enab <= self.D1)) \
            | (enab.isna() & play)
        stuck = ~(enab.notna() & (enab <= self.D1)) & ~play
        return {"unsold:features_not_sold_in_time": int((~in_time).sum()),
                "unsold:features_eligible": len(s),
                "unsold:features_still_without_play": int(stuck.sum())}

    def legibility__pr_cycle_time(self) -> dict[str, float]:
        p = self.D["pull_requests"]
        m = p[p["merged_at"].notna() & (p["merged_at"] >= p["created_at"])]
        hours = (m["merged_at"] - m["created_at"]).dt.total_seconds() / 3600.0
        r = m[m["first_review_at"].notna() & (m["first_review_at"] >= m["created_at"])
              & (m["first_review_at"] <= m["merged_at"])]
        return {"summary:median_cycle_hours": hours.median(),
                "summary:median_pickup_hours":
                    ((r["first_review_at"] - r["created_at"]).dt.total_seconds() / 3600).median(),
                "summary:median_review_hours":
                    ((r["merged_at"] - r["first_review_at"]).dt.total_seconds() / 3600).median()}

    def feedback__loop_closure(self) -> dict[str, float]:
        fb = self.D["feedback"]
        kind = self.label(fb["kind"])
        loops = fb[kind.isin(["win_loss", "debrief"])]
        due = loops["recorded_at"] <= self.ts(self.d1 - timedelta(days=14))
        delay = (loops["responded_at"] - loops["recorded_at"]).dt.days
        owned = loops["owner"].fillna("").str.strip() != ""
        answered = loops["responded_at"].notna() & (delay >= 0) & (delay <= 14)
        n = due.sum()
        return {"closure:owned_share": (owned & due).sum() / n,
                "closure:answered_share": (answered & due).sum() / n,
                "closure:changed_share":
                    (loops["change_recorded"].astype("boolean").fillna(False).astype(bool) & due).sum() / n,
                "closure:open_share": (~(owned & answered) & due).sum() / n,
                "closure:records_due": n}

    def promises__ledger(self) -> dict[str, float]:
        import pandas as pd

        c = self.D["commitments"]
        caps = self.D["capabilities"]
        o = self.D["opportunities"][["opportunity_id", "amount"]]

        def norm(s: Any) -> Any:
            return s.str.strip().str.lower()

        keyed = pd.concat([pd.DataFrame({"k": norm(caps["capability_id"]),
                                         "ga": self.label(caps["status"]) == "ga"}),
                           pd.DataFrame({"k": norm(caps["name"]),
                                         "ga": self.label(caps["status"]) == "ga"})])
        keyed = keyed[keyed["k"].notna() & (keyed["k"] != "")]
        lookup = keyed.groupby("k")["ga"].any()
        t = c.merge(o.rename(columns={"amount": "_opp_amount"}), on="opportunity_id",
                    how="left")
        key = norm(t["capability"])
        is_ga = key.map(lookup).astype("boolean").fillna(False).astype(bool)
        names = t["capability"].fillna("").str.strip() != ""
        signed = t["engineering_signoff"].astype("boolean").fillna(False).astype(bool)
        sold = names & ~is_ga & ~signed
        status = self.label(t["status"])
        overdue = (status == "missed") | (status.isin(["open", "unknown"])
                                          & t["due_date"].notna() & (t["due_date"] < self.D1))
        stake = t["amount_at_stake"].fillna(t["_opp_amount"]).fillna(0.0)
        return {"unbacked:unsigned": int((~signed).sum()),
                "unbacked:sold_as_if_exists": int(sold.sum()),
                "unbacked:revenue_sold_as_if_exists": stake[sold].sum(),
                "exposure:overdue": int(overdue.sum()),
                "exposure:revenue_at_stake": stake.sum()}


# -- the parent ---------------------------------------------------------------------------


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("throughline")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("throughline")
    if not found:
        raise SystemExit("cannot find the `throughline` command next to this Python")
    return [found]


def prepare(args: argparse.Namespace) -> tuple[Path, Path]:
    """The sample folder and the ingested workspace, generated once and cached."""
    tag = f"{args.scenario}-{args.seed}-{args.scale:g}"
    root = args.data_dir.expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    sample, ws = root / f"sample-{tag}", root / f"ws-{tag}"
    if not (sample / ".complete").exists():
        shutil.rmtree(sample, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([*_cli(), "sample", "--scenario", args.scenario, "--seed",
                        str(args.seed), "--scale", f"{args.scale:g}", "--out", str(sample)],
                       check=True, stdout=subprocess.DEVNULL)
        (sample / ".complete").write_text("ok\n")
        print(f"generated scale {args.scale:g} in {time.perf_counter() - t:.1f}s → {sample}")
    if not (ws / ".complete").exists():
        shutil.rmtree(ws, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([*_cli(), "--workspace", str(ws), "ingest", str(sample)], check=True,
                       stdout=subprocess.DEVNULL)
        (ws / ".complete").write_text("ok\n")
        print(f"ingested in {time.perf_counter() - t:.1f}s → {ws}")
    return sample, ws


def measure(kind: str, ws: Path, work: Path, extra: Any = None) -> dict[str, Any]:
    w = work / kind
    w.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(ws), str(w),
                           json.dumps(extra) if extra is not None else ""],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"the {kind} path failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda r: r["seconds"])


def agreement(work: Path) -> tuple[int, list[str], list[str]]:
    """How many pandas metrics equal ours (relative 1e-6), which differ, which ours lacks."""
    ours = json.loads((work / "ours" / "ours-metrics.json").read_text())
    theirs = json.loads((work / "pandas" / "pandas-metrics.json").read_text())
    same, differ, missing = 0, [], []
    for k, v in sorted(theirs.items()):
        if k not in ours:
            missing.append(k)
        elif math.isclose(v, ours[k], rel_tol=1e-6, abs_tol=1e-9):
            same += 1
        else:
            differ.append(f"{k}: pandas {v:.6g} vs ours {ours[k]:.6g}")
    return same, differ, missing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", default="healthy")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                    help=f"cache for the sample and its workspace (default {DEFAULT_DATA_DIR})")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per path")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--show-timings", action="store_true",
                    help="print per-diagnostic seconds for ours and pandas")
    args = ap.parse_args()
    _, ws = prepare(args)
    work = Path(tempfile.mkdtemp(prefix="tl-bench-diagnose-"))
    try:
        trace = measure("trace", ws, work)
        columns = trace["columns"]
        ncols = sum(len(c) for c in columns.values())
        print(f"trace: {trace['queries']} queries read {ncols} columns of {len(columns)} "
              f"tables (warm-up diagnose {trace['seconds']:.1f}s)")
        for t, cols in columns.items():
            print(f"  {t}: {', '.join(cols)}")
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "per_query": [], "ordering": [],
                                                 "ours": [], "subset": [], "pandas": []}
        history = set(columns.get("stage_history", ()))
        for _ in range(max(1, args.repeat)):
            runs["floor"].append(measure("floor", ws, work, columns))
            runs["per_query"].append(measure("per_query", ws, work, trace["per_query"]))
            if {"opportunity_id", "changed_at", "history_id", "close_date"} <= history:
                runs["ordering"].append(measure("ordering", ws, work))
            runs["ours"].append(measure("ours", ws, work))
            runs["subset"].append(measure("subset", ws, work, list(PANDAS_DIAGNOSTICS)))
            if not args.skip_pandas:
                runs["pandas"].append(measure("pandas", ws, work))
        res = {k: best(v) for k, v in runs.items() if v}
        _report(res, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _report(res: dict[str, dict[str, Any]], args: argparse.Namespace, work: Path) -> None:
    names = {"floor": "scan floor (DuckDB)",
             "per_query": "  scan floors, one per query",
             "ordering": "  ordering the history once",
             "ours": "ours: diagnose, all 34",
             "subset": f"ours: the {len(PANDAS_DIAGNOSTICS)} pandas covers",
             "pandas": f"pandas: same {len(PANDAS_DIAGNOSTICS)}"}
    print(f"\n{'path':<30} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for k, r in res.items():
        print(f"{names[k]:<30} {r['seconds']:>8.2f} {r['cpu']:>8.2f} {r['peak_rss_mb']:>12.0f}")
    ours, floor = res["ours"], res["floor"]
    if "render_html_seconds" in ours:
        print(f"(HTML report render after diagnose, not counted above: "
              f"{ours['render_html_seconds']:.2f}s)")
    if "pandas" in res:
        p = res["pandas"]
        print(f"(pandas: load {p['load_seconds']:.2f}s + compute {p['compute_seconds']:.2f}s, "
              f"{p['rows']:,} rows)")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    r_floor = ours["seconds"] / floor["seconds"]
    print(f"\nours / scan floor          = {r_floor:6.2f}x wall, "
          f"{ours['cpu'] / floor['cpu']:6.2f}x CPU   (target ≤ {TARGET_FLOOR:g}x: "
          f"{verdict(r_floor <= TARGET_FLOOR)})")
    if "pandas" in res:
        p, sub = res["pandas"], res["subset"]
        r_sub = p["seconds"] / sub["seconds"]
        print(f"pandas / ours, same subset = {r_sub:6.2f}x wall, "
              f"{p['cpu'] / sub['cpu']:6.2f}x CPU   (target ≥ {TARGET_PANDAS:g}x: "
              f"{verdict(r_sub >= TARGET_PANDAS)})")
        print(f"pandas / ours, all 34      = {p['seconds'] / ours['seconds']:6.2f}x wall "
              "(pandas doing fewer diagnostics)")
    rss = ours["peak_rss_mb"]
    print(f"ours peak RSS              = {rss:6.0f} MB  (target ≤ {TARGET_RSS_MB:g} MB: "
          f"{verdict(rss <= TARGET_RSS_MB)})")
    if "gate_seconds" in ours:
        g = ours["gate_seconds"]
        share = g / ours["seconds"] if ours["seconds"] else 0.0
        print(f"data-fitness gate          = {g:6.2f}s of ours' {ours['seconds']:.2f}s "
              f"({share:.1%}; target ≤ {TARGET_GATE:.0%}: {verdict(share <= TARGET_GATE)}); "
              f"issues: {', '.join(ours.get('data_quality') or []) or 'none'}")
    _floor_parts(res)
    print(f"\npandas covers: {', '.join(PANDAS_DIAGNOSTICS)}")
    if "pandas" in res:
        same, differ, missing = agreement(work)
        print(f"agreement: {same} pandas metrics equal ours (rel 1e-6), {len(differ)} differ, "
              f"{len(missing)} not found in ours")
        for line in differ[:20]:
            print("  differs:", line)
        for line in missing[:20]:
            print("  not in ours:", line)
    if args.show_timings:
        print("\nper-diagnostic seconds (ours, all 34 | pandas):")
        pt = res.get("pandas", {}).get("timings", {})
        for d, s in sorted(ours["timings"].items(), key=lambda kv: -kv[1]):
            other = f"{pt[d]:8.2f}" if d in pt else "       -"
            print(f"  {d:<40} {s:8.2f} {other}")
        for d, s in pt.items():
            if d not in ours["timings"]:
                print(f"  {d:<40} {'-':>8} {s:8.2f}")


def _floor_parts(res: dict[str, dict[str, Any]]) -> None:
    """What the diagnostics cannot avoid, each as a multiple of the scan floor: reading each
    query's columns for that query (each finding's evidence is a query that runs on its
    own), ordering the stage history once, and compiling the Ibis expressions to SQL."""
    floor, ours = res["floor"]["seconds"], res["ours"]
    parts = []
    if "per_query" in res:
        q = res["per_query"]
        parts.append((f"scan floors of the {q['queries']} queries, each on its own",
                      q["seconds"]))
    if "ordering" in res:
        parts.append(("ordering the stage history once (bare DuckDB window)",
                      res["ordering"]["seconds"]))
    if "compile_seconds" in ours:
        parts.append(("Ibis compiling the expressions to SQL (inside ours)",
                      ours["compile_seconds"]))
    if not parts:
        return
    print("\nwhat these diagnostics cannot avoid as specified (each finding's evidence is its "
          "own query; Ibis builds the SQL), against the scan floor:")
    for label, sec in parts:
        print(f"  {label:<56} {sec:6.2f}s  {sec / floor:6.2f}x")
    total = sum(sec for _, sec in parts)
    print(f"  {'together (a lower bound: no join, aggregate or test yet)':<56} {total:6.2f}s  "
          f"{total / floor:6.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:6])
    else:
        main()
