"""Compile a mapping source into one SQL SELECT that types and checks every row.

The SELECT reads the opened file, applies renames, value maps, lookups, regexes, bands and
date formats, casts each value to its canonical type, and sets one bit per failed check in
``_err`` masks — so the engine types and validates a whole file in a single scan. Row
numbers and raw values are only computed again for the few rows that failed.

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

from throughline.errors import InputError
from throughline.evidence.schema import Column, ColumnType, Table
from throughline.ingest.mapping import ColumnSpec, Source
from throughline.ingest.readers import OpenedFile, ident, sql_str

BLANK = "NULLIF(TRIM(CAST({x} AS VARCHAR)), '')"
# Same value as BLANK for a VARCHAR ``x``, but TRIM (which decodes every character) only runs
# when the value could start or end with a space: TRIM removes Unicode space separators,
# and a pure-ASCII value (byte length = character length) can only have ' ' among them.
FAST_BLANK = (
    "CASE WHEN {x} = '' THEN NULL "
    "WHEN strlen({x}) = length({x}) AND NOT prefix({x}, ' ') AND NOT suffix({x}, ' ') "
    "THEN {x} ELSE NULLIF(TRIM({x}), '') END"
)
NUM_CLEAN = (
    "CASE WHEN regexp_full_match({v}, '[-+]?[$€£]?\\s*[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?') "
    "THEN replace(regexp_replace({v}, '[$€£\\s]', '', 'g'), ',', '') "
    "ELSE regexp_replace({v}, '^([-+]?)[$€£]\\s*', '\\1') END"
)
# A plain cast reads the same numbers as the cleaned text whenever it succeeds (cleaning
# only changes values with a currency sign or thousands separators, which do not cast), so
# the regexes run only for the values the plain cast rejects.
NUM_PARSE = "COALESCE(TRY_CAST({v} AS DOUBLE), TRY_CAST(" + NUM_CLEAN + " AS DOUBLE))"
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

    @property
    def select_sql(self) -> str:
        return self.build()


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return sql_str(str(value))


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
    if (spec.constant is not None or spec.regex or spec.lookup or spec.map or spec.lower
            or spec.default is not None or spec.bands):
        return None
    if spec.path is not None:
        return _path_sql(opened, spec.path, spec.aggregate)
    present = [c for c in (opened.resolve(n) for n in spec.source_columns) if c is not None]
    return ident(present[0]) if len(present) == 1 else None


def _direct(col: Column, formats: list[str]) -> bool:
    """Whether ``direct_parse`` has a form for this column."""
    return col.type in (ColumnType.integer, ColumnType.decimal, ColumnType.boolean) or (
        col.type in (ColumnType.date, ColumnType.timestamp) and not formats)


def direct_parse(col: Column, x: str, v: str, formats: list[str]) -> str:
    """Parse the untrimmed text ``x`` directly; the full path on ``v`` only where it fails.

    ``v`` is the blank-or-trimmed text of ``x`` as an expression. Casts skip surrounding
    ASCII spaces and reject other space characters, so whenever the direct cast reads a
    value it reads the same value the trimmed text gives; the rest (blank, NBSP around,
    "1,200", "$5", …) takes the full path. Only for columns where ``_direct`` holds.
    """
    t = col.type
    if t == ColumnType.boolean:
        words = ", ".join(sql_str(w) for w in TRUE_WORDS + FALSE_WORDS)
        return f"CASE WHEN {x} IN ({words}) THEN {x} ELSE lower({v}) END"
    if t in (ColumnType.integer, ColumnType.decimal):
        fast, slow = f"TRY_CAST({x} AS DOUBLE)", NUM_PARSE.format(v=v)
    else:
        assert not formats
        fast, slow = TS_PARSE.format(v=x), TS_PARSE.format(v=v)
    return f"COALESCE({fast}, CASE WHEN {x} IS NOT NULL THEN {slow} END)"


def raw_expression(
    opened: OpenedFile, target: str, spec: ColumnSpec, lookups: dict[str, str],
    sources: _Sources | None = None,
) -> tuple[str, str]:
    """SQL of the text value for ``target`` before typing, and the source column's name.

    Without ``sources`` the SQL reads the file's columns directly (used to show raw values);
    with it, it reads the first layer's columns.
    """
    def text(expr: str) -> str:
        return sources.text(expr) if sources is not None else BLANK.format(x=expr)

    if spec.constant is not None:
        return literal(spec.constant), "(constant)"
    if spec.path is not None:
        expr = _path_sql(opened, spec.path, spec.aggregate)
        if expr is None:
            if spec.optional:
                return "NULL", spec.path
            raise InputError(
                f"column '{spec.path.split('.')[0].split('[')[0]}' is missing",
                file=str(opened.path), expected="it for " + target,
            )
        value, src = text(expr), spec.path
    elif spec.source_columns:
        found = [opened.resolve(c) for c in spec.source_columns]
        present = [c for c in found if c is not None]
        if not present:
            if spec.optional:
                value, src = "NULL", spec.source_columns[0]
            else:
                hint = "the file's columns are: " + ", ".join(opened.columns[:40])
                if len(opened.columns) == 1 and any(d in opened.columns[0] for d in ",;\t|"):
                    hint += " — only one column was found: is the delimiter right?"
                raise InputError(
                    f"required column '{spec.source_columns[0]}' is missing "
                    f"(it fills {target})", file=str(opened.path), hint=hint,
                )
        else:
            parts = [text(ident(c)) for c in present]
            value = parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"
            src = present[0]
    else:
        return literal(spec.default), "(default)"
    if spec.regex:
        if spec.replace is not None:
            value = f"NULLIF(regexp_replace({value}, {sql_str(spec.regex)}, " \
                    f"{sql_str(spec.replace)}), '')"
        else:
            value = f"NULLIF(regexp_extract({value}, {sql_str(spec.regex)}, 1), '')"
    if spec.lookup:
        lk = lookups[spec.lookup.source]
        # lookup columns carry a prefix so they never capture the file's own column names
        value = (f"(SELECT ANY_VALUE(l.{ident('lk__' + spec.lookup.value)}) FROM {ident(lk)} l "
                 f"WHERE l.{ident('lk__' + spec.lookup.key)} = {value})")
    return value, src


def premapped_expressions(spec: ColumnSpec, value: str) -> tuple[str, str | None]:
    """The text a value map reads (lower-cased if asked) and, with a map, its lower case.

    They get a layer of their own so that the map's many WHENs compare a column instead of
    re-evaluating ``lower(...)`` once per WHEN (DuckDB does not share it inside CASE).
    """
    if spec.lower:
        value = f"lower({value})"
    return value, (f"lower({value})" if spec.map else None)


def mapped_expression(spec: ColumnSpec, value: str, lowered: str | None = None) -> str:
    """Apply lower-casing and the value map (keys compared case-insensitively).

    ``lowered`` names a column already holding ``lower(value)`` (with lower-casing already
    applied to ``value``); without it, both are computed here.
    """
    if lowered is None:
        value, lowered = premapped_expressions(spec, value)
    if spec.map:
        whens = []
        null_target = spec.map.get("", spec.default)
        for key, target in spec.map.items():
            if key == "":
                continue
            whens.append(f"WHEN {sql_str(str(key).strip().lower())} THEN {literal(target)}")
        fallback = literal(spec.default) if spec.default is not None else value
        value = (f"CASE WHEN {value} IS NULL THEN {literal(null_target)} "
                 f"ELSE (CASE {lowered} {' '.join(whens)} ELSE {fallback} END) END"
                 if whens else f"COALESCE({value}, {literal(null_target)})")
    elif spec.default is not None and (spec.source_columns or spec.path):
        value = f"COALESCE({value}, {literal(spec.default)})"
    return value


def parsed_expression(col: Column, spec: ColumnSpec, v: str, formats: list[str]) -> str | None:
    """The expensive part of typing ``v`` (a column reference), or None for text."""
    t = col.type
    if spec.bands and t == ColumnType.string:
        return NUM_PARSE.format(v=v)
    if t == ColumnType.string:
        return None
    if t in (ColumnType.integer, ColumnType.decimal):
        num = NUM_PARSE.format(v=v)
        if spec.multiply is not None:
            num = f"({num} * {float(spec.multiply)!r})"
        return num
    if t == ColumnType.boolean:
        return f"lower({v})"
    # dates and timestamps
    if formats:
        parsed = [f"try_strptime({v}, {sql_str(f)})" for f in formats]
        ts = parsed[0] if len(parsed) == 1 else f"COALESCE({', '.join(parsed)})"
        return f"CAST({ts} AS TIMESTAMP)"
    return TS_PARSE.format(v=v)


def typed_expression(col: Column, spec: ColumnSpec, v: str, p: str | None) -> str:
    """The canonical value from the mapped text ``v`` and its parsed form ``p``."""
    t = col.type
    if spec.bands and t == ColumnType.string:
        cases = " ".join(f"WHEN {p} <= {float(ub)!r} THEN {sql_str(label)}"
                         for ub, label in spec.bands)
        return f"(CASE {cases} END)"
    if t == ColumnType.string:
        return v
    if t == ColumnType.integer:
        return f"(CASE WHEN {p} = floor({p}) THEN TRY_CAST({p} AS BIGINT) END)"
    if t == ColumnType.decimal:
        return f"(CASE WHEN isfinite({p}) THEN {p} END)"
    if t == ColumnType.boolean:
        trues = ", ".join(sql_str(w) for w in TRUE_WORDS)
        falses = ", ".join(sql_str(w) for w in FALSE_WORDS)
        return f"(CASE WHEN {p} IN ({trues}) THEN true WHEN {p} IN ({falses}) THEN false END)"
    return f"CAST({p} AS DATE)" if t == ColumnType.date else str(p)


def compile_source(
    opened: OpenedFile,
    source: Source,
    table: Table,
    lookups: dict[str, str],
    date_formats: dict[str, list[str]],
) -> Compiled:
    """Build the typed, checked SELECT for one file feeding one table."""
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
    mask_terms: dict[int, list[str]] = {}

    def add_check(column: str, src: str, kind: str, expected: str, cond: str, raw: str) -> None:
        idx = len(checks)
        mask, bit = divmod(idx, 62)
        checks.append(Check(column, src, kind, expected, raw, mask, bit))
        mask_terms.setdefault(mask, []).append(
            f"(CASE WHEN {cond} THEN {1 << bit} ELSE 0 END)"
        )

    for i, col in enumerate(table.columns):
        spec = source.columns.get(col.name)
        if spec is None:
            if col.required:
                raise InputError(
                    f"the mapping gives no column for required '{col.name}' of {table.name}",
                    file=str(opened.path),
                )
            outputs.append(f"CAST(NULL AS {col.type.sql}) AS {ident(col.name)}")
            continue
        raw, src = raw_expression(opened, col.name, spec, lookups)
        raw_sql[col.name] = raw
        vname, pname, tname = f"__v{i}", f"__p{i}", f"__t{i}"
        v, p, t = ident(vname), ident(pname), ident(tname)
        if raw != "NULL":
            present.append(col.name)
        if col.type in (ColumnType.date, ColumnType.timestamp):
            date_cols.append(col.name)
        fmts = spec.formats or date_formats.get(col.name, [])
        simple = _simple_source(opened, spec) if _direct(col, fmts) else None
        parse = None
        if simple is not None:  # typed straight from the text: no trimmed copy per row
            xname = sources.raw(simple)
            keep.append(xname)
            x = ident(xname)
            v = f"({FAST_BLANK.format(x=x)})"  # only evaluated where the typed value is NULL
            parse = direct_parse(col, x, v, fmts)
            if spec.multiply is not None:
                parse = f"({parse} * {float(spec.multiply)!r})"
        else:
            value, _ = raw_expression(opened, col.name, spec, lookups, sources)
            pre, low = premapped_expressions(spec, value)
            premapped.append(f"{pre} AS {ident(f'__m{i}')}")
            if low is not None:
                premapped.append(f"{low} AS {ident(f'__l{i}')}")
            mapped.append(f"{mapped_expression(spec, ident(f'__m{i}'), ident(f'__l{i}'))} "
                          f"AS {ident(vname)}")
            parse = parsed_expression(col, spec, v, fmts)
        if parse is not None:
            parsed.append(f"{parse} AS {ident(pname)}")
        typed.append(f"{typed_expression(col, spec, v, p if parse else None)} AS {t}")
        outputs.append(f"CAST({t} AS {col.type.sql}) AS {ident(col.name)}")
        if col.type != ColumnType.string or spec.bands:
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

    n_masks = max(1, len(mask_terms))
    for m in range(n_masks):
        terms = mask_terms.get(m, ["0"])
        outputs.append(f"CAST({' + '.join(terms)} AS BIGINT) AS _err{m}")
    layers = [*sources.layers, premapped, mapped, parsed, typed]
    return Compiled(opened.relation, layers, outputs, raw_sql, checks, n_masks, present,
                    date_cols, sorted(set(keep)))
