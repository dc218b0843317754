"""Label tables: the form labels are compared in, tables from ``{value: [labels]}``, and
the built-in tables every mapping can use (``profiles/labels.yaml``)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

import yaml

from throughline.evidence.schema import scalar_text

Scalar = str | int | float | bool | None
LabelTable = dict[str, list[Scalar]]


def label_key(value: object) -> str:
    """The form labels are compared in: accents stripped, lower case, spaces collapsed.

    ``valuemaps.label_key_sql`` computes the same in SQL for the values of a file.
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split()).lower()


def label_tables(declared: dict[str, LabelTable]) -> dict[str, dict[str, Scalar]]:
    """{table: {label_key: value}} from ``{table: {value: [labels]}}``; a label may appear
    under one value only."""
    out: dict[str, dict[str, Scalar]] = {}
    for name, groups in declared.items():
        flat: dict[str, Scalar] = {}
        seen: dict[str, str] = {}
        for value, labels in groups.items():
            for label in labels:
                key = label_key(scalar_text(label))
                if key in seen and flat[key] != value:
                    raise ValueError(
                        f"label table {name}: {scalar_text(label)!r} is listed under "
                        f"{seen[key]!r} and {value!r}")
                flat[key], seen[key] = value, value
        out[name] = flat
    return out


@lru_cache(maxsize=1)
def builtin_label_tables() -> dict[str, dict[str, Scalar]]:
    """The label tables every mapping can use (``profiles/labels.yaml``)."""
    text = resources.files("throughline.ingest.profiles").joinpath("labels.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    return label_tables({name: {scalar_text(k): v for k, v in table.items()}
                         for name, table in data.items()})


def builtin_label_groups() -> dict[str, dict[str, list[str]]]:
    """``profiles/labels.yaml`` as written: {table: {value: [labels]}} (for the docs)."""
    text = resources.files("throughline.ingest.profiles").joinpath("labels.yaml").read_text(
        encoding="utf-8")
    return {name: {scalar_text(k): [scalar_text(x) for x in v] for k, v in table.items()}
            for name, table in yaml.safe_load(text).items()}
