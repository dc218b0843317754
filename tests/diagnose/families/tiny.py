"""Build tiny canonical stores row by row, and run one diagnostic on them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import ibis

from throughline.diagnose.findings import Finding
from throughline.diagnose.registry import DiagnoseContext, DiagnoseOptions, diagnostics
from throughline.evidence import SCHEMA
from throughline.store import EvidenceStore


def make_store(tables: Mapping[str, Sequence[Mapping[str, Any]]],
               empty: Iterable[str] = ()) -> EvidenceStore:
    """An in-memory DuckDB store with canonical tables holding the given rows; tables
    named in ``empty`` are created with no rows."""
    con = ibis.duckdb.connect()
    raw = con.con
    for name in [*tables, *empty]:
        raw.execute(SCHEMA[name].ddl())
    for name, rows in tables.items():
        for row in rows:
            cols = list(row)
            marks = ", ".join("?" for _ in cols)
            quoted = ", ".join(f'"{c}"' for c in cols)
            raw.execute(f"INSERT INTO {name} ({quoted}) VALUES ({marks})",
                        [row[c] for c in cols])
    return EvidenceStore(con, "duckdb://:memory:")


def context(store: EvidenceStore, as_of: date | None = None, min_n: int = 30,
            **options: Any) -> DiagnoseContext:
    return DiagnoseContext(store=store, options=DiagnoseOptions(as_of=as_of, min_n=min_n,
                                                               **options))


def run(ctx: DiagnoseContext, diagnostic_id: str) -> list[Finding]:
    for d in diagnostics():
        if d.id == diagnostic_id:
            return d.run(ctx)
    raise KeyError(diagnostic_id)


def by_id(findings: Sequence[Finding], finding_id: str) -> Finding:
    for f in findings:
        if f.id == finding_id:
            return f
    raise KeyError(f"{finding_id} not in {[f.id for f in findings]}")


def sub(sid: str, account: str, mrr: float, start: date, end: date | None = None,
        ) -> dict[str, Any]:
    return {"subscription_id": sid, "account_id": account, "mrr": mrr, "start_date": start,
            "end_date": end}


def opp(oid: str, account: str | None = None, *, won: bool | None = None,
        closed: bool | None = None, created: date | None = date(2024, 1, 1),
        close: date | None = None, amount: float | None = None, stage: str = "Open",
        **extra: Any) -> dict[str, Any]:
    """An opportunity row; ``won`` True/False closes it, None leaves it open."""
    is_closed = closed if closed is not None else won is not None
    row = {"opportunity_id": oid, "account_id": account, "stage": stage,
           "is_closed": is_closed, "is_won": bool(won), "created_date": created,
           "close_date": close, "amount": amount}
    if won is True and stage == "Open":
        row["stage"] = "Closed Won"
    elif won is False and stage == "Open":
        row["stage"] = "Closed Lost"
    row.update(extra)
    return row
