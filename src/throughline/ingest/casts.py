"""Text to canonical types in SQL: numbers, booleans, dates and timestamps (as UTC wall-clock
time), with a direct cast where it reads the same value as the full path."""

from __future__ import annotations

from throughline.evidence.schema import Column, ColumnType
from throughline.ingest.mapping import ColumnSpec
from throughline.ingest.numbers import (
    DOT_AMBIGUOUS,
    number_fast,
    number_mode,
    number_parse,
    number_slow,
)
from throughline.ingest.sql import sql_str

# A timestamp as UTC wall-clock time. Text without a UTC offset casts straight to TIMESTAMP
# (the session time zone is UTC, so that is what TIMESTAMPTZ would give): that is any text
# of at most 10 characters (an offset needs a time before it) and any without a '+' or a
# '-' after the date. So does text ending in a zero offset ('+0000', '+00:00', as
# Salesforce writes every timestamp): the TIMESTAMP cast reads and drops the offset, which
# changes nothing when it is zero. Text with another offset goes through TIMESTAMPTZ, whose
# epoch is the UTC time; the last fallback is the plain ICU conversion, for the odd value
# the others cannot carry. The fallbacks sit inside CASE so DuckDB's common-subexpression
# pass cannot hoist the TIMESTAMPTZ cast out of COALESCE and run it (slowly, through ICU)
# for every row.
TS_PARSE = (
    "COALESCE(CASE WHEN strlen({v}) <= 10 OR (NOT contains({v}, '+') "
    "AND NOT contains(substr({v}, 9), '-')) OR suffix({v}, '+0000') "
    "OR suffix({v}, '+00:00') THEN TRY_CAST({v} AS TIMESTAMP) END, "
    "CASE WHEN {v} IS NOT NULL THEN COALESCE("
    "make_timestamp(epoch_us(TRY_CAST({v} AS TIMESTAMPTZ))), "
    "timezone('UTC', TRY_CAST({v} AS TIMESTAMPTZ))) END)"
)
TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0")


def is_numeric(col: Column, spec: ColumnSpec) -> bool:
    return col.type in (ColumnType.integer, ColumnType.decimal) or (
        col.type == ColumnType.string and bool(spec.bands))


def has_direct_parse(col: Column, formats: list[str]) -> bool:
    """Whether ``direct_parse`` has a form for this column."""
    return col.type in (ColumnType.integer, ColumnType.decimal, ColumnType.boolean) or (
        col.type in (ColumnType.date, ColumnType.timestamp) and not formats)


def direct_parse(col: Column, x: str, v: str, formats: list[str],
                 mode: str | None = None) -> str:
    """Parse the untrimmed text ``x`` directly; the full path on ``v`` only where it fails.

    ``v`` is the blank-or-trimmed text of ``x`` as an expression. Casts skip surrounding
    ASCII spaces and reject other space characters, so whenever the direct cast reads a
    value it reads the same value the trimmed text gives; the rest (blank, NBSP around,
    "1,200", "$5", …) takes the full path. Only for columns where ``has_direct_parse`` holds.
    """
    t = col.type
    if t == ColumnType.boolean:
        words = ", ".join(sql_str(w) for w in TRUE_WORDS + FALSE_WORDS)
        return f"CASE WHEN {x} IN ({words}) THEN {x} ELSE lower({v}) END"
    if t in (ColumnType.integer, ColumnType.decimal):
        fast, slow = number_fast(x, mode), number_slow(v, mode)
    else:
        assert not formats
        fast, slow = TS_PARSE.format(v=x), TS_PARSE.format(v=v)
    return f"COALESCE({fast}, CASE WHEN {x} IS NOT NULL THEN {slow} END)"


def parsed_expression(col: Column, spec: ColumnSpec, v: str, formats: list[str]) -> str | None:
    """The expensive part of typing ``v`` (a column reference), or None for text."""
    t = col.type
    if is_numeric(col, spec):
        return number_parse(v, number_mode(spec, formats))
    if t == ColumnType.string:
        return None
    if t == ColumnType.boolean:
        return f"lower({v})"
    # dates and timestamps
    if formats:
        parsed = [f"try_strptime({v}, {sql_str(f)})" for f in formats]
        ts = parsed[0] if len(parsed) == 1 else f"COALESCE({', '.join(parsed)})"
        return f"CAST({ts} AS TIMESTAMP)"
    return TS_PARSE.format(v=v)


def typed_expression(col: Column, spec: ColumnSpec, v: str, p: str | None,
                     mode: str | None = None) -> str:
    """The canonical value from the mapped text ``v`` and its parsed form ``p``.

    A number that is not whole and whose text is "1.200"-like is refused here while the
    column's separators are undecided (``mode`` None): the plain cast read it as 1.2.
    """
    t = col.type
    if is_numeric(col, spec):
        num = p if spec.multiply is None else f"({p} * {float(spec.multiply)!r})"
        clear = "true"
        if mode is None and t != ColumnType.integer:  # 1.2 is not whole: refused anyway
            amb = sql_str(f"[-+]?{DOT_AMBIGUOUS}")
            # as 1,234.56 such a text reads between 1 and 1000, never whole
            clear = (f"({p} = floor({p}) OR abs({p}) >= 1000 OR abs({p}) < 1 "
                     f"OR NOT regexp_full_match({v}, {amb}))")
        if spec.bands and t == ColumnType.string:
            cases = " ".join(f"WHEN {num} <= {float(ub)!r} THEN {sql_str(label)}"
                             for ub, label in spec.bands)
            return f"(CASE WHEN {clear} THEN (CASE {cases} END) END)"
        if t == ColumnType.integer:
            return f"(CASE WHEN {num} = floor({num}) THEN TRY_CAST({num} AS BIGINT) END)"
        return f"(CASE WHEN isfinite({p}) AND {clear} THEN {num} END)"
    if t == ColumnType.string:
        return f"upper({v})" if col.name == "currency" else v
    if t == ColumnType.boolean:
        trues = ", ".join(sql_str(w) for w in TRUE_WORDS)
        falses = ", ".join(sql_str(w) for w in FALSE_WORDS)
        return f"(CASE WHEN {p} IN ({trues}) THEN true WHEN {p} IN ({falses}) THEN false END)"
    return f"CAST({p} AS DATE)" if t == ColumnType.date else str(p)
