"""Mappings read from YAML: the built-in profiles (``profiles/*.yaml``; canonical is
generated from the schema), a user's ``MAPPING.yaml``, ``--profile`` resolved, and
validation errors turned into one readable line each."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from throughline.core.errors import ConfigError, UsageError
from throughline.evidence import SCHEMA
from throughline.ingest.mapping import ColumnSpec, Keep, Lookup, Mapping, Source

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


_MODELS: dict[str, type[BaseModel]] = {
    "mapping": Mapping, "source": Source, "column": ColumnSpec, "lookup": Lookup,
    "keep": Keep,
}


def allowed_keys(model: type[BaseModel]) -> list[str]:
    """The keys a user may write for ``model`` (aliases as written in YAML)."""
    keys = []
    for name, f in model.model_fields.items():
        if f.exclude:
            continue
        keys.append(f.alias or name)
    return keys


def _describe(loc: tuple[Any, ...], data: Any) -> tuple[str, str]:
    """(where, model kind) of an error location: 'source deals, column is_won'."""
    where: list[str] = []
    kind = "mapping"
    i = 0
    node = data
    while i < len(loc):
        part = loc[i]
        if kind == "mapping" and part == "sources" and i + 1 < len(loc) and isinstance(
                loc[i + 1], int):
            idx = loc[i + 1]
            name = None
            if isinstance(node, dict) and isinstance(node.get("sources"), list) and idx < len(
                    node["sources"]) and isinstance(node["sources"][idx], dict):
                node = node["sources"][idx]
                name = node.get("name")
            where.append(f"source {name}" if name else f"source #{idx + 1}")
            kind = "source"
            i += 2
            continue
        if kind == "source" and part == "columns" and i + 1 < len(loc):
            target = loc[i + 1]
            where.append(f"column {target}")
            node = node.get("columns", {}).get(target) if isinstance(node, dict) and isinstance(
                node.get("columns"), dict) else None
            kind = "column"
            i += 2
            continue
        if kind == "column" and part == "lookup":
            where.append("lookup")
            kind = "lookup"
        elif kind == "column" and part == "otherwise":
            where.append("otherwise")
            kind = "keep"
        elif kind == "mapping" and part == "labels":
            where.append("labels")
            kind = "labels"
        elif part not in ("keep", "function-after[_consistent(), ColumnSpec]"):
            if i == len(loc) - 1:
                break  # the key itself: named by the caller
            where.append(str(part))
        i += 1
    return ", ".join(where), kind


def _is_tag(part: object) -> bool:
    """A union member's tag in an error location ('str', 'Keep', 'list[str]', …)."""
    return isinstance(part, str) and (part in ("str", "int", "float", "bool", "none")
                                      or part[:1].isupper() or "[" in part)


def _merge_unions(errors: list[Any]) -> list[dict[str, Any]]:
    """One error per place: a value no member of a union accepts lists what each expects."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in errors:
        loc = tuple(p for p in e["loc"] if not _is_tag(p))
        if len(loc) < len(e["loc"]) and loc in merged and merged[loc]["type"] == "union":
            merged[loc]["msg"] += " or " + str(e["msg"]).removeprefix("Input should be ")
            continue
        if len(loc) < len(e["loc"]):
            shown = repr(e.get("input"))[:60]
            merged[loc] = {"loc": loc, "type": "union", "msg": f"got {shown}; expected "
                           + str(e["msg"]).removeprefix("Input should be ")}
        else:
            merged[loc + (len(merged),)] = dict(e, loc=loc)
    out = list(merged.values())
    # a member that got further (the dict form of `otherwise`) says more than the union
    return [e for e in out if not (e["type"] == "union" and any(
        f is not e and len(f["loc"]) > len(e["loc"]) and f["loc"][:len(e["loc"])] == e["loc"]
        for f in out))]


def format_problems(exc: ValidationError, data: Any) -> list[str]:
    """One readable line per validation error: where (source, target column), what is
    wrong, and for an unknown key the keys allowed there."""
    lines: list[str] = []
    seen: set[str] = set()
    errors = _merge_unions(exc.errors())
    for e in errors:
        loc = tuple(e["loc"])
        where, kind = _describe(loc, data)
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            key = loc[-1]
            model = _MODELS.get(kind)
            allowed = ", ".join(allowed_keys(model)) if model else ""
            hint = ""
            if kind == "column" and key in ("value", "const_value", "fixed", "static"):
                hint = " (for a constant use `constant:`)"
            line = f"{where or 'top level'}: unknown key {key!r}{hint}"
            if allowed:
                line += f"; allowed keys here: {allowed}"
        elif e["type"] == "missing":
            line = f"{where or 'top level'}: missing key {loc[-1]!r}"
        else:
            last = loc[-1] if loc else ""
            if kind in ("column", "source", "lookup") and isinstance(last, str) and (
                    last in allowed_keys(_MODELS[kind]) or last == "source"):
                where = f"{where}, {last}" if where else str(last)
            line = f"{where or 'top level'}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def parse_mapping(data: Any, origin: str) -> Mapping:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: a mapping must be a YAML object with 'name' and 'sources'")
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = format_problems(exc, data)
        more = f"\n  ... and {len(problems) - 8} more" if len(problems) > 8 else ""
        raise ConfigError(f"{origin}: invalid mapping:\n  - " + "\n  - ".join(problems[:8])
                          + more,
                          hint="docs/mapping.md lists every key") from exc
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
