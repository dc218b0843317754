"""The rows ``--skip-bad-rows`` rejected, with their reasons, for the ``_quarantine`` table."""

from __future__ import annotations

import duckdb

from throughline.evidence import SCHEMA
from throughline.ingest.apply import QUARANTINE
from throughline.ingest.part import Part
from throughline.ingest.sql import ident, sql_str
from throughline.ingest.report import QuarantinedRow


def quarantine_sql(con: duckdb.DuckDBPyConnection, parts: list[Part], ingest_id: str) -> str:
    """Rows rejected with their reasons, as a SELECT over the staging tables."""
    selects = []
    for p in parts:
        assert p.compiled is not None
        for c in p.compiled.checks:
            reason = {"type": "expected " + c.expected, "required": "required value is blank",
                      "non_negative": "negative value", "range": "expected " + c.expected,
                      "allowed": "expected " + c.expected}[c.kind]
            selects.append(
                f"SELECT {sql_str(ingest_id)}, {sql_str(str(p.opened.path))}, _row, "
                f"{sql_str(p.source.table or '')}, {sql_str(c.source_column)}, "
                f"CAST({_raw_for_row(p, c.column)} AS VARCHAR), {sql_str(reason)}, "
                f"now()::TIMESTAMP FROM {ident(p.staged)} s "
                f"WHERE (_err{c.mask} >> {c.bit}) & 1 = 1")
        table = p.source.table or ""
        t = SCHEMA[table]
        for suffix, reason in (("_dups", "duplicate key"),
                               ("_dangling", "points to a missing parent row")):
            name = f"tbl_{table}{suffix}"
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0]
            if exists:
                k = [x for x in parts if x.source.table == table].index(p)
                selects.append(
                    f"SELECT {sql_str(ingest_id)}, {sql_str(str(p.opened.path))}, _row, "
                    f"{sql_str(table)}, {sql_str(', '.join(t.key))}, "
                    f"CAST({ident(t.key[0])} AS VARCHAR), {sql_str(reason)}, now()::TIMESTAMP "
                    f"FROM {ident(name)} WHERE _part = {k}")
    return " UNION ALL ".join(selects) if selects else ""


def _raw_for_row(part: Part, column: str) -> str:
    """The typed value is NULL for a failed cast, so show what we can: the column itself."""
    return f"s.{ident('_raw_' + column)}"


def quarantine_examples(con: duckdb.DuckDBPyConnection) -> list[QuarantinedRow]:
    rows = con.execute(f"SELECT * FROM {QUARANTINE} ORDER BY 2, 3 LIMIT 10").fetchall()
    return [QuarantinedRow(file=r[1], row=r[2], table=r[3], column=r[4], value=r[5],
                           reason=r[6]) for r in rows]
