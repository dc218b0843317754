"""The research library's public API: :class:`Library` and :func:`retrieve`.

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

import builtins
import fnmatch
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np

from throughline.core.errors import InputError, UsageError
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
from throughline.library.index import Bm25Index, Hit, SegmentWriter, index_text
from throughline.library.records import (
    AddOutcome,
    AddReport,
    DocumentInfo,
    Passage,
    SourceRef,
    TermShare,
)
from throughline.library.safety import instruction_flags
from throughline.library.storage import (
    bump_generation,
    connect,
    now_iso,
    snapshot,
    transaction,
)
from throughline.library.terms import TOKENIZER_VERSION, query_terms, term_counts
from throughline.core.settings import Settings, load_settings

FILTER_KEYS = ("document_id", "path", "kind", "tag")
KIND_ALIASES = {"md": "markdown", "markdown": "markdown", "txt": "text", "text": "text",
                "html": "html", "htm": "html", "pdf": "pdf"}
MAX_K = 1_000
HYBRID_POOL = 50  # candidates taken from each ranking before fusion (at least 5·k)
DEFAULT_MAX_FILE_BYTES: int = Settings.model_fields["max_library_file_bytes"].default

Event = Callable[[str], None]
PassageList = list[Passage]
DocumentList = list[DocumentInfo]


class Library:
    """A research library in one SQLite file. Open with :meth:`open`; close when done."""

    def __init__(self, path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 embedder: Embedder | None = None) -> None:
        self.path = Path(path)
        self.max_file_bytes = max_file_bytes
        self.embedder = embedder
        self._conn = connect(self.path)
        self._index = Bm25Index(self._conn)
        self._dense_cache: tuple[int, str, list[int], np.ndarray] | None = None
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

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            self._embed_missing(say)
        return outcomes

    def _insert(self, doc: LoadedDocument, fingerprint: str, added_tags: builtins.list[str],
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
    def list(self) -> DocumentList:
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

    def _resolve(self, ref: str) -> builtins.list[str]:
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

    # searching --------------------------------------------------------------------------
    def search(self, query: str, k: int = 8, filters: dict[str, Any] | None = None, *,
               dense: bool | None = None) -> PassageList:
        """The ``k`` best passages for ``query``, best first, ties broken by passage id.

        The query is plain words: no operator, quote or wildcard has a meaning. Filters:
        ``document_id``, ``path`` (glob on path or URL), ``kind``, ``tag`` — each a value
        or a list of values (any may match); different keys must all match. ``dense``:
        ``None`` fuses dense retrieval in when an embedder is configured, ``False`` never.
        """
        if not isinstance(query, str):
            raise UsageError("the query must be text")
        if not 1 <= k <= MAX_K:
            raise UsageError(f"k must be between 1 and {MAX_K} (got {k})")
        use_dense = self.embedder is not None and dense is not False
        if dense and self.embedder is None:
            raise UsageError("dense retrieval needs the embeddings extra",
                             hint=dense_mod.EXTRA_HINT)
        terms = [term for term, _word in query_terms(query)]
        if use_dense:
            self._embed_missing(lambda _m: None)
        with snapshot(self._conn):
            allowed = self._filter_mask(filters) if filters else None
            if not use_dense:
                return self._passages(self._index.search(terms, k, allowed), {})
            return self._hybrid(query, terms, k, allowed)

    def passage(self, passage_id: str) -> Passage | None:
        """A passage by its id (score 0, no explanation), or ``None``."""
        row = self._conn.execute("SELECT num FROM passages WHERE id = ?",
                                 (passage_id,)).fetchone()
        if row is None:
            return None
        return self._passages([Hit(row[0], passage_id, 0.0, ())], {})[0]

    def _passages(self, hits: Sequence[Hit], fused: dict[str, tuple[float, float | None]],
                  ) -> PassageList:
        if not hits:
            return []
        marks = ",".join("?" * len(hits))
        rows = self._conn.execute(
            "SELECT p.num, p.id, p.document_id, p.heading, p.text, p.flags, d.title, d.path, "
            "d.url, d.kind, d.author, d.date FROM passages p JOIN documents d "
            f"ON d.id = p.document_id WHERE p.num IN ({marks})", [h.num for h in hits],
        ).fetchall()
        by_num = {r[0]: r for r in rows}
        out = []
        for rank, hit in enumerate(hits, start=1):
            _num, pid, doc_id, heading, text, flags, title, path, url, kind, author, date = \
                by_num[hit.num]
            reasons = json.loads(flags)
            explanation = sorted(
                (TermShare(t.term, t.contribution / hit.score if hit.score else 0.0,
                           t.contribution) for t in hit.terms),
                key=lambda s: (-s.contribution, s.term))
            fused_score, similarity = fused.get(pid, (None, None))
            out.append(Passage(
                id=pid, document_id=doc_id, heading=heading, text=text, score=hit.score,
                source=SourceRef(title=title, path=path, url=url, kind=kind, author=author,
                                 date=date),
                explanation=explanation, untrusted_instructions=bool(reasons),
                untrusted_reasons=reasons, rank=rank,
                retriever="hybrid" if fused else "bm25",
                fused_score=fused_score, dense_similarity=similarity,
            ))
        return out

    def _filter_mask(self, filters: dict[str, Any]) -> np.ndarray:
        unknown = sorted(set(filters) - set(FILTER_KEYS))
        if unknown:
            raise UsageError(f"unknown filter(s): {', '.join(unknown)}",
                             hint=f"filters are {', '.join(FILTER_KEYS)}")
        wanted = {key: _values(key, value) for key, value in filters.items()}
        kinds = set()
        for kind in wanted.get("kind", []):
            if kind.lower() not in KIND_ALIASES:
                raise UsageError(f"unknown kind {kind!r}", hint="kinds: markdown, text, html, pdf")
            kinds.add(KIND_ALIASES[kind.lower()])
        keep: list[str] = []
        for doc_id, path, url, kind, tags in self._conn.execute(
                "SELECT id, path, url, kind, tags FROM documents"):
            if "document_id" in wanted and doc_id not in wanted["document_id"]:
                continue
            if "path" in wanted and not any(_glob(path, url, g) for g in wanted["path"]):
                continue
            if "kind" in wanted and kind not in kinds:
                continue
            if "tag" in wanted and not {t.lower() for t in wanted["tag"]} & set(json.loads(tags)):
                continue
            keep.append(doc_id)
        size = len(self._index.stats().alive)
        mask = np.zeros(size, dtype=bool)
        for i in range(0, len(keep), 500):
            batch = keep[i:i + 500]
            nums = [r[0] for r in self._conn.execute(
                f"SELECT num FROM passages WHERE document_id IN ({','.join('?' * len(batch))})",
                batch)]
            mask[[n for n in nums if n < size]] = True
        return mask

    # dense (optional) -------------------------------------------------------------------
    def _hybrid(self, query: str, terms: builtins.list[str], k: int,
                allowed: np.ndarray | None) -> PassageList:
        assert self.embedder is not None  # checked by search()
        pool = max(HYBRID_POOL, 5 * k)
        bm25_hits = self._index.search(terms, pool, allowed)
        _generation, nums, matrix = self._dense_matrix()
        if allowed is not None:
            keep = [i for i, n in enumerate(nums) if n < len(allowed) and allowed[n]]
            nums, matrix = [nums[i] for i in keep], matrix[keep]
        ids = self._index.passage_ids(nums)
        id_list = [ids[n] for n in nums]
        query_vec = self.embedder.embed([query])[0]
        dense_ranked = dense_mod.dense_ranking(query_vec, matrix, id_list, pool)
        fused = dense_mod.reciprocal_rank_fusion(
            [[h.id for h in bm25_hits], [pid for pid, _ in dense_ranked]])[:k]
        by_id = {h.id: h for h in bm25_hits}
        similarity = dict(dense_ranked)
        num_of = {pid: n for n, pid in ids.items()}
        hits = [by_id.get(pid) or Hit(num_of[pid], pid, 0.0, ()) for pid, _ in fused]
        extra = {pid: (score, similarity.get(pid)) for pid, score in fused}
        return self._passages(hits, extra)

    def _dense_matrix(self) -> tuple[int, builtins.list[int], np.ndarray]:
        assert self.embedder is not None
        generation = self._index.stats().generation
        cached = self._dense_cache
        if cached and cached[0] == generation and cached[1] == self.embedder.name:
            return cached[0], cached[2], cached[3]
        rows = self._conn.execute("SELECT num, vector FROM embeddings WHERE model = ? "
                                  "ORDER BY num", (self.embedder.name,)).fetchall()
        nums = [r[0] for r in rows]
        matrix = (np.vstack([np.frombuffer(r[1], "<f4") for r in rows]) if rows
                  else np.zeros((0, 1), np.float32))
        self._dense_cache = (generation, self.embedder.name, nums, matrix)
        return generation, nums, matrix

    def _embed_missing(self, say: Event) -> None:
        """Embed passages that have no vector for the current model (after add, or lazily)."""
        assert self.embedder is not None
        rows = self._conn.execute(
            "SELECT p.num, p.heading, p.text FROM passages p LEFT JOIN embeddings e "
            "ON e.num = p.num AND e.model = ? WHERE e.num IS NULL ORDER BY p.num",
            (self.embedder.name,)).fetchall()
        if not rows:
            return
        say(f"embedding {len(rows)} passages with {self.embedder.name}")
        vectors = dense_mod.normalise(
            self.embedder.embed([index_text(h, t) for _, h, t in rows]))
        with transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO embeddings(num, model, vector) VALUES (?, ?, ?)",
                ((num, self.embedder.name, vec.astype("<f4").tobytes())
                 for (num, _, _), vec in zip(rows, vectors)))
            bump_generation(self._conn)


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


def _values(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return sorted(value)
    raise UsageError(f"filter {key!r} takes a string or a list of strings (got {value!r})")


def _glob(path: str, url: str | None, pattern: str) -> bool:
    """Match a glob against the path or URL; a relative pattern may match any suffix."""
    candidates = [path] + ([url] if url else [])
    patterns = [pattern] if pattern.startswith(("/", "*")) or "://" in pattern \
        else [pattern, f"*/{pattern}"]
    return any(fnmatch.fnmatchcase(c, p) for c in candidates for p in patterns)
