"""Writing the export files: chunked CSV (pyarrow), JSON, Markdown; row counts per file.

CSVs are appended chunk by chunk through one ``pyarrow.csv.CSVWriter`` per file, so a
million-row table never sits in memory. pyarrow formats numbers the same way on every
run (shortest round-trip text for doubles), quotes strings and writes nulls as empty
fields, so the bytes depend only on the values.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

EPOCH = np.datetime64("1970-01-01", "D")


class Exports:
    """The files of one sample company being written under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: dict[str, int] = {}
        self._writers: dict[str, tuple[pacsv.CSVWriter, Any, pa.Schema]] = {}

    def append(self, rel: str, table: pa.Table) -> None:
        """Append rows to ``rel`` (opened on first use, header written once)."""
        if rel not in self._writers:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            sink = path.open("wb")
            writer = pacsv.CSVWriter(sink, table.schema,
                                     write_options=pacsv.WriteOptions(batch_size=65_536))
            self._writers[rel] = (writer, sink, table.schema)
            self.rows[rel] = 0
        writer, _, schema = self._writers[rel]
        if table.num_rows:
            writer.write_table(table.cast(schema))
            self.rows[rel] += table.num_rows

    def text(self, rel: str, content: str, rows: int = 1) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        self.rows[rel] = rows

    def json(self, rel: str, payload: Any, rows: int) -> None:
        self.text(rel, json.dumps(payload, indent=2, ensure_ascii=False) + "\n", rows)

    def json_array(self, rel: str, items: Iterable[Any]) -> None:
        """A pretty-printed JSON array written one element at a time (bounded memory)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        n = 0
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("[")
            for item in items:
                fh.write(",\n" if n else "\n")
                fh.write(textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "  "))
                n += 1
            fh.write("\n]\n" if n else "]\n")
        self.rows[rel] = n

    def close(self) -> None:
        for writer, sink, _ in self._writers.values():
            writer.close()
            sink.close()
        self._writers.clear()


# --- column builders: numpy arrays → typed Arrow arrays ------------------------------------


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """date32 from day numbers (days since 1970-01-01); invalid/NaN → null."""
    d = np.asarray(days, dtype=float)
    mask = ~np.isfinite(d) if valid is None else ~(np.asarray(valid) & np.isfinite(d))
    ints = np.where(mask, 0, np.floor(np.nan_to_num(d))).astype(np.int32)
    return pa.array(ints, type=pa.date32(), mask=mask)


def seconds(days: np.ndarray) -> np.ndarray:
    """Whole seconds since the epoch for fractional day numbers."""
    return np.floor(np.asarray(days, dtype=float) * 86_400).astype(np.int64)


def sf_datetime(days: np.ndarray) -> pa.Array:
    """Salesforce Data Loader timestamps: ``2025-01-14T10:22:31.000+0000``."""
    ts = pa.array(seconds(days), type=pa.timestamp("s"))
    return pc.strftime(ts, format="%Y-%m-%dT%H:%M:%S.000+0000")


def iso_z(days: np.ndarray) -> list[str | None]:
    """GitHub timestamps (``2025-02-01T09:00:00Z``); NaN → None."""
    d = np.asarray(days, dtype=float)
    ok = np.isfinite(d)
    ts = pa.array(seconds(np.where(ok, d, 0)), type=pa.timestamp("s"))
    text = pc.strftime(ts, format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
    return [t if k else None for t, k in zip(text, ok.tolist())]


def pick(labels: tuple[str, ...] | list[str], index: np.ndarray,
         null: np.ndarray | None = None) -> pa.Array:
    """String column from label indices; ``null`` marks empty cells."""
    arr = pa.array(list(labels), type=pa.string()).take(pa.array(np.asarray(index,
                                                                            dtype=np.int64)))
    if null is not None and np.any(null):
        arr = pc.if_else(pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, pa.string()),
                         arr)
    return arr


def flags(values: np.ndarray, as_text: bool = False) -> pa.Array:
    """Booleans; Salesforce files spell them as the strings ``true``/``false``."""
    b = pa.array(np.asarray(values, dtype=bool))
    if as_text:
        return pc.if_else(b, pa.scalar("true"), pa.scalar("false"))
    return b


def money(values: np.ndarray, cents: bool = False) -> pa.Array:
    """Amounts rounded to whole units (or cents)."""
    v = np.asarray(values, dtype=float)
    return pa.array(np.round(v, 2)) if cents else pa.array(np.round(v).astype(np.int64))


def day_string(day: float) -> str:
    return str(EPOCH + np.timedelta64(int(np.floor(day)), "D"))
