"""A value's mapping steps in SQL: case changes, label tables and maps, ``otherwise`` and
``default`` (the order is ``mapping_docs.STEPS``)."""

from __future__ import annotations

from throughline.ingest.mapping import ColumnSpec
from throughline.ingest.sql import literal, sql_str

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
    """Apply case changes, labels/map, otherwise and default (see ``mapping_docs.STEPS``).

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
