"""The claim check: every number and citation in the record, matched to the evidence.

Pure and deterministic: the same texts and evidence give the same claims in the same
order. The pipeline calls :func:`build_evidence_index` once per run, then
:func:`check_text` per statement (or :func:`check_record` on the finished record). Reading
numbers and citations out of a text is :mod:`throughline.council.numbers`; this module
indexes the evidence and matches each claim to it.

What is a claim
---------------
* **Numbers** written with digits: plain (``1,162``, ``0.37``, ``2.2x``), percentages and
  percentage points (``41.7%``, ``42 percent``, ``18.1 percentage points``, ``4 pp``) and
  currency (``$42.4k``, ``€1.2M``, ``42,419 USD``; statements print money without a
  symbol, so a plain ``42,419`` matches a currency metric too). ``k``/``M``/``bn`` and
  ``thousand``/``million``/``billion`` scale the value; the sign is read but numbers are
  compared by magnitude ("falling by 1.2 points" matches a slope of -0.012).
* **Citations**: ``[3]``, ``[2, 5]``, ``[2–4]`` (each number must be in the record's
  citation list), evidence ids written in the text (finding ids such as
  ``pipeline.velocity.overall``, library passage ids, forecast ids) and the ids a
  statement lists in ``cites``. An id-shaped token whose first part is a diagnose family
  but that names no finding is an unsupported citation.

What is not a claim
-------------------
* Dates and times: ``2026-05-08``, ``May 8, 2026``, ``8 May``, ``March 2026``,
  ``Q3 2026``, ``FY26``, ``H1``, ``10:30``; a bare four-digit integer from 1900 to 2100 is a
  year (the formatters print counts of 1,000 and more with a separator).
* Structural numbers: a number right after ``round``, ``month``, ``week``, ``day``,
  ``step``, ``phase``, ``stage``, ``option``, ``path``, ``milestone``, ``section``, ``top``
  … (``Round 4``, ``by month 6``, ``the top 3``), ordinals (``3rd``), ``#2``, list markers
  (``1.``), numbers glued to letters or underscores (``Q3``, ``v2``, ``f_104``, ``r4``),
  numbers inside single-quoted or back-ticked labels of up to six words (``'1-50'``,
  ``'E-invoicing: v2'``; a longer quoted span is a quotation and its numbers are claims),
  inside evidence ids, URLs and citation brackets.
* **Horizons**: a time span that frames a plan or a window rather than reporting a
  measurement — a span of days / weeks / months / quarters / years / hours whose
  preceding word is ``in``, ``within``, ``next``, ``every``, ``each``, ``after``, ``first``,
  ``last``, ``past``, ``previous``, ``coming`` or ``following`` (``in 90 days``, ``within 14
  days``, ``the last 12 months``), and hyphenated spans (``a 30-day pilot``). A measured
  duration keeps its claim: ``a median of 46 days``, ``closed 19.8 days after``, ``over 24
  months``.
* Statistical conventions: ``95% confidence``/``interval``/``CI`` and ``p < 0.05``.

What a number can match
-----------------------
A finding offers each metric's value, its interval ends (``low``/``high``) and its sample
size ``n``; numbers written in its metric labels ("fewer than 2 claims"), title,
comparison, significance test, caveats and needs; its binding-constraint signals and its
significance statistics. A forecast offers its probability, current value and threshold;
a passage every number in its text (a passage cited only by ``[n]`` offers its excerpt).

Units: ``ratio``/``probability`` values are fractions and match percentages (×100, also
as percentage points); ``percent`` values match written as percentages or bare;
currency matches currency or bare numbers; every unit matches a bare number. A number
followed by a time word only matches metrics of that duration unit, counts or
statistics ("46 hours" never matches a days metric). Rounding: a number matches when it
equals the evidence rounded to the precision written — half a unit of its last written
digit, scaled by ``k``/``M`` (``42%`` and ``41.7%`` match 0.4167, ``$42.4k`` and ``42,419``
match 42,419.3, ``46 days`` matches 45.6; ``40%`` does not match 0.4167).

Order (first tier with a match wins): 1. the cited findings (``cites``, ``[n]`` that
point to findings, finding ids in the text), 2. cited forecasts, 3. cited passages, 4. all
other findings, 5. other forecasts, 6. other passages. In tiers 4–6 the number's clause
(or failing that its sentence) must share a word with what it matches — the metric's
name or label, the finding's title, a forecast's statement, the passage's words around
the number — so an uncited number cannot verify against a coincidence among hundreds of
metrics. Within a tier the match prefers evidence named right next to the number, the
sample size of the metric just stated ("41.7% of 103"), the evidence that explains the
most numbers of the sentence, the metric the clause names, a point value, the closest.

Status: **verified** (matched; ``matched`` is ``<finding id>#<metric>``, a finding id for
its prose, a passage id or a forecast id), **contradicted** (unmatched, and the clause
names exactly one metric of a cited finding with a compatible unit — ``expected`` is
what the evidence says; a clause with projection language such as "will", "could",
"target", or a threshold after "above"/"at least"/"<", is never contradicted: a
projection or a threshold is not a measurement), **unsupported** (anything else,
including a citation number missing from the record and an unknown evidence id).

Unfit data
----------
A number is never **verified** on evidence the data-fitness gate marked unfit: a finding
whose ``quality`` ids name an issue with action ``unfit`` (the index learns them from the
diagnosis' data-quality list), or a metric of a *not measurable* finding (its prose — the
data it needs — stays quotable). Such a claim is **unsupported** with ``unfit`` set and a
note naming the issue: it rests on data we could not trust.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from throughline.council.numbers import (
    PASSAGE_ID,
    IdMention,
    NumberClass,
    NumberMention,
    extract_ids,
    extract_numbers,
)
from throughline.diagnose.families.measure import show
from throughline.diagnose.findings import Finding, FindingKind, Metric
from throughline.diagnose.quality import DataQualityIssue
from throughline.library.records import Passage
from throughline.record.decision import (
    Citation,
    Claim,
    ClaimCheck,
    DecisionRecord,
    Forecast,
)

__all__ = [
    "EvidenceIndex", "IdMention", "NumberMention", "Reading", "TextItem",
    "build_evidence_index", "check_record", "check_record_texts", "check_text",
    "extract_ids", "extract_numbers", "record_texts", "summarise",
]

# -- what a number can match ------------------------------------------------------------

_COMPARATOR = re.compile(r"(?:\b(?:above|below|over|under|at least|at most|more than|less "
                         r"than|fewer than|exceeds?|exceeding|beyond|up to|threshold of)|"
                         r"[<>≤≥])\s*[$€£]?$", re.IGNORECASE)
_PROJECTION = re.compile(
    r"\b(?:will|would|could|should|might|may|target|targets|goal|aim|aims|expect|expected|"
    r"forecast|forecasts|projected|projection|reach|reaches|if|plan|plans|want)\b", re.IGNORECASE)

_UNIT_FOR_TIME_WORD = {
    "day": {"days", "count", "statistic", "score"},
    "hour": {"hours", "count", "statistic"},
    "month": {"months", "count", "statistic"},
    "week": {"count", "statistic"},
    "quarter": {"count", "statistic"},
    "year": {"count", "statistic"},
    "minute": {"count", "statistic"},
}
_PLAIN_UNITS = {"count", "days", "hours", "months", "score", "statistic", "per_month",
                "percent", "currency", "currency_per_day", "ratio", "probability"}


# -- the evidence index -----------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way a piece of evidence can be written: class, value, unit, where it comes from.

    ``words`` are the stems that describe it (metric name and label, finding title, or the
    words around a number in a passage): an uncited reading only matches a claim whose
    clause shares one of them.
    """

    ref: str  # '<finding id>#<metric>', finding id, passage id or forecast id
    source: str  # "finding" | "forecast" | "passage"
    owner: str  # finding id, forecast id or passage id
    cls: NumberClass
    value: float
    unit: str  # the metric's unit, or "text" for a number written in words of evidence
    tolerance: float = 0.0
    part: str = "value"  # value | low | high | n | label | text | probability | current | ...
    metric: Metric | None = None
    words: frozenset[str] = frozenset()


@dataclass
class EvidenceIndex:
    """Everything a claim may be matched to, built once per run."""

    findings: dict[str, Finding] = field(default_factory=dict)
    passages: dict[str, str] = field(default_factory=dict)  # id → text
    forecasts: dict[str, Forecast] = field(default_factory=dict)
    citations: dict[int, Citation] = field(default_factory=dict)
    readings: dict[str, list[Reading]] = field(default_factory=dict)  # owner id → readings
    families: set[str] = field(default_factory=set)
    unfit: dict[str, str] = field(default_factory=dict)  # finding id → unfit issue(s) it rests on
    _sorted: dict[str, tuple[list[float], list[Reading], float]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def near(self, mention: NumberMention) -> list[Reading]:
        """Every reading the mention could be (compatible unit, equal after rounding)."""
        if self._sorted is None:
            by_cls: dict[str, list[tuple[float, int, Reading]]] = {}
            i = 0
            for owner_readings in self.readings.values():
                for r in owner_readings:
                    by_cls.setdefault(r.cls, []).append((abs(r.value), i, r))
                    i += 1
            self._sorted = {}
            for cls, rows in by_cls.items():
                rows.sort(key=lambda row: (row[0], row[1]))
                self._sorted[cls] = ([v for v, _, _ in rows], [r for _, _, r in rows],
                                     max(r.tolerance for _, _, r in rows))
        out: list[Reading] = []
        classes = [mention.cls] + (["plain"] if mention.cls == "currency" else [])
        a = abs(mention.value)
        for cls in classes:
            if cls not in self._sorted:
                continue
            values, ordered, max_tol = self._sorted[cls]
            reach = mention.tolerance + max_tol + 1e-9 * max(1.0, a)
            lo = bisect.bisect_left(values, a - reach)
            hi = bisect.bisect_right(values, a + reach)
            out.extend(r for r in ordered[lo:hi]
                       if _compatible(mention, r) and _close(mention, r))
        return out

    def unfit_reason(self, r: Reading) -> str | None:
        """Why a reading may not verify a claim (it rests on unfit data), or None."""
        if r.source != "finding":
            return None
        if r.owner in self.unfit:
            return self.unfit[r.owner]
        f = self.findings.get(r.owner)
        if f is not None and f.kind is FindingKind.not_measurable and r.part != "text":
            return f"“{f.title}” is not measurable"
        return None

    def knows(self, ref: str) -> bool:
        return ref in self.findings or ref in self.passages or ref in self.forecasts

    def kind_of(self, ref: str) -> str | None:
        if ref in self.findings:
            return "finding"
        if ref in self.forecasts:
            return "forecast"
        if ref in self.passages:
            return "passage"
        return None


def _metric_readings(owner: str, name: str, m: Metric, *, ref: str | None = None,
                     source: str = "finding", extra: frozenset[str] = frozenset(),
                     ) -> list[Reading]:
    out: list[Reading] = []
    ref = ref or f"{owner}#{name}"
    words = frozenset(_stems(name) | _stems(m.label or "")) | extra
    for part, v in (("value", m.value), ("low", m.low), ("high", m.high)):
        if v is None or not math.isfinite(v):
            continue
        classes: list[tuple[NumberClass, float]] = [("plain", v)]
        if m.unit in ("ratio", "probability"):
            classes.append(("percent", v * 100))
        elif m.unit == "percent":
            classes.append(("percent", v))
        elif m.unit in ("currency", "currency_per_day"):
            classes.append(("currency", v))
        for cls, value in classes:
            out.append(Reading(ref, source, owner, cls, value, m.unit, 0.0, part, m, words))
    if m.n is not None:
        out.append(Reading(ref, source, owner, "plain", float(m.n), "count", 0.0, "n", m,
                           words))
    return out


def _text_readings(ref: str, source: str, owner: str, text: str, part: str,
                   metric: Metric | None = None, extra: frozenset[str] = frozenset(),
                   ) -> list[Reading]:
    """Numbers written in evidence text (a passage, a label, a finding's caveats)."""
    out = []
    for n in extract_numbers(text, masks=[]):
        if n.skipped in ("identifier", "ordinal"):
            continue
        words = frozenset(_stems(_clause(text, n.start, n.end))) | extra
        out.append(Reading(ref, source, owner, n.cls, abs(n.value), "text", n.tolerance,
                           part, metric, words))
    return out


def build_evidence_index(
    findings: Sequence[Finding],
    passages: Sequence[Passage] = (),
    forecasts: Sequence[Forecast] = (),
    citations: Sequence[Citation] = (),
    data_quality: Sequence[DataQualityIssue] = (),
) -> EvidenceIndex:
    """Index findings' metrics, forecasts and passages' numbers for :func:`check_text`.

    ``passages`` may be library passages or any object with ``id`` and ``text`` (e.g. the
    council's passage evidence cards). Citations of passages the list lacks contribute
    their excerpt as the passage text. ``data_quality`` is the diagnosis' list: findings
    whose ``quality`` ids name an ``unfit`` issue verify no claim.
    """
    index = EvidenceIndex()
    unfit = {i.id: i for i in data_quality if i.action == "unfit"}
    for f in findings:
        index.findings[f.id] = f
        bad = [unfit[q] for q in f.quality if q in unfit]
        if bad:
            index.unfit[f.id] = "; ".join(f"{i.title} ({i.id})" for i in bad)
        index.families.add(f.id.split(".")[0])
        index.families.add(f.family)
        title = frozenset(_stems(f.title))
        readings: list[Reading] = []
        for name, m in f.metrics.items():
            readings.extend(_metric_readings(f.id, name, m, extra=title))
        for name, m in f.metrics.items():  # a threshold named in a label ('fewer than 2')
            readings.extend(_text_readings(f"{f.id}#{name}", "finding", f.id, m.label or "",
                                           "label", m, title))
        # what the finding says in words: its title, comparison, caveats and, for a
        # not-measurable finding, the data it needs ('at least 12 months of revenue')
        sig = f.significance
        prose = "\n".join([f.title, f.comparison or "", sig.test if sig else "", *f.caveats,
                           *f.needs])
        readings.extend(_text_readings(f.id, "finding", f.id, prose, "text", None, title))
        for name, v in sorted(f.signals.items()):  # binding-constraint signals (0..1)
            readings.append(Reading(f"{f.id}#{name}", "finding", f.id, "plain", v, "statistic",
                                    0.0, "signal", None, frozenset(_stems(name)) | title))
        if sig is not None:
            for name in ("statistic", "p_value", "effect_size"):
                v = getattr(sig, name)
                if v is not None and math.isfinite(v):
                    readings.append(Reading(f"{f.id}#{name}", "finding", f.id, "plain", v,
                                            "statistic", 0.0, "significance", None,
                                            frozenset(_stems(name + " " + sig.test)) | title))
        index.readings[f.id] = readings
    for fc in forecasts:
        index.forecasts[fc.id] = fc
        words = frozenset(_stems(fc.statement) | _stems(fc.metric or ""))
        readings = [Reading(fc.id, "forecast", fc.id, "percent", fc.probability * 100,
                            "probability", 0.0, "probability", None, words),
                    Reading(fc.id, "forecast", fc.id, "plain", fc.probability,
                            "probability", 0.0, "probability", None, words)]
        unit = fc.unit if fc.unit in _PLAIN_UNITS else "statistic"
        for part, point in (("current", fc.current), ("threshold", fc.threshold)):
            if point is None:
                continue
            pseudo = Metric(name=part, value=point, unit=unit)  # type: ignore[arg-type]
            for r in _metric_readings(fc.id, part, pseudo, ref=fc.id, source="forecast",
                                      extra=words):
                readings.append(Reading(r.ref, r.source, r.owner, r.cls, r.value, r.unit,
                                        0.0, part, None, words))
        index.readings[fc.id] = readings
    for p in passages:
        _add_passage(index, p.id, p.text)
    for c in citations:
        index.citations[c.number] = c
        if c.kind == "passage" and c.ref not in index.passages:
            _add_passage(index, c.ref, c.excerpt)
    return index


def _add_passage(index: EvidenceIndex, pid: str, text: str) -> None:
    index.passages[pid] = text
    index.readings[pid] = _text_readings(pid, "passage", pid, text, "text")


# -- matching ---------------------------------------------------------------------------

_STOP = {
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "by", "and", "or", "is", "are",
    "was", "were", "be", "been", "with", "from", "as", "that", "this", "it", "its", "than",
    "per", "our", "we", "their", "they", "has", "have", "had", "not", "no", "all", "each",
    "any", "more", "less", "over", "under", "across", "within", "between", "into", "about",
    "around", "only", "just", "so", "which", "what", "who", "whose", "while", "but", "also",
    "still", "vs", "against", "now", "then", "there", "here", "these", "those", "one",
    "two", "three", "you", "your", "us", "do", "does", "did", "will", "would", "could",
    "can", "may", "might", "should", "if", "when", "how", "why", "where", "after", "before",
}


def _stem(word: str) -> str:
    """A crude stem: drop one common suffix, keep six letters ('stated', 'states' → 'stat';
    'realised', 'realise' → 'realis')."""
    w = word.lower()
    for suffix in ("ing", "ies", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return w[:6]


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[A-Za-z]+", text.replace("_", " "))
            if len(w) > 1 and w.lower() not in _STOP}


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_BOUNDARY = re.compile(r"[;:!?()\[\]\n—]|,(?!\d{3})|\.(?=\s|$)")


def _clause(text: str, start: int, end: int) -> str:
    """The words around a number, up to the nearest clause boundary on either side
    (a thousands separator is not a boundary)."""
    left = text[max(0, start - 80):start]
    cuts = [m.end() for m in _BOUNDARY.finditer(left)]
    left = left[cuts[-1]:] if cuts else left
    right = text[end:end + 80]
    stop = _BOUNDARY.search(right)
    right = right[:stop.start()] if stop else right
    return left + " " + right


def _context(text: str, start: int, end: int, width: int = 28) -> str:
    a = max(0, start - width)
    b = min(len(text), end + width)
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    span = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + span + ("…" if b < len(text) else "")


def _compatible(mention: NumberMention, reading: Reading) -> bool:
    # a currency amount may appear in evidence text without its symbol
    unsigned_money = (mention.cls == "currency" and reading.unit == "text"
                      and reading.cls == "plain")
    if reading.cls != mention.cls and not unsigned_money:
        return False
    if mention.time_word and reading.unit != "text":
        allowed = _UNIT_FOR_TIME_WORD[mention.time_word]
        if reading.part == "n":
            return "count" in allowed
        return reading.unit in allowed
    return True


def _close(mention: NumberMention, reading: Reading) -> bool:
    tol = max(mention.tolerance, reading.tolerance)
    a, b = abs(mention.value), abs(reading.value)
    return abs(a - b) <= tol + 1e-9 * max(1.0, b)


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
                 text=_context(text, mention.start, mention.end), kind=mention.kind,
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
    clause = _clause(text, mention.start, mention.end)
    if _PROJECTION.search(clause) or _COMPARATOR.search(text[max(0, mention.start - 20):
                                                              mention.start]):
        return None  # a projection or a threshold is not a measurement
    words = _stems(clause)
    scored: list[tuple[int, Reading]] = []
    for fid in focus_findings:
        for r in index.readings.get(fid, []):
            if r.part != "value" or r.metric is None or not _compatible(mention, r):
                continue
            score = len(words & (_stems(r.metric.name) | _stems(r.metric.label or "")))
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
        hints = _Hints(_stems(_clause(text, mention.start, mention.end)),
                       _stems(text[bounds[sentence]:bounds[sentence + 1]]), votes[sentence],
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
                    id="", location=location, text=_context(text, mention.start, mention.end),
                    kind=mention.kind, value=mention.value, status="unsupported",
                    matched=hit[0].ref, unfit=True,
                    note=f"rests on data marked unfit: {reason}")))
                continue
            items.append((mention.start, _verified(location, 0, mention, text, *hit)))
            continue
        contra = _contradiction(mention, text, focus_findings, index)
        span = _context(text, mention.start, mention.end)
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
    span = _context(text, m.start, m.end, width=12)
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


# -- whole records ----------------------------------------------------------------------

TextItem = tuple[str, str, Sequence[str]]


def summarise(claims: Iterable[Claim]) -> ClaimCheck:
    """Counts and list of claims as the record shows them."""
    listed = list(claims)
    return ClaimCheck(
        verified=sum(c.status == "verified" for c in listed),
        unsupported=sum(c.status == "unsupported" for c in listed),
        contradicted=sum(c.status == "contradicted" for c in listed),
        unfit=sum(c.unfit for c in listed),
        claims=listed,
    )


def check_record_texts(items: Iterable[TextItem], index: EvidenceIndex, *,
                       check_cites: bool = True, asked: Sequence[str] = ()) -> ClaimCheck:
    """Check each ``(location, text, cites)`` and total the result. Numbers inside the
    ``asked`` phrases (the question and its options, repeated) are the user's, not claims."""
    claims: list[Claim] = []
    for location, text, cites in items:
        claims.extend(check_text(location, text, index, cites, check_cites=check_cites,
                                 asked=asked))
    return summarise(claims)


def asked_phrases(record: DecisionRecord) -> list[str]:
    """The user's own words a record may repeat: the question, its options (noun phrases
    and the question's words)."""
    i = record.intent
    out = [i.question, *i.options]
    for o in i.option_frames:
        out += [o.label, o.words]
    return [x for x in dict.fromkeys(out) if x]


def record_texts(record: DecisionRecord, *, statements: bool = True, synthesis: bool = True,
                 summaries: bool = True) -> list[TextItem]:
    """The texts of a record the claim check reads, with their locations and cites.

    Statements use their id (``r3.auditor``); round summaries ``r<n>.summary``; synthesis
    sections ``synthesis.<section>[.<i>[.<j>]]``. ``[n]`` citations of action steps,
    evidence items and risks are turned into the cited evidence ids.
    """
    def refs(numbers: Sequence[int]) -> list[str]:
        out = []
        for n in numbers:
            for c in record.citations:
                if c.number == n:
                    out.append(c.ref)
        return out

    items: list[TextItem] = []
    if statements:
        for rnd in record.rounds:
            for s in rnd.statements:
                if not s.failed:
                    items.append((s.id, s.text, list(s.cites)))
            if summaries and rnd.summary:
                items.append((f"r{rnd.number}.summary", rnd.summary, []))
    if not synthesis:
        return items
    items.append(("synthesis.verdict", record.verdict, []))
    for i, fc in enumerate(record.predictions, start=1):
        cites = [fc.id] + ([fc.finding_id] if fc.finding_id else [])
        items.append((f"synthesis.predictions.{i}", f"{fc.statement} {fc.resolution}", cites))
    for i, step in enumerate(record.action_plan, start=1):
        parts = [step.condition or "", step.what, step.opening_words or ""]
        items.append((f"synthesis.action_plan.{i}", " ".join(p for p in parts if p),
                      refs(step.citations)))
    for i, path in enumerate(record.future_paths, start=1):
        items.append((f"synthesis.future_paths.{i}", path.title, []))
        for j, ms in enumerate(path.milestones, start=1):
            backing = [ms.backing_ref] if ms.backing_kind in ("finding", "forecast") else []
            items.append((f"synthesis.future_paths.{i}.{j}", ms.text, backing))
    if record.deeper_story:
        items.append(("synthesis.deeper_story", record.deeper_story, []))
    for i, ev in enumerate(record.evidence, start=1):
        items.append((f"synthesis.evidence.{i}", ev.text, refs(ev.citations)))
    for i, risk in enumerate(record.risks, start=1):
        items.append((f"synthesis.risks.{i}", risk.text, refs(risk.citations)))
    return [(loc, text, cites) for loc, text, cites in items if text.strip()]


def check_record(record: DecisionRecord, index: EvidenceIndex, *, check_cites: bool = True,
                 ) -> ClaimCheck:
    """The claim check of a whole record (statements, summaries and synthesis)."""
    return check_record_texts(record_texts(record), index, check_cites=check_cites,
                              asked=asked_phrases(record))
