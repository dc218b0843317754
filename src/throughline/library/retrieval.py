"""Retrieval: the ``k`` best passages for a query, explained.

BM25 over the index (:mod:`.index`) ranks passages; filters (``document_id``, ``path``
glob, ``kind``, ``tag``) restrict the candidates first. With an embedder (the embeddings
extra, :mod:`.dense`) the dense ranking is fused in by reciprocal rank; passage vectors are
computed for passages that have none, after an ``add`` or lazily before a search. Each
passage says which terms scored it and how much (:class:`~.records.TermShare`).
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from throughline.core.errors import UsageError
from throughline.library import dense as dense_mod
from throughline.library.dense import Embedder
from throughline.library.index import Bm25Index, Hit, index_text
from throughline.library.records import Passage, SourceRef, TermShare
from throughline.library.storage import bump_generation, snapshot, transaction
from throughline.library.terms import query_terms

__all__ = ["FILTER_KEYS", "HYBRID_POOL", "KIND_ALIASES", "MAX_K", "Retriever"]

FILTER_KEYS = ("document_id", "path", "kind", "tag")
KIND_ALIASES = {"md": "markdown", "markdown": "markdown", "txt": "text", "text": "text",
                "html": "html", "htm": "html", "pdf": "pdf"}
MAX_K = 1_000
HYBRID_POOL = 50  # candidates taken from each ranking before fusion (at least 5·k)

Event = Callable[[str], None]
PassageList = list[Passage]


class Retriever:
    """Search over one library file's connection and index (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, index: Bm25Index,
                 embedder: Embedder | None) -> None:
        self._conn = conn
        self._index = index
        self.embedder = embedder
        self._dense_cache: tuple[int, str, list[int], np.ndarray] | None = None

    def search(self, query: str, k: int = 8, filters: dict[str, Any] | None = None, *,
               dense: bool | None = None) -> PassageList:
        """The ``k`` best passages for ``query``, best first (the filters and ``dense`` as
        :meth:`throughline.library.Library.search` describes them)."""
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
            self.embed_missing(lambda _m: None)
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
    def _hybrid(self, query: str, terms: list[str], k: int,
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

    def _dense_matrix(self) -> tuple[int, list[int], np.ndarray]:
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

    def embed_missing(self, say: Event) -> None:
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
