"""Mappings: how a user's export becomes canonical tables.

Built-in profiles (``salesforce``, ``hubspot``, ``github``, ``canonical``, ``messaging``)
are mappings too — YAML files in ``profiles/`` (canonical is generated from the schema) —
so a user's ``MAPPING.yaml`` goes through exactly the same path as a built-in.

A mapping has sources. A source recognises files (name globs and/or required headers),
says how to read them (format, sheet, delimiter, encoding, records path) and maps target
columns of one canonical table to source columns::

    columns:
      opportunity_id: Id                       # rename
      is_won: {from: deal_stage, map: {Won: true}, default: false}   # value map
      channel: {from: LeadSource, labels: channel, otherwise: {keep: lower}}
      close_date: {from: close_date, format: "%d/%m/%Y"}             # date format
      amount: {from: close_value, number_format: "1.234,56"}
      industry: {from: account, lookup: {source: accounts, key: account, value: sector}}
      motion: {constant: outbound}
      first_review_at: {path: "reviews[].submittedAt", aggregate: min}  # nested JSON

``docs/mapping.md`` (generated from these models by ``throughline.ingest.mapping_docs``)
lists every key, the order of the steps applied to a value and a worked example of each.

This module holds the models; label tables are in ``labels``, reading mappings and
profiles from YAML (with readable validation errors) in ``mapping_files``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from throughline.core.errors import ConfigError
from throughline.evidence import SCHEMA
from throughline.evidence.schema import ColumnType, scalar_text
from throughline.ingest.labels import (
    LabelTable,
    Scalar,
    builtin_label_tables,
    label_key,
    label_tables,
)

Format = Literal["csv", "tsv", "json", "jsonl", "parquet", "xlsx", "markdown"]
NumberFormat = Literal["1,234.56", "1.234,56"]


class Lookup(BaseModel):
    """Take the value from another source of the mapping, matched on a key column."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(description="Name of another source of the mapping (often one with "
                                    "`table: null`, a lookup-only file).")
    key: str = Field(description="Column of the lookup source matched against this value.")
    value: str = Field(description="Column of the lookup source to take.")


class Keep(BaseModel):
    """``otherwise: {keep: ...}``: unmapped values keep their own (normalised) text."""

    model_config = ConfigDict(extra="forbid")
    keep: Literal["as_is", "lower", "upper"] = Field(
        description="`as_is` (the trimmed text), `lower` or `upper`; inner runs of spaces "
                    "become one space.")


class ColumnSpec(BaseModel):
    """How one canonical column is filled (the keys of one entry under ``columns:``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str | list[str] | None = Field(
        default=None, alias="from",
        description="Source column; a list takes the first non-blank of several. Names "
                    "match the file's header case- and space-insensitively.",
    )
    path: str | None = Field(
        default=None,
        description="Nested JSON path instead of `from`: `author.login`, or "
                    "`reviews[].submittedAt` (a list, reduced by `aggregate`).",
    )
    aggregate: Literal["min", "max", "count", "first"] | None = Field(
        default=None, description="How a `path` through a list (`[]`) becomes one value.")
    constant: Scalar = Field(
        default=None, validation_alias=AliasChoices("constant", "const"),
        description="The same value for every row (also accepted as `const`).",
    )
    regex: str | None = Field(
        default=None,
        description="Regular expression (RE2 syntax): keeps capture group 1, or rewrites "
                    "the value with `replace`. A value it does not match becomes blank.",
    )
    replace: str | None = Field(
        default=None, description="Replacement for `regex` (`\\1`, `\\2` … are its groups).")
    lookup: Lookup | None = Field(default=None, description="Replace the value by a column "
                                                            "of another source.")
    lower: bool = Field(default=False, description="Lower-case the value.")
    upper: bool = Field(default=False, description="Upper-case the value.")
    labels: str | list[str] | None = Field(
        default=None,
        description="Named label table(s) translating labels (built in: "
                    "`channel` and `motion` for lead sources; a mapping may declare its "
                    "own under `labels:`). Matched like `map` keys; `map` entries win.",
    )
    map: dict[str, Scalar] | None = Field(
        default=None,
        description="Value map `{source label: value}`. Keys match case-, accent- and "
                    "space-insensitively; the key `\"\"` is the value for blank cells.",
    )
    otherwise: Keep | Scalar = Field(
        default=None,
        description="What a non-blank value that no `map`/`labels` key matched becomes: "
                    "`keep` (itself), `{keep: lower}` (itself, lower-cased), or a "
                    "constant. Needs `map` or `labels`.",
    )
    default: Scalar = Field(
        default=None,
        description="Value for blank cells (when the map has no `\"\"` key) and, without "
                    "`otherwise`, for unmapped values too. Alone (no source) it is a "
                    "constant.",
    )
    bands: list[tuple[float, str]] | None = Field(
        default=None,
        description="Numeric bands for a text column: `[[upper_inclusive, label], ...]`, "
                    "ascending.",
    )
    format: str | list[str] | None = Field(
        default=None,
        description="strptime format(s) of a date or timestamp column, e.g. `%d/%m/%Y`; "
                    "several are tried in order. Without it ISO dates are read and other "
                    "formats are detected (ambiguous day/month is an error).",
    )
    number_format: NumberFormat | None = Field(
        default=None,
        description="Separators of a number column: `\"1,234.56\"` or `\"1.234,56\"`. "
                    "Without it they are decided from all the column's values; a column "
                    "whose values fit both (only `€1.200`-like values) is refused.",
    )
    multiply: float | None = Field(default=None, description="Multiply a number (e.g. 100 "
                                                             "for a 0–1 probability).")
    optional: bool = Field(
        default=False,
        description="The source column may be absent from a file; it is then NULL (not "
                    "recorded), and map/default/otherwise do not apply.",
    )

    _lookup_table: dict[str, Scalar] = PrivateAttr(default_factory=dict)
    _blank: Scalar = PrivateAttr(default=None)
    _has_blank: bool = PrivateAttr(default=False)

    @model_validator(mode="before")
    @classmethod
    def _keys_given(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            raise ValueError("a list of source columns goes under `from:` "
                             "(`{from: [A, B]}` takes the first non-blank)")
        if not isinstance(value, (dict, BaseModel)):
            raise ValueError(f"{value!r} is not a source column name or a set of keys; "
                             f"for a constant write `{{constant: {value!r}}}`")
        return value

    @field_validator("map", mode="before")
    @classmethod
    def _map_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {scalar_text(k): v for k, v in value.items()}
        return value

    @field_validator("otherwise", mode="before")
    @classmethod
    def _keep_word(cls, value: Any) -> Any:
        return {"keep": "as_is"} if value == "keep" else value

    @field_validator("regex")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            check_regex(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ColumnSpec:
        origins = [self.source is not None, self.path is not None, self.constant is not None]
        if sum(origins) > 1:
            raise ValueError("give only one of 'from', 'path' or 'constant'")
        if sum(origins) == 0 and self.default is None:
            raise ValueError("give one of 'from', 'path', 'constant' (or 'default' alone "
                             "for a constant)")
        if self.aggregate and not (self.path and "[]" in self.path):
            raise ValueError("'aggregate' applies to a 'path' through a list ('a[].b')")
        if self.replace is not None and self.regex is None:
            raise ValueError("'replace' needs a 'regex'")
        if self.regex is not None and self.replace is None and _groups(self.regex) == 0:
            raise ValueError(f"regex {self.regex!r} has no capture group: put the part to "
                             "keep in ( ), or give 'replace'")
        if self.regex is not None and self.replace is not None:
            refs = [int(n) for n in re.findall(r"\\(\d)", self.replace)]
            if refs and max(refs) > _groups(self.regex):
                raise ValueError(f"replace {self.replace!r} refers to group \\{max(refs)} but "
                                 f"regex {self.regex!r} has {_groups(self.regex)} group(s)")
        if self.lower and self.upper:
            raise ValueError("give only one of 'lower' and 'upper'")
        if "otherwise" in self.model_fields_set and not (self.map or self.labels):
            raise ValueError("'otherwise' says what unmapped values become: it needs "
                             "'map' or 'labels'")
        return self

    @property
    def source_columns(self) -> list[str]:
        return _as_list(self.source)

    @property
    def formats(self) -> list[str]:
        return _as_list(self.format)

    @property
    def label_tables(self) -> list[str]:
        return _as_list(self.labels)

    @property
    def translates(self) -> bool:
        """Whether values go through a label table or value map."""
        return bool(self.map or self.labels)

    @property
    def lookup_table(self) -> dict[str, Scalar]:
        """{label_key(label): value} of labels and map (map wins); blank not included."""
        return self._lookup_table

    @property
    def blank_value(self) -> tuple[bool, Scalar]:
        """(given, value) for blank cells: the map's/labels' "" entry, else ``default``."""
        if self._has_blank:
            return True, self._blank
        return self.default is not None, self.default

    @property
    def keeps_unmapped(self) -> Keep | None:
        return self.otherwise if isinstance(self.otherwise, Keep) else None

    def resolve_labels(self, tables: dict[str, dict[str, Scalar]]) -> None:
        """Fill the translation table from the named label tables and ``map``."""
        merged: dict[str, Scalar] = {}
        has_blank, blank = False, None
        for name in self.label_tables:
            if name not in tables:
                raise ValueError(f"unknown label table {name!r}; known: "
                                 f"{', '.join(sorted(tables)) or '(none)'}")
            for key, value in tables[name].items():
                if key == "":
                    has_blank, blank = True, value
                else:
                    merged[key] = value
        for label, value in (self.map or {}).items():
            key = label_key(label)
            if key == "":
                has_blank, blank = True, value
            else:
                merged[key] = value
        self._lookup_table, self._has_blank, self._blank = merged, has_blank, blank


def _as_list(value: str | list[str] | None) -> list[str]:
    """A key that takes one name or a list of names, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _groups(pattern: str) -> int:
    try:
        return re.compile(pattern).groups
    except re.error:
        return 1  # RE2-only syntax: DuckDB accepted it, trust the author


@lru_cache(maxsize=1)
def _regex_engine() -> Any:
    import duckdb

    return duckdb.connect()


def check_regex(pattern: str) -> None:
    """Raise ValueError when DuckDB's regex engine (RE2) cannot compile ``pattern``."""
    import duckdb

    try:
        _regex_engine().execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:
        detail = str(exc).split("Error:", 1)[-1].strip()
        raise ValueError(f"invalid regex {pattern!r}: {detail}") from None


class Source(BaseModel):
    """One kind of file in a mapping and the canonical table it fills."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Name of the source (unique in the mapping; lookups use "
                                  "it).")
    table: str | None = Field(description="Canonical table it fills, or null for a "
                                          "lookup-only source.")
    files: list[str] = Field(default_factory=list, description="File-name globs (any "
                                                               "matches).")
    headers: list[str] = Field(
        default_factory=list, description="Columns a file must have to be recognised."
    )
    format: Format | None = Field(default=None, description="Force the file format "
                                                            "(else from the extension).")
    sheet: str | None = Field(default=None, description="XLSX sheet to read.")
    delimiter: str | None = Field(default=None, description="CSV delimiter (else sniffed).")
    encoding: str | None = Field(default=None, description="Text encoding (else detected).")
    records: str | None = Field(
        default=None, description="For JSON documents: the key holding the list of records."
    )
    columns: dict[str, ColumnSpec] = Field(
        default_factory=dict,
        description="Target column → how to fill it: a source column name, or the keys "
                    "below.")

    @field_validator("columns", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"from": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _check_table(self) -> Source:
        if self.table is not None:
            if self.table not in SCHEMA:
                raise ValueError(
                    f"unknown table {self.table!r}; known tables: {', '.join(SCHEMA)}"
                )
            table = SCHEMA[self.table]
            known = set(table.column_names)
            unknown = [c for c in self.columns if c not in known]
            if unknown:
                raise ValueError(
                    f"table {self.table} has no column(s) {', '.join(unknown)}; its columns "
                    f"are {', '.join(sorted(known))}"
                )
            for name, spec in self.columns.items():
                t = table.column(name).type
                numeric = t in (ColumnType.integer, ColumnType.decimal)
                if spec.number_format and not (numeric or spec.bands):
                    raise ValueError(f"column {name}: 'number_format' applies to number "
                                     f"columns; {name} is {t.value}")
                if spec.format and t not in (ColumnType.date, ColumnType.timestamp):
                    raise ValueError(f"column {name}: 'format' is a date format; {name} is "
                                     f"{t.value} (for numbers use 'number_format')")
                if spec.bands and t != ColumnType.string:
                    raise ValueError(f"column {name}: 'bands' give text labels; {name} is "
                                     f"{t.value}")
                if spec.multiply is not None and not numeric:
                    raise ValueError(f"column {name}: 'multiply' applies to number columns; "
                                     f"{name} is {t.value}")
        if not self.files and not self.headers:
            raise ValueError("give 'files' globs or 'headers' so files can be recognised")
        return self


class Mapping(BaseModel):
    """A mapping file: sources, and optionally label tables they share."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Name shown in the load report.")
    description: str = Field(default="", description="Free text.")
    labels: dict[str, LabelTable] = Field(
        default_factory=dict,
        description="Named label tables `{table: {value: [label, ...]}}` that columns use "
                    "with `labels: <table>` (they replace a built-in table of the same "
                    "name). The label `\"\"` gives the value of blank cells.",
    )
    sources: list[Source] = Field(description="The kinds of file this mapping reads.")
    origin: str = Field(default="builtin", exclude=True)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"mapping {self.name}: no source named {name!r}")

    @field_validator("labels", mode="before")
    @classmethod
    def _label_values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: ({scalar_text(k): v for k, v in table.items()}
                           if isinstance(table, dict) else table)
                    for name, table in value.items()}
        return value

    @model_validator(mode="after")
    def _check_lookups(self) -> Mapping:
        names = {s.name for s in self.sources}
        if len(names) != len(self.sources):
            raise ValueError("source names must be unique")
        tables = {**builtin_label_tables(), **label_tables(self.labels)}
        for s in self.sources:
            for col, spec in s.columns.items():
                if spec.lookup and spec.lookup.source not in names:
                    raise ValueError(
                        f"source {s.name}, column {col}: lookup source "
                        f"{spec.lookup.source!r} is not a source of this mapping"
                    )
                try:
                    spec.resolve_labels(tables)
                except ValueError as exc:
                    raise ValueError(f"source {s.name}, column {col}: {exc}") from None
        return self
