"""Mappings: how a user's export becomes canonical tables.

Built-in profiles (``salesforce``, ``hubspot``, ``github``, ``canonical``, ``messaging``)
are mappings too — YAML files in ``profiles/`` (canonical is generated from the schema) —
so a user's ``MAPPING.yaml`` goes through exactly the same path as a built-in.

A mapping has sources. A source recognises files (name globs and/or required headers),
says how to read them (format, sheet, delimiter, encoding, records path) and maps target
columns of one canonical table to source columns::

    columns:
      opportunity_id: Id                       # rename
      stage: {from: deal_stage}
      is_won: {from: deal_stage, map: {Won: true}, default: false}   # value map
      close_date: {from: close_date, format: "%d/%m/%Y"}             # date format
      amount: {from: close_value, multiply: 1}
      industry: {from: account, lookup: {source: accounts, key: account, value: sector}}
      motion: {constant: outbound}
      first_review_at: {path: "reviews[].submittedAt", aggregate: min}  # nested JSON
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from throughline.errors import ConfigError, UsageError
from throughline.evidence import SCHEMA

Format = Literal["csv", "tsv", "json", "jsonl", "parquet", "xlsx", "markdown"]


class Lookup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(description="Name of another source of the mapping (often table: null).")
    key: str = Field(description="Column of the lookup source matched against this value.")
    value: str = Field(description="Column of the lookup source to take.")


class ColumnSpec(BaseModel):
    """How one canonical column is filled."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str | list[str] | None = Field(
        default=None, alias="from",
        description="Source column; a list takes the first non-blank of several.",
    )
    path: str | None = Field(
        default=None, description="Nested JSON path: 'author.login' or 'reviews[].submittedAt'."
    )
    aggregate: Literal["min", "max", "count", "first"] | None = None
    constant: str | int | float | bool | None = None
    map: dict[str, str | int | float | bool | None] | None = None
    default: str | int | float | bool | None = None
    format: str | list[str] | None = Field(
        default=None, description="strptime format(s) for date and timestamp columns."
    )
    multiply: float | None = None
    regex: str | None = Field(
        default=None, description="Regular expression: keeps group 1, or 'replace' if given."
    )
    replace: str | None = Field(default=None, description="Replacement for 'regex' (\\1...).")
    lookup: Lookup | None = None
    bands: list[tuple[float, str]] | None = Field(
        default=None, description="Numeric bands: [[upper_inclusive, label], ...], ascending."
    )
    lower: bool = False
    optional: bool = Field(
        default=False, description="The source column may be absent from a file."
    )

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSpec:
        origins = [self.source is not None, self.path is not None, self.constant is not None]
        if sum(origins) > 1:
            raise ValueError("give only one of 'from', 'path' or 'constant'")
        if sum(origins) == 0 and self.default is None:
            raise ValueError("give one of 'from', 'path', 'constant' or 'default'")
        return self

    @property
    def source_columns(self) -> list[str]:
        if self.source is None:
            return []
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def formats(self) -> list[str]:
        if self.format is None:
            return []
        return [self.format] if isinstance(self.format, str) else list(self.format)


class Source(BaseModel):
    """One kind of file in a mapping and the canonical table it fills."""

    model_config = ConfigDict(extra="forbid")

    name: str
    table: str | None = Field(description="Canonical table, or null for a lookup-only source.")
    files: list[str] = Field(default_factory=list, description="File-name globs (any matches).")
    headers: list[str] = Field(
        default_factory=list, description="Columns a file must have to be recognised."
    )
    format: Format | None = None
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    records: str | None = Field(
        default=None, description="For JSON documents: the key holding the list of records."
    )
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)

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
            known = set(SCHEMA[self.table].column_names)
            unknown = [c for c in self.columns if c not in known]
            if unknown:
                raise ValueError(
                    f"table {self.table} has no column(s) {', '.join(unknown)}; its columns "
                    f"are {', '.join(sorted(known))}"
                )
        if not self.files and not self.headers:
            raise ValueError("give 'files' globs or 'headers' so files can be recognised")
        return self


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    sources: list[Source]
    origin: str = Field(default="builtin", exclude=True)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"mapping {self.name}: no source named {name!r}")

    @model_validator(mode="after")
    def _check_lookups(self) -> Mapping:
        names = {s.name for s in self.sources}
        if len(names) != len(self.sources):
            raise ValueError("source names must be unique")
        for s in self.sources:
            for col, spec in s.columns.items():
                if spec.lookup and spec.lookup.source not in names:
                    raise ValueError(
                        f"source {s.name}, column {col}: lookup source "
                        f"{spec.lookup.source!r} is not a source of this mapping"
                    )
        return self


BUILTIN_PROFILES = ("salesforce", "hubspot", "github", "canonical", "messaging")


def canonical_mapping() -> Mapping:
    """The canonical profile: files named after tables, with canonical column names."""
    sources = []
    for t in SCHEMA.values():
        sources.append(
            Source(
                name=t.name,
                table=t.name,
                files=[f"{t.name}.*", f"*_{t.name}.*"],
                headers=t.required_columns,
                columns={
                    c.name: ColumnSpec(source=c.name, optional=not c.required) for c in t.columns
                },
            )
        )
    return Mapping(
        name="canonical",
        description="Throughline's own table layout (see docs/data-model.md).",
        sources=sources,
    )


def parse_mapping(data: Any, origin: str) -> Mapping:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: a mapping must be a YAML object with 'name' and 'sources'")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:8]
        )
        raise ConfigError(f"{origin}: invalid mapping: {problems}") from exc
    mapping.origin = origin
    return mapping


def load_mapping_file(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read mapping {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_mapping(data, str(path))


@lru_cache(maxsize=None)
def builtin_mapping(name: str) -> Mapping:
    if name == "canonical":
        return canonical_mapping()
    if name not in BUILTIN_PROFILES:
        raise UsageError(
            f"unknown profile {name!r}",
            hint=f"use one of {', '.join(BUILTIN_PROFILES)} or a path to a MAPPING.yaml",
        )
    text = resources.files("throughline.ingest.profiles").joinpath(f"{name}.yaml").read_text(
        encoding="utf-8"
    )
    return parse_mapping(yaml.safe_load(text), f"builtin:{name}")


def resolve_profile(profile: str | None) -> list[Mapping]:
    """The mappings to try: one named/loaded mapping, or every built-in for detection."""
    if profile is None:
        return [builtin_mapping(n) for n in BUILTIN_PROFILES]
    if profile.endswith((".yaml", ".yml")) or Path(profile).is_file():
        path = Path(profile)
        if not path.is_file():
            raise UsageError(f"mapping file not found: {profile}")
        return [load_mapping_file(path)]
    return [builtin_mapping(profile)]
