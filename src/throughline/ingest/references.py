"""Enforced references resolve, against this call's rows and the store's.

A dangling row is refused naming file, row and value, or (``--skip-bad-rows``) set aside
for the quarantine (``tbl_<table>_dangling``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from throughline.core.errors import InputError
from throughline.core.settings import Settings
from throughline.evidence import SCHEMA
from throughline.ingest.part import MAX_EXAMPLES, Part, locate
from throughline.ingest.sql import ident, sql_str


def check_references(con: duckdb.DuckDBPyConnection, parts: list[Part], staged: dict[str, str],
                      settings: Settings, skip: bool) -> tuple[list[InputError], int]:
    problems: list[InputError] = []
    count = 0
    store_tables = _attach_read_only(con, settings)
    try:
        for table, name in sorted(staged.items()):
            for ref in SCHEMA[table].references:
                if not ref.enforced:
                    continue
                parents = []
                if ref.table in staged:
                    parents.append(f"SELECT {', '.join(ident(c) for c in ref.target_columns)} "
                                   f"FROM {ident(staged[ref.table])}")
                if store_tables and ref.table in store_tables:
                    parents.append(f"SELECT {', '.join(ident(c) for c in ref.target_columns)} "
                                   f"FROM ro.main.{ident(ref.table)}")
                cond = " AND ".join(f"c.{ident(a)} = p.{ident(b)}"
                                    for a, b in zip(ref.columns, ref.target_columns))
                parent_sql = " UNION ALL ".join(parents) if parents else (
                    "SELECT " + ", ".join(f"NULL::VARCHAR AS {ident(c)}"
                                          for c in ref.target_columns) + " WHERE false")
                dangling = (f"FROM {ident(name)} c WHERE NOT EXISTS (SELECT 1 FROM "
                            f"({parent_sql}) p WHERE {cond})")
                n = int(con.execute(f"SELECT count(*) {dangling}").fetchone()[0])
                if n == 0:
                    continue
                if skip:
                    con.execute(f"CREATE TEMP TABLE {ident(name + '_dangling')} AS "
                                f"SELECT * {dangling}")
                    con.execute(f"DELETE FROM {ident(name)} c WHERE NOT EXISTS (SELECT 1 FROM "
                                f"({parent_sql}) p WHERE {cond})")
                    for k, p in enumerate(x for x in parts if x.source.table == table):
                        m = int(con.execute(f"SELECT count(*) FROM {ident(name + '_dangling')} "
                                            f"WHERE _part = {k}").fetchone()[0])
                        p.bad += m
                        p.rows -= m
                    continue
                count += n
                cols = ", ".join(f"c.{ident(a)}" for a in ref.columns)
                examples = con.execute(f"SELECT DISTINCT {cols} {dangling} ORDER BY 1 "
                                       f"LIMIT {MAX_EXAMPLES}").fetchall()
                for ex in examples:
                    file, rows = locate(con, parts, table, ref.columns, tuple(ex))
                    problems.append(InputError(
                        f"{n} {table} row(s) point to a missing {ref.table} row",
                        file=file or None, row=rows[0] if rows else None,
                        column=", ".join(ref.columns),
                        value=", ".join(str(v) for v in ex),
                        expected=f"an existing {ref.table}.{', '.join(ref.target_columns)} "
                        "(in this call or already ingested)",
                    ))
    finally:
        if store_tables is not None:
            con.execute("DETACH ro")
    return problems, count


def _attach_read_only(con: duckdb.DuckDBPyConnection, settings: Settings) -> set[str] | None:
    """The store's canonical tables, attached read-only as ``ro`` for reference checks.

    None for a warehouse backend: references to rows already there are not re-checked (the
    rows of this call still are).
    """
    if not settings.is_embedded:
        return None
    path = Path(settings.backend_url[len("duckdb://"):])
    if not path.exists():
        con.execute("ATTACH ':memory:' AS ro")
        return set()
    con.execute(f"ATTACH {sql_str(str(path))} AS ro (READ_ONLY)")
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'ro'").fetchall()}
