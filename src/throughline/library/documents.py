"""Loading documents: bytes → clean text blocks (headings, paragraphs) + metadata.

One loader per kind — Markdown, plain text, HTML (:mod:`.htmltext`), PDF
(:mod:`.pdftext`) — all returning a :class:`LoadedDocument`. Nothing in a document is
executed or followed: front matter is read with ``yaml.safe_load`` and only scalar fields
are kept, HTML is parsed for visible text only, PDF text is extracted, never rendered.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from throughline.core.errors import InputError
from throughline.library.blocks import Block, Parsed
from throughline.library.htmltext import parse_html
from throughline.library.pdftext import parse_pdf
from throughline.library.records import AddOutcome, DocumentKind
from throughline.library.safety import check_size, clean_text, decode_bytes, too_large

EXTENSIONS: dict[str, DocumentKind] = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf",
}
SUPPORTED = ", ".join(sorted(EXTENSIONS))

MAX_TITLE = 300
MAX_FIELD = 200


@dataclass
class LoadedDocument:
    """A parsed document, ready to chunk. ``source_key`` is its identity in the library."""

    source_key: str
    path: str
    kind: DocumentKind
    title: str
    blocks: list[Block]
    url: str | None = None
    author: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    encoding: str | None = None
    bytes: int = 0
    hidden_removed: int = 0

    @property
    def id(self) -> str:
        return document_id(self.source_key)

    @property
    def text(self) -> str:
        """The normalised text: what the content hash covers."""
        return "\n\n".join(
            f"{'#' * b.level} {b.text}" if b.kind == "heading" else b.text for b in self.blocks
        )

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def document_id(source_key: str) -> str:
    """A document's id: the first 12 hex digits of sha256 of its source key."""
    return hashlib.sha256(source_key.encode("utf-8")).hexdigest()[:12]


def source_key_for(path: Path) -> str:
    """The identity of a file: its resolved absolute path."""
    return path.resolve().as_posix()


def kind_for(path: Path) -> DocumentKind | None:
    return EXTENSIONS.get(path.suffix.lower())


def load_path(path: Path, *, max_bytes: int) -> LoadedDocument:
    """Load one file, enforcing the size limit and the supported kinds."""
    kind = kind_for(path)
    if kind is None:
        raise InputError(
            f"unsupported file type {path.suffix or '(no extension)'!r}",
            file=str(path), expected=SUPPORTED,
            hint="convert it to Markdown, plain text, HTML or PDF first",
        )
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    size = check_size(path, max_bytes)
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew after it was measured
        raise too_large(path, path.stat().st_size, max_bytes)
    resolved = path.resolve()
    return load_bytes(data, kind=kind, source_key=source_key_for(resolved),
                      path=str(resolved), name=path.name, size=size)


def load_bytes(
    data: bytes, *, kind: DocumentKind, source_key: str, path: str, name: str,
    size: int | None = None,
) -> LoadedDocument:
    """Parse document bytes of a known kind. ``name`` is the fallback title."""
    size = len(data) if size is None else size
    if kind == "pdf":
        parsed = parse_pdf(data, file=path)
        encoding, removed = None, parsed.hidden_removed
    else:
        declared = _declared_charset(data) if kind == "html" else None
        raw, encoding = decode_bytes(data, file=path, declared=declared)
        raw, removed = clean_text(raw)
        if kind == "markdown":
            parsed = parse_markdown(raw)
        elif kind == "html":
            parsed = parse_html(raw)
        else:
            parsed = Parsed(blocks=paragraph_blocks(raw))
    blocks = [b for b in (_normal_block(b) for b in parsed.blocks) if b.text]
    if not any(b.kind == "paragraph" for b in blocks):
        hint = ("it may be a scanned PDF: run OCR on it first" if kind == "pdf"
                else "the file has headings or markup but no prose to index")
        raise InputError("document has no text to index", file=path, hint=hint)
    heading = None if kind == "pdf" else next(
        (b.text for b in blocks if b.kind == "heading"), None)  # a PDF's headings are pages
    title = _short(parsed.title or heading or title_from_filename(name), MAX_TITLE) or name
    return LoadedDocument(
        source_key=source_key, path=path, kind=kind, title=title, blocks=blocks,
        url=_http_url(parsed.url), author=_short(parsed.author, MAX_FIELD),
        date=normalize_date(parsed.date), tags=normalize_tags(parsed.tags),
        encoding=encoding, bytes=size, hidden_removed=removed,
    )


# --- finding files ---------------------------------------------------------------------


def collect_files(paths: Iterable[str | Path], *, skip_bad: bool = False
                  ) -> tuple[list[Path], list[AddOutcome]]:
    """Expand files and folders (recursively, sorted, hidden entries and symlinked folders
    skipped) into the supported files, plus outcomes for unsupported files in folders."""
    files: list[Path] = []
    skipped: list[AddOutcome] = []
    seen: set[str] = set()

    def take(path: Path) -> None:
        key = source_key_for(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InputError("no such file or folder", file=str(path))
        if not path.is_dir():
            if kind_for(path) is None and not skip_bad:
                raise InputError(f"unsupported file type {path.suffix or '(none)'!r}",
                                 file=str(path), expected=SUPPORTED,
                                 hint="convert it to Markdown, plain text, HTML or PDF first")
            if kind_for(path) is None:
                skipped.append(AddOutcome(path=str(path), status="skipped",
                                          reason="unsupported file type"))
            else:
                take(path)
            continue
        before = len(files)
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                file = Path(root) / name
                if name.startswith(".") or not file.is_file():
                    continue
                if kind_for(file) is None:
                    skipped.append(AddOutcome(path=str(file), status="skipped",
                                              reason="unsupported file type"))
                else:
                    take(file)
        if len(files) == before and not skip_bad:
            raise InputError("no supported documents in this folder", file=str(path),
                             expected=SUPPORTED)
    return files, skipped


# --- Markdown and plain text ------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MAX_FRONT_MATTER = 64_000


def parse_markdown(text: str) -> Parsed:
    """Front matter (title, author, date, url, tags) and heading/paragraph blocks.

    HTML comments are dropped (they are not rendered); fenced code stays one paragraph.
    """
    meta: dict[str, object] = {}
    match = _FRONT_MATTER.match(text)
    if match and len(match.group(1)) <= MAX_FRONT_MATTER:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            loaded = None  # not front matter after all: keep it as text
        if isinstance(loaded, dict):
            meta = {str(k).lower(): v for k, v in loaded.items()}
            text = text[match.end():]
    text = _COMMENT.sub("", text)
    return Parsed(
        blocks=markdown_blocks(text),
        title=_scalar(meta.get("title")),
        url=_scalar(meta.get("url") or meta.get("canonical_url")),
        author=_scalar(meta.get("author") or meta.get("authors")),
        date=_scalar(meta.get("date") or meta.get("published")),
        tags=_tag_list(meta.get("tags") or meta.get("keywords")),
    )


def markdown_blocks(text: str) -> list[Block]:
    """Split Markdown into ATX/setext headings and blank-line separated paragraphs."""
    blocks: list[Block] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if para:
            blocks.append(Block("paragraph", "\n".join(para)))
            para.clear()

    for line in text.split("\n"):
        if fence is not None:
            para.append(line)
            if line.strip().startswith(fence):
                fence = None
                flush()
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence = opening.group(1)[0] * 3
            para.append(line)
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            blocks.append(Block("heading", (atx.group(2) or "").strip(), len(atx.group(1))))
            continue
        setext = _SETEXT.match(line)
        if setext and len(para) == 1 and not _HR.match(para[0]):
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(Block("heading", para[0].strip(), level))
            para.clear()
            continue
        if not line.strip() or _HR.match(line):
            flush()
            continue
        para.append(line)
    flush()
    return blocks


def paragraph_blocks(text: str) -> list[Block]:
    """Plain text: paragraphs are separated by blank lines; there are no headings."""
    return [Block("paragraph", p) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


# --- shared helpers ---------------------------------------------------------------------


def _normal_block(block: Block) -> Block:
    lines = [ln.rstrip() for ln in unicodedata.normalize("NFC", block.text).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if block.kind == "heading":
        text = re.sub(r"\s+", " ", text)
    return Block(block.kind, text, block.level)


def title_from_filename(name: str) -> str:
    """A title for a document that has none: ``binding_constraints-2024.md`` →
    ``binding constraints 2024``."""
    stem = Path(name).stem
    return re.sub(r"[\s_\-]+", " ", stem).strip() or name


def _short(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", clean_text(value)[0]).strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _scalar(value: object) -> str | None:
    """A front-matter value as text; only scalars (or a list of scalars) are accepted."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _tag_list(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def normalize_tags(tags: list[str]) -> list[str]:
    out = {re.sub(r"\s+", "-", t.strip().lower())[:60] for t in tags if t and t.strip()}
    return sorted(out)[:50]


_ISO_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")


def normalize_date(value: str | None) -> str | None:
    """``2024-05-01T10:00Z``, ``D:20240501…`` or ``20240501`` → ``2024-05-01``; else as given."""
    if not value:
        return None
    value = value.strip()
    m = _ISO_DATE.match(value.removeprefix("D:"))
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return _short(value, 64)


def _http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if re.match(r"^https?://[^\s]+$", value, re.IGNORECASE) and len(value) <= 2000:
        return value
    return None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None
