"""One staged table per canonical table, and its keys unique within the call.

Duplicate keys are refused naming file and rows, or (``--skip-bad-rows``) all but the
first are set aside for the quarantine (``tbl_<table>_dups``).
"""

from __future__ import annotations

import duckdb

from throughline.core.errors import InputError
from throughline.evidence import SCHEMA
from throughline.ingest.part import MAX_EXAMPLES, Part, locate
from throughline.ingest.sql import ident

HASH_SORT_ROWS = 32_000_000  # key uniqueness by sorting hashes in memory up to 256 MB


def combine_tables(con: duckdb.DuckDBPyConnection, parts: list[Part], skip: bool
             ) -> tuple[dict[str, str], list[InputError], int]:
    """One staged table per canonical table; keys must be unique within the call.

    A table fed by one clean file keeps that file's staging table (no copy); otherwise the
    good rows of its files are gathered, with their file and row, into ``tbl_<table>``.
    """
    by_table: dict[str, list[Part]] = {}
    for p in parts:
        by_table.setdefault(p.source.table or "", []).append(p)
    staged: dict[str, str] = {}
    problems: list[InputError] = []
    count = 0
    for table, tparts in sorted(by_table.items()):
        t = SCHEMA[table]
        if len(tparts) == 1 and not skip and tparts[0].bad == 0:
            name = tparts[0].staged
        else:
            cols = ", ".join(ident(c) for c in t.column_names)
            selects = []
            for k, p in enumerate(tparts):
                assert p.compiled is not None
                ok = " AND ".join(f"_err{m} = 0" for m in range(p.compiled.masks))
                rowcol = "_row" if skip else "NULL::BIGINT AS _row"
                selects.append(f"SELECT {cols}, {k} AS _part, {rowcol} FROM "
                               f"{ident(p.staged)} WHERE {ok}")
            name = f"tbl_{table}"
            con.execute(f"CREATE TABLE {ident(name)} AS {' UNION ALL '.join(selects)}")
        keys = ", ".join(ident(k) for k in t.key)
        # candidates by a 64-bit hash of the key, then exactly
        candidates = (f"SELECT h FROM (SELECT hash({keys}) AS h FROM {ident(name)}) "
                      f"GROUP BY h HAVING count(*) > 1")
        if not _may_repeat(con, name, keys, candidates):
            staged[table] = name
            continue
        among = f"(SELECT * FROM {ident(name)} WHERE hash({keys}) IN ({candidates}))"
        dups = con.execute(
            f"SELECT {keys}, count(*) AS n FROM {among} GROUP BY {keys} HAVING count(*) > 1 "
            f"ORDER BY n DESC, {keys} LIMIT {MAX_EXAMPLES}").fetchall()
        if dups:
            ndup = int(con.execute(
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {among} "
                f"GROUP BY {keys} HAVING count(*) > 1)").fetchone()[0])
            if skip:
                _drop_duplicates(con, name, t.key, tparts)
            else:
                count += ndup
                for d in dups:
                    key_text = ", ".join(f"{k}={v}" for k, v in zip(t.key, d[:-1]))
                    file, rows = locate(con, tparts, table, t.key, tuple(d[:-1]))
                    problems.append(InputError(
                        f"duplicate key {key_text} appears {d[-1]} times"
                        + (f" (rows {', '.join(map(str, rows))})" if rows else "")
                        + f"; {ndup} extra rows in all",
                        file=file or None, row=rows[0] if rows else None,
                        column=", ".join(t.key), expected="each key once",
                    ))
        staged[table] = name
    return staged, problems, count


def _may_repeat(con: duckdb.DuckDBPyConnection, name: str, keys: str, candidates: str
                ) -> bool:
    """Whether two rows of ``name`` share a key hash (False proves the keys unique).

    Sorting the hashes (8 bytes a row, vectorised in numpy) costs a fraction of DuckDB's
    aggregate over millions of distinct groups; past HASH_SORT_ROWS the aggregate keeps the
    memory bounded.
    """
    rows = int(con.execute(f"SELECT count(*) FROM {ident(name)}").fetchone()[0])
    if rows <= HASH_SORT_ROWS:
        import numpy as np

        hashes = np.sort(con.execute(f"SELECT hash({keys}) AS h FROM {ident(name)}")
                         .fetchnumpy()["h"])
        return bool(np.any(hashes[1:] == hashes[:-1]))
    return int(con.execute(f"SELECT count(*) FROM ({candidates})").fetchone()[0]) > 0


def _drop_duplicates(con: duckdb.DuckDBPyConnection, name: str, key: tuple[str, ...],
                     tparts: list[Part]) -> None:
    keys = ", ".join(ident(k) for k in key)
    con.execute(
        f"CREATE TEMP TABLE {ident(name + '_dups')} AS SELECT * FROM (SELECT *, row_number() "
        f"OVER (PARTITION BY {keys} ORDER BY _part, _row) AS _k FROM {ident(name)}) WHERE _k > 1")
    con.execute(
        f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT * EXCLUDE (_k) FROM (SELECT *, "
        f"row_number() OVER (PARTITION BY {keys} ORDER BY _part, _row) AS _k FROM "
        f"{ident(name)}) WHERE _k = 1")
    for k, p in enumerate(tparts):
        n = con.execute(f"SELECT count(*) FROM {ident(name + '_dups')} WHERE _part = {k}"
                        ).fetchone()[0]
        p.bad += int(n)
        p.rows -= int(n)
