"""Tiny stores for the data-fitness gate's unit tests (values stated by each test)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tests.diagnose.stores import Rows, build_store
from throughline.diagnose.fitness import Fitness, inspect
from throughline.diagnose.registry import DiagnoseContext, DiagnoseOptions

TODAY = date(2025, 7, 15)


def gate(tables: Mapping[str, Rows], *, sql: tuple[str, ...] = (), as_of: date | None = None,
         today: date = TODAY, **options: Any) -> tuple[Fitness, DiagnoseContext]:
    """Inspect a store holding ``tables`` (plus rows inserted by ``sql``)."""
    store = build_store(tables)
    for statement in sql:
        store.con.raw_sql(statement)
    ctx = DiagnoseContext(store=store, options=DiagnoseOptions(**options))
    return inspect(ctx, as_of=as_of, today=today), ctx


def ids(fit: Fitness) -> list[str]:
    return [i.id for i in fit.issues]


def one(fit: Fitness, issue_id: str) -> Any:
    [found] = [i for i in fit.issues if i.id == issue_id]
    return found


def opp(oid: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"opportunity_id": oid, "stage": "Proposal", "is_closed": False,
                           "is_won": False, "created_date": date(2025, 1, 1),
                           "channel": "website", "lead_source": "Web", "motion": "inbound",
                           "amount": 100.0}
    row.update(kw)
    return row


def records_of(ctx: DiagnoseContext, expr: Any) -> list[dict[str, Any]]:
    """Rows of a small expression, missing values as None."""
    from throughline.diagnose.toolkit import records

    return records(ctx.execute(expr))
