"""Chunking by structure: heading paths, sizes, sentence splits, stable ids."""

from __future__ import annotations

from throughline.library.chunking import (
    MAX_WORDS,
    MIN_WORDS,
    chunk_blocks,
    sentences,
    word_count,
)
from throughline.library.documents import Block, markdown_blocks

from .helpers import words


def _doc() -> list[Block]:
    return markdown_blocks(
        "# Retention\n\n" + words(60, "intro") + "\n\n## GRR\n\n" + words(40, "grr") + "\n\n"
        + words(30, "grrb") + "\n\n## NRR\n\n" + "\n\n".join(words(90, f"n{i}") for i in range(6))
        + "\n\n# Pipeline\n\n" + words(20, "pipe") + "\n")


def test_heading_path_is_kept_with_each_passage() -> None:
    chunks = chunk_blocks("doc", _doc())
    paths = [c.heading_path for c in chunks]
    assert paths[0] == ("Retention",)
    assert ("Retention", "GRR") in paths and ("Retention", "NRR") in paths
    assert paths[-1] == ("Pipeline",)  # a new level-1 heading resets the path
    assert all(c.heading == " > ".join(c.heading_path) for c in chunks)


def test_small_paragraphs_merge_within_a_section_only() -> None:
    chunks = chunk_blocks("doc", _doc())
    grr = [c for c in chunks if c.heading_path == ("Retention", "GRR")]
    assert len(grr) == 1 and "grr0" in grr[0].text and "grrb0" in grr[0].text
    nrr = [c for c in chunks if c.heading_path == ("Retention", "NRR")]
    assert all(MIN_WORDS <= word_count(c.text) <= MAX_WORDS for c in nrr)
    assert sum(word_count(c.text) for c in nrr) == 6 * 90


def test_huge_paragraph_splits_at_sentence_boundaries() -> None:
    sentence_list = [f"Sentence number {i} talks about churn and retention in detail." for i in
                     range(120)]
    chunks = chunk_blocks("doc", [Block("paragraph", " ".join(sentence_list))])
    assert len(chunks) > 1
    for c in chunks:
        assert word_count(c.text) <= MAX_WORDS
        assert c.text.startswith("Sentence number") and c.text.endswith("detail.")
    assert " ".join(c.text for c in chunks) == " ".join(sentence_list)


def test_text_without_sentences_is_still_bounded() -> None:
    blocks = [Block("paragraph", "word " * 2000), Block("paragraph", "x" * 20_000)]
    chunks = chunk_blocks("doc", blocks)
    assert all(word_count(c.text) <= MAX_WORDS and len(c.text) <= 6_000 for c in chunks)
    assert sum(word_count(c.text) for c in chunks) == 2000 + 4  # 20,000 chars cut in 4


def test_sentence_splitter() -> None:
    assert sentences('One. Two! "Three?" Four 4. 5 five.') == [
        "One.", "Two!", '"Three?"', "Four 4.", "5 five."]
    assert sentences("e.g. lower case stays together.") == ["e.g. lower case stays together."]


def test_ids_are_stable_and_unique() -> None:
    a = chunk_blocks("doc1", _doc())
    b = chunk_blocks("doc1", _doc())
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert all(c.id.startswith("doc1-") for c in a)
    assert {c.id for c in chunk_blocks("doc2", _doc())}.isdisjoint({c.id for c in a})


def test_editing_one_section_changes_only_its_ids() -> None:
    before = chunk_blocks("doc", _doc())
    blocks = _doc()
    grr_index = next(i for i, b in enumerate(blocks) if b.text.startswith("grr0"))
    blocks[grr_index] = Block("paragraph", blocks[grr_index].text.replace("grr1 ", "EDITED "))
    after = chunk_blocks("doc", blocks)
    changed = {c.id for c in before} ^ {c.id for c in after}
    assert len(changed) == 2  # the old and the new id of the GRR passage


def test_identical_text_under_one_heading_gets_distinct_ids() -> None:
    para = words(200, "same")
    chunks = chunk_blocks("doc", [Block("heading", "H", 1), Block("paragraph", para),
                                  Block("paragraph", para)])
    assert len(chunks) == 2 and chunks[0].id != chunks[1].id
