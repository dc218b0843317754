"""Leave the staging database holding exactly what the call adds, and write it to the store.

With no embedded store yet, the staging file becomes the store (``apply.publish_new_store``,
an atomic link); otherwise ``apply`` merges it into the embedded store or into any other
Ibis backend, in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from throughline.core.settings import Settings
from throughline.evidence import SCHEMA
from throughline.ingest.apply import (
    INGESTS,
    INGESTS_DDL,
    QUARANTINE,
    QUARANTINE_DDL,
    apply_embedded,
    apply_ibis,
    publish_new_store,
)
from throughline.ingest.part import Part
from throughline.ingest.sql import ident
from throughline.ingest.report import TableReport
from throughline.ingest.staging import STAGE_FILE, open_staging
from throughline.store import open_store


def finalize(con: duckdb.DuckDBPyConnection, parts: list[Part], staged: dict[str, str],
              ingest_id: str, meta: dict[str, object], quarantine_sql: str | None
              ) -> dict[str, int]:
    """Leave the staging database holding exactly what this call adds to the store.

    Each canonical table under its own name with its canonical columns (staging tables are
    renamed, their helper columns dropped: no copy), ``_quarantine`` with the rejected rows
    and ``_ingests`` with this call's row. Returns the row count per table.
    """
    con.execute(f"CREATE TABLE {QUARANTINE} ({QUARANTINE_DDL})")
    if quarantine_sql:
        con.execute(f"INSERT INTO {QUARANTINE} {quarantine_sql}")
    con.execute(f"CREATE TABLE {INGESTS} ({INGESTS_DDL})")
    con.execute(f"INSERT INTO {INGESTS} VALUES (?, ?, ?, ?, ?, ?)",
                [ingest_id, datetime.now(UTC).replace(tzinfo=None), meta["profiles"],
                 meta["files"], meta["rows"], meta["rejected"]])
    kept = set(staged.values())
    for p in parts:
        if p.staged not in kept:
            con.execute(f"DROP TABLE IF EXISTS {ident(p.staged)}")
    counts: dict[str, int] = {}
    for table, name in sorted(staged.items()):
        wanted = SCHEMA[table].column_names
        have = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [name]
        ).fetchall()]
        for col in have:
            if col not in wanted:
                con.execute(f"ALTER TABLE {ident(name)} DROP COLUMN {ident(col)}")
        con.execute(f"ALTER TABLE {ident(name)} RENAME TO {ident(table)}")
        counts[table] = int(con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0])
    return counts


def write_store(con: duckdb.DuckDBPyConnection, workdir: Path, settings: Settings,
                final: dict[str, int], ingest_id: str, meta: dict[str, object]
                ) -> list[TableReport]:
    """Publish the finalised staging database: the new store, or merged into the store.

    Closes ``con`` on the embedded paths (the staging file is then the store, or was
    merged through it).
    """
    if settings.is_embedded:
        store_path = Path(settings.backend_url[len("duckdb://"):])
        tables = None
        if not store_path.exists():
            tables = [TableReport(table=t, rows_read=n, inserted=n, total_after=n)
                      for t, n in final.items()]
            con.execute("CHECKPOINT")
            con.close()
            if not publish_new_store(workdir / STAGE_FILE, store_path):
                tables = None  # the store appeared meanwhile: merge into it instead
                con = open_staging(settings, workdir)
        if tables is None:
            try:
                tables = apply_embedded(con, store_path, sorted(final), ingest_id)
            finally:
                con.close()
    else:
        store = open_store(settings, read_only=False)
        try:
            tables = apply_ibis(con, store.con, {t: t for t in final}, ingest_id, meta)
        finally:
            store.close()
    return tables
