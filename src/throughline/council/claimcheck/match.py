"""Matching one text's claims to the evidence (:func:`check_text`): its citations and ids
resolved, each number tried tier by tier (cited findings, forecasts, passages, then the
others, which must share a word with the number's clause), and an unmatched number called
contradicted when its clause names exactly one metric of a cited finding.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from throughline.council.claimcheck.index import EvidenceIndex, Reading, compatible
from throughline.council.claimcheck.numbers import (
    PASSAGE_ID,
    IdMention,
    NumberMention,
    extract_ids,
    extract_numbers,
)
from throughline.council.claimcheck.words import clause, context, stems
from throughline.diagnose.families.measure import show
from throughline.record.decision import Claim


_COMPARATOR = re.compile(r"(?:\b(?:above|below|over|under|at least|at most|more than|less "
                         r"than|fewer than|exceeds?|exceeding|beyond|up to|threshold of)|"
                         r"[<>≤≥])\s*[$€£]?$", re.IGNORECASE)
_PROJECTION = re.compile(
    r"\b(?:will|would|could|should|might|may|target|targets|goal|aim|aims|expect|expected|"
    r"forecast|forecasts|projected|projection|reach|reaches|if|plan|plans|want)\b", re.IGNORECASE)

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass(frozen=True)
class _Hints:
    """What the text around a number says about which evidence it states."""

    words: set[str]  # stems of its clause
    sentence_words: set[str]  # stems of its sentence
    votes: dict[str, int]  # evidence id → numbers of the sentence it can explain
    nearby: set[str]  # evidence ids written right before or after the number
    previous: str | None  # the reading matched by the number just before ('X% of N')


def _best(candidates: Iterable[Reading], mention: NumberMention, hints: _Hints, *,
          need_context: bool) -> Reading | None:
    """The reading a number most likely states, preferring in turn: evidence named right
    next to it, the sample size of the metric just stated ('41.7% of 103'), the evidence
    that explains the most numbers of its sentence, the reading its clause names, a point
    value over an interval end or sample size, the closest value. Without a citation
    (``need_context``) the clause, or failing that the sentence, must share a word with
    the reading."""
    ranked: list[tuple[tuple[int, int, int, int, int, float, int], Reading]] = []
    for i, r in enumerate(candidates):
        score = len(hints.words & r.words)
        if need_context and score == 0 and not hints.sentence_words & r.words:
            continue
        part_rank = 0 if r.part in ("value", "probability", "current", "threshold") else 1
        diff = abs(abs(mention.value) - abs(r.value))
        key = (-(r.owner in hints.nearby), -(r.part == "n" and r.ref == hints.previous),
               -hints.votes.get(r.owner, 0), -score, part_rank, diff, i)
        ranked.append((key, r))
    return min(ranked, key=lambda c: c[0])[1] if ranked else None


_PART_NOTE = {"low": "lower end of its interval", "high": "upper end of its interval",
              "label": "a number its label names", "text": "a number its text states",
              "n": "its sample size", "probability": "its probability",
              "signal": "a constraint signal", "significance": "its significance test",
              "current": "its current value", "threshold": "its threshold"}


def _verified(location: str, i: int, mention: NumberMention, text: str, r: Reading,
              cited: bool) -> Claim:
    note = "matches " + ("a cited " if cited else "an uncited ") + r.source
    if r.part in _PART_NOTE:
        note += f" ({_PART_NOTE[r.part]})"
    return Claim(id=f"{location}#{i}", location=location,
                 text=context(text, mention.start, mention.end), kind=mention.kind,
                 value=mention.value, status="verified", matched=r.ref, note=note)


def _resolve(mention: IdMention, index: EvidenceIndex) -> str | None:
    """The evidence id an id mention points to ([n] through the citation list)."""
    if mention.bracket:
        c = index.citations.get(int(mention.ref))
        return None if c is None else c.ref
    return mention.ref if index.knows(mention.ref) else None


def _focus(text: str, ids: list[IdMention], cites: Sequence[str], index: EvidenceIndex,
           ) -> list[str]:
    """Evidence this text points to: its cites, [n] citations and ids in the text."""
    focus: list[str] = []
    for ref in cites:
        if index.knows(ref) and ref not in focus:
            focus.append(ref)
    for m in ids:
        resolved = _resolve(m, index)
        if resolved is not None and resolved not in focus:
            focus.append(resolved)
    return focus


def _contradiction(mention: NumberMention, text: str, focus_findings: list[str],
                   index: EvidenceIndex) -> tuple[Reading, str] | None:
    around = clause(text, mention.start, mention.end)
    if _PROJECTION.search(around) or _COMPARATOR.search(text[max(0, mention.start - 20):
                                                              mention.start]):
        return None  # a projection or a threshold is not a measurement
    words = stems(around)
    scored: list[tuple[int, Reading]] = []
    for fid in focus_findings:
        for r in index.readings.get(fid, []):
            if r.part != "value" or r.metric is None or not compatible(mention, r):
                continue
            score = len(words & (stems(r.metric.name) | stems(r.metric.label or "")))
            if score:
                scored.append((score, r))
    if not scored:
        return None
    top = max(s for s, _ in scored)
    best = [r for s, r in scored if s == top]
    shown = {show(r.metric) for r in best if r.metric is not None}
    if len(shown) != 1:
        return None
    r = best[0]
    assert r.metric is not None
    return r, show(r.metric)


def _asked_spans(text: str, asked: Sequence[str]) -> list[tuple[int, int, str]]:
    """Where ``text`` repeats the user's own words (the question, its options): a number
    there is the user's, not a claim ('raising prices by 10% this year')."""
    spans: list[tuple[int, int, str]] = []
    low = text.lower()
    for phrase in asked:
        p = " ".join(phrase.split()).lower()
        if len(p) < 6 or not re.search(r"\d", p):
            continue
        start = low.find(p)
        while start >= 0:
            spans.append((start, start + len(p), "the question's words"))
            start = low.find(p, start + 1)
    return spans


def check_text(location: str, text: str, index: EvidenceIndex, cites: Sequence[str] = (),
               *, check_cites: bool = True, asked: Sequence[str] = ()) -> list[Claim]:
    """The claims in one text (a statement, a synthesis section), each matched.

    ``cites`` are the evidence ids the text's author listed; they are searched first and,
    with ``check_cites``, each becomes a citation claim of its own (unknown id →
    unsupported). Claim ids are ``<location>#<i>``, in text order.
    """
    ids = extract_ids(text)
    focus = _focus(text, ids, cites, index)
    focus_findings = [r for r in focus if r in index.findings]
    focus_forecasts = [r for r in focus if r in index.forecasts]
    focus_passages = [r for r in focus if r in index.passages]
    others_findings = [r for r in index.findings if r not in focus]
    others_forecasts = [r for r in index.forecasts if r not in focus]
    others_passages = [r for r in index.passages if r not in focus]
    tiers = [(focus_findings, True), (focus_forecasts, True), (focus_passages, True),
             (others_findings, False), (others_forecasts, False), (others_passages, False)]

    items: list[tuple[int, Claim]] = []
    seen_ids: set[str] = set()
    for m in ids:
        claim = _id_claim(location, text, m, index)
        if claim is not None:
            items.append((m.start, claim))
            if not m.bracket:
                seen_ids.add(m.ref)
    mentions = [m for m in extract_numbers(text) if not m.skipped]
    if asked:
        own = _asked_spans(text, asked)
        mentions = [m for m in mentions
                    if not any(s <= m.start and m.end <= e for s, e, _ in own)]
    near = [index.near(m) for m in mentions]
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    sentence_of = [bisect.bisect_right(ends, m.start) for m in mentions]
    bounds = [0, *ends, len(text)]
    votes: dict[int, dict[str, int]] = {}
    for sentence, readings in zip(sentence_of, near, strict=True):
        tally = votes.setdefault(sentence, {})
        for owner in {r.owner for r in readings}:
            tally[owner] = tally.get(owner, 0) + 1
    previous: str | None = None
    for mention, readings, sentence in zip(mentions, near, sentence_of, strict=True):
        nearby = {_resolve(i, index) for i in ids
                  if mention.end <= i.start <= mention.end + 45
                  or mention.start - 60 <= i.end <= mention.start}
        hints = _Hints(stems(clause(text, mention.start, mention.end)),
                       stems(text[bounds[sentence]:bounds[sentence + 1]]), votes[sentence],
                       {r for r in nearby if r}, previous)
        hit: tuple[Reading, bool] | None = None
        for owners, cited in tiers:
            allowed = set(owners)
            r = _best((x for x in readings if x.owner in allowed), mention, hints,
                      need_context=not cited)
            if r is not None:
                hit = (r, cited)
                break
        previous = hit[0].ref if hit else None
        if hit is not None:
            reason = index.unfit_reason(hit[0])
            if reason is not None:
                items.append((mention.start, Claim(
                    id="", location=location, text=context(text, mention.start, mention.end),
                    kind=mention.kind, value=mention.value, status="unsupported",
                    matched=hit[0].ref, unfit=True,
                    note=f"rests on data marked unfit: {reason}")))
                continue
            items.append((mention.start, _verified(location, 0, mention, text, *hit)))
            continue
        contra = _contradiction(mention, text, focus_findings, index)
        span = context(text, mention.start, mention.end)
        if contra is not None:
            r, expected = contra
            name = r.metric.label or r.metric.name if r.metric else r.ref
            items.append((mention.start, Claim(
                id="", location=location, text=span, kind=mention.kind, value=mention.value,
                status="contradicted", matched=r.ref, expected=expected,
                note=f"the cited finding's {name} is {expected}")))
        else:
            items.append((mention.start, Claim(
                id="", location=location, text=span, kind=mention.kind, value=mention.value,
                status="unsupported",
                note="no finding metric, forecast or passage holds this number")))
    if check_cites:
        for ref in dict.fromkeys(cites):
            if ref in seen_ids:
                continue
            known = index.knows(ref)
            items.append((len(text), Claim(
                id="", location=location, text=f"cites {ref}", kind="citation",
                status="verified" if known else "unsupported", matched=ref if known else None,
                note="listed in the cites" if known else "cited id is not in the evidence")))
    items.sort(key=lambda pair: pair[0])
    return [c.model_copy(update={"id": f"{location}#{i}"})
            for i, (_, c) in enumerate(items, start=1)]


def _id_claim(location: str, text: str, m: IdMention, index: EvidenceIndex) -> Claim | None:
    span = context(text, m.start, m.end, width=12)
    if m.bracket:
        c = index.citations.get(int(m.ref))
        if c is None:
            return Claim(id="", location=location, text=span, kind="citation",
                         value=float(m.ref), status="unsupported",
                         note=f"no citation [{m.ref}] in the record")
        return Claim(id="", location=location, text=span, kind="citation", value=float(m.ref),
                     status="verified", matched=c.ref, note=f"citation [{m.ref}]")
    if index.knows(m.ref):
        return Claim(id="", location=location, text=span, kind="citation", status="verified",
                     matched=m.ref, note=f"names a {index.kind_of(m.ref)}")
    if any(fid.startswith(m.ref + ".") for fid in index.findings):
        return Claim(id="", location=location, text=span, kind="citation", status="verified",
                     matched=m.ref, note="names a diagnostic with findings")
    looks_like_evidence = (PASSAGE_ID.fullmatch(m.ref) is not None
                           or (m.ref.split(".")[0] in index.families
                               and m.ref.count(".") >= 1))
    if looks_like_evidence:
        return Claim(id="", location=location, text=span, kind="citation",
                     status="unsupported", note="names evidence that does not exist")
    return None


__all__ = ["check_text"]
