"""The starter library: packaged, original notes with front matter; adds idempotently."""

from __future__ import annotations

from importlib import resources

import yaml

from throughline.library import Library, add_starter, starter_paths
from throughline.library.chunking import word_count

TOPICS = {
    "revenue-retention.md": ["GRR", "NRR", "logo churn", "expansion"],
    "binding-constraints.md": ["distribution", "positioning", "messaging", "honesty",
                               "architecture"],
    "push-vs-pull.md": ["push", "pull"],
    "stated-vs-revealed-icp.md": ["stated", "revealed"],
    "feedback-loops.md": ["owner", "change"],
    "measurement-legibility.md": ["legible", "vacuum"],
    "handoff-velocity.md": ["handoff", "inventory"],
    "promise-ledger.md": ["promise", "sign-off"],
}


def test_notes_are_packaged_with_front_matter_and_length() -> None:
    names = starter_paths()
    assert 6 <= len(names) <= 9 and set(names) == set(TOPICS)
    folder = resources.files("throughline.library.starter")
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        assert meta["author"] == "Throughline project" and meta["title"] and meta["date"]
        assert 300 <= word_count(body) <= 700, name
        for word in TOPICS[name]:
            assert word.lower() in body.lower(), (name, word)


def test_add_starter_is_idempotent_and_unflagged(library: Library) -> None:
    first = add_starter(library)
    assert first.summary["added"] == len(starter_paths())
    assert all(o.document and o.document.flagged_passages == 0 for o in first.outcomes)
    assert all("starter" in d.tags and d.path.startswith("throughline:starter/")
               for d in library.documents())
    ids = sorted(d.id for d in library.documents())
    assert add_starter(library).summary["unchanged"] == len(starter_paths())
    assert sorted(d.id for d in library.documents()) == ids


def test_starter_answers_the_demo_questions(library: Library) -> None:
    add_starter(library)
    cases = {
        "net revenue retention formula expansion contraction": "revenue-retention.md",
        "channel instability distribution": "binding-constraints.md",
        "referral compounding installed base": "push-vs-pull.md",
        "revealed ICP closed-won cohort": "stated-vs-revealed-icp.md",
        "features shipped without sales play": "handoff-velocity.md",
        "promises without engineering sign-off": "promise-ledger.md",
        "measurement vacuum legibility": "measurement-legibility.md",
        "loss reasons owner response": "feedback-loops.md",
    }
    for query, expected in cases.items():
        top = library.search(query, k=1, filters={"tag": "starter"})[0]
        assert top.source.path.endswith(expected), (query, top.source.path)
