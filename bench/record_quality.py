"""Benchmark the decision record's writing on the offline engine: repetition and overlap.

Not a test (``tests/council/test_offline_debate.py`` runs a smaller version and asserts the
targets). Writes (or reuses) two sample companies, diagnoses each once, then asks the
council ten questions of different decision types on each, through the real pipeline
(``Council.ask``: frame, gather, cast, debate, claim check, synthesis) on the offline
engine. It prints

* per record: the share of distinct sentences in the debate (statements and round
  summaries) and in the whole record, the most repeated sentence template and its count,
  and the claim check's unsupported / contradicted counts;
* per pair of questions on the same company: the share of shared sentences (the larger of
  the two directions: the share of one record's distinct sentences found in the other),
  for the debate and for the whole record, and which sections carry the shared sentences.

Targets (issue 13, "Done when"): every record >= 90% distinct sentences, no template more
than twice, two different questions on the same data share <= 25% of their sentences.

A **sentence template** is a sentence with what varies from record to record masked —
numbers (#), advisor names and first names (NAME), the question's options (OPT), quoted
spans (Q) and evidence ids (ID) — cut to its first five words: the shape a reader
notices when it comes back ("The image I keep coming back to is …").

    python bench/record_quality.py [--workspace DIR] [--rounds 5] [--questions 10]
                                   [--companies honesty:3,distribution:5] [--scale 0.5]
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

QUESTIONS: list[str] = [
    # diagnose
    "What is our binding go-to-market constraint, and what should we do first?",
    # hire, two options
    "Should we hire four more SDRs next quarter or invest in a partner program?",
    # invest, two options
    "Our engineering ships faster with AI and sales is flat. Invest in GTM tooling or in "
    "product clarity?",
    # price
    "Should we raise our prices for new customers this year?",
    # pivot
    "Should we move upmarket to enterprise buyers within 12 months?",
    # prioritise, two options
    "Which should come first: fixing the forecast or rebuilding the website?",
    # hire
    "Do we need a VP of Marketing before we spend more on paid ads?",
    # invest, two options
    "Where should next year's marketing budget go: content or events?",
    # diagnose (why)
    "Why is our win rate so low when pipeline keeps growing?",
    # other
    "Should customer success own expansion revenue next quarter?",
]
COMPANIES = "honesty:3,distribution:5"
RUN_DATE = date(2025, 6, 16)

TARGET_DISTINCT = 0.90
TARGET_TEMPLATE = 2
TARGET_SHARED = 0.25
TEMPLATE_WORDS = 5

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][”\"’)]))\s+(?=[A-Z“\"'(‘`])")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")
_NUMBER = re.compile(r"[$€£]?[-+−]?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|pp|x|k|M|bn))?")
_ID = re.compile(r"`[^`]*`|\b[a-z_]+(?:\.[a-z0-9_]+){2,}\b")


def sentences(text: str) -> list[str]:
    """A text's sentences, whitespace collapsed (a colon does not end a sentence)."""
    flat = " ".join(text.split())
    return [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()]


@dataclass
class Masker:
    """Masks what varies between records so the shape of a sentence shows."""

    names: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    def mask(self, sentence: str) -> str:
        s = _QUOTED.sub("Q", sentence)
        for o in sorted(self.options, key=len, reverse=True):
            if o:
                s = re.sub(re.escape(o), "OPT", s, flags=re.IGNORECASE)
        for n in sorted(self.names, key=len, reverse=True):
            s = re.sub(r"\b" + re.escape(n) + r"\b", "NAME", s, flags=re.IGNORECASE)
        s = _ID.sub("ID", s)
        s = _NUMBER.sub("#", s)
        return " ".join(s.split())

    def template(self, sentence: str) -> str:
        words = re.findall(r"[\w#’'/-]+", self.mask(sentence).lower())
        return " ".join(words[:TEMPLATE_WORDS])


def masker_for(record: Any) -> Masker:
    names: list[str] = []
    for m in record.panel:
        full = m.advisor.name
        names.append(full)
        if not full.startswith("The "):
            names.append(full.split()[0])
    return Masker(names=names, options=list(record.intent.options))


def debate_sections(record: Any) -> dict[str, list[str]]:
    """The debate's sentences: statements (by round) and the round summaries."""
    out: dict[str, list[str]] = {}
    for rd in record.rounds:
        out[f"round {rd.number}"] = [x for s in rd.statements if not s.failed
                                     for x in sentences(s.text)]
        out[f"summary {rd.number}"] = sentences(rd.summary)
    return out


SECTIONS = ("verdict", "predictions", "action plan", "future paths", "deeper story",
            "evidence", "risks", "debate statements", "round summaries")


def record_sections(record: Any) -> dict[str, list[str]]:
    """Every prose sentence of the Markdown record a reader reads, by section: the verdict;
    each prediction's statement; each plan step's what, condition and opening words; each
    future path's title and milestones; the deeper story; the evidence statements; the
    risks; the debate's statements and round summaries.

    Left out, as fixed labels, lists or copies rather than prose: the title and headings,
    the question and its frame (the user's words and the decision type's fixed stakes and
    checklist), the data-trust table and as-of lines, the predictions' resolution, method,
    measure and id lines (fixed-form), the milestones' backings (a quote of a debate
    sentence, a forecast statement or a finding statement, each counted where it is
    said), the panel (persona catalogue), the claim-check list (excerpts of the above),
    what the evidence cannot see (the diagnosis' own notes), sources and run facts."""
    out: dict[str, list[str]] = {
        "verdict": sentences(record.verdict),
        "predictions": [x for f in record.predictions for x in sentences(f.statement)],
        "action plan": [x for st in record.action_plan
                        for x in sentences(st.what) + sentences(st.opening_words or "")
                        + sentences(st.condition or "")],
        "future paths": [x for p in record.future_paths
                         for x in sentences(p.title) + [y for m in p.milestones
                                                        for y in sentences(m.text)]],
        "deeper story": sentences(record.deeper_story or ""),
        "evidence": [x for e in record.evidence for x in sentences(e.text)],
        "risks": [x for r in record.risks for x in sentences(r.text)],
    }
    out.update(debate_sections(record))
    return out


def flat(sections: dict[str, list[str]]) -> list[str]:
    return [s for v in sections.values() for s in v]


@dataclass
class Quality:
    sentences: int
    distinct: float
    template: str
    template_count: int

    @property
    def ok(self) -> bool:
        return self.distinct >= TARGET_DISTINCT and self.template_count <= TARGET_TEMPLATE


def quality(sents: list[str], masker: Masker) -> Quality:
    if not sents:
        return Quality(0, 1.0, "", 0)
    counts = Counter(masker.template(s) for s in sents)
    top, n = counts.most_common(1)[0]
    return Quality(len(sents), len(set(sents)) / len(sents), top, n)


def shared_share(a: list[str], b: list[str]) -> float:
    """The larger share of one side's distinct sentences that the other side also has."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    both = sa & sb
    return max(len(both) / len(sa), len(both) / len(sb))


def shared_by_section(a: dict[str, list[str]], b: dict[str, list[str]]) -> Counter[str]:
    """Of the sentences A shares with B, how many sit in each of A's sections."""
    other = set(flat(b))
    seen: set[str] = set()
    out: Counter[str] = Counter()
    for name, sents in a.items():
        for s in sents:
            if s in other and s not in seen:
                seen.add(s)
                out[name.split(" ")[0] if name.startswith(("round", "summary")) else name] += 1
    return out


# -- running -------------------------------------------------------------------------------

def build_company(root: Path, scenario: str, seed: int, scale: float) -> Any:
    """Sample exports → ingest → starter library (as `throughline demo`); reused if built."""
    from throughline.ingest import ingest
    from throughline.library import Library, add_starter
    from throughline.sample import generate
    from throughline.core.settings import load_settings

    settings = load_settings(workspace=root / "workspace")
    if (root / "built").exists():
        return settings
    exports = root / "exports"
    generate(scenario, seed, scale, exports)
    ingest([exports], settings)
    with Library.open(settings, embedder=None) as library:
        add_starter(library)
    (root / "built").write_text("ok")
    return settings


def ask_all(settings: Any, questions: list[str], rounds: int) -> list[Any]:
    from throughline.council.convene import Council
    from throughline.diagnose import run_diagnose

    diagnosis = run_diagnose(settings)
    council = Council(settings)
    return [council.ask(q, rounds=rounds, run_date=RUN_DATE, diagnosis=diagnosis).record
            for q in questions]


@dataclass
class CompanyResult:
    name: str
    questions: list[str]
    records: list[Any]


@dataclass
class Pair:
    company: str
    a: int
    b: int
    debate: float
    record: float
    sections: Counter[str]


def pairs_of(results: list[CompanyResult]) -> list[Pair]:
    out = []
    for res in results:
        for (i, a), (j, b) in itertools.combinations(enumerate(res.records, 1), 2):
            sa, sb = record_sections(a), record_sections(b)
            fwd = shared_by_section(sa, sb)
            out.append(Pair(res.name, i, j,
                            shared_share(flat(debate_sections(a)), flat(debate_sections(b))),
                            shared_share(flat(sa), flat(sb)), fwd))
    return out


def evaluate(results: list[CompanyResult], out: Any = sys.stdout) -> bool:
    """Print the tables; True when every target is met on the whole record (and on the
    debate alone)."""
    ok = True
    print("Per record (debate = statements + round summaries; record = every section: "
          + ", ".join(SECTIONS) + ")", file=out)
    print(f"{'company':<14}{'q':>3} {'type':<11}{'debate':>8}{'distinct':>9}"
          f"{'record':>8}{'distinct':>9}  {'record top template (count)':<48}{'uns/con':>8}",
          file=out)
    for res in results:
        for i, rec in enumerate(res.records, 1):
            m = masker_for(rec)
            d = quality(flat(debate_sections(rec)), m)
            w = quality(flat(record_sections(rec)), m)
            cc = rec.claim_check
            good = d.ok and w.ok and cc.unsupported == 0 and cc.contradicted == 0
            ok &= good
            top = f"{w.template} ({w.template_count})"
            print(f"{res.name:<14}{i:>3} {rec.intent.decision_type:<11}{d.sentences:>8}"
                  f"{d.distinct:>9.1%}{w.sentences:>8}{w.distinct:>9.1%}  {top[:47]:<48}"
                  f"{cc.unsupported:>4}/{cc.contradicted:<3}{'' if good else '  ✗'}", file=out)
    print(file=out)
    print("Per pair of questions on the same company: shared sentences (debate / record)",
          file=out)
    pairs = pairs_of(results)
    by = {(p.company, p.a, p.b): p for p in pairs}
    for res in results:
        n = len(res.records)
        print(f"  {res.name}: {n * (n - 1) // 2} pairs", file=out)
        print("      " + "".join(f"{j:>12}" for j in range(2, n + 1)), file=out)
        for i in range(1, n):
            cells = []
            for j in range(2, n + 1):
                p = by.get((res.name, i, j))
                cells.append(f"{'':>12}" if p is None else
                             f"{p.debate:>5.0%}/{p.record:<5.0%} ")
            print(f"  q{i:<3}" + "".join(cells), file=out)
    worst_debate = max((p.debate for p in pairs), default=0.0)
    worst = max(pairs, key=lambda p: p.record, default=None)
    worst_record = worst.record if worst else 0.0
    print(f"  worst pair: debate {worst_debate:.1%}, whole record {worst_record:.1%} "
          f"(target <= {TARGET_SHARED:.0%})", file=out)
    if worst is not None:
        total = sum(worst.sections.values())
        print(f"  worst whole-record pair: {worst.company} q{worst.a} vs q{worst.b}, "
              f"{total} shared sentences: " + ", ".join(
                  f"{k} {v}" for k, v in worst.sections.most_common()), file=out)
    sections: Counter[str] = Counter()
    for p in pairs:
        sections.update(p.sections)
    total = sum(sections.values()) or 1
    print("  shared sentences by section (all pairs): " + ", ".join(
        f"{k} {v / total:.0%}" for k, v in sections.most_common()), file=out)
    ok &= worst_record <= TARGET_SHARED and worst_debate <= TARGET_SHARED
    print(file=out)
    print("targets (whole record and debate): >= 90% distinct, template <= 2, shared <= 25%, "
          f"0 unsupported / contradicted: {'met' if ok else 'NOT met'}", file=out)
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", type=Path, default=None,
                    help="Folder for the sample companies (reused when built).")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--questions", type=int, default=len(QUESTIONS))
    ap.add_argument("--companies", default=COMPANIES,
                    help="scenario:seed pairs, comma-separated")
    ap.add_argument("--scale", type=float, default=0.5)
    args = ap.parse_args(argv)
    root = args.workspace or Path(tempfile.mkdtemp(prefix="tl-record-quality-"))
    questions = QUESTIONS[:args.questions]
    results: list[CompanyResult] = []
    t0 = time.perf_counter()
    for spec in args.companies.split(","):
        scenario, seed = spec.split(":")
        settings = build_company(root / f"{scenario}-{seed}", scenario, int(seed), args.scale)
        results.append(CompanyResult(f"{scenario}:{seed}", questions,
                                     ask_all(settings, questions, args.rounds)))
    ok = evaluate(results)
    print(f"({len(results) * len(questions)} records in {time.perf_counter() - t0:.0f} s; "
          f"workspace {root})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
