"""Benchmark the research library against rank_bm25 (and, optionally, other engines).

Not a test. Generates --docs Markdown documents (default 10,000, ~50 MB) from a
deterministic synthetic vocabulary with a Zipfian word distribution (headings,
paragraphs, sentences), adds them with ``Library.add`` (read, decode, parse, chunk,
tokenise, index, commit), then runs --queries queries of 2–5 words drawn from the same
Zipf distribution through ``Library.search(k=10)`` — the full public path, Pydantic
passages included — and through rank_bm25's ``BM25Okapi`` built on the very same
passages and tokens. Prints index time, query p50/p95 for both, and the ratio.
Targets: index ≤ 60 s, p50 ≤ 20 ms, ≥ 10× faster queries than rank_bm25.

``--compare-engines`` also times SQLite FTS5 (stdlib) and, when importable, bm25s and
tantivy on the same passages: the measurement behind the choice in
``throughline/library/index.py``.

    python bench/library.py [--docs 10000] [--queries 200] [--compare-engines] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from throughline.library import Library
from throughline.library.index import index_text
from throughline.library.terms import STOPWORDS, query_terms, term_counts

CONSONANTS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"


def vocabulary(size: int, seed: int) -> list[str]:
    """``size`` distinct pronounceable non-English words (never a stop word)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        word += rng.choice(("", "", "n", "r", "t", "l"))
        if word not in seen and word not in STOPWORDS:
            seen.add(word)
            out.append(word)
    return out


def zipf_weights(size: int, exponent: float) -> np.ndarray:
    weights = np.arange(1, size + 1, dtype=np.float64) ** -exponent
    return weights / weights.sum()


def generate(folder: Path, docs: int, words: int, vocab: list[str], weights: np.ndarray,
             seed: int) -> int:
    """Write ``docs`` Markdown files; return total bytes."""
    rng = np.random.default_rng(seed)
    voc = np.array(vocab)
    total = 0
    for i in range(docs):
        n = int(rng.integers(words // 2, words * 3 // 2))
        tokens = voc[rng.choice(len(voc), size=n, p=weights)].tolist()
        lines = [f"# Document {i} {tokens[0]} {tokens[1]}", ""]
        pos, paragraph = 0, 0
        while pos < n:
            if paragraph % 3 == 0:
                lines += [f"## {' '.join(tokens[pos:pos + 3])}", ""]
            size = int(rng.integers(40, 150))
            sentences, end = [], min(n, pos + size)
            while pos < end:
                length = int(rng.integers(8, 20))
                chunk = tokens[pos:min(end, pos + length)]
                sentences.append(" ".join(chunk).capitalize() + ".")
                pos += len(chunk)
            lines += [" ".join(sentences), ""]
            paragraph += 1
        text = "\n".join(lines)
        (folder / f"doc{i:05d}.md").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def make_queries(vocab: list[str], weights: np.ndarray, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    voc = np.array(vocab)
    return [" ".join(voc[rng.choice(len(voc), size=int(rng.integers(2, 6)), p=weights)])
            for _ in range(n)]


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def time_queries(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    run(queries[0])  # warm caches (corpus statistics, imports)
    lat = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        lat.append(time.perf_counter() - t)
    return percentiles(lat)


def passage_tokens(library: Library) -> list[list[str]]:
    rows = library._conn.execute("SELECT heading, text FROM passages ORDER BY num").fetchall()
    return [[term for term, n in term_counts(index_text(h, t)).items() for _ in range(n)]
            for h, t in rows]


def compare_engines(tokens: list[list[str]], queries: list[str], work: Path) -> None:
    """Time other engines on the same passages and query terms."""
    qterms = [[t for t, _ in query_terms(q)] for q in queries]
    results: dict[str, tuple[float, float, float]] = {}

    con = sqlite3.connect(work / "fts5.sqlite")
    t = time.perf_counter()
    con.execute("CREATE VIRTUAL TABLE f USING fts5(t, tokenize='ascii')")
    con.executemany("INSERT INTO f(rowid, t) VALUES (?, ?)",
                    ((i, " ".join(toks)) for i, toks in enumerate(tokens)))
    con.commit()
    build = time.perf_counter() - t
    it = iter(qterms * 2)

    def fts(_q: str) -> object:
        match = " OR ".join(f'"{term}"' for term in next(it))
        return con.execute("SELECT rowid, bm25(f) AS r FROM f WHERE f MATCH ? ORDER BY r "
                           "LIMIT 10", (match,)).fetchall()

    results["sqlite fts5 bm25()"] = (build, *time_queries(fts, queries))
    try:
        import bm25s  # type: ignore[import-not-found]

        t = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        build = time.perf_counter() - t
        it2 = iter(qterms * 2)
        results["bm25s"] = (build, *time_queries(
            lambda _q: retriever.retrieve([next(it2)], k=10, show_progress=False), queries))
    except ImportError:
        print("  (bm25s not installed: skipped)")
    try:
        import tantivy  # type: ignore[import-not-found]

        t = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("t", stored=False)
        schema = builder.build()
        (work / "tantivy").mkdir()
        index = tantivy.Index(schema, path=str(work / "tantivy"))
        writer = index.writer(heap_size=200_000_000, num_threads=2)
        for toks in tokens:
            writer.add_document(tantivy.Document(t=" ".join(toks)))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        build = time.perf_counter() - t
        it3 = iter(qterms * 2)

        def tv(_q: str) -> object:
            query = index.parse_query(" ".join(next(it3)), ["t"])
            return index.searcher().search(query, 10).hits

        results["tantivy"] = (build, *time_queries(tv, queries))
    except ImportError:
        print("  (tantivy not installed: skipped)")
    for name, (build, p50, p95) in results.items():
        print(f"  {name:22s} build {build:6.1f} s   query p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=750, help="mean words per document")
    parser.add_argument("--vocab", type=int, default=50_000)
    parser.add_argument("--zipf", type=float, default=1.07)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare-engines", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the documents and library here")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="throughline-bench-"))
    folder = work / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary(args.vocab, args.seed)
    weights = zipf_weights(args.vocab, args.zipf)
    t = time.perf_counter()
    size = generate(folder, args.docs, args.words, vocab, weights, args.seed)
    print(f"generated {args.docs:,} documents, {size / 1e6:.1f} MB, in "
          f"{time.perf_counter() - t:.1f} s ({work})")
    queries = make_queries(vocab, weights, args.queries, args.seed + 1)

    library_path = work / "library.sqlite"
    library_path.unlink(missing_ok=True)
    library = Library(library_path, embedder=None, max_file_bytes=50_000_000)
    t = time.perf_counter()
    report = library.add([folder])
    index_s = time.perf_counter() - t
    passages = library._conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    print(f"indexed {report.summary['added']:,} documents → {passages:,} passages in "
          f"{index_s:.1f} s; library file {library_path.stat().st_size / 1e6:.0f} MB")

    reopened = Library(library_path, embedder=None)
    t = time.perf_counter()
    reopened.search(queries[0], k=10)
    cold = (time.perf_counter() - t) * 1000
    ours = time_queries(lambda q: library.search(q, k=10), queries)

    from rank_bm25 import BM25Okapi

    tokens = passage_tokens(library)
    t = time.perf_counter()
    baseline = BM25Okapi(tokens)
    baseline_build = time.perf_counter() - t
    qtokens = {q: [term for term, _ in query_terms(q)] for q in queries}

    def rank_bm25_top10(q: str) -> np.ndarray:
        scores = baseline.get_scores(qtokens[q])
        return np.argpartition(-scores, 10)[:10]

    theirs = time_queries(rank_bm25_top10, queries)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"throughline  query p50 {ours[0]:7.2f} ms  p95 {ours[1]:7.2f} ms  "
          f"(first query after open: {cold:.0f} ms)")
    print(f"rank_bm25    query p50 {theirs[0]:7.2f} ms  p95 {theirs[1]:7.2f} ms  "
          f"(build {baseline_build:.1f} s, in memory)")
    print(f"ratio        p50 {theirs[0] / ours[0]:.1f}×  p95 {theirs[1] / ours[1]:.1f}× faster; "
          f"peak RSS {rss:.0f} MB")
    checks = {"index ≤ 60 s": index_s <= 60, "p50 ≤ 20 ms": ours[0] <= 20,
              "≥ 10× rank_bm25": theirs[0] / ours[0] >= 10}
    print("targets: " + ", ".join(f"{k} {'PASS' if ok else 'FAIL'}" for k, ok in checks.items()))
    if args.compare_engines:
        print("other engines on the same passages and query terms:")
        compare_engines(tokens, queries, work)
    library.close()
    reopened.close()
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
