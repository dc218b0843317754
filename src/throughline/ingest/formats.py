"""Date and number formats decided from the data, for columns whose mapping gives none.

The first rows are tried before the full scan (``sample_date_failures``); a column whose
values are not ISO is tried against common formats on all its values
(``detect_date_formats``); a value that two complete formats read differently is refused
as ambiguous unless the mapping gives a ``format:``. A number column whose values failed
gets its separators from the values written only one way (``detect_number_formats``).
"""

from __future__ import annotations

from typing import Any

import duckdb

from throughline.core.errors import InputError
from throughline.ingest.numbers import EU, EU_DIGITS, US, US_DIGITS, digits_sql, shape_sql
from throughline.ingest.part import Part
from throughline.ingest.readers import duckdb_error
from throughline.ingest.sql import sql_str
from throughline.ingest.readers import OpenedFile
from throughline.ingest.transform import Compiled

DATE_SAMPLE_ROWS = 2048  # first rows looked at for dates that are not ISO
DATE_CANDIDATES = [
    "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%m/%d/%y",
    "%d/%m/%y", "%d %b %Y", "%b %d, %Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d", "%Y-%m-%d",
]
TIME_SUFFIXES = ["", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p"]


def sample_date_failures(con: duckdb.DuckDBPyConnection, part: Part,
                          compiled: Compiled) -> set[str]:
    """Date columns (with no format yet) whose type check fails in the file's first rows."""
    checks = [c for c in compiled.checks
              if c.kind == "type" and c.column in compiled.date_columns
              and not part.source.columns[c.column].formats
              and c.column not in part.date_formats]
    if not checks:
        return set()
    head = f"(SELECT * FROM {part.opened.relation} LIMIT {DATE_SAMPLE_ROWS})"
    sums = ", ".join(f"count(*) FILTER ((_err{c.mask} >> {c.bit}) & 1 = 1)" for c in checks)
    try:
        row = con.execute(f"SELECT {sums} FROM ({compiled.build(relation=head)})").fetchone()
    except duckdb.Error:
        return set()  # the full scan reports what is wrong with the file
    return {c.column for c, n in zip(checks, row) if n}


def detect_date_formats(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
                         columns: set[str]) -> bool:
    """Find the format of these date columns if not ISO; True when typing must be redone."""
    changed = False
    for check in compiled.checks:
        if check.kind != "type" or check.column not in columns:
            continue
        spec = part.source.columns[check.column]
        if spec.formats or check.column in part.date_formats:
            continue
        v = check.raw_sql
        cands = [d + t for d in DATE_CANDIDATES for t in TIME_SUFFIXES]
        try:
            total, iso, complete, hits = _date_counts(con, part, v, cands)
        except duckdb.Error as exc:
            raise duckdb_error(part.opened.path, exc, part.opened.format.upper()) from exc
        if total == 0 or (total if complete else max(hits)) <= iso:
            continue  # ISO reads the most values: the rest are plain bad values
        if not complete:
            best = max(range(len(cands)), key=lambda i: (hits[i], -i))
            part.date_formats[check.column] = [cands[best]]
            changed = True
            continue
        ambiguous = _ambiguous(con, part, v, complete)
        if ambiguous:
            fa, fb, example = ambiguous
            raise InputError(
                f"ambiguous dates: {example!r} reads as {fa} and as {fb}",
                file=str(part.opened.path), column=check.source_column,
                hint=f"say which in a mapping: `{check.column}: {{from: {check.source_column}, "
                f"format: \"{fa}\"}}`",
            )
        part.date_formats[check.column] = [complete[0]]
        changed = True
    return changed


def _date_counts(con: duckdb.DuckDBPyConnection, part: Part, v: str, cands: list[str]
                 ) -> tuple[int, int, list[str], list[int]]:
    """Non-blank values, ISO-readable ones, and the candidate formats reading every value.

    A format that fails on one of the first values cannot read every value, so the whole
    column is counted only for the formats that read all of the first ones. When none of
    those reads every value, every candidate is counted (``hits``, for the best partial
    fit); otherwise ``hits`` is empty: the complete formats read the most values.
    """
    values = f"(SELECT {v} AS v FROM {part.opened.relation}) WHERE v IS NOT NULL"

    def counts(formats: list[str], source: str) -> list[int]:
        parsed = "".join(f", count(try_strptime(v, {sql_str(f)}))" for f in formats)
        return [int(x) for x in con.execute(
            f"SELECT count(v), count(TRY_CAST(v AS TIMESTAMPTZ)){parsed} FROM {source}"
        ).fetchone()]

    head = counts(cands, f"(SELECT v FROM {values} LIMIT {DATE_SAMPLE_ROWS})")
    survivors = [f for f, h in zip(cands, head[2:]) if h == head[0]]
    if survivors and len(survivors) < len(cands):
        row = counts(survivors, values)
        complete = [f for f, h in zip(survivors, row[2:]) if h == row[0]]
        if complete:
            return row[0], row[1], complete, []
    row = counts(cands, values)
    return row[0], row[1], [f for f, h in zip(cands, row[2:]) if h == row[0]], row[2:]


def _ambiguous(con: duckdb.DuckDBPyConnection, part: Part, v: str,
               complete: list[str]) -> tuple[str, str, str] | None:
    for i, fa in enumerate(complete):
        for fb in complete[i + 1:]:
            row = con.execute(
                f"SELECT any_value(v) FROM (SELECT {v} AS v FROM {part.opened.relation}) "
                f"WHERE v IS NOT NULL AND try_strptime(v, {sql_str(fa)}) "
                f"<> try_strptime(v, {sql_str(fb)})").fetchone()
            if row and row[0] is not None:
                return fa, fb, str(row[0])
    return None


def detect_number_formats(
    con: Any, opened: OpenedFile, compiled: Compiled, columns: set[str],
    formats: dict[str, list[str]],
) -> bool:
    """Decide the separators of number columns whose values failed, from all their values.

    A value written only one way counts as evidence ("1.200,50", "1,5", "1.234.567" are
    1.234,56; "1,200.50", "0.125", "1234.5" are 1,234.56). One kind of evidence decides the
    column (stored in ``formats`` for the next compile; True when the file must be typed
    again); none leaves the ambiguous values refused; both is refused here, naming a value
    of each kind.
    """
    cols = [c for c in compiled.number_columns if c in columns and c not in formats
            and c in compiled.raw_sql]
    if not cols:
        return False
    items = []
    for j, c in enumerate(cols):
        v = compiled.raw_sql[c]
        g = digits_sql(f"v{j}")
        us = f"regexp_full_match({g}, {sql_str(US_DIGITS)})"
        eu = f"regexp_full_match({g}, {sql_str(EU_DIGITS)})"
        shape = shape_sql(f"v{j}")
        items.append((v, f"{shape} AND {us} AND NOT {eu}", f"{shape} AND {eu} AND NOT {us}"))
    inner = ", ".join(f"{v} AS v{j}" for j, (v, _, _) in enumerate(items))
    aggs = ", ".join(
        f"min(_r) FILTER ({us}), any_value(v{j}) FILTER ({us}), "
        f"min(_r) FILTER ({eu}), any_value(v{j}) FILTER ({eu})"
        for j, (_, us, eu) in enumerate(items))
    row = con.execute(f"SELECT {aggs} FROM (SELECT row_number() OVER () AS _r, {inner} "
                      f"FROM {opened.relation})").fetchone()
    changed = False
    for j, c in enumerate(cols):
        us_row, us_val, eu_row, eu_val = row[4 * j: 4 * j + 4]
        check = next(k for k in compiled.checks if k.column == c)
        if us_row is not None and eu_row is not None:
            raise InputError(
                f"the column mixes number formats: row {us_row} has {us_val!r} (1,234.56) "
                f"and row {eu_row} has {eu_val!r} (1.234,56)",
                file=str(opened.path), row=int(eu_row), column=check.source_column,
                value=str(eu_val), expected="one number format per column",
                hint=f"fix the rows, or set number_format: \"{EU}\" or \"{US}\" on {c} in "
                "a mapping",
            )
        if us_row is not None or eu_row is not None:
            formats[c] = [US if us_row is not None else EU]
            changed = True
    return changed
