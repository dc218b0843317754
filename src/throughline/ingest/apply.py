"""Write validated rows into the store in one transaction (all or nothing).

Embedded DuckDB: when there is no store yet, the validated staging file becomes the store
(one atomic link, no copy). Otherwise the store is **written aside and swapped**: it is
copied to ``evidence.duckdb.next``, the staging connection ATTACHes the copy and replaces
rows by key inside ``BEGIN … COMMIT``, checkpoints and detaches it, and the copy is then
renamed over the store (``os.replace``, atomic). The store file itself is never opened for
writing, so a process killed at any instant leaves it byte-for-byte as it was (the copy is
removed by the next ingest, see ``guard.py``), and readers keep reading the old file until
the swap. Any
other Ibis backend: the staged tables are shipped as Arrow and merged with portable SQL
inside the backend's transaction.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from throughline.core.errors import StoreError
from throughline.evidence import SCHEMA
from throughline.ingest.guard import ASIDE_SUFFIX
from throughline.ingest.sql import ident, sql_str
from throughline.ingest.report import TableReport

QUARANTINE = "_quarantine"
INGESTS = "_ingests"
QUARANTINE_DDL = (
    "ingest_id VARCHAR, file VARCHAR, row BIGINT, table_name VARCHAR, column_name VARCHAR, "
    "value VARCHAR, reason VARCHAR, ingested_at TIMESTAMP"
)
INGESTS_DDL = (
    "ingest_id VARCHAR, ingested_at TIMESTAMP, profiles VARCHAR, files VARCHAR, "
    "rows_loaded BIGINT, rows_rejected BIGINT"
)


def _key_join(table: str, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{ident(k)} = {right}.{ident(k)}" for k in SCHEMA[table].key)


def publish_new_store(stage_path: Path, store_path: Path) -> bool:
    """Make the validated staging file the store, when there is no store yet.

    The staging database already holds exactly the store's new content, so it is linked
    into place instead of copied: atomic, and it never replaces a store that appeared in
    the meantime (False then, and the caller merges into that store instead). The staging
    connection must be closed (checkpointed, no WAL) before this is called.
    """
    if Path(str(stage_path) + ".wal").exists():
        return False
    store_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(stage_path, store_path)
    except OSError:  # exists already, or a file system without hard links
        return False
    return True


def apply_embedded(
    con: duckdb.DuckDBPyConnection,
    store_path: Path,
    tables: list[str],
    ingest_id: str,
) -> list[TableReport]:
    """Merge the staging database's tables into the DuckDB store file atomically.

    ``con`` is the staging connection; its main database holds each canonical table under
    its own name, ``_quarantine`` and ``_ingests`` (see ``publish.finalize``).
    """
    store_path.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(str(store_path) + ASIDE_SUFFIX)
    reports: list[TableReport] = []
    try:
        if store_path.exists():
            shutil.copyfile(store_path, aside)
        con.execute(f"ATTACH {sql_str(str(aside))} AS store")
    except (OSError, duckdb.Error) as exc:
        _discard(aside)
        raise StoreError(
            f"cannot write a new version of the store {store_path}: {exc}",
            hint="check the disk space and permissions of the workspace",
        ) from exc
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("BEGIN TRANSACTION")
        for table in sorted(tables):
            t = SCHEMA[table]
            stg = f"main.{ident(table)}"
            con.execute(t.ddl(f"store.main.{ident(table)}"))
            cols = ", ".join(ident(c) for c in t.column_names)
            rows = con.execute(f"SELECT count(*) FROM {stg}").fetchone()[0]
            replaced = con.execute(
                f"DELETE FROM store.main.{ident(table)} AS s USING {stg} AS n "
                f"WHERE {_key_join(table, 's', 'n')}"
            ).fetchone()[0]
            con.execute(f"INSERT INTO store.main.{ident(table)} ({cols}) "
                        f"SELECT {cols} FROM {stg}")
            total = con.execute(f"SELECT count(*) FROM store.main.{ident(table)}").fetchone()[0]
            reports.append(TableReport(table=table, rows_read=int(rows),
                                       inserted=int(rows) - int(replaced),
                                       replaced=int(replaced), total_after=int(total)))
        for name, ddl in ((QUARANTINE, QUARANTINE_DDL), (INGESTS, INGESTS_DDL)):
            con.execute(f"CREATE TABLE IF NOT EXISTS store.main.{name} ({ddl})")
            con.execute(f"INSERT INTO store.main.{name} SELECT * FROM main.{name}")
        con.execute("COMMIT")
        con.execute("RESET max_vacuum_tasks")  # the store's checkpoint vacuums as usual
        con.execute("CHECKPOINT store")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        con.execute("DETACH store")
        _discard(aside)
        raise
    con.execute("DETACH store")
    _swap(aside, store_path)
    return reports


def _discard(aside: Path) -> None:
    for suffix in ("", ".wal"):
        Path(str(aside) + suffix).unlink(missing_ok=True)


def _swap(aside: Path, store_path: Path) -> None:
    """Make the written-aside copy the store: flushed to disk, then one atomic rename."""
    fd = os.open(aside, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(aside, store_path)
    try:
        dfd = os.open(store_path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def apply_ibis(
    con: duckdb.DuckDBPyConnection,
    backend: Any,
    staged: dict[str, str],
    ingest_id: str,
    meta: dict[str, Any],
) -> list[TableReport]:
    """Merge staged tables into any Ibis SQL backend (Postgres, …) in one transaction."""
    import ibis

    reports: list[TableReport] = []
    present = set(backend.list_tables())
    arrow = {t: _arrow(con, f"SELECT {', '.join(ident(c) for c in SCHEMA[t].column_names)} "
                            f"FROM {ident(s)}") for t, s in staged.items()}
    for table in sorted(staged):
        schema = ibis.schema({c.name: _ibis_type(c.type.value) for c in SCHEMA[table].columns})
        if table not in present:
            backend.create_table(table, schema=schema)
    tmps = {t: f"_stg_{ingest_id[:8]}_{t}" for t in staged}
    before = {t: int(backend.table(t).count().execute()) for t in sorted(staged)}
    try:
        for table in sorted(staged):
            backend.raw_sql(f"DROP TABLE IF EXISTS {ident(tmps[table])}")
            backend.create_table(tmps[table], obj=arrow[table])
        with backend.begin() as cur:  # every table in one transaction
            for table in sorted(staged):
                cond = " AND ".join(f"t.{ident(k)} = s.{ident(k)}" for k in SCHEMA[table].key)
                cols = ", ".join(ident(c) for c in SCHEMA[table].column_names)
                cur.execute(f"DELETE FROM {ident(table)} t WHERE EXISTS "
                            f"(SELECT 1 FROM {ident(tmps[table])} s WHERE {cond})")
                cur.execute(f"INSERT INTO {ident(table)} ({cols}) SELECT {cols} "
                            f"FROM {ident(tmps[table])}")
    finally:
        for tmp in tmps.values():
            backend.raw_sql(f"DROP TABLE IF EXISTS {ident(tmp)}")
    for table in sorted(staged):
        after = int(backend.table(table).count().execute())
        rows = arrow[table].num_rows
        replaced = before[table] + rows - after
        reports.append(TableReport(table=table, rows_read=rows, inserted=rows - replaced,
                                   replaced=replaced, total_after=after))
    return reports


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    result = con.execute(sql)
    return result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.arrow()


def _ibis_type(t: str) -> str:
    return {"string": "string", "integer": "int64", "decimal": "float64", "boolean": "boolean",
            "date": "date", "timestamp": "timestamp"}[t]
