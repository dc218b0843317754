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
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from throughline.core.errors import InputError
from throughline.ingest.guard import STAGING_PREFIX

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


# ---------------------------------------------------------------- text encodings
#
# The encoding is decided per file from the whole file, never from a sample: strict UTF-8
# first (a BOM is honoured); a file that is not UTF-8 anywhere is Windows-1252 or Latin-1,
# chosen by which reads it as plausible text; a file that is UTF-8 except some lines is
# refused (or, with ``repair``, decoded line by line). An explicit encoding (``--encoding``
# or a mapping's ``encoding:``) is used as given, strictly.

SCAN_BYTES = 16 * 1024 * 1024
AUTO_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
# bytes that are C1 control characters in Latin-1 and punctuation (€ ‚ „ … ‘ ’ “ ” – — ™
# …) in Windows-1252, except five that Windows-1252 leaves undefined
C1_BYTES = bytes(range(0x80, 0xA0))
CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
HIGH_BYTES = bytes(range(0x80, 0x100))
# C0 controls that never occur in text exports (tab, line ends, form feed and vertical
# tab do; NUL is checked separately)
CONTROL_BYTES = bytes([*range(1, 9), 0x0E, *range(0x10, 0x1A), *range(0x1C, 0x20)])
# one well-formed multi-byte UTF-8 character
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
REPAIR_HINT = ("re-run with --repair-encoding to decode each line as UTF-8 where it is valid, "
               "else as Windows-1252 (the load report lists the repaired lines), or with "
               "--encoding cp1252 to read the whole file as Windows-1252 (right only if its "
               "UTF-8-looking characters are not really UTF-8)")


@dataclass
class Decoded:
    """How a text file is read: the encoding, and a UTF-8 copy when it is not UTF-8."""

    encoding: str
    source: Path
    notes: list[str] = field(default_factory=list)
    repaired_lines: list[int] = field(default_factory=list)
    has_quote: bool = True


def encoding_name(name: str) -> str:
    """A codec name as users write it (``cp1252``, ``latin-1``, ``utf-8``)."""
    from throughline.core.errors import UsageError

    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"unknown text encoding {name!r}",
                         hint="e.g. utf-8, cp1252, latin-1, utf-16") from None
    return {"iso8859-1": "latin-1"}.get(canonical, canonical)


def decide_encoding(path: Path, workdir: Path, *, encoding: str | None = None,
                    repair: bool = False) -> Decoded:
    """Decide how to read a text file from all of its bytes; raise ``InputError`` when it is
    binary, mixes encodings (unless ``repair``) or does not decode as ``encoding``."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if encoding is not None:
        enc = encoding_name(encoding)
        if enc.startswith(("utf-16", "utf-32")):
            return Decoded(enc, _transcode(path, enc, workdir), notes=[f"decoded as {enc} (given)"])
        scan = _scan_utf8(path)  # NUL bytes: binary whatever the encoding
        if enc in ("utf-8", "utf-8-sig"):
            if scan.bad_offset is not None:
                raise _not_decodable(path, scan.bad_offset, enc, "the encoding given")
            return Decoded(enc, path, has_quote=scan.has_quote)
        return Decoded(enc, _transcode(path, enc, workdir), notes=[f"decoded as {enc} (given)"],
                       has_quote=scan.has_quote)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded("utf-16", _transcode(path, "utf-16", workdir))
    scan = _scan_utf8(path)
    bom = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if scan.bad_offset is None:
        return Decoded(bom, path, has_quote=scan.has_quote)
    stats = _byte_stats(path)
    if stats.total and stats.controls / stats.total > 0.01:
        raise InputError("this is a binary file, not text (control bytes throughout)",
                         file=str(path), expected="a UTF-8, Windows-1252 or Latin-1 text export")
    if stats.multibyte:  # UTF-8 in places, something else elsewhere
        if not repair:
            raise _mixed(path, scan.bad_offset)
        out, lines = _repair(path, workdir)
        shown = ", ".join(map(str, lines[:10])) + (", …" if len(lines) > 10 else "")
        return Decoded("utf-8+cp1252", out, repaired_lines=lines,
                       notes=[f"{len(lines)} line(s) not UTF-8, decoded as cp1252: {shown}"])
    if stats.high > 0.3 * stats.total:
        raise InputError(
            f"cannot tell the text encoding: not UTF-8, and {stats.high / stats.total:.0%} of "
            "the bytes are outside ASCII, far more than Windows-1252 or Latin-1 text has",
            file=str(path), hint="if it is text, say its encoding with --encoding NAME")
    # The mojibake score: how much implausible text each candidate makes. They differ only
    # on bytes 0x80-0x9F: C1 control characters in Latin-1, punctuation (€ ‘ ’ “ ” – — …)
    # in Windows-1252 except five bytes it leaves undefined, which weigh double (they are
    # evidence against Windows-1252 as well as implausible). Ties go to Windows-1252
    # (Excel's); with no byte in 0x80-0x9F both read the same text.
    scores = {"cp1252": stats.undefined * 2, "latin-1": stats.c1}
    enc = min(scores, key=lambda k: (scores[k], k != "cp1252"))
    note = f"decoded as {enc}"
    controls = stats.c1 if enc == "latin-1" else stats.undefined
    if controls:
        note += f" ({controls} byte(s) read as control characters)"
    return Decoded(enc, _transcode(path, enc, workdir, errors="throughline-latin1"),
                   notes=[note])


@dataclass
class _Utf8Scan:
    bad_offset: int | None  # first byte that is not UTF-8
    has_quote: bool


def _scan_utf8(path: Path) -> _Utf8Scan:
    """One pass in large chunks: NUL bytes (binary), quote characters, UTF-8 validity."""
    bad: int | None = None
    has_quote = False
    pending = b""
    offset = 0  # file offset of the first byte of ``pending + chunk``
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(SCAN_BYTES):
            if b"\x00" in chunk:
                raise InputError(
                    "this is a binary file, not text (it holds NUL bytes)", file=str(path),
                    expected="a UTF-8, Windows-1252 or Latin-1 text export")
            has_quote = has_quote or b'"' in chunk
            if bad is None:
                data = pending + chunk if pending else chunk
                if data.isascii():
                    pending = b""
                else:
                    try:
                        _, used = codecs.utf_8_decode(data, "strict", False)
                        pending = data[used:]
                    except UnicodeDecodeError as exc:
                        bad = offset + exc.start
                offset += len(data) - len(pending)
    if bad is None and pending:  # a character cut by the end of the file
        bad = offset
    return _Utf8Scan(bad, has_quote)


@dataclass
class _ByteStats:
    total: int = 0
    high: int = 0
    c1: int = 0
    undefined: int = 0
    controls: int = 0
    multibyte: int = 0


def _count(data: bytes, which: bytes) -> int:
    return len(data) - len(data.translate(None, which))


def _byte_stats(path: Path) -> _ByteStats:
    """Counts over the whole file that decide between Windows-1252, Latin-1 and mixed."""
    s = _ByteStats()
    carry = b""
    with path.open("rb", buffering=0) as fh:
        while True:
            chunk = fh.read(SCAN_BYTES)
            data = carry + chunk
            if chunk:  # whole lines only, so no character straddles two chunks
                cut = data.rfind(b"\n") + 1
                data, carry = (data[:cut], data[cut:]) if cut else (b"", data)
            if not data:
                if not chunk:
                    break
                continue
            s.total += len(data)
            s.high += _count(data, HIGH_BYTES)
            s.c1 += _count(data, C1_BYTES)
            s.undefined += _count(data, CP1252_UNDEFINED)
            s.controls += _count(data, CONTROL_BYTES)
            s.multibyte += len(UTF8_MULTIBYTE.findall(data))
            if not chunk:
                break
    return s


def _line_at(path: Path, offset: int) -> tuple[int, bytes, int]:
    """Line number (1-based) of a byte offset, the line's bytes and the offset within it."""
    line = 1
    pos = 0
    with path.open("rb") as fh:
        while pos < offset:
            chunk = fh.read(min(SCAN_BYTES, offset - pos))
            if not chunk:
                break
            line += chunk.count(b"\n")
            pos += len(chunk)
        start = max(0, offset - 4096)
        fh.seek(start)
        window = fh.read(8192)
    rel = offset - start
    ls = window.rfind(b"\n", 0, rel) + 1
    le = window.find(b"\n", rel)
    text = window[ls:le if le >= 0 else len(window)].rstrip(b"\r")
    return line, text, rel - ls


def _excerpt(text: bytes, at: int, width: int = 40) -> str:
    """The bytes around ``at``, shown as a bytes literal (safe to print)."""
    a, b = max(0, at - width), min(len(text), at + width)
    return ("…" if a else "") + repr(text[a:b]) + ("…" if b < len(text) else "")


def _mixed(path: Path, offset: int) -> InputError:
    line, text, at = _line_at(path, offset)
    return InputError(
        f"the file is UTF-8 except this line, which is not (byte 0x{text[at]:02X} at byte "
        f"{at + 1} of the line): {_excerpt(text, at)}", file=str(path), line=line,
        expected="one encoding for the whole file", hint=REPAIR_HINT)


def _not_decodable(path: Path, offset: int, enc: str, what: str) -> InputError:
    line, text, at = _line_at(path, offset)
    byte = f"byte 0x{text[at]:02X}" if at < len(text) else "a character cut short"
    return InputError(
        f"not valid {enc} text, {what} ({byte} at byte {at + 1} of the line): "
        f"{_excerpt(text, at)}", file=str(path), line=line,
        hint="pass the file's real encoding with --encoding NAME (e.g. cp1252, latin-1)")


def _utf8_copy(path: Path, workdir: Path) -> Path:
    """A new file for the UTF-8 copy of ``path`` (two exports may share a name)."""
    fd, name = tempfile.mkstemp(prefix=path.stem + ".", suffix=".utf8" + path.suffix,
                                dir=workdir)
    os.close(fd)
    return Path(name)


def _transcode(path: Path, encoding: str, workdir: Path, errors: str = "strict") -> Path:
    """Stream a non-UTF-8 text file into a UTF-8 copy (chunked, not row by row).

    ``errors="throughline-latin1"`` reads bytes the encoding leaves undefined as Latin-1.
    """
    out = _utf8_copy(path, workdir)
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    offset = 0
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(SCAN_BYTES):
                buffered = len(decoder.getstate()[0])
                try:
                    dst.write(decoder.decode(chunk))
                except UnicodeDecodeError as exc:
                    raise _not_decodable(path, offset - buffered + exc.start, encoding,
                                         "the encoding given") from exc
                offset += len(chunk)
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:  # a character cut by the end of the file
        raise _not_decodable(path, max(0, offset - 1), encoding, "the encoding given") from exc
    return out


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("throughline-latin1", _latin1_fallback)


def _repair(path: Path, workdir: Path) -> tuple[Path, list[int]]:
    """A UTF-8 copy decoding each line as UTF-8 where valid, else as Windows-1252 (bytes it
    leaves undefined as Latin-1); returns the copy and the repaired line numbers.

    Chunks are decoded whole; only a line holding invalid bytes is handled on its own.
    """
    out = _utf8_copy(path, workdir)
    repaired: list[int] = []
    lines_before = 0
    carry = b""
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(SCAN_BYTES)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                data, carry = (data[:cut], data[cut:]) if cut else (b"", data)
            view = memoryview(data)
            pos = 0
            while pos < len(data):
                try:
                    text, _ = codecs.utf_8_decode(view[pos:], "strict", True)
                    dst.write(text)
                    break
                except UnicodeDecodeError as exc:
                    bad = pos + exc.start
                    ls = data.rfind(b"\n", 0, bad) + 1
                    le = data.find(b"\n", bad)
                    le = len(data) if le < 0 else le + 1
                    dst.write(codecs.utf_8_decode(view[pos:ls], "strict", True)[0])
                    dst.write(data[ls:le].decode("cp1252", errors="throughline-latin1"))
                    repaired.append(lines_before + data.count(b"\n", 0, ls) + 1)
                    pos = le
            lines_before += data.count(b"\n")
            if not chunk:
                break
    return out, repaired


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
            opened = _open_csv(con, path, source, fmt, delimiter, max_field_bytes, view_name)
        elif fmt in ("json", "jsonl"):
            opened = _open_json(con, path, source, fmt, head, records, view_name)
        else:
            opened = _open_markdown(con, path, source, view_name)
        opened.source = source
        opened.encoding = decoded.encoding
        opened.has_quote = decoded.has_quote
        opened.notes[:0] = decoded.notes
        opened.repaired_lines = decoded.repaired_lines
        return opened
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
    return InputError(f"cannot read as {what}: {_duckdb_detail(exc)}", file=str(path),
                      line=line)


def _duckdb_detail(exc: Exception) -> str:
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


def _open_csv(
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
    data = wb.get_sheet_by_name(sheet)
    rows = data.to_python(skip_empty_area=True)
    if not rows:
        raise InputError(f"sheet {sheet!r} is empty", file=str(path))
    raw = [str(h).strip() if h not in (None, "") else "" for h in rows[0]]
    first_col = (data.start or (0, 0))[1]
    check_xlsx_cells(path, sheet, [""] * first_col + raw)
    header = [h or f"column{i}" for i, h in enumerate(raw)]
    body = rows[1:]
    # columns, not rows: one Arrow array per column
    arrays = [pa.array([_cell_text(v) for v in col], type=pa.string())
              for col in zip(*body)] if body else [pa.array([], pa.string()) for _ in header]
    table = pa.Table.from_arrays(arrays, names=_dedupe(header))
    con.register(view_name + "_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view_name)} AS "
                f"SELECT * FROM {ident(view_name + '_arrow')}")
    return OpenedFile(path=path, format="xlsx", relation=ident(view_name + "_arrow"),
                      columns=table.column_names, sheet=sheet, header=raw)


# ---------------------------------------------------------------- header and quoting checks

def _column_letter(index: int) -> str:
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
        key = _norm(name)
        if not key:
            continue
        if key in seen:
            j = seen[key]
            if opened.format == "xlsx":
                where = (f"cells {_column_letter(j)}1 and {_column_letter(i)}1 of sheet "
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


def _raw_header(source: Path, delim: str, quote: str, escape: str, skip: int) -> list[str]:
    """The header fields exactly as written (DuckDB renames repeated names)."""
    import csv
    import io

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
    import mmap

    if source.stat().st_size == 0:
        return None
    with source.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _unterminated_at(mm, path, delim, line)


def csv_read_error(opened: OpenedFile, exc: Exception) -> InputError:
    """A DuckDB CSV error as an ``InputError`` with the file's own line number, naming an
    unterminated quote as such."""
    import mmap

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
    return InputError(f"cannot read as CSV: {_duckdb_detail(exc)}", file=str(opened.path),
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
    import mmap

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


# ---------------------------------------------------------------- nested JSON fields

def check_nested(con: duckdb.DuckDBPyConnection, opened: OpenedFile, path: str) -> None:
    """Refuse a nested JSON field that has another type in some record.

    ``author.login`` needs ``author`` to be an object in every record, ``reviews[].x`` needs
    ``reviews`` to be a list of objects; DuckDB types a field that is an object in one record
    and a string in another as JSON, and reading the path would silently give NULL (or a
    quoted string). The first record of the wrong type is named with its value.
    """
    if opened.format not in ("json", "jsonl") or path.count(".") == 0 and "[]" not in path:
        return
    is_list = "[]" in path
    root = path.partition("[]")[0] if is_list else path.split(".")[0]
    col = opened.resolve(root)
    if col is None:
        return
    typ = opened.types.get(col, "")
    rest = (path.partition("[]")[2] if is_list else path.partition(".")[2]).strip(".")
    if is_list:
        ok = typ.endswith("[]") and (not rest or typ.startswith("STRUCT"))
        want, json_kind = ("a list of objects" if rest else "a list"), "ARRAY"
    else:
        ok = typ.startswith("STRUCT")
        want, json_kind = "an object", "OBJECT"
    if ok:
        return
    if typ == "JSON":
        cond, kind = f"json_type(v) NOT IN ('{json_kind}', 'NULL')", "json_type(v)"
    elif typ == "JSON[]" and rest:
        bad = "list_filter(v, x -> json_type(x) NOT IN ('OBJECT', 'NULL'))"
        cond, kind = f"len({bad}) > 0", f"'a list holding ' || json_type({bad}[1])"
    else:
        cond, kind = "true", sql_str(typ)
    row = con.execute(
        f"SELECT rn, CAST(v AS VARCHAR), {kind} FROM (SELECT row_number() OVER () AS rn, "
        f"{ident(col)} AS v FROM {opened.relation}) WHERE v IS NOT NULL AND {cond} "
        "ORDER BY rn LIMIT 1").fetchone()
    if row is None:
        return
    record, value, got = int(row[0]), str(row[1]), _json_kind(str(row[2]))
    holding = f" holding '{rest.split('.')[0]}'" if rest else ""
    err = InputError(
        f"record {record}, field '{col}': {got}, not {want}{holding} (needed for {path})",
        file=str(opened.path), value=value,
        expected=f"{want}{holding}" + (", as in the other records"
                                       if typ.startswith("JSON") else ""),
        hint="fix the record in the export, or map the field with `from:` instead of "
        "`path:` in a mapping if it is plain text")
    err.row, err.column = record, col
    raise err


def _json_kind(t: str) -> str:
    """A JSON or DuckDB type in words."""
    for prefix, words in (("a list holding ", "a list holding "), ):
        if t.startswith(prefix):
            return words + _json_kind(t[len(prefix):]).replace("a list", "lists")
    u = t.upper()
    if u in ("VARCHAR", "STRING"):
        return "a string"
    if u in ("BIGINT", "UBIGINT", "INTEGER", "DOUBLE", "HUGEINT", "DECIMAL") or \
            u.startswith("DECIMAL"):
        return "a number"
    if u == "BOOLEAN":
        return "true/false"
    if u == "ARRAY" or u.endswith("[]"):
        return "a list"
    if u in ("OBJECT",) or u.startswith(("STRUCT", "MAP")):
        return "an object"
    return "a " + t.lower()


# ---------------------------------------------------------------- XLSX cells

_CELL = rb"(?:\w+:)?c"
_XLSX_ERROR = re.compile(rb"<" + _CELL + rb"\b([^>]*\bt=\"e\"[^>]*)>(.*?)</" + _CELL + rb">",
                         re.S)
_XLSX_FORMULA = re.compile(
    rb"<" + _CELL + rb"\b([^>/]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</" + _CELL + rb">")
_REF = re.compile(rb"\br=\"([A-Z]+[0-9]+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


def _sheet_xml_path(zf: Any, sheet: str) -> str | None:
    import xml.etree.ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(ns_rel + "id") for s in wb.iter(ns_main + "sheet")
                if s.get("name") == sheet), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for r in rels:
        if r.get("Id") == rid:
            target = r.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def check_xlsx_cells(path: Path, sheet: str, header: list[str]) -> None:
    """Refuse error cells (#DIV/0!, #N/A, …) and formulas saved without a computed value.

    Both read as empty cells; loading them would turn a value the user sees in Excel into
    NULL. The sheet's XML is searched with two patterns (no walk over every cell).
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            name = _sheet_xml_path(zf, sheet)
            if name is None or name not in zf.namelist():
                return
            xml = zf.read(name)
    except (KeyError, zipfile.BadZipFile, ValueError, SyntaxError):
        return  # calamine read it; nothing more to check here
    found: list[tuple[int, str, str, str]] = []
    err = _XLSX_ERROR.search(xml)
    if err:
        ref = _REF.search(err.group(1))
        val = _VALUE.search(err.group(2))
        code = val.group(1).decode("utf-8", "replace") if val else "#ERROR"
        found.append((err.start(), ref.group(1).decode() if ref else "?",
                      f"error value {code}", code))
    for m in _XLSX_FORMULA.finditer(xml):
        attrs = m.group(1)
        if m.group(2) is not None and b't="str"' in attrs:
            continue  # a formula whose cached result is the empty string
        ref = _REF.search(attrs)
        f = re.search(rb"<(?:\w+:)?f\b[^>]*>([^<]*)<", m.group(0))
        formula = "=" + f.group(1).decode("utf-8", "replace") if f and f.group(1) else ""
        found.append((m.start(), ref.group(1).decode() if ref else "?",
                      f"formula {formula} with no cached value".replace("  ", " ")
                      + " (the workbook was saved without calculating it)",
                      formula or "(shared formula)"))
        break
    if not found:
        return
    _, ref, what, value = min(found)
    col = re.match(r"[A-Z]+", ref)
    index = 0
    for ch in col.group(0) if col else "":
        index = index * 26 + ord(ch) - 64
    column = header[index - 1] if 0 < index <= len(header) else None
    where = f"sheet '{sheet}', cell {ref}" + (f" (column '{column}')" if column else "")
    raise InputError(
        f"{where}: {what}", file=str(path), value=value,
        expected="a value: reading the cell would load it as empty",
        hint="open the workbook in Excel or LibreOffice, fix or recalculate the cell, save, "
        "and ingest again (or export the sheet as CSV)")


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
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=base))
