"""Markdown messaging documents (website, deck, email sequence, proposal): one row per file,
front matter for its fields."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from throughline.core.errors import InputError
from throughline.ingest.readers.base import OpenedFile, cell_text, register_arrow


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
KINDS = ("website", "deck", "email_sequence", "proposal")


def open_markdown(
    con: duckdb.DuckDBPyConnection, path: Path, source: Path, view_name: str
) -> OpenedFile:
    text = source.read_text(encoding="utf-8").lstrip("\ufeff")
    meta: dict[str, Any] = {}
    m = FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise InputError(f"front matter is not valid YAML: {exc}", file=str(path)) from exc
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[m.end():]
    stem = path.stem.lower().replace("-", "_").replace(" ", "_")
    kind = str(meta.get("kind") or next((k for k in KINDS if k in stem), "other"))
    title = meta.get("title")
    if title is None:
        h = re.search(r"^#\s+(.+)$", text, re.M)
        title = h.group(1).strip() if h else path.stem
    row = {
        "artifact_id": str(meta.get("id") or stem),
        "kind": kind,
        "title": str(title),
        "text": text.strip(),
        "updated_at": cell_text(meta.get("updated_at") or meta.get("date")),
    }
    table = pa.Table.from_pylist([row], schema=pa.schema([(k, pa.string()) for k in row]))
    return OpenedFile(path=path, format="markdown", relation=register_arrow(con, view_name, table),
                      columns=list(row))
