"""Parquet through DuckDB's ``read_parquet``, after checking the file is whole."""

from __future__ import annotations

from pathlib import Path

import duckdb

from throughline.core.errors import InputError
from throughline.ingest.readers.base import OpenedFile, duckdb_error
from throughline.ingest.sql import sql_str


def open_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, head: bytes, size: int, view_name: str
) -> OpenedFile:
    with path.open("rb") as fh:
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    if not head.startswith(b"PAR1") or tail != b"PAR1":
        raise InputError(
            "not a complete Parquet file (the PAR1 markers are missing: truncated or "
            "another format)", file=str(path), expected="a Parquet file",
        )
    relation = f"read_parquet({sql_str(str(path))})"
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "Parquet") from exc
    return OpenedFile(path=path, format="parquet", relation=relation,
                      columns=[r[0] for r in desc], types={r[0]: r[1] for r in desc})
