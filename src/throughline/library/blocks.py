"""What a format parser returns: clean text :class:`Block` s (headings, paragraphs) and the
metadata the format carries (:class:`Parsed`). Shared by the Markdown, HTML
(:mod:`.htmltext`) and PDF (:mod:`.pdftext`) parsers, the loader (:mod:`.documents`) and
the chunker (:mod:`.chunking`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Block", "Parsed"]


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1–6) or a paragraph (``level`` 0) of clean text."""

    kind: Literal["heading", "paragraph"]
    text: str
    level: int = 0


@dataclass
class Parsed:
    """What a format parser found: blocks and whatever metadata the format carries."""

    blocks: list[Block]
    title: str | None = None
    url: str | None = None
    author: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    hidden_removed: int = 0
