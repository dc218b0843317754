"""The evidence index: every way a finding's metrics, a forecast or a passage can be written
(:class:`Reading`), built once per run by :func:`build_evidence_index`; and when a number
written in a claim is compatible with, and close enough to, a reading.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from throughline.council.claimcheck.numbers import NumberClass, NumberMention, extract_numbers
from throughline.council.claimcheck.words import clause, stems
from throughline.diagnose.findings import Finding, FindingKind, Metric
from throughline.diagnose.quality import DataQualityIssue
from throughline.library.records import Passage
from throughline.record.decision import Citation, Forecast


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
                       if compatible(mention, r) and close(mention, r))
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
    words = frozenset(stems(name) | stems(m.label or "")) | extra
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
        words = frozenset(stems(clause(text, n.start, n.end))) | extra
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
        title = frozenset(stems(f.title))
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
                                    0.0, "signal", None, frozenset(stems(name)) | title))
        if sig is not None:
            for name in ("statistic", "p_value", "effect_size"):
                v = getattr(sig, name)
                if v is not None and math.isfinite(v):
                    readings.append(Reading(f"{f.id}#{name}", "finding", f.id, "plain", v,
                                            "statistic", 0.0, "significance", None,
                                            frozenset(stems(name + " " + sig.test)) | title))
        index.readings[f.id] = readings
    for fc in forecasts:
        index.forecasts[fc.id] = fc
        words = frozenset(stems(fc.statement) | stems(fc.metric or ""))
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


def compatible(mention: NumberMention, reading: Reading) -> bool:
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


def close(mention: NumberMention, reading: Reading) -> bool:
    tol = max(mention.tolerance, reading.tolerance)
    a, b = abs(mention.value), abs(reading.value)
    return abs(a - b) <= tol + 1e-9 * max(1.0, b)


__all__ = ["EvidenceIndex", "Reading", "build_evidence_index", "close", "compatible"]
