"""The per-run memo of DiagnoseContext: one compile and one execution per distinct query."""

from __future__ import annotations

import ibis

from tests.diagnose.stores import build_store
from throughline.diagnose.registry import DiagnoseContext


def ctx_with_rows() -> DiagnoseContext:
    store = build_store({"accounts": [{"account_id": "a", "segment": "smb"},
                                      {"account_id": "b", "segment": "mid"}]})
    return DiagnoseContext(store=store)


def test_same_query_runs_once_and_hands_out_copies() -> None:
    ctx = ctx_with_rows()
    calls: list[object] = []
    con = ctx.store.con
    original = type(con).execute

    def counting(self, expr, /, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(expr)
        return original(self, expr, **kwargs)

    type(con).execute = counting
    try:
        t = ctx.table("accounts")
        assert t is not None
        first = ctx.execute(t.group_by("segment").aggregate(n=t.count()))
        first["n"] = 99  # the caller's copy, not the memo's
        again = ctx.table("accounts")
        second = ctx.execute(again.group_by("segment").aggregate(n=again.count()))
    finally:
        type(con).execute = original
    assert len(calls) == 1  # built twice, structurally equal: executed once
    assert sorted(second["n"]) == [1, 1]
    assert "compile" not in vars(con)  # the backend's own compile is back


def test_evidence_sql_is_the_compiled_query() -> None:
    ctx = ctx_with_rows()
    t = ctx.table("accounts")
    assert t is not None
    expr = t.filter(t.segment == "smb").count()
    assert ctx.execute(expr) == 1
    assert ctx.sql(expr) == str(ibis.to_sql(expr, dialect="duckdb"))


def temporary_tables(ctx: DiagnoseContext) -> set[str]:
    return {t for t in ctx.store.con.list_tables() if "diagnose_shared" in t}


def test_shared_intermediate_is_materialized_once_and_read_from() -> None:
    ctx = ctx_with_rows()
    t = ctx.table("accounts")
    assert t is not None
    shared = ctx.shared(t.mutate(upper=t.segment.upper()))
    assert temporary_tables(ctx) == set()  # marking it runs nothing
    by_segment = shared.group_by("upper").aggregate(n=shared.count())
    total = shared.aggregate(n=shared.count())
    assert sorted(ctx.execute(by_segment)["upper"]) == ["MID", "SMB"]
    assert int(ctx.execute(total)["n"].iloc[0]) == 2
    (name,) = temporary_tables(ctx)  # one table, both queries read it
    # the evidence is the whole query, runnable on its own against the store
    assert name not in ctx.sql(by_segment)
    assert ctx.sql(by_segment) == str(ibis.to_sql(by_segment, dialect="duckdb"))
    ctx.release()
    assert temporary_tables(ctx) == set()


def test_shared_inside_shared_is_materialized_first() -> None:
    ctx = ctx_with_rows()
    t = ctx.table("accounts")
    assert t is not None
    inner = ctx.shared(t.filter(t.segment == "smb"))
    outer = ctx.shared(inner.mutate(flag=inner.segment.length() > 2))
    assert int(ctx.execute(outer.count())) == 1
    assert int(ctx.execute(inner.count())) == 1
    assert len(temporary_tables(ctx)) == 2
    ctx.release()
    assert temporary_tables(ctx) == set()


def test_a_backend_without_temporary_tables_computes_shared_intermediates_inline() -> None:
    ctx = ctx_with_rows()
    con = ctx.store.con
    original = type(con).create_table

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise NotImplementedError("Temporary tables are not supported by this backend")

    type(con).create_table = refuse
    try:
        t = ctx.table("accounts")
        assert t is not None
        shared = ctx.shared(t.mutate(upper=t.segment.upper()))
        by_segment = ctx.execute(shared.group_by("upper").aggregate(n=shared.count()))
        total = ctx.execute(shared.aggregate(n=shared.count()))
    finally:
        type(con).create_table = original
    assert sorted(by_segment["upper"]) == ["MID", "SMB"]
    assert int(total["n"].iloc[0]) == 2
    assert temporary_tables(ctx) == set()
    ctx.release()
