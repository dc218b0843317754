"""Text and metadata from PDF with pypdf. Text is extracted, never rendered or run.

Each page becomes a ``Page N`` heading followed by its paragraphs, so a passage can be
cited by page. Lines are re-joined into paragraphs (a blank line, or a short line that
ends a sentence, ends a paragraph) and words hyphenated across a line break are mended.
A PDF with no extractable text (a scan) is refused by the caller with a hint to OCR it.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections.abc import Iterator
from contextlib import contextmanager

from throughline.core.errors import InputError
from throughline.library.blocks import Block, Parsed
from throughline.library.safety import clean_text

_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_quiet(file: str) -> Iterator[_Collect]:
    """pypdf reports repairs ("EOF marker not found") by logging; with no handler set up,
    Python prints those on stderr. Collect them instead and log them at debug level under
    our own logger, naming the file, so a parser never writes to the terminal."""
    logger = logging.getLogger("pypdf")
    handler = _Collect()
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved
        for message in handler.messages:
            log.debug("%s: pypdf: %s", file, message)


def parse_pdf(data: bytes, *, file: str) -> Parsed:
    """Parse PDF bytes; raise :class:`InputError` for a PDF that cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    with _pypdf_quiet(file):
        return _parse(data, file=file)


def _parse(data: bytes, *, file: str) -> Parsed:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # an owner-password-only PDF opens with the empty password
        meta = reader.metadata
        title = meta.title if meta else None
        author = meta.author if meta else None
        created = meta.creation_date_raw if meta else None
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise InputError("PDF is encrypted with a password", file=file,
                         hint="save an unencrypted copy and add that") from exc
    except Exception as exc:
        raise InputError(f"not a readable PDF ({type(exc).__name__}: {exc})", file=file,
                         hint="re-export the PDF, or add the document as text") from exc
    blocks: list[Block] = []
    removed = 0
    for number, raw in enumerate(pages, start=1):
        text, n = clean_text(raw)
        removed += n
        paragraphs = page_paragraphs(text)
        if paragraphs:
            blocks.append(Block("heading", f"Page {number}", 1))
            blocks.extend(Block("paragraph", p) for p in paragraphs)
    return Parsed(blocks=blocks, title=_text(title), author=_text(author),
                  date=_text(created), hidden_removed=removed)


def page_paragraphs(text: str) -> list[str]:
    """Re-join a page's layout lines into paragraphs."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    out: list[str] = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        typical = statistics.median(len(ln) for ln in lines)
        current: list[str] = []
        for line in lines:
            current.append(line)
            if len(line) < 0.7 * typical and re.search(r"[.!?:\"”]$", line):
                out.append(" ".join(current))
                current = []
        if current:
            out.append(" ".join(current))
    return out


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
