"""What every reader shares: the opened file, its format by extension, DuckDB's errors
in words, the work folder, and Arrow tables registered as views."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from throughline.core.errors import InputError
from throughline.ingest.guard import STAGING_PREFIX
from throughline.ingest.sql import ident

SNIFF_BYTES = 256 * 1024
TEXT_FORMATS = {"csv", "tsv", "json", "jsonl", "markdown"}
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".md": "markdown", ".markdown": "markdown",
}


@dataclass
class OpenedFile:
    """A file ready to scan: ``relation`` is SQL usable after FROM."""

    path: Path
    format: str
    relation: str
    columns: list[str]
    types: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    sheet: str | None = None
    delimiter: str | None = None  # given by the mapping or read from the header; else sniffed
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # names as written (repeats kept)
    source: Path | None = None  # the bytes DuckDB reads: the file, or its UTF-8 copy
    quote: str | None = None  # CSV quote character ('' = no quoting)
    skip_rows: int = 0  # lines before the CSV header
    has_quote: bool = False  # the file holds a '"' somewhere
    repaired_lines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.source is None:
            self.source = self.path
        if not self.header:
            self.header = list(self.columns)

    def resolve(self, name: str) -> str | None:
        """Actual column name for a mapping's name: exact, then case/space-insensitive."""
        if name in self.columns:
            return name
        want = norm_name(name)
        for col in self.columns:
            if norm_name(col) == want:
                return col
        return None


def norm_name(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().lower()


def detect_format(path: Path, forced: str | None = None) -> str:
    if forced:
        return forced
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        if path.suffix.lower() == ".xls":
            raise InputError(
                "old binary Excel (.xls) is not supported", file=str(path),
                hint="save it as .xlsx or CSV",
            )
        raise InputError(
            f"unsupported file type {path.suffix or '(no extension)'}", file=str(path),
            expected="csv, tsv, json, jsonl, parquet, xlsx or md",
        )
    return fmt


def duckdb_error(path: Path, exc: Exception, what: str) -> InputError:
    """Translate a DuckDB reader error into an InputError with the line when it has one."""
    text = str(exc)
    line = None
    m = re.search(r"[Ll]ine:?\s*(\d+)", text)
    if m:
        line = int(m.group(1))
    return InputError(f"cannot read as {what}: {duckdb_detail(exc)}", file=str(path),
                      line=line)


def duckdb_detail(exc: Exception) -> str:
    keep = []
    for raw in str(exc).strip().splitlines():
        ln = raw.strip()
        if not ln or ln.lower().startswith(("possible fixes", "* ", "file:", "the search space")):
            if ln.lower().startswith("possible fixes"):
                break
            continue
        ln = re.sub(r"^[A-Za-z ]*Error:\s*", "", ln)
        if re.fullmatch(r"CSV Error on Line:\s*\d+", ln):
            continue  # DuckDB counts records there; the InputError names the file's line
        keep.append(ln)
    detail = "; ".join(keep[:3]) or type(exc).__name__
    if len(detail) > 400:
        detail = detail[:397] + "..."
    return detail


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def check_header(opened: OpenedFile) -> None:
    """Refuse a header that names one column twice (one of the two would be dropped)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(opened.header):
        key = norm_name(name)
        if not key:
            continue
        if key in seen:
            j = seen[key]
            if opened.format == "xlsx":
                where = (f"cells {column_letter(j)}1 and {column_letter(i)}1 of sheet "
                         f"'{opened.sheet}'")
            else:
                where = f"columns {j + 1} and {i + 1}"
            shown = name if name == opened.header[j] else f"{opened.header[j]}' and '{name}"
            raise InputError(
                f"the header names '{shown}' twice ({where}); reading it would keep one "
                "column and drop the other", file=str(opened.path),
                column=opened.header[j], expected="each column name once",
                hint="rename or delete one of the two columns and export again")
        seen[key] = i


def cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def dedupe_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            out.append(f"{n}_{seen[n]}")
        else:
            seen[n] = 0
            out.append(n)
    return out


def make_workdir(base: Path | None = None) -> Path:
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=base))


def register_arrow(con: duckdb.DuckDBPyConnection, view_name: str, table: pa.Table) -> str:
    """Register an Arrow table (also as the temp view ``view_name``); the relation to scan."""
    con.register(view_name + "_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view_name)} AS "
                f"SELECT * FROM {ident(view_name + '_arrow')}")
    return ident(view_name + "_arrow")
