"""The research library: documents in, explainable BM25 passages out.

``library add`` loads Markdown, text, HTML and PDF (:mod:`.documents`; the parsers'
:class:`~.blocks.Block` s in :mod:`.blocks`, HTML in :mod:`.htmltext`, PDF in
:mod:`.pdftext`), treats them as untrusted data (:mod:`.safety`), chunks them by structure
into passages with stable ids (:mod:`.chunking`) and indexes them (:mod:`.terms` makes the
index terms, :mod:`.index` the BM25 postings) in the workspace's SQLite file
(:mod:`.storage`, through :mod:`throughline.core.sqlite`). :class:`Library`
(:mod:`.library`: add, list, remove) and :func:`retrieve` are the API the CLI and the
council share; searching is :mod:`.retrieval`'s. Dense retrieval is an optional extra
(:mod:`.dense`). The records it returns are in :mod:`.records`; :mod:`.starter` holds the
demo's notes.
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
