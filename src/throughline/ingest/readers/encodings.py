"""The text encoding of a file, decided from all its bytes, and a UTF-8 copy when needed.

The encoding is decided per file from the whole file, never from a sample: strict UTF-8
first (a BOM is honoured); a file that is not UTF-8 anywhere is Windows-1252 or Latin-1,
chosen by which reads it as plausible text; a file that is UTF-8 except some lines is
refused (or, with ``repair``, decoded line by line). An explicit encoding (``--encoding``
or a mapping's ``encoding:``) is used as given, strictly.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from throughline.core.errors import InputError, UsageError

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
