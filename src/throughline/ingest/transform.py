"""Compile a mapping source into one SQL SELECT that types and checks every row.

The SELECT reads the opened file, applies renames, value maps, lookups, regexes, bands and
date formats, casts each value to its canonical type, and sets one bit per failed check in
``_err`` masks — so the engine types and validates a whole file in a single scan. Row
numbers and raw values are only computed again for the few rows that failed.

The value steps live beside it: ``valuemaps`` (case, labels, maps, otherwise, default),
``numbers`` (numbers and currencies in text), ``casts`` (text to canonical types); the
formats a mapping does not give are decided from the data in ``formats``.

The SELECT is built in layers (source text → mapped text → parsed → typed → output and
error bits) so that each expensive step runs once per value: DuckDB does not share common
subexpressions inside CASE, and the checks refer to the typed value several times. The hot
paths avoid work the common case does not need: blanks are trimmed only when a value can
have surrounding spaces, numbers go through the thousands-separator/currency cleaning only
when a plain cast fails, and ISO timestamps are cast without the ICU time-zone machinery
(same result: the session time zone is UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from throughline.core.errors import InputError
from throughline.evidence.schema import ColumnType, Table
from throughline.ingest.casts import (
    direct_parse,
    has_direct_parse,
    is_numeric,
    parsed_expression,
    typed_expression,
)
from throughline.ingest.mapping import ColumnSpec, Source
from throughline.ingest.numbers import (
    AMOUNT_COLUMNS,
    currency_in_text,
    number_ambiguous,
    number_expected,
    number_mode,
)
from throughline.ingest.readers import OpenedFile
from throughline.ingest.sql import ident, literal, sql_str
from throughline.ingest.valuemaps import mapped_expression, premapped_expressions

BLANK = "NULLIF(TRIM(CAST({x} AS VARCHAR)), '')"
# Same value as BLANK for a VARCHAR ``x``, but TRIM (which decodes every character) only runs
# when the value could start or end with a space: TRIM removes Unicode space separators,
# and a pure-ASCII value (byte length = character length) can only have ' ' among them.
FAST_BLANK = (
    "CASE WHEN {x} = '' THEN NULL "
    "WHEN strlen({x}) = length({x}) AND NOT prefix({x}, ' ') AND NOT suffix({x}, ' ') "
    "THEN {x} ELSE NULLIF(TRIM({x}), '') END"
)


@dataclass
class Check:
    """One bit of the error mask: a column and what it expects."""

    column: str
    source_column: str
    kind: str  # type | required | non_negative | range | allowed | unmapped
    expected: str
    raw_sql: str
    mask: int
    bit: int


@dataclass
class Compiled:
    """The layered SELECT of one (file, source); ``build`` puts it over any row source."""

    relation: str
    layers: list[list[str]]  # source, text, pre-mapped, mapped, parsed, typed items
    outputs: list[str]  # output columns, then the _err masks
    raw_sql: dict[str, str]  # target column -> SQL of the raw (text) value
    checks: list[Check] = field(default_factory=list)
    masks: int = 1
    present: list[str] = field(default_factory=list)
    date_columns: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)  # source columns the later layers read
    number_columns: list[str] = field(default_factory=list)  # separators decided from data
    labelled: dict[str, list[str]] = field(default_factory=dict)  # keep-unmapped: known values

    def build(self, relation: str | None = None, extra: dict[str, str] | None = None) -> str:
        """The typed SELECT over ``relation`` (the file by default).

        ``extra`` adds columns computed from the source row (row numbers, raw text) that are
        carried through every layer and come first in the output.
        """
        extra = extra or {}
        carried = [ident(n) for n in [*extra, *self.keep]]
        source, text, premapped, mapped, parsed, typed = self.layers
        first = [f"{sql} AS {ident(n)}" for n, sql in extra.items()] + source
        sql = f"SELECT {', '.join(first or ['1 AS __none'])} FROM {relation or self.relation}"
        for layer in (text, premapped, mapped):  # narrow: only what the next layer reads
            sql = f"SELECT {', '.join(carried + layer or ['1 AS __none'])} FROM ({sql})"
        for layer in (parsed, typed):
            if layer:
                sql = f"SELECT *, {', '.join(layer)} FROM ({sql})"
        out = [ident(n) for n in extra]
        return f"SELECT {', '.join(out + self.outputs)} FROM ({sql})"


def _path_sql(opened: OpenedFile, path: str, aggregate: str | None) -> str | None:
    """'a.b' → struct access; 'a[].b' → list of b over a, reduced by ``aggregate``."""
    if "[]" in path:
        root, _, rest = path.partition("[]")
        col = opened.resolve(root)
        if col is None:
            return None
        inner = "e" + "".join(f".{ident(p)}" for p in rest.strip(".").split(".") if p)
        lst = f"list_transform({ident(col)}, lambda e: {inner})"
        fn = {"min": "list_min", "max": "list_max", "count": "len", "first": "list_first"}[
            aggregate or "first"
        ]
        return f"{fn}({lst})"
    head, *rest = path.split(".")
    col = opened.resolve(head)
    if col is None:
        return None
    return ident(col) + "".join(f".{ident(p)}" for p in rest)


class _Sources:
    """The first layers: each source expression once as text, then blank-or-trimmed."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}
        self.blank: set[int] = set()

    def text(self, expr: str) -> str:
        """A column holding the blank-or-trimmed text of ``expr``."""
        j = self.items.setdefault(expr, len(self.items))
        self.blank.add(j)
        return ident(f"__b{j}")

    def raw(self, expr: str) -> str:
        """The name of the column holding ``expr`` as text, untrimmed."""
        return f"__x{self.items.setdefault(expr, len(self.items))}"

    @property
    def layers(self) -> tuple[list[str], list[str]]:
        source = [f"CAST({expr} AS VARCHAR) AS {ident(f'__x{j}')}"
                  for expr, j in self.items.items()]
        text = [f"{FAST_BLANK.format(x=ident(f'__x{j}'))} AS {ident(f'__b{j}')}"
                for j in self.items.values() if j in self.blank]
        return source, text


def _simple_source(opened: OpenedFile, spec: ColumnSpec) -> str | None:
    """The one source expression of a column that is only typed (no map, regex, default…)."""
    if (spec.constant is not None or spec.regex or spec.lookup or spec.translates or spec.lower
            or spec.upper or spec.default is not None or spec.bands):
        return None
    if spec.path is not None:
        return _path_sql(opened, spec.path, spec.aggregate)
    present = [c for c in (opened.resolve(n) for n in spec.source_columns) if c is not None]
    return ident(present[0]) if len(present) == 1 else None


def _absent(opened: OpenedFile, spec: ColumnSpec) -> bool:
    """An optional source column (or path root) that this file does not have."""
    if not spec.optional:
        return False
    if spec.path is not None:
        return _path_sql(opened, spec.path, spec.aggregate) is None
    return bool(spec.source_columns) and all(
        opened.resolve(c) is None for c in spec.source_columns)


def raw_expression(
    opened: OpenedFile, target: str, spec: ColumnSpec, lookups: dict[str, str],
    sources: _Sources | None = None,
) -> tuple[str, str]:
    """SQL of the text value for ``target`` before typing, and the source column's name.

    Without ``sources`` the SQL reads the file's columns directly (used to show raw values);
    with it, it reads the first layer's columns. An optional column the file lacks is
    ``NULL`` (not recorded), whatever the later steps would make of a blank.
    """
    def text(expr: str) -> str:
        return sources.text(expr) if sources is not None else BLANK.format(x=expr)

    if spec.constant is not None:
        return literal(spec.constant), "(constant)"
    if _absent(opened, spec):
        return "NULL", spec.path or spec.source_columns[0]
    if spec.path is not None:
        expr = _path_sql(opened, spec.path, spec.aggregate)
        if expr is None:
            raise InputError(
                f"column '{spec.path.split('.')[0].split('[')[0]}' is missing",
                file=str(opened.path), expected="it for " + target,
            )
        value, src = text(expr), spec.path
    elif spec.source_columns:
        found = [opened.resolve(c) for c in spec.source_columns]
        present = [c for c in found if c is not None]
        if not present:
            hint = "the file's columns are: " + ", ".join(opened.columns[:40])
            if len(opened.columns) == 1 and any(d in opened.columns[0] for d in ",;\t|"):
                hint += " — only one column was found: is the delimiter right?"
            raise InputError(
                f"required column '{spec.source_columns[0]}' is missing "
                f"(it fills {target})", file=str(opened.path), hint=hint,
            )
        parts = [text(ident(c)) for c in present]
        value = parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"
        src = present[0]
    else:
        return literal(spec.default), "(default)"
    if spec.regex:
        if spec.replace is not None:
            value = (f"(CASE WHEN regexp_matches({value}, {sql_str(spec.regex)}) THEN "
                     f"NULLIF(regexp_replace({value}, {sql_str(spec.regex)}, "
                     f"{sql_str(spec.replace)}), '') END)")
        else:
            value = f"NULLIF(regexp_extract({value}, {sql_str(spec.regex)}, 1), '')"
    if spec.lookup:
        lk = lookups[spec.lookup.source]
        # lookup columns carry a prefix so they never capture the file's own column names
        value = (f"(SELECT ANY_VALUE(l.{ident('lk__' + spec.lookup.value)}) FROM {ident(lk)} l "
                 f"WHERE l.{ident('lk__' + spec.lookup.key)} = {value})")
    return value, src


def _names_target(src: str, target: str) -> bool:
    """Whether an error naming source column ``src`` also names the target column."""
    return src.replace(" ", "").replace("_", "").lower() == target.replace("_", "").lower()


def compile_source(
    opened: OpenedFile,
    source: Source,
    table: Table,
    lookups: dict[str, str],
    date_formats: dict[str, list[str]],
) -> Compiled:
    """Build the typed, checked SELECT for one file feeding one table.

    ``date_formats`` holds the formats found for columns whose mapping gives none: strptime
    formats for dates, ``["1.234,56"]`` or ``["1,234.56"]`` for numbers
    (``detect_number_formats``).
    """
    sources = _Sources()
    keep: list[str] = []  # source columns read again after the first layers
    premapped: list[str] = []
    mapped: list[str] = []
    parsed: list[str] = []
    typed: list[str] = []
    outputs: list[str] = []
    raw_sql: dict[str, str] = {}
    checks: list[Check] = []
    present: list[str] = []
    date_cols: list[str] = []
    number_cols: list[str] = []
    labelled: dict[str, list[str]] = {}
    texts: dict[str, str] = {}  # target column -> its text at the typed layer
    currency_at: int | None = None
    mask_terms: dict[int, list[str]] = {}

    def add_check(column: str, src: str, kind: str, expected: str, cond: str, raw: str) -> None:
        idx = len(checks)
        mask, bit = divmod(idx, 62)
        if not _names_target(src, column) and not src.startswith("("):
            expected += f" (it fills {column})"
        checks.append(Check(column, src, kind, expected, raw, mask, bit))
        mask_terms.setdefault(mask, []).append(
            f"(CASE WHEN {cond} THEN {1 << bit} ELSE 0 END)"
        )

    def add_check_pair(column: str, src: str, expected: str, other: str, cond: str,
                       which: str, raw: str) -> None:
        """Two type checks of one column: ``cond`` fails the row, ``which`` tells whether
        it is the second (``other``) — one CASE per row when both bits share a mask."""
        first = len(checks)
        add_check(column, src, "type", expected, f"({cond}) AND NOT {which}", raw)
        add_check(column, src, "type", other, f"({cond}) AND {which}", raw)
        a, b = checks[first], checks[first + 1]
        if a.mask == b.mask:
            terms = mask_terms[a.mask]
            del terms[-2:]
            terms.append(f"(CASE WHEN {cond} THEN (CASE WHEN {which} THEN {1 << b.bit} "
                         f"ELSE {1 << a.bit} END) ELSE 0 END)")

    for i, col in enumerate(table.columns):
        spec = source.columns.get(col.name)
        if spec is None or _absent(opened, spec):
            if spec is not None and col.required:  # optional in the mapping, required here
                raw_expression(opened, col.name, spec.model_copy(update={"optional": False}),
                               lookups)
            if spec is None and col.required:
                raise InputError(
                    f"the mapping gives no column for required '{col.name}' of {table.name}",
                    file=str(opened.path),
                )
            if col.name == "currency":
                currency_at = len(outputs)
            outputs.append(f"CAST(NULL AS {col.type.sql}) AS {ident(col.name)}")
            continue
        raw, src = raw_expression(opened, col.name, spec, lookups)
        raw_sql[col.name] = raw
        vname, pname, tname = f"__v{i}", f"__p{i}", f"__t{i}"
        v, p, t = ident(vname), ident(pname), ident(tname)
        present.append(col.name)
        if col.type in (ColumnType.date, ColumnType.timestamp):
            date_cols.append(col.name)
        fmts = spec.formats or date_formats.get(col.name, [])
        numeric = is_numeric(col, spec)
        mode = number_mode(spec, fmts) if numeric else None
        if numeric and spec.number_format is None:
            number_cols.append(col.name)
        if spec.translates and spec.keeps_unmapped is not None:
            given, blank = spec.blank_value
            labelled[col.name] = sorted({str(x) for x in spec.lookup_table.values()
                                         if x is not None}
                                        | ({str(blank)} if given and blank is not None
                                           else set()))
        simple = _simple_source(opened, spec) if has_direct_parse(col, fmts) else None
        parse = None
        if simple is not None:  # typed straight from the text: no trimmed copy per row
            xname = sources.raw(simple)
            keep.append(xname)
            x = ident(xname)
            v = f"({FAST_BLANK.format(x=x)})"  # only evaluated where the typed value is NULL
            parse = direct_parse(col, x, v, fmts if not numeric else [], mode)
        else:
            value, _ = raw_expression(opened, col.name, spec, lookups, sources)
            pre, low = premapped_expressions(spec, value)
            premapped.append(f"{pre} AS {ident(f'__m{i}')}")
            if low is not None:
                premapped.append(f"{low} AS {ident(f'__l{i}')}")
            mapped.append(f"{mapped_expression(spec, ident(f'__m{i}'), ident(f'__l{i}'))} "
                          f"AS {ident(vname)}")
            parse = parsed_expression(col, spec, v, fmts)
        texts[col.name] = v
        if parse is not None:
            parsed.append(f"{parse} AS {ident(pname)}")
        if col.name == "currency":
            currency_at = len(outputs)
            outputs.append("")  # filled below: it may fall back on the amount's text
            typed.append(f"{typed_expression(col, spec, v, None)} AS {t}")
            add_check(col.name, src, "type", "a 3-letter ISO 4217 currency code (USD, EUR…)",
                      f"{t} IS NOT NULL AND NOT regexp_full_match({t}, '[A-Z]{{3}}')", raw)
            continue
        typed.append(f"{typed_expression(col, spec, v, p if parse else None, mode)} AS {t}")
        outputs.append(f"CAST({t} AS {col.type.sql}) AS {ident(col.name)}")
        if numeric:
            bad, unclear = number_expected(col, spec, mode)
            if mode is None:  # two bits, one test per row: which one only for failures
                add_check_pair(col.name, src, bad, unclear, f"{t} IS NULL AND {v} IS NOT NULL",
                               number_ambiguous(v), raw)
            else:
                add_check(col.name, src, "type", bad, f"{t} IS NULL AND {v} IS NOT NULL", raw)
        elif col.type != ColumnType.string:
            expected = col.type.expected
            if fmts:
                expected += " in the format " + " or ".join(fmts)
            add_check(col.name, src, "type", expected, f"{t} IS NULL AND {v} IS NOT NULL", raw)
        if col.required:
            add_check(col.name, src, "required", "a value (this column is required)",
                      f"{t} IS NULL AND {v} IS NULL", raw)
        if col.non_negative:
            add_check(col.name, src, "non_negative", "a number ≥ 0", f"{t} < 0", raw)
        if col.range:
            lo, hi = col.range
            add_check(col.name, src, "range", f"a value between {lo:g} and {hi:g}",
                      f"{t} < {lo!r} OR {t} > {hi!r}", raw)
        if col.allowed:
            allowed = ", ".join(sql_str(a) for a in col.allowed)
            add_check(col.name, src, "allowed", "one of " + ", ".join(col.allowed),
                      f"lower({t}) NOT IN ({allowed})", raw)

    if currency_at is not None:
        # no currency column, or a blank cell: the currency the amount's text names, if any
        amount = AMOUNT_COLUMNS.get(table.name)
        own = ident(f"__t{table.column_names.index('currency')}") if "currency" in present \
            else "NULL"
        named = currency_in_text(texts[amount]) if amount in texts else "NULL"
        value = own if named == "NULL" else f"COALESCE({own}, {named})"
        outputs[currency_at] = f"CAST({value} AS VARCHAR) AS {ident('currency')}"

    n_masks = max(1, len(mask_terms))
    for m in range(n_masks):
        terms = mask_terms.get(m, ["0"])
        outputs.append(f"CAST({' + '.join(terms)} AS BIGINT) AS _err{m}")
    layers = [*sources.layers, premapped, mapped, parsed, typed]
    return Compiled(opened.relation, layers, outputs, raw_sql, checks, n_masks, present,
                    date_cols, sorted(set(keep)), number_cols, labelled)


def unmapped_labels(con: Any, staged: str, compiled: Compiled, limit: int = 8
                    ) -> list[str]:
    """Load-report notes: per column that keeps unmapped labels (``otherwise: keep``), the
    values no label table or map knew, most frequent first."""
    notes = []
    for column, known in compiled.labelled.items():
        q = ident(column)
        known_sql = ", ".join(sql_str(k) for k in known) or "NULL"
        rows = con.execute(
            f"SELECT {q}, count(*) AS n, count(*) OVER () AS k FROM {ident(staged)} "
            f"WHERE {q} IS NOT NULL AND {q} NOT IN ({known_sql}) GROUP BY {q} "
            f"ORDER BY n DESC, {q} LIMIT {limit}").fetchall()
        if not rows:
            continue
        total = rows[0][2]
        shown = ", ".join(f"{label!r} ({n})" for label, n, _ in rows)
        more = f" and {total - len(rows)} more" if total > len(rows) else ""
        notes.append(f"{column}: {total} unmapped label(s) kept as their own value: "
                     f"{shown}{more}")
    return notes
