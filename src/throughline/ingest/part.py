"""One file feeding one table through one mapping source, as the load checks carry it.

``locate`` finds the file and row numbers of rows by their typed values, for refusals that
name a row (duplicate keys, dangling references).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from throughline.ingest.mapping import Mapping, Source
from throughline.ingest.readers import OpenedFile
from throughline.ingest.sql import ident
from throughline.ingest.transform import Compiled

MAX_EXAMPLES = 5  # failing rows named per problem


@dataclass
class Part:
    """One file feeding one table through one mapping source."""

    opened: OpenedFile
    mapping: Mapping
    source: Source
    staged: str = ""
    compiled: Compiled | None = None
    rows: int = 0
    bad: int = 0
    date_formats: dict[str, list[str]] = field(default_factory=dict)


def locate(con: duckdb.DuckDBPyConnection, parts: list[Part], table: str,
            columns: tuple[str, ...], values: tuple[object, ...]) -> tuple[str, list[int]]:
    """File and row numbers (1 = first data row) of rows with these typed values."""
    for p in parts:
        if p.source.table != table or p.compiled is None:
            continue
        inner = p.compiled.build(extra={"_row": "row_number() OVER ()"})
        cond = " AND ".join(f"{ident(c)} = ?" for c in columns)
        rows = [int(r[0]) for r in con.execute(
            f"SELECT _row FROM ({inner}) WHERE {cond} ORDER BY _row LIMIT 3", list(values)
        ).fetchall()]
        if rows:
            return str(p.opened.path), rows
    return "", []
