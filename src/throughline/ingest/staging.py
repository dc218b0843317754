"""The staging database, and each (file, source) typed and checked into it in one scan.

``stage_part`` compiles the source (``transform``), decides date and number formats the
mapping does not give (``formats``), writes the typed rows with their error bits into a
staging table, and names the first failing rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from throughline.core.errors import InputError
from throughline.core.settings import Settings
from throughline.evidence import SCHEMA
from throughline.ingest.formats import (
    detect_date_formats,
    detect_number_formats,
    sample_date_failures,
)
from throughline.ingest.part import MAX_EXAMPLES, Part
from throughline.ingest.readers import csv_read_error, duckdb_error
from throughline.ingest.sql import ident
from throughline.ingest.transform import Compiled, compile_source

STAGE_FILE = "stage.duckdb"


def open_staging(settings: Settings, workdir: Path) -> duckdb.DuckDBPyConnection:
    """The staging database: a DuckDB file in the work folder.

    Typed rows are written once, compressed, into this file. When the store does not exist
    yet, the validated file itself becomes the store (see ``apply.publish_new_store``);
    otherwise its tables are merged into the store in one transaction.

    Checkpoints here do not vacuum: a bulk load leaves some row groups part-full at the
    reader's batch boundaries, and merging them at checkpoint rewrites (re-compresses) the
    data and leaves the old blocks as free space in the file. The merge into an existing
    store vacuums as usual (see ``apply.apply_embedded``).

    FSST string compression is off (for the merge into an existing store too, which runs on
    this connection): choosing and building its symbol tables was about a sixth of a large
    load's CPU, nearly all of it spent on unique ids, the only strings it shrinks.
    Repeated strings still get dictionary compression. The price is disk: at sample scale
    500 the store is about 590 MB instead of 310 MB (the CSVs are 1.8 GB).
    """
    con = duckdb.connect(str(workdir / STAGE_FILE),
                         config={"memory_limit": settings.duckdb_memory_limit,
                                 "temp_directory": str(workdir / "spill"),
                                 "preserve_insertion_order": True,
                                 "max_vacuum_tasks": 0})
    if settings.duckdb_threads:
        con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET disabled_compression_methods = 'fsst'")  # ignored as a connect() config
    return con


def stage_part(
    con: duckdb.DuckDBPyConnection, part: Part, lookups: dict[str, str], skip: bool
) -> tuple[int, list[InputError]]:
    table = SCHEMA[part.source.table or ""]
    compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
    # dates that are not ISO already fail in the first rows: find their format before the
    # full scan rather than after it (the same decision, made on the same whole column)
    early = sample_date_failures(con, part, compiled)
    if early and detect_date_formats(con, part, compiled, early):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
    counts = _run_stage(con, part, compiled, skip)
    failing = {c.column for c, n in zip(compiled.checks, counts)
               if n and c.kind == "type" and c.column in compiled.date_columns}
    if failing and detect_date_formats(con, part, compiled, failing):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
        counts = _run_stage(con, part, compiled, skip)
    numbers = {c.column for c, n in zip(compiled.checks, counts)  # "1.200,50 €", "€1.200"
               if n and c.kind == "type" and c.column in compiled.number_columns}
    if numbers and detect_number_formats(con, part.opened, compiled, numbers,
                                         part.date_formats):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
        counts = _run_stage(con, part, compiled, skip)
    part.compiled = compiled
    if part.bad == 0:
        return 0, []
    if skip:
        part.rows -= part.bad
        return part.bad, []
    return part.bad, _examples(con, part, compiled, counts)


def _run_stage(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
               with_rows: bool) -> list[int]:
    """Type and check the file into its staging table (one scan); per-check failure counts.

    Sets ``part.rows`` and ``part.bad``; the per-check counts are only computed (from the
    staged error bits, not the file) when some row failed.
    """
    extra: dict[str, str] = {}
    if with_rows:  # --skip-bad-rows keeps row numbers and raw text for the quarantine
        extra["_row"] = "row_number() OVER ()"
        for c in {c.column: c for c in compiled.checks}.values():
            extra["_raw_" + c.column] = f"CAST({c.raw_sql} AS VARCHAR)"
    try:
        con.execute(f"CREATE OR REPLACE TABLE {ident(part.staged)} AS "
                    f"{compiled.build(extra=extra)}")
    except duckdb.Error as exc:
        if part.opened.format in ("csv", "tsv"):
            raise csv_read_error(part.opened, exc) from exc
        raise duckdb_error(part.opened.path, exc, part.opened.format.upper()) from exc
    mask_filter = " OR ".join(f"_err{m} <> 0" for m in range(compiled.masks))
    rows, bad = con.execute(f"SELECT count(*), count(*) FILTER ({mask_filter}) "
                            f"FROM {ident(part.staged)}").fetchone()
    part.rows, part.bad = int(rows), int(bad)
    if not compiled.checks or not part.bad:
        return [0] * len(compiled.checks)
    sums = ", ".join(f"count(*) FILTER ((_err{c.mask} >> {c.bit}) & 1 = 1)"
                     for c in compiled.checks)
    return [int(x) for x in con.execute(f"SELECT {sums} FROM {ident(part.staged)}").fetchone()]


def _examples(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
              counts: list[int]) -> list[InputError]:
    """Re-scan the file with row numbers, only to name the first failing rows."""
    failing = [(c, n) for c, n in zip(compiled.checks, counts) if n]
    extra = {"_row": "row_number() OVER ()"}
    extra.update({f"r{i}": c.raw_sql for i, (c, _) in enumerate(failing)})
    inner = compiled.build(extra=extra)
    out: list[InputError] = []
    for i, (check, n) in enumerate(failing):
        rows = con.execute(
            f"SELECT _row, r{i} FROM ({inner}) WHERE (_err{check.mask} >> {check.bit}) & 1 = 1 "
            f"ORDER BY _row LIMIT {MAX_EXAMPLES}").fetchall()
        for row_no, raw in rows:
            what = {
                "type": "not a valid " + _type_name(part, check.column),
                "required": "required value is blank",
                "non_negative": "negative value",
                "range": "value out of range",
                "allowed": "value not allowed",
            }[check.kind]
            out.append(InputError(
                what + (f" ({n} rows in all)" if n > 1 and not out else ""),
                file=str(part.opened.path), row=int(row_no), column=check.source_column,
                value=None if raw is None else str(raw), expected=check.expected,
            ))
    return out


def _type_name(part: Part, column: str) -> str:
    return SCHEMA[part.source.table or ""].column(column).type.value
