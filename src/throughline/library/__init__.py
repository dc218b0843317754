"""The research library: documents in, explainable BM25 passages out.

``library add`` loads Markdown, text, HTML and PDF (:mod:`.documents`), treats them as
untrusted data (:mod:`.safety`), chunks them by structure into passages with stable ids
(:mod:`.chunking`) and indexes them in the workspace's SQLite file (:mod:`.index`);
:func:`retrieve` and :class:`Library` are the API the CLI and the council share
(:mod:`.retrieve`). Dense retrieval is an optional extra (:mod:`.dense`).
"""

from __future__ import annotations

from throughline.library.records import (
    AddOutcome,
    AddReport,
    DocumentInfo,
    Passage,
    SourceRef,
    TermShare,
)
from throughline.library.library import Library, retrieve
from throughline.library.retrieval import FILTER_KEYS
from throughline.library.starter import add_starter, starter_paths

__all__ = [
    "FILTER_KEYS", "AddOutcome", "AddReport", "DocumentInfo", "Library", "Passage",
    "SourceRef", "TermShare", "add_starter", "retrieve", "starter_paths",
]
