"""Open a user's file as something DuckDB can scan, without Python loops over rows.

CSV/TSV go through DuckDB's ``read_csv`` (delimiter sniffed, BOM and quoted newlines
handled, everything read as text so validation can say which value was wrong), JSON and
JSON Lines through ``read_json``, Parquet through ``read_parquet``. XLSX has no DuckDB
reader that works offline, so a Python reader (calamine) hands DuckDB whole columns as
Arrow arrays; Markdown messaging documents become one row per file.

Nothing is read silently wrong: a text file's encoding is decided from all its bytes
(``decide_encoding``), and what cannot be read truthfully is refused naming the place —
binary content, a file mixing encodings (line and bytes), a repeated header name, an
unterminated quote (the line where the quoted field opens), an XLSX error cell or a
formula saved without its value (sheet and cell), a nested JSON field of another type in
one record (record, field and value).

Where things live: ``base`` (``OpenedFile``, formats by extension, DuckDB errors in words,
the header check), ``encodings`` (``decide_encoding``), ``delimited`` (CSV/TSV, quoting),
``json_records`` (JSON, nested fields), ``parquet``, ``xlsx`` (cells), ``markdown``.
``open_file`` below picks the reader.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from throughline.core.errors import InputError
from throughline.ingest.readers.base import (
    EXTENSIONS,
    SNIFF_BYTES,
    TEXT_FORMATS,
    OpenedFile,
    check_header,
    detect_format,
    duckdb_error,
    make_workdir,
)
from throughline.ingest.readers.delimited import check_quoting, csv_read_error, open_csv
from throughline.ingest.readers.encodings import decide_encoding, encoding_name
from throughline.ingest.readers.json_records import check_nested, open_json
from throughline.ingest.readers.markdown import open_markdown
from throughline.ingest.readers.parquet import open_parquet
from throughline.ingest.readers.xlsx import open_xlsx


def open_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    workdir: Path,
    forced_format: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    repair_encoding: bool = False,
    records: str | None = None,
    max_field_bytes: int = 1_000_000,
    view_name: str,
) -> OpenedFile:
    """Open ``path`` for scanning and return its columns; raise ``InputError`` if unreadable.

    Text is decoded as ``encoding`` when given, else as ``decide_encoding`` finds from the
    whole file (``repair_encoding``: a file mixing UTF-8 and Windows-1252 lines is repaired
    line by line instead of refused).
    """
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
        decoded = decide_encoding(path, workdir, encoding=encoding, repair=repair_encoding)
        source = decoded.source
        if source != path:
            with source.open("rb") as fh:
                head = fh.read(SNIFF_BYTES)
        if fmt in ("csv", "tsv"):
            opened = open_csv(con, path, source, fmt, delimiter, max_field_bytes, view_name)
        elif fmt in ("json", "jsonl"):
            opened = open_json(con, path, source, fmt, head, records, view_name)
        else:
            opened = open_markdown(con, path, source, view_name)
        opened.source = source
        opened.encoding = decoded.encoding
        opened.has_quote = decoded.has_quote
        opened.notes[:0] = decoded.notes
        opened.repaired_lines = decoded.repaired_lines
        return opened
    if fmt == "parquet":
        return open_parquet(con, path, head, size, view_name)
    return open_xlsx(con, path, head, sheet, view_name)


__all__ = [
    "EXTENSIONS", "TEXT_FORMATS", "OpenedFile", "check_header", "check_nested", "check_quoting",
    "csv_read_error", "decide_encoding", "detect_format", "duckdb_error", "encoding_name",
    "make_workdir", "open_csv", "open_file", "open_json", "open_markdown", "open_parquet",
    "open_xlsx",
]
