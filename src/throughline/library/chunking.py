"""Structure-aware chunking: headings and paragraphs → passages with stable ids.

Paragraphs stay under the heading path they were written under (a passage never spans
two sections). Within a section, small paragraphs are merged and paragraphs over
``MAX_WORDS`` are split at sentence boundaries (a sentence longer than that is split by
words), aiming at ``TARGET_WORDS``-word passages of ``MIN_WORDS``–``MAX_WORDS`` words. A
section shorter than ``MIN_WORDS`` stays one short passage rather than borrowing text
from a neighbouring heading.

A passage id is ``<document id>-<10 hex>``: sha256 of the document id, the heading
path, and the sha256 of the passage text (with an ordinal only to tell apart identical
text under one heading). Re-adding the same document gives the same ids, and editing
one paragraph changes only the ids of the passages that hold it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from throughline.library.blocks import Block

CHUNKER_VERSION = 1
MIN_WORDS = 120
TARGET_WORDS = 250
MAX_WORDS = 350
MAX_CHARS = 6_000  # a passage of few, very long "words" (a data blob) is cut by length
HEADING_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    """One passage before indexing."""

    id: str
    ordinal: int
    heading_path: tuple[str, ...]
    text: str

    @property
    def heading(self) -> str:
        return HEADING_SEPARATOR.join(self.heading_path)


def chunk_blocks(document_id: str, blocks: Sequence[Block]) -> list[Chunk]:
    """Chunk a document's blocks into passages in reading order."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for path, paragraphs in sections(blocks):
        for text in pack(paragraphs):
            heading = HEADING_SEPARATOR.join(path)
            text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
            key = f"{document_id}\x1f{heading}\x1f{text_hash}"
            dup = seen.get(key, 0)
            seen[key] = dup + 1
            digest = hashlib.sha256(f"{key}\x1f{dup}".encode()).hexdigest()
            chunks.append(Chunk(f"{document_id}-{digest[:10]}", len(chunks), path, text))
    return chunks


def sections(blocks: Sequence[Block]) -> list[tuple[tuple[str, ...], list[str]]]:
    """Group paragraphs under their heading path (``('Retention', 'NRR')``)."""
    out: list[tuple[tuple[str, ...], list[str]]] = []
    stack: list[tuple[int, str]] = []
    current: list[str] | None = None
    for block in blocks:
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            current = None
            continue
        if current is None:
            current = []
            out.append((tuple(text for _, text in stack), current))
        current.append(block.text)
    return out


def word_count(text: str) -> int:
    return len(text.split())


def pack(paragraphs: Sequence[str]) -> list[str]:
    """Merge small paragraphs and split large ones into passage-sized texts."""
    units: list[str] = []
    for para in paragraphs:
        if word_count(para) > MAX_WORDS or len(para) > MAX_CHARS:
            units.extend(split_long(para))
        else:
            units.append(para)
    groups: list[list[str]] = []
    current: list[str] = []
    size = chars = 0
    for unit in units:
        n = word_count(unit)
        if current and (size >= TARGET_WORDS or size + n > MAX_WORDS
                        or chars + len(unit) > MAX_CHARS):
            groups.append(current)
            current, size, chars = [], 0, 0
        current.append(unit)
        size += n
        chars += len(unit) + 2
    if current:
        last = sum(word_count(u) for u in groups[-1]) if groups else 0
        last_chars = sum(len(u) + 2 for u in groups[-1]) if groups else 0
        if groups and size < MIN_WORDS and last + size <= MAX_WORDS \
                and last_chars + chars <= MAX_CHARS:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return ["\n\n".join(g) for g in groups]


_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])"
)


def sentences(text: str) -> list[str]:
    """Split at sentence ends: terminal punctuation, space, then a capital or a digit."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def split_long(text: str) -> list[str]:
    """Split one long paragraph into pieces of about ``TARGET_WORDS`` words."""
    pieces: list[str] = []
    current: list[str] = []
    size = chars = 0
    for sentence in sentences(text):
        parts = _hard_split(sentence) if (word_count(sentence) > MAX_WORDS
                                          or len(sentence) > MAX_CHARS) else [sentence]
        for part in parts:
            n = word_count(part)
            if current and (size + n > MAX_WORDS or (size >= MIN_WORDS and size + n > TARGET_WORDS)
                            or chars + len(part) > MAX_CHARS):
                pieces.append(" ".join(current))
                current, size, chars = [], 0, 0
            current.append(part)
            size += n
            chars += len(part) + 1
    if current:
        pieces.append(" ".join(current))
    return pieces


def _hard_split(text: str) -> list[str]:
    """Cut text with no usable sentence ends into ``TARGET_WORDS``-word / char-capped parts."""
    out: list[str] = []
    words = text.split()
    for i in range(0, len(words), TARGET_WORDS):
        part = " ".join(words[i:i + TARGET_WORDS])
        while len(part) > MAX_CHARS:
            out.append(part[:MAX_CHARS])
            part = part[MAX_CHARS:]
        if part:
            out.append(part)
    return out
