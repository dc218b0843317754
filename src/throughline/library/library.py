"""The research library's public API: :class:`Library` and :func:`retrieve`.

:class:`Library` adds, lists and removes documents here; searching is
:class:`~.retrieval.Retriever`'s (:mod:`.retrieval`), which it holds.

The CLI (``throughline library ...``), the council and a notebook all go through these;
nothing else touches the library file. ::

    from throughline.library import Library, retrieve

    with Library.open(settings) as lib:
        lib.add(["notes/", "report.pdf"])
        for p in lib.search("net revenue retention", k=5):
            print(p.source.cite(), p.score, p.explanation)
    passages = retrieve("channel instability", k=8, filters={"tag": "starter"})

A :class:`Library` holds one SQLite connection: use it from the thread that opened it
(open one per thread or task).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from throughline.core.errors import InputError, UsageError
from throughline.core.settings import Settings, load_settings
from throughline.core.sqlite import SQLiteFile
from throughline.library import dense as dense_mod
from throughline.library.chunking import CHUNKER_VERSION, chunk_blocks
from throughline.library.dense import Embedder
from throughline.library.documents import (
    LoadedDocument,
    collect_files,
    load_path,
    normalize_tags,
    source_key_for,
)
from throughline.library.index import Bm25Index, SegmentWriter, index_text
from throughline.library.records import AddOutcome, AddReport, DocumentInfo, Passage
from throughline.library.retrieval import Retriever
from throughline.library.safety import instruction_flags
from throughline.library.storage import bump_generation, connect, now_iso, transaction
from throughline.library.terms import TOKENIZER_VERSION, term_counts

DEFAULT_MAX_FILE_BYTES: int = Settings.model_fields["max_library_file_bytes"].default

Event = Callable[[str], None]
PassageList = list[Passage]
DocumentList = list[DocumentInfo]


class Library(SQLiteFile):
    """A research library in one SQLite file. Open with :meth:`open`; close when done."""

    def __init__(self, path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 embedder: Embedder | None = None) -> None:
        self.path = Path(path)
        self.max_file_bytes = max_file_bytes
        self._conn = connect(self.path)
        self._index = Bm25Index(self._conn)
        self._retrieval = Retriever(self._conn, self._index, embedder)
        if not self._index.tokenizer_current():
            with transaction(self._conn):
                self._index.rebuild()
                bump_generation(self._conn)

    @classmethod
    def open(cls, settings: Settings | None = None, *,
             embedder: Embedder | None | Literal["auto"] = "auto") -> Library:
        """Open the workspace's library (``settings.library_path``), creating it if needed.

        ``embedder="auto"`` uses dense retrieval when the embeddings extra is installed.
        """
        settings = settings or load_settings()
        chosen = dense_mod.default_embedder() if embedder == "auto" else embedder
        return cls(settings.library_path, max_file_bytes=settings.max_library_file_bytes,
                   embedder=chosen)

    @property
    def embedder(self) -> Embedder | None:
        """The dense retrieval model, or ``None`` (BM25 only)."""
        return self._retrieval.embedder

    # adding -----------------------------------------------------------------------------
    def add(self, paths: Iterable[str | Path], *, tags: Sequence[str] = (),
            skip_bad: bool = False, max_file_bytes: int | None = None,
            on_event: Event | None = None) -> AddReport:
        """Add files and folders (recursively). All or nothing unless ``skip_bad``.

        An unchanged document is a no-op (``unchanged``); a changed one replaces its old
        version and passages (``replaced``). Bad files raise :class:`InputError` before
        anything is written, or with ``skip_bad`` are reported as ``skipped``. ``tags`` are
        added to every document given and stay on it when it is added again without them.
        """
        started = time.perf_counter()
        say = on_event or (lambda _m: None)
        limit = max_file_bytes or self.max_file_bytes
        files, outcomes = collect_files(paths, skip_bad=skip_bad)
        loaded: list[LoadedDocument] = []
        for number, file in enumerate(files, start=1):
            say(f"reading {number}/{len(files)}: {file.name}")
            try:
                loaded.append(load_path(file, max_bytes=limit))
            except InputError as exc:
                if not skip_bad:
                    raise
                outcomes.append(AddOutcome(path=str(file), status="skipped",
                                           reason=exc.message))
        outcomes = self.add_documents(loaded, tags=tags, on_event=say) + outcomes
        return AddReport(outcomes=outcomes, duration_s=time.perf_counter() - started,
                         library=str(self.path))

    def add_documents(self, docs: Sequence[LoadedDocument], *, tags: Sequence[str] = (),
                      on_event: Event | None = None) -> list[AddOutcome]:
        """Index already-loaded documents in one transaction (used by :meth:`add`)."""
        say = on_event or (lambda _m: None)
        outcomes: list[AddOutcome] = []
        changed = False
        with transaction(self._conn):
            writer = self._index.writer()
            seen: set[str] = set()
            for number, doc in enumerate(docs, start=1):
                if doc.source_key in seen:
                    continue
                seen.add(doc.source_key)
                old = self._conn.execute(
                    "SELECT fingerprint, passages, added_tags FROM documents WHERE id = ?",
                    (doc.id,)).fetchone()
                added = sorted(set(normalize_tags(list(tags)))
                               | set(json.loads(old[2]) if old else []))
                doc.tags = sorted(set(doc.tags) | set(added))
                fingerprint = _fingerprint(doc)
                if old and old[0] == fingerprint:
                    outcomes.append(AddOutcome(path=doc.path, status="unchanged",
                                               document=self._info(doc.id)))
                    continue
                say(f"indexing {number}/{len(docs)}: {doc.title}")
                if old:
                    self._conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
                    self._index.note_removed(old[1])
                self._insert(doc, fingerprint, added, writer)
                changed = True
                outcomes.append(AddOutcome(path=doc.path, status="replaced" if old else "added",
                                           document=self._info(doc.id)))
            writer.flush()
            if changed:
                bump_generation(self._conn)
                if self._index.needs_compaction():
                    say("compacting the index")
                    self._index.compact()
        if changed and self.embedder is not None:
            self._retrieval.embed_missing(say)
        return outcomes

    def _insert(self, doc: LoadedDocument, fingerprint: str, added_tags: list[str],
                writer: SegmentWriter) -> None:
        chunks = chunk_blocks(doc.id, doc.blocks)
        flags = [instruction_flags(index_text(c.heading, c.text)) for c in chunks]
        self._conn.execute(
            "INSERT INTO documents(id, source_key, path, url, kind, title, author, date, tags, "
            "added_tags, content_hash, fingerprint, encoding, bytes, hidden_removed, passages, "
            "flagged, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, doc.source_key, doc.path, doc.url, doc.kind, doc.title, doc.author,
             doc.date, json.dumps(doc.tags), json.dumps(added_tags), doc.content_hash,
             fingerprint, doc.encoding,
             doc.bytes, doc.hidden_removed, len(chunks), sum(1 for f in flags if f), now_iso()),
        )
        for chunk, chunk_flags in zip(chunks, flags):
            counts = term_counts(index_text(chunk.heading, chunk.text))
            cursor = self._conn.execute(
                "INSERT INTO passages(id, document_id, ordinal, heading, text, length, flags) "
                "VALUES (?,?,?,?,?,?,?)",
                (chunk.id, doc.id, chunk.ordinal, chunk.heading, chunk.text,
                 sum(counts.values()), json.dumps(chunk_flags)),
            )
            assert cursor.lastrowid is not None  # sqlite always sets it after an INSERT
            writer.add(cursor.lastrowid, counts)

    # listing and removing ---------------------------------------------------------------
    def documents(self) -> DocumentList:
        """Every document, by title then id."""
        rows = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY title, id")
        return [_document_info(r) for r in rows.fetchall()]

    def get(self, ref: str) -> DocumentInfo:
        """One document by id, id prefix or path; :class:`UsageError` if none matches."""
        ids = self._resolve(ref)
        if len(ids) != 1:
            raise UsageError(f"{ref!r} matches {len(ids)} documents; give a full id")
        return self._info(ids[0])

    def remove(self, ref: str) -> DocumentList:
        """Remove documents by id (or unique prefix), file path, or folder path."""
        ids = self._resolve(ref)
        removed = [self._info(i) for i in ids]
        with transaction(self._conn):
            for info in removed:
                self._conn.execute("DELETE FROM documents WHERE id = ?", (info.id,))
                self._index.note_removed(info.passages)
            bump_generation(self._conn)
            if self._index.needs_compaction():
                self._index.compact()
        return removed

    def _resolve(self, ref: str) -> list[str]:
        ref = ref.strip()
        if not ref:
            raise UsageError("give a document id or path", hint="see `throughline library list`")
        row = self._conn.execute(
            "SELECT id FROM documents WHERE id = ? OR source_key = ? OR path = ?",
            (ref, ref, ref)).fetchone()
        if row:
            return [row[0]]
        resolved = source_key_for(Path(ref).expanduser())
        rows = self._conn.execute(
            "SELECT id FROM documents WHERE source_key = ? OR substr(source_key, 1, ?) = ? "
            "ORDER BY path", (resolved, len(resolved) + 1, resolved + "/")).fetchall()
        if not rows and len(ref) >= 4:
            rows = self._conn.execute("SELECT id FROM documents WHERE substr(id, 1, ?) = ?",
                                      (len(ref), ref.lower())).fetchall()
            if len(rows) > 1:
                raise UsageError(f"id prefix {ref!r} matches {len(rows)} documents",
                                 hint="give more characters of the id")
        if not rows:
            raise UsageError(f"no document in the library matches {ref!r}",
                             hint="see `throughline library list` for ids and paths")
        return [r[0] for r in rows]

    def _info(self, document_id: str) -> DocumentInfo:
        row = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?",
                                 (document_id,)).fetchone()
        return _document_info(row)

    # searching (:mod:`.retrieval`) ----------------------------------------------------
    def search(self, query: str, k: int = 8, filters: dict[str, Any] | None = None, *,
               dense: bool | None = None) -> PassageList:
        """The ``k`` best passages for ``query``, best first, ties broken by passage id.

        The query is plain words: no operator, quote or wildcard has a meaning. Filters:
        ``document_id``, ``path`` (glob on path or URL), ``kind``, ``tag`` — each a value
        or a list of values (any may match); different keys must all match. ``dense``:
        ``None`` fuses dense retrieval in when an embedder is configured, ``False`` never.
        """
        return self._retrieval.search(query, k, filters, dense=dense)

    def passage(self, passage_id: str) -> Passage | None:
        """A passage by its id (score 0, no explanation), or ``None``."""
        return self._retrieval.passage(passage_id)


def retrieve(query: str, k: int = 8, filters: dict[str, Any] | None = None, *,
             settings: Settings | None = None) -> PassageList:
    """Search the workspace's library once (open, search, close). See :meth:`Library.search`.

    For many queries in a row, keep a :class:`Library` open instead.
    """
    with Library.open(settings) as library:
        return library.search(query, k, filters)


_DOC_COLUMNS = ("id, title, kind, path, url, author, date, tags, content_hash, encoding, "
                "bytes, passages, flagged, hidden_removed, added_at")


def _document_info(row: sqlite3.Row | tuple[Any, ...]) -> DocumentInfo:
    (doc_id, title, kind, path, url, author, date, tags, content_hash, encoding, size,
     passages, flagged, hidden, added_at) = row
    return DocumentInfo(id=doc_id, title=title, kind=kind, path=path, url=url, author=author,
                        date=date, tags=json.loads(tags), content_hash=content_hash,
                        encoding=encoding, bytes=size, passages=passages,
                        flagged_passages=flagged, hidden_characters_removed=hidden,
                        added_at=added_at)


def _fingerprint(doc: LoadedDocument) -> str:
    parts = [doc.content_hash, doc.path, doc.kind, doc.title, doc.url, doc.author, doc.date,
             doc.tags, CHUNKER_VERSION, TOKENIZER_VERSION]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
