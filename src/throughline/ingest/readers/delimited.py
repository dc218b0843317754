"""CSV and TSV through DuckDB's ``read_csv``: the dialect sniffed once and spelled out, the
header as written, and a quoted field left open refused naming its line."""

from __future__ import annotations

import csv
import io
import mmap
import re
from pathlib import Path
from typing import Any

import duckdb

from throughline.core.errors import InputError
from throughline.ingest.readers.base import OpenedFile, dedupe_names, duckdb_detail, duckdb_error
from throughline.ingest.sql import sql_str

# DuckDB's CSV reader splits a file into one batch per buffer (32 MB by default) and the
# order-preserving insert handles each batch separately; batch boundaries rarely fall on a
# row-group boundary, so every one leaves part-filled row groups to merge. 128 MB buffers
# (a quarter as many boundaries) measured 10-15% less CPU to type and write a 0.9 GB
# export, for about 120 MB more peak memory at 2 threads.
CSV_BUFFER_BYTES = 128 * 1024 * 1024


def open_csv(
    con: duckdb.DuckDBPyConnection, path: Path, source: Path, fmt: str,
    delimiter: str | None, max_field_bytes: int, view_name: str,
) -> OpenedFile:
    """``source`` is UTF-8 (the file itself, or its UTF-8 copy)."""
    max_line = max(max_field_bytes, 2_097_152)
    opts = ["header=true", "all_varchar=true", f"max_line_size={max_line}",
            f"buffer_size={max(CSV_BUFFER_BYTES, 16 * max_line)}"]
    delim = delimiter or ("\t" if fmt == "tsv" else None)
    if delim:
        opts.append(f"delim={sql_str(delim)}")
    try:
        relation, cols, dialect = _sniffed(con, source, opts)
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "CSV") from exc
    cols = [c.replace("\ufeff", "").strip() for c in cols]
    delim = dialect["delim"]
    quote, escape, skip = dialect["quote"], dialect["escape"], dialect["skip"]
    if len(cols) == 1:
        explicit = _explicit_dialect(source, delimiter or ("\t" if fmt == "tsv" else None),
                                     max_field_bytes)
        if explicit is not None:
            relation, cols, delim = explicit
            quote = escape = '"'
            skip = 0
    header = _raw_header(source, delim, quote, escape, skip) or list(cols)
    if len(header) != len(cols):
        header = list(cols)
    return OpenedFile(path=path, format=fmt, relation=relation, columns=cols,
                      delimiter=delim, header=header, quote=quote, skip_rows=skip)


def _sniffed(con: duckdb.DuckDBPyConnection, source: Path, opts: list[str]
             ) -> tuple[str, list[str], dict[str, Any]]:
    """A ``read_csv`` of ``source`` with the dialect DuckDB's sniffer detects spelled out.

    Every statement over an auto-detecting ``read_csv`` runs the sniffer again (serially,
    ~0.035 s a file), and a file is read at least three times (columns, date sample,
    staging). ``sniff_csv`` costs about two of those sniffs, and the options it found, passed
    explicitly (as its own prompt does), read the file the same way without sniffing again.
    Returns the relation, the column names and the dialect (delim, quote, escape, skip).
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
    found = {k: ("" if v == "(empty)" else v) for k, v in dialect.items()}
    found["skip"] = int(skip)
    return f"read_csv({src}, {', '.join(options)})", names, found


def _explicit_dialect(source: Path, delim: str | None, max_field_bytes: int
                      ) -> tuple[str, list[str], str] | None:
    """When the sniffer gives up (one column), read with the header's own delimiter.

    DuckDB's sniffer falls back to a single column when some rows are ragged or a quote is
    never closed; reading strictly with the delimiter the header uses turns that into a
    precise error with its line number instead.
    """
    with source.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        first = fh.readline().lstrip("\ufeff")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    d = delim or max(counts, key=lambda k: counts[k])
    if counts.get(d, 0) == 0:
        return None
    header = next(csv.reader(io.StringIO(first), delimiter=d))
    names = dedupe_names([h.strip() or f"column{i}" for i, h in enumerate(header)])
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    relation = (f"read_csv({sql_str(str(source))}, header=true, auto_detect=false, "
                f"delim={sql_str(d)}, quote='\"', escape='\"', columns={columns}, "
                f"strict_mode=true, max_line_size={max(max_field_bytes, 2_097_152)})")
    return relation, names, d


def _raw_header(source: Path, delim: str, quote: str, escape: str, skip: int) -> list[str]:
    """The header fields exactly as written (DuckDB renames repeated names)."""
    with source.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        text = fh.read(1 << 16)  # a header and any lines before it
    lines = io.StringIO(text.lstrip("\ufeff"))
    for _ in range(skip):
        lines.readline()
    rest = lines.read()
    if quote:
        reader = csv.reader(io.StringIO(rest), delimiter=delim[:1] or ",", quotechar=quote,
                            doublequote=escape in ("", quote),
                            escapechar=None if escape in ("", quote) else escape)
    else:
        reader = csv.reader(io.StringIO(rest), delimiter=delim[:1] or ",",
                            quoting=csv.QUOTE_NONE)
    try:
        return [h.strip() for h in next(reader, [])]
    except csv.Error:
        return []


def _quote_patterns(delim: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A quote opening a field, and a whole quoted field (closed, then the field ends)."""
    d = re.escape(delim.encode())
    start = re.compile(rb'(?:^|(?<=' + d + rb'))[ \t]*"', re.M)
    quoted = re.compile(rb'"[^"]*(?:""[^"]*)*"[ \t]*(?=' + d + rb'|\r|\n|\Z)')
    return start, quoted


def _unclosed_quote(line: bytes, delim: str) -> int | None:
    """Where in one physical line a quoted field opens and is not closed on that line."""
    start, quoted = _quote_patterns(delim)
    pos = 0
    while m := start.search(line, pos):
        q = line.index(b'"', m.start())
        f = quoted.match(line, q)
        if f is None:
            return q
        pos = f.end()
    return None


def _line_start(mm: Any, line: int) -> int:
    """Byte offset of a (1-based) line."""
    pos = 0
    for _ in range(line - 1):
        nxt = mm.find(b"\n", pos)
        if nxt < 0:
            return len(mm)
        pos = nxt + 1
    return pos


def _physical_line(mm: Any, text: str, record_line: int) -> int:
    """The file line of a line DuckDB quotes: it counts records, an editor counts lines."""
    needle = text.encode()
    if not needle:
        return record_line
    if mm[:len(needle)] == needle and record_line <= 2:
        return 1
    pos = mm.find(b"\n" + needle)
    while pos >= 0:
        line = mm[:pos + 1].count(b"\n") + 1
        if line >= record_line:
            return line
        pos = mm.find(b"\n" + needle, pos + 1)
    return record_line


def _unterminated_at(mm: Any, path: Path, delim: str, line: int) -> InputError | None:
    """The quoted field opening on ``line`` that no closing quote (followed by the end of
    the field) ever ends, if there is one."""
    start = _line_start(mm, line)
    end = mm.find(b"\n", start)
    text = mm[start:end if end >= 0 else len(mm)].rstrip(b"\r")
    at = _unclosed_quote(text, delim)
    if at is None:
        return None
    _, quoted = _quote_patterns(delim)
    if quoted.match(mm, start + at) is not None:
        return None  # a quoted value spanning lines, closed later
    shown = text[at:at + 60].decode("utf-8", "replace") + ("…" if len(text) > at + 60 else "")
    return InputError(
        f"cannot read as CSV: unterminated quote — a quoted field starts on this line (at "
        f"character {at + 1}) and is never closed: {shown!r}", file=str(path), line=line,
        expected="a closing \" at the end of every quoted field, and \"\" for a quote "
        "inside one",
        hint="fix the quote in the export or in a text editor, then ingest again")


def unterminated_quote(source: Path, path: Path, delim: str, line: int) -> InputError | None:
    """An ``InputError`` naming ``line`` when a quoted field opens there and never closes."""
    if source.stat().st_size == 0:
        return None
    with source.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _unterminated_at(mm, path, delim, line)


def csv_read_error(opened: OpenedFile, exc: Exception) -> InputError:
    """A DuckDB CSV error as an ``InputError`` with the file's own line number, naming an
    unterminated quote as such."""
    err = duckdb_error(opened.path, exc, "CSV")
    text = str(exc)
    orig = re.search(r"Original Line:\s?([^\n]*)", text)
    if err.line is None or orig is None or not opened.delimiter or opened.source is None:
        return err
    with opened.source.open("rb") as fh, \
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        line = _physical_line(mm, orig.group(1).rstrip("\r"), err.line)
        found = _unterminated_at(mm, opened.path, opened.delimiter, line)
    if found is not None:
        return found
    return InputError(f"cannot read as CSV: {duckdb_detail(exc)}", file=str(opened.path),
                      line=line)


def check_quoting(con: duckdb.DuckDBPyConnection, opened: OpenedFile) -> None:
    """Never load a literal quote because a quoted field was left open.

    DuckDB's sniffer falls back to "no quoting" when a quote is never closed, and then
    loads the quote and the rest of the field as text. When the file has a field that
    starts with a quote, it is read strictly with quoting on: either that reads the file
    (the sniffer was wrong; the relation is replaced), or the error names the line where
    the unclosed quoted field starts.
    """
    if opened.format not in ("csv", "tsv") or not opened.has_quote or not opened.delimiter:
        return
    delim = opened.delimiter
    assert opened.source is not None
    found = unterminated_quote(opened.source, opened.path, delim, opened.skip_rows + 1)
    if found is not None:
        raise found
    if opened.quote:
        return
    start, _ = _quote_patterns(delim)
    assert opened.source is not None
    with opened.source.open("rb") as fh, \
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if start.search(mm) is None:
            return  # quotes only inside values (5" screen): no quoting is right
    quoted = re.sub(r"quote='[^']*', escape='[^']*'", "quote='\"', escape='\"'",
                    opened.relation)
    if quoted == opened.relation:
        return
    quoted = quoted.replace("auto_detect=false,", "auto_detect=false, strict_mode=true,", 1)
    try:
        con.execute(f"SELECT count(*) FROM {quoted}").fetchone()
    except duckdb.Error as exc:
        raise csv_read_error(opened, exc) from exc
    opened.relation = quoted
    opened.quote = '"'
