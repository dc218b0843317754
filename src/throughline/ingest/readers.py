"""Open a user's file as something DuckDB can scan, without Python loops over rows.

CSV/TSV go through DuckDB's ``read_csv`` (delimiter sniffed, BOM and quoted newlines
handled, everything read as text so validation can say which value was wrong), JSON and
JSON Lines through ``read_json``, Parquet through ``read_parquet``. XLSX has no DuckDB
reader that works offline, so a Python reader (calamine) hands DuckDB whole columns as
Arrow arrays; Markdown messaging documents become one row per file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml
from charset_normalizer import from_bytes

from throughline.errors import InputError

SNIFF_BYTES = 256 * 1024
# DuckDB's CSV reader splits a file into one batch per buffer (32 MB by default) and the
# order-preserving insert handles each batch separately; batch boundaries rarely fall on a
# row-group boundary, so every one leaves part-filled row groups to merge. 128 MB buffers
# (a quarter as many boundaries) measured 10-15% less CPU to type and write a 0.9 GB
# export, for about 120 MB more peak memory at 2 threads.
CSV_BUFFER_BYTES = 128 * 1024 * 1024
TEXT_FORMATS = {"csv", "tsv", "json", "jsonl", "markdown"}
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".md": "markdown", ".markdown": "markdown",
}


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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

    def resolve(self, name: str) -> str | None:
        """Actual column name for a mapping's name: exact, then case/space-insensitive."""
        if name in self.columns:
            return name
        want = _norm(name)
        for col in self.columns:
            if _norm(col) == want:
                return col
        return None


def _norm(name: str) -> str:
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


def _check_text(path: Path, head: bytes) -> str:
    """Detect the encoding of a text file; reject binaries."""
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in head[:8192]:
        raise InputError(
            "this is a binary file, not text", file=str(path),
            expected="a UTF-8 or Latin-1 text export",
        )
    sample = head.decode("utf-8", errors="strict") if _is_utf8(head) else None
    if sample is not None:
        return "utf-8"
    best = from_bytes(head).best()
    if best is None:
        raise InputError(
            "cannot tell the text encoding of this file", file=str(path),
            hint="re-export it as UTF-8",
        )
    return str(best.encoding)


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is not an error
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"


def _transcode(path: Path, encoding: str, workdir: Path) -> Path:
    """Stream a non-UTF-8 text file into a UTF-8 copy (chunked, not row by row)."""
    out = workdir / (path.stem + ".utf8" + path.suffix)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"bytes that are not valid {encoding} text", file=str(path),
            hint="re-export the file as UTF-8",
        ) from exc
    return out


def open_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    workdir: Path,
    forced_format: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    records: str | None = None,
    max_field_bytes: int = 1_000_000,
    view_name: str,
) -> OpenedFile:
    """Open ``path`` for scanning and return its columns; raise ``InputError`` if unreadable."""
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder; pass files or let ingest walk the folder", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InputError("the file is empty", file=str(path), expected="a header and rows")
    fmt = detect_format(path, forced_format)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if fmt in TEXT_FORMATS:
        enc = encoding or _check_text(path, head)
        source = path
        if enc.lower().replace("_", "-") not in ("utf-8", "ascii", "utf-16", "utf-8-sig"):
            source = _transcode(path, enc, workdir)
        if fmt in ("csv", "tsv"):
            return _open_csv(con, path, source, fmt, enc, delimiter, max_field_bytes, view_name)
        if fmt in ("json", "jsonl"):
            return _open_json(con, path, source, fmt, head, records, view_name)
        return _open_markdown(con, path, source, view_name)
    if fmt == "parquet":
        return _open_parquet(con, path, head, size, view_name)
    return _open_xlsx(con, path, head, sheet, view_name)


def duckdb_error(path: Path, exc: Exception, what: str) -> InputError:
    """Translate a DuckDB reader error into an InputError with the line when it has one."""
    text = str(exc)
    line = None
    m = re.search(r"[Ll]ine:?\s*(\d+)", text)
    if m:
        line = int(m.group(1))
    keep = []
    for raw in text.strip().splitlines():
        ln = raw.strip()
        if not ln or ln.lower().startswith(("possible fixes", "* ", "file:", "the search space")):
            if ln.lower().startswith("possible fixes"):
                break
            continue
        ln = re.sub(r"^[A-Za-z ]*Error:\s*", "", ln)
        keep.append(ln)
    detail = "; ".join(keep[:3]) or type(exc).__name__
    if len(detail) > 400:
        detail = detail[:397] + "..."
    return InputError(f"cannot read as {what}: {detail}", file=str(path), line=line)


def _open_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: Path, fmt: str, enc: str,
    delimiter: str | None, max_field_bytes: int, view_name: str,
) -> OpenedFile:
    max_line = max(max_field_bytes, 2_097_152)
    opts = ["header=true", "all_varchar=true", f"max_line_size={max_line}",
            f"buffer_size={max(CSV_BUFFER_BYTES, 16 * max_line)}"]
    if enc.lower() == "utf-16":
        opts.append("encoding='utf-16'")
    delim = delimiter or ("\t" if fmt == "tsv" else None)
    if delim:
        opts.append(f"delim={sql_str(delim)}")
    try:
        relation, cols = _sniffed(con, source, opts)
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "CSV") from exc
    cols = [c.replace("\ufeff", "").strip() for c in cols]
    if len(cols) == 1 and enc.lower() != "utf-16":
        explicit = _explicit_dialect(source, delim, max_field_bytes)
        if explicit is not None:
            relation, cols, delim = explicit
    notes = [] if enc == "utf-8" else [f"decoded as {enc}"]
    return OpenedFile(path=path, format=fmt, relation=relation, columns=cols, encoding=enc,
                      delimiter=delim, notes=notes)


def _sniffed(con: duckdb.DuckDBPyConnection, source: Path, opts: list[str]
             ) -> tuple[str, list[str]]:
    """A ``read_csv`` of ``source`` with the dialect DuckDB's sniffer detects spelled out.

    Every statement over an auto-detecting ``read_csv`` runs the sniffer again (serially,
    ~0.035 s a file), and a file is read at least three times (columns, date sample,
    staging). ``sniff_csv`` costs about two of those sniffs, and the options it found, passed
    explicitly (as its own prompt does), read the file the same way without sniffing again.
    Returns the relation and the column names.
    """
    src = sql_str(str(source))
    row = con.execute(
        "SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows, Columns "
        f"FROM sniff_csv({src}, {', '.join(opts)})").fetchone()
    assert row is not None  # sniff_csv returns one row or raises
    delim, quote, escape, new_line, comment, skip, columns = row
    names = [c["name"] for c in columns]
    spec = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    dialect = {"delim": delim, "quote": quote, "escape": escape, "new_line": new_line,
               "comment": comment}
    given = [o for o in opts if not o.startswith(("delim=", "all_varchar="))]
    options = ["auto_detect=false", f"skip={int(skip)}", f"columns={spec}", *given] + [
        f"{k}={sql_str('' if v == '(empty)' else v)}" for k, v in dialect.items()]
    return f"read_csv({src}, {', '.join(options)})", names


def _explicit_dialect(source: Path, delim: str | None, max_field_bytes: int
                      ) -> tuple[str, list[str], str] | None:
    """When the sniffer gives up (one column), read with the header's own delimiter.

    DuckDB's sniffer falls back to a single column when some rows are ragged or a quote is
    never closed; reading strictly with the delimiter the header uses turns that into a
    precise error with its line number instead.
    """
    import csv
    import io

    with source.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        first = fh.readline().lstrip("\ufeff")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    d = delim or max(counts, key=lambda k: counts[k])
    if counts.get(d, 0) == 0:
        return None
    header = next(csv.reader(io.StringIO(first), delimiter=d))
    names = _dedupe([h.strip() or f"column{i}" for i, h in enumerate(header)])
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    relation = (f"read_csv({sql_str(str(source))}, header=true, auto_detect=false, "
                f"delim={sql_str(d)}, quote='\"', escape='\"', columns={columns}, "
                f"strict_mode=true, max_line_size={max(max_field_bytes, 2_097_152)})")
    return relation, names, d


def _open_json(
    con: duckdb.DuckDBPyConnection, path: Path, source: Path, fmt: str, head: bytes,
    records: str | None, view_name: str,
) -> OpenedFile:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    first = text[:1]
    if fmt == "json" and first == b"{" and records is None:
        # one object per line is JSON Lines; a single object is not a list of records
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and all(ln.strip().startswith(b"{") and ln.strip().endswith(b"}")
                                  for ln in lines[:-1]):
            fmt = "jsonl"
        else:
            raise InputError(
                "the JSON document is an object, not a list of records", file=str(path),
                expected="a JSON array of objects, or JSON Lines",
                hint="if the records sit under a key (e.g. 'items'), set `records: items` "
                "for this source in a mapping",
            )
    if fmt == "json" and first not in (b"[", b"{"):
        raise InputError("not a JSON document", file=str(path),
                         expected="a JSON array of objects, or JSON Lines")
    json_format = "newline_delimited" if fmt == "jsonl" else (
        "auto" if records else "array")
    relation = (f"read_json({sql_str(str(source))}, format='{json_format}', "
                f"sample_size=-1, maximum_object_size=67108864)")
    if records:
        relation = f"(SELECT unnest({ident(records)}, max_depth := 2) FROM {relation})"
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "JSON") from exc
    cols = [r[0] for r in desc]
    types = {r[0]: r[1] for r in desc}
    if cols == ["json"] or (len(cols) == 1 and not types[cols[0]].startswith("STRUCT")
                            and cols[0] in ("json", "unnest")):
        raise InputError("the JSON array does not hold objects", file=str(path),
                         expected="a JSON array of objects with named fields")
    return OpenedFile(path=path, format=fmt, relation=relation, columns=cols, types=types)


def _open_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, head: bytes, size: int, view_name: str
) -> OpenedFile:
    with path.open("rb") as fh:
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    if not head.startswith(b"PAR1") or tail != b"PAR1":
        raise InputError(
            "not a complete Parquet file (the PAR1 markers are missing: truncated or "
            "another format)", file=str(path), expected="a Parquet file",
        )
    relation = f"read_parquet({sql_str(str(path))})"
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "Parquet") from exc
    return OpenedFile(path=path, format="parquet", relation=relation,
                      columns=[r[0] for r in desc], types={r[0]: r[1] for r in desc})


def _cell_text(value: Any) -> str | None:
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


def _open_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, head: bytes, sheet: str | None, view_name: str
) -> OpenedFile:
    from python_calamine import CalamineWorkbook

    if not head.startswith(b"PK"):
        raise InputError("not an XLSX workbook (no zip signature)", file=str(path),
                         expected="an .xlsx file saved by Excel, Sheets or LibreOffice")
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise InputError(f"cannot open the workbook: {exc}", file=str(path)) from exc
    names = list(wb.sheet_names)
    if sheet is None:
        non_empty = [n for n in names if wb.get_sheet_by_name(n).to_python(nrows=2)]
        if len(non_empty) != 1:
            raise InputError(
                f"the workbook has {len(non_empty)} sheets with data "
                f"({', '.join(non_empty) or 'none'}); say which one to read",
                file=str(path), hint="set `sheet: NAME` for this source in a mapping file",
            )
        sheet = non_empty[0]
    if sheet not in names:
        raise InputError(f"no sheet named {sheet!r}", file=str(path),
                         expected="one of " + ", ".join(names))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
    if not rows:
        raise InputError(f"sheet {sheet!r} is empty", file=str(path))
    header = [str(h).strip() if h not in (None, "") else f"column{i}"
              for i, h in enumerate(rows[0])]
    body = rows[1:]
    # columns, not rows: one Arrow array per column
    arrays = [pa.array([_cell_text(v) for v in col], type=pa.string())
              for col in zip(*body)] if body else [pa.array([], pa.string()) for _ in header]
    table = pa.Table.from_arrays(arrays, names=_dedupe(header))
    con.register(view_name + "_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view_name)} AS "
                f"SELECT * FROM {ident(view_name + '_arrow')}")
    return OpenedFile(path=path, format="xlsx", relation=ident(view_name + "_arrow"),
                      columns=table.column_names, sheet=sheet)


def _dedupe(names: list[str]) -> list[str]:
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


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
KINDS = ("website", "deck", "email_sequence", "proposal")


def _open_markdown(
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
        "updated_at": _cell_text(meta.get("updated_at") or meta.get("date")),
    }
    table = pa.Table.from_pylist([row], schema=pa.schema([(k, pa.string()) for k in row]))
    con.register(view_name + "_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view_name)} AS "
                f"SELECT * FROM {ident(view_name + '_arrow')}")
    return OpenedFile(path=path, format="markdown", relation=ident(view_name + "_arrow"),
                      columns=list(row))


def make_workdir(base: Path | None = None) -> Path:
    return Path(tempfile.mkdtemp(prefix="throughline-ingest-", dir=base))
