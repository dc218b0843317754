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
from typing import Any

from throughline.core.errors import InputError
from throughline.evidence.schema import Column, ColumnType, Table
from throughline.ingest.mapping import ColumnSpec, Source
from throughline.ingest.readers import OpenedFile
from throughline.ingest.sql import ident, literal, sql_str

BLANK = "NULLIF(TRIM(CAST({x} AS VARCHAR)), '')"
# Same value as BLANK for a VARCHAR ``x``, but TRIM (which decodes every character) only runs
# when the value could start or end with a space: TRIM removes Unicode space separators,
# and a pure-ASCII value (byte length = character length) can only have ' ' among them.
FAST_BLANK = (
    "CASE WHEN {x} = '' THEN NULL "
    "WHEN strlen({x}) = length({x}) AND NOT prefix({x}, ' ') AND NOT suffix({x}, ' ') "
    "THEN {x} ELSE NULLIF(TRIM({x}), '') END"
)
# Numbers. A value is read by the separators its column uses: "1,234.56" (',' groups
# thousands, '.' is the decimal point) or "1.234,56". Each value may carry a currency sign
# or ISO code before or after it, a sign or accounting parentheses ("(1,200.00)" is
# negative), and spaces, no-break spaces or apostrophes between digit groups. A value
# whose reading depends on the convention ("1.200": 1.2 or 1200) is not guessed: without
# ``number_format`` the column's other values decide (``detect_number_formats``), and when
# none tells, the value is refused naming row and value.
_SP = "\\s\\x{a0}\\x{202f}"  # RE2: spaces, no-break space, narrow no-break space
CURRENCY_TOKEN = ("(?:US\\$|CA\\$|AU\\$|MX\\$|NZ\\$|HK\\$|R\\$|C\\$|A\\$|S\\$|S/\\.?|\\$|€|£|¥"
                  "|₹|[A-Z]{3})")
NUMBER_SHAPE = (f"\\(?[{_SP}]*[-+]?[{_SP}]*(?:{CURRENCY_TOKEN}[{_SP}]*)?[-+]?[{_SP}]*"
                f"[0-9](?:[0-9.,'{_SP}]*[0-9])?(?:[{_SP}]*{CURRENCY_TOKEN})?[{_SP}]*\\)?")
US_DIGITS = "[0-9]+(?:\\.[0-9]+)?|[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\\.[0-9]+)?"
EU_DIGITS = "[0-9]+(?:,[0-9]+)?|[1-9][0-9]{0,2}(?:\\.[0-9]{3})+(?:,[0-9]+)?"
DOT_AMBIGUOUS = "[1-9][0-9]{0,2}\\.[0-9]{3}"  # 1.2 with "1,234.56", 1200 with "1.234,56"
US, EU = "1,234.56", "1.234,56"
# currency named in an amount's text (ISO code, or a sign that names one currency)
CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "₹": "INR", "R$": "BRL", "US$": "USD",
                  "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "MX$": "MXN",
                  "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "S/": "PEN", "S/.": "PEN"}
# the amount column whose text may name the currency, per table with a currency column
AMOUNT_COLUMNS = {"opportunities": "amount", "subscriptions": "mrr", "forecasts": "amount"}


def _digits(v: str) -> str:
    return f"regexp_replace({v}, '[^0-9.,]', '', 'g')"


def _shape(v: str) -> str:
    return f"regexp_full_match({v}, {sql_str(NUMBER_SHAPE)})"


def number_slow(v: str, mode: str | None) -> str:
    """The number in the trimmed text ``v`` (NULL when it is not one, or is ambiguous
    without a ``mode``); ``mode`` is US, EU or None (decide: ambiguous values are NULL)."""
    g = _digits(v)
    sign = f"(CASE WHEN prefix({v}, '(') OR contains({v}, '-') THEN -1.0 ELSE 1.0 END)"
    if mode == EU:
        ok = f"regexp_full_match({g}, {sql_str(EU_DIGITS)})"
        val = f"TRY_CAST(replace(replace({g}, '.', ''), ',', '.') AS DOUBLE)"
    else:
        ok = f"regexp_full_match({g}, {sql_str(US_DIGITS)})"
        val = f"TRY_CAST(replace({g}, ',', '') AS DOUBLE)"
        if mode is None:
            ok += f" AND NOT regexp_full_match({g}, {sql_str(DOT_AMBIGUOUS)})"
    return f"(CASE WHEN {_shape(v)} AND {ok} THEN {sign} * {val} END)"


def number_fast(x: str, mode: str | None) -> str:
    """A plain cast of ``x`` where it reads the same number as ``number_slow``.

    The cast reads "1.200" as 1.2: with "1.234,56" it only takes values without a '.';
    while the convention is undecided the typed layer refuses the 1.2 again
    (``typed_expression``: only a value that is not whole needs looking at).
    """
    cast = f"TRY_CAST({x} AS DOUBLE)"
    if mode == EU:
        return f"(CASE WHEN NOT contains({x}, '.') THEN {cast} END)"
    return cast


def number_ambiguous(v: str) -> str:
    """Whether the trimmed text ``v`` reads differently with "1,234.56" and "1.234,56"."""
    return f"({_shape(v)} AND regexp_full_match({_digits(v)}, {sql_str(DOT_AMBIGUOUS)}))"


def currency_in_text(v: str) -> str:
    """The ISO code an amount's text names ('€1.200' → EUR, 'USD 5' → USD); NULL for a
    bare '$' or '¥' (several currencies use them) and for plain numbers."""
    signs = sorted(CURRENCY_SIGNS, key=len, reverse=True)
    alts = "|".join(re_escape(s) for s in signs) + "|[A-Z]{3}"
    token = f"regexp_extract({v}, {sql_str('(' + alts + ')')}, 1)"
    whens = " ".join(f"WHEN {sql_str(s)} THEN {sql_str(c)}" for s, c in CURRENCY_SIGNS.items())
    return (f"(CASE WHEN {v} IS NOT NULL AND TRY_CAST({v} AS DOUBLE) IS NULL THEN "
            f"(CASE {token} {whens} WHEN '' THEN NULL ELSE {token} END) END)")


def re_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\.^$|?*+()[]{}/" else ch for ch in text)




def number_parse(v: str, mode: str | None) -> str:
    """The number in the trimmed text ``v`` (a column reference): a plain cast, else the
    separator-aware reading."""
    return (f"COALESCE({number_fast(v, mode)}, "
            f"CASE WHEN {v} IS NOT NULL THEN {number_slow(v, mode)} END)")


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


def _numeric(col: Column, spec: ColumnSpec) -> bool:
    return col.type in (ColumnType.integer, ColumnType.decimal) or (
        col.type == ColumnType.string and bool(spec.bands))


def number_mode(spec: ColumnSpec, detected: list[str]) -> str | None:
    """The separators of a number column: the mapping's, the detected ones, or None."""
    if spec.number_format:
        return spec.number_format
    return detected[0] if detected and detected[0] in (US, EU) else None


def _direct(col: Column, formats: list[str]) -> bool:
    """Whether ``direct_parse`` has a form for this column."""
    return col.type in (ColumnType.integer, ColumnType.decimal, ColumnType.boolean) or (
        col.type in (ColumnType.date, ColumnType.timestamp) and not formats)


def direct_parse(col: Column, x: str, v: str, formats: list[str],
                 mode: str | None = None) -> str:
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
        fast, slow = number_fast(x, mode), number_slow(v, mode)
    else:
        assert not formats
        fast, slow = TS_PARSE.format(v=x), TS_PARSE.format(v=v)
    return f"COALESCE({fast}, CASE WHEN {x} IS NOT NULL THEN {slow} END)"


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


# Spaces inside a label: tabs, line breaks and runs of spaces become one space.
_ODD_SPACE = ("contains({v}, '  ') OR contains({v}, chr(9)) OR contains({v}, chr(10)) "
              "OR contains({v}, chr(13)) OR contains({v}, chr(160))")
_COLLAPSE = "regexp_replace({v}, '[\\s\\x{{a0}}]+', ' ', 'g')"


def collapse_spaces(v: str) -> str:
    return f"(CASE WHEN {_ODD_SPACE.format(v=v)} THEN {_COLLAPSE.format(v=v)} ELSE {v} END)"


def label_key_sql(v: str) -> str:
    """``mapping.label_key`` in SQL: accents stripped (only for non-ASCII text), lower case,
    spaces collapsed."""
    w = collapse_spaces(v)
    return f"lower(CASE WHEN strlen({v}) = length({v}) THEN {w} ELSE strip_accents({w}) END)"


def _label_lists(spec: ColumnSpec) -> tuple[str, str]:
    """The translation table as two SQL list literals: label keys, and their values."""
    items = list(spec.lookup_table.items())
    keys = "[" + ", ".join(sql_str(k) for k, _ in items) + "]"
    values = "[" + ", ".join(literal(v) for _, v in items) + "]"
    return keys, values


def premapped_expressions(spec: ColumnSpec, value: str) -> tuple[str, str | None]:
    """The text a value map reads (case changed if asked) and, with a map, the position of
    its label key in the translation table (NULL: no label matches).

    The position is one scan of a constant list, computed once per value in a layer of its
    own; a CASE with one WHEN per label (hundreds for the lead-source tables) costs several
    times more.
    """
    if spec.lower:
        value = f"lower({value})"
    elif spec.upper:
        value = f"upper({value})"
    if not spec.translates:
        return value, None
    keys, _ = _label_lists(spec)
    return value, f"list_position({keys}, {label_key_sql(value)})"


def keep_expression(spec: ColumnSpec, value: str) -> str:
    """What an unmapped value becomes under ``otherwise``."""
    keep = spec.keeps_unmapped
    if keep is None:
        return literal(spec.otherwise)
    kept = _COLLAPSE.format(v=value)
    return {"as_is": kept, "lower": f"lower({kept})", "upper": f"upper({kept})"}[keep.keep]


def mapped_expression(spec: ColumnSpec, value: str, key: str | None = None) -> str:
    """Apply case changes, labels/map, otherwise and default (see ``mapping.STEPS``).

    ``key`` names a column already holding the label's position (``premapped_expressions``,
    with the case change already applied to ``value``); without it, both are computed here.
    """
    if key is None:
        value, key = premapped_expressions(spec, value)
    if spec.translates:
        given, blank = spec.blank_value
        if "otherwise" in spec.model_fields_set:
            fallback = keep_expression(spec, value)
        elif spec.default is not None:
            fallback = literal(spec.default)
        else:
            fallback = value
        if not spec.lookup_table:
            inner = fallback
        else:
            _, values = _label_lists(spec)
            inner = f"(CASE WHEN {key} IS NULL THEN {fallback} ELSE {values}[{key}] END)"
        return (f"CASE WHEN {value} IS NULL THEN {literal(blank) if given else 'NULL'} "
                f"ELSE {inner} END")
    if spec.default is not None and (spec.source_columns or spec.path):
        value = f"COALESCE({value}, {literal(spec.default)})"
    return value


def parsed_expression(col: Column, spec: ColumnSpec, v: str, formats: list[str]) -> str | None:
    """The expensive part of typing ``v`` (a column reference), or None for text."""
    t = col.type
    if _numeric(col, spec):
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
    if _numeric(col, spec):
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


def _number_expected(col: Column, spec: ColumnSpec, mode: str | None) -> tuple[str, str]:
    """What a number check expects: (any bad value, an ambiguous value)."""
    what = "a number" if spec.bands else col.type.expected
    if mode is not None:
        return f"{what} written like {mode} (number_format)", ""
    return (f"{what} written like 1,234.56 or 1234.56 (for 1.234,56 set "
            f"number_format: \"{EU}\" on {col.name} in a mapping)",
            f"an unambiguous number: '.' and three digits is a decimal point (1,234.56) "
            f"or a thousands separator (1.234,56) and no other value in the column tells "
            f"which — set number_format: \"{EU}\" or \"{US}\" on {col.name} in a "
            f"mapping")


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
        numeric = _numeric(col, spec)
        mode = number_mode(spec, fmts) if numeric else None
        if numeric and spec.number_format is None:
            number_cols.append(col.name)
        if spec.translates and spec.keeps_unmapped is not None:
            given, blank = spec.blank_value
            labelled[col.name] = sorted({str(x) for x in spec.lookup_table.values()
                                         if x is not None}
                                        | ({str(blank)} if given and blank is not None
                                           else set()))
        simple = _simple_source(opened, spec) if _direct(col, fmts) else None
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
            bad, unclear = _number_expected(col, spec, mode)
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


# ------------------------------------------------------------------ after the first pass

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
        g = _digits(f"v{j}")
        us = f"regexp_full_match({g}, {sql_str(US_DIGITS)})"
        eu = f"regexp_full_match({g}, {sql_str(EU_DIGITS)})"
        shape = _shape(f"v{j}")
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
