"""Tiny canonical stores for the handoff, legibility, feedback, promises and messaging tests.

Each store is an in-memory DuckDB opened through Ibis, with canonical tables created from
``SCHEMA[name].ddl()`` and filled by plain INSERTs, so the values are exactly what a test
states and every expected number can be worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import ibis
from scipy import stats as st

from throughline.diagnose.findings import Finding
from throughline.diagnose.registry import DiagnoseContext, DiagnoseOptions, diagnostics
from throughline.evidence import SCHEMA
from throughline.store import EvidenceStore

Rows = Iterable[Mapping[str, Any]]
AS_OF = date(2025, 6, 30)


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def build_store(tables: Mapping[str, Rows]) -> EvidenceStore:
    """An in-memory store holding exactly ``tables`` (empty lists create empty tables)."""
    con = ibis.duckdb.connect()
    for name, rows in tables.items():
        con.raw_sql(SCHEMA[name].ddl())
        for row in rows:
            cols = ", ".join(f'"{c}"' for c in row)
            vals = ", ".join(sql_literal(v) for v in row.values())
            con.raw_sql(f"INSERT INTO {name} ({cols}) VALUES ({vals})")
    return EvidenceStore(con, "duckdb://:memory:")


def context(tables: Mapping[str, Rows], **options: Any) -> DiagnoseContext:
    """A diagnose context on a fresh store; as-of 2025-06-30 unless given."""
    opts = DiagnoseOptions(**{"as_of": AS_OF, **options})
    return DiagnoseContext(store=build_store(tables), options=opts)


def run(diagnostic_id: str, ctx: DiagnoseContext) -> list[Finding]:
    """Run one registered diagnostic the way the engine does (missing tables included)."""
    by_id = {d.id: d for d in diagnostics()}
    return by_id[diagnostic_id].run(ctx)


def only(findings: list[Finding], slug: str) -> Finding:
    """The finding whose id ends with ``.<slug>``."""
    found = [f for f in findings if f.id.endswith("." + slug)]
    assert len(found) == 1, [f.id for f in findings]
    return found[0]


def value(f: Finding, name: str) -> float:
    v = f.metric(name)
    assert v is not None, f"{f.id} has no value for {name}"
    return v


class PostgresCheckedContext(DiagnoseContext):
    """Runs on DuckDB but first compiles every expression for PostgreSQL, so a
    DuckDB-only construct fails the test (the diagnostics must run on any Ibis backend)."""

    compiled: int = 0

    def execute(self, expr: Any) -> Any:
        ibis.to_sql(expr, dialect="postgres")
        self.compiled += 1
        return super().execute(expr)


def wilson_lower_95_one_sided(k: int, n: int) -> float:
    """The Wilson score lower bound at one-sided 95%, written out as in the textbook."""
    z = st.norm.ppf(0.95)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half
