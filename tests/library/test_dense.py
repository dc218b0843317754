"""Dense retrieval is optional: BM25 without the extra, RRF fusion with a fake embedder."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from throughline.core.errors import UsageError
from throughline.library import Library, dense
from throughline.library.dense import reciprocal_rank_fusion
from throughline.core.settings import load_settings


def test_rrf_scores_and_ties() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["b"] == pytest.approx(1 / 62) and scores["d"] == pytest.approx(1 / 63)
    assert [i for i, _ in fused] == ["a", "c", "b", "d"]
    # equal fused scores are ordered by id
    assert [i for i, _ in reciprocal_rank_fusion([["y", "x"], ["x", "y"]])] == ["x", "y"]
    assert reciprocal_rank_fusion([]) == []


def test_dense_ranking_orders_by_cosine_then_id() -> None:
    matrix = dense.normalise(np.array([[1, 0], [0, 1], [1, 1], [1, 0]], dtype=np.float32))
    ranked = dense.dense_ranking(np.array([1.0, 0.0]), matrix, ["d", "b", "c", "a"], 3)
    assert [i for i, _ in ranked] == ["a", "d", "c"]
    assert ranked[0][1] == pytest.approx(1.0)


def test_bm25_path_when_extra_is_absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dense, "available", lambda: False)
    settings = load_settings(workspace=tmp_path)
    doc = tmp_path / "a.md"
    doc.write_text("# A\n\nChurn and retention.\n")
    with Library.open(settings) as lib:
        assert lib.embedder is None
        lib.add([doc])
        hits = lib.search("churn")
        assert hits and all(h.retriever == "bm25" and h.fused_score is None for h in hits)
        with pytest.raises(UsageError, match="embeddings extra"):
            lib.search("churn", dense=True)
    assert "torch" not in sys.modules and "sentence_transformers" not in sys.modules


class FakeEmbedder:
    """Bag-of-concepts vectors: words map to a few fixed axes (synonyms share an axis)."""

    name = "fake-concepts"
    AXES: ClassVar[dict[str, int]] = {
        "churn": 0, "attrition": 0, "cancel": 0, "pipeline": 1, "deals": 1, "pricing": 2}

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.full((len(texts), 4), 0.01, dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").split():
                if word in self.AXES:
                    out[row, self.AXES[word]] += 1.0
        return dense.normalise(out)


def test_hybrid_fuses_bm25_and_dense(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nChurn rises when onboarding is slow.\n")
    (docs / "b.md").write_text("# B\n\nAttrition and cancel requests spike in March.\n")
    (docs / "c.md").write_text("# C\n\nPricing pages convert deals.\n")
    fake = FakeEmbedder()
    with Library(tmp_path / "lib.sqlite", embedder=fake) as lib:
        lib.add([docs])
        assert fake.calls == [3]  # passages embedded once, at add
        hits = lib.search("churn", k=3)
        assert all(h.retriever == "hybrid" and h.fused_score is not None for h in hits)
        by_title = {h.source.title: h for h in hits}
        assert hits[0].source.title == "A" and hits[0].score > 0 and hits[0].explanation
        synonym = by_title["B"]  # no shared word: found by the dense side only
        assert synonym.score == 0.0 and synonym.explanation == []
        assert synonym.dense_similarity and synonym.dense_similarity > 0.9
        assert [h.fused_score for h in hits] == sorted((h.fused_score for h in hits),
                                                       reverse=True)
        bm25_only = lib.search("churn", k=3, dense=False)
        assert [h.source.title for h in bm25_only] == ["A"]
        assert bm25_only[0].retriever == "bm25"
        assert lib.search("churn", k=3, filters={"document_id": hits[0].document_id})[0].id \
            == hits[0].id


def test_missing_vectors_are_filled_lazily(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("# A\n\nChurn text.\n")
    with Library(tmp_path / "lib.sqlite", embedder=None) as lib:
        lib.add([doc])
    fake = FakeEmbedder()
    with Library(tmp_path / "lib.sqlite", embedder=fake) as lib:
        assert lib.search("attrition")[0].source.title == "A"
        assert fake.calls == [1, 1]  # the backfill, then the query
