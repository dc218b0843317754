"""Numbers and citations in a text: what :mod:`throughline.council.claimcheck` checks.

:func:`extract_numbers` finds every number written with digits and reads it: its value
(sign, ``k``/``M``/``bn`` and ``thousand``/``million``/``billion`` scale it), its class
(``percent`` for ``%``, ``percent``, percentage points; ``currency`` for ``$``/``€``/``£``,
``USD`` …; otherwise ``plain``), a rounding tolerance of half a unit of its last written
digit, and a following time word (``46 days``). A range (``40–45%``) shares its unit.

A number is a claim unless it is skipped, with the reason, as: a **date** or time
(``2026-05-08``, ``May 8, 2026``, ``Q3 2026``, ``FY26``, ``10:30``); a **year** (a bare
four-digit integer from 1900 to 2100); **structural** (right after ``round``, ``month``,
``step``, ``option``, ``top`` … as in ``Round 4``, or after ``#``); an **ordinal** or
**identifier** (``3rd``, ``Q3``, ``v2``, ``f_104``); a **list marker** (``1.``, ``(2)``);
a **horizon** (``in 90 days``, ``the last 12 months``, ``a 30-day pilot``; a measured
duration such as ``a median of 46 days`` stays a claim); a statistical **convention**
(``95% confidence``, ``p < 0.05``); or inside a **quoted identifier** (a single-quoted or
back-ticked label of up to six words), a **url**, an **evidence id** or a **citation**
bracket.

:func:`extract_ids` finds the citations: each number of a bracket (``[3]``, ``[2, 5]``,
``[2–4]``) and id-shaped tokens — dotted ids (``pipeline.velocity.overall``) and passage
ids — outside URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from throughline.record.decision import ClaimKind

NumberClass = str  # "percent" | "currency" | "plain"

_MONTHS = (r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
           r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DATES = [re.compile(p) for p in (
    r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    r"\b\d{4}/\d{1,2}/\d{1,2}\b",
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    r"\b\d{1,2}\.\d{1,2}\.\d{4}\b",
    r"\b(?:19|20)\d{2}[-/–](?:\d{4}|\d{2})\b(?!\.\d)",
    _MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?",
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\b\.?(?:,?\s+\d{4}\b)?",
    _MONTHS + r"\.?,?\s+\d{4}\b",
    r"\b[QH][1-4]\b(?:\s*(?:FY)?\s*'?\d{2,4}\b)?",
    r"\bFY\s?'?\d{2,4}\b",
    r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?",
    r"\b\d{1,2}\s?(?:am|pm|AM|PM)\b",
    r"\b(?:19|20)\d{2}s\b",
)]
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+")
_IDENT_QUOTE = re.compile(r"(?<![\w])(['‘`])([^'‘’`\n]{1,60}?)(['’`])(?![\w])")
_CITE_BRACKET = re.compile(r"\[\s*\d+(?:\s*[,;–—-]\s*\d+)*\s*\]")
_DOTTED_ID = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
PASSAGE_ID = re.compile(r"\b[0-9a-f]{12}-[0-9a-f]{10}\b")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*][ \t]+)?\d{1,2}[.)](?=\s)")

_NUMBER = re.compile(
    r"(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<exp>[eE][-+]?\d+)?"
)
_MULT_GLUED = re.compile(r"(k|K|mn|m|M|bn|B)(?![\w])")
_TIMES_GLUED = re.compile(r"[x×](?![\w])")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)(?![\w])")
_MULT_WORD = re.compile(r"\s(thousand|million|billion)\b", re.IGNORECASE)
_PP = re.compile(r"\s?(?:percentage[- ]points?|pp\b|p\.p\.|pts?\b)", re.IGNORECASE)
_PCT = re.compile(r"\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
_CUR_AFTER = re.compile(r"\s?(?:USD|EUR|GBP|dollars?|euros?|pounds?)\b")
_CUR_BEFORE = re.compile(r"(?:USD|EUR|GBP|US\$)\s?$")
_TIME_WORD = re.compile(
    r"(?P<hy>\s?-\s?|\s)(?:(?:business|working|calendar)\s)?"
    r"(?P<unit>day|week|month|quarter|year|hour|minute)s?\b", re.IGNORECASE)
_RANGE_NEXT = re.compile(r"\s?[-–—]\s?|\sto\s")
_CONVENTION_AFTER = re.compile(r"\s?%?\s?(?:confidence|credible|CI\b|(?:prediction\s)?interval)",
                               re.IGNORECASE)
_CONVENTION_BEFORE = re.compile(r"\b(?:p|α|alpha)\s?[<≤]\s?$", re.IGNORECASE)

_STRUCTURAL = {
    "round", "rounds", "month", "week", "day", "quarter", "year", "step", "steps", "phase",
    "stage", "wave", "sprint", "milestone", "option", "path", "part", "section", "chapter",
    "item", "page", "slide", "level", "tier", "version", "number", "no", "question",
    "priority", "figure", "table", "appendix", "turn", "horizon", "lens", "seat", "scenario",
    "top", "bottom",
}
_HORIZON = {
    "in", "within", "next", "every", "each", "after", "first", "last", "past", "previous",
    "coming", "following",
}
_FILLER = {"the", "about", "around", "roughly", "approximately", "some", "a", "further",
           "another", "~", "≈"}

@dataclass(frozen=True)
class NumberMention:
    """One number found in a text, with what it reads as and whether it is a claim."""

    start: int
    end: int
    raw: str
    kind: ClaimKind
    cls: NumberClass
    value: float
    tolerance: float
    time_word: str | None = None
    skipped: str | None = None  # why it is not a claim (date, year, horizon, ...)


@dataclass(frozen=True)
class IdMention:
    start: int
    end: int
    ref: str  # a citation number as text ("3") or an evidence id
    bracket: bool


def _masks(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for m in _URL.finditer(text):
        spans.append((m.start(), m.end(), "url"))
    for m in _IDENT_QUOTE.finditer(text):
        if len(m.group(2).split()) <= 6:  # a label, not a quotation
            spans.append((m.start(), m.end(), "quoted identifier"))
    for m in _CITE_BRACKET.finditer(text):
        spans.append((m.start(), m.end(), "citation"))
    for m in PASSAGE_ID.finditer(text):
        spans.append((m.start(), m.end(), "evidence id"))
    for m in _DOTTED_ID.finditer(text):
        spans.append((m.start(), m.end(), "evidence id"))
    for pattern in _DATES:
        for m in pattern.finditer(text):
            spans.append((m.start(), m.end(), "date"))
    for m in _LIST_MARKER.finditer(text):
        spans.append((m.start(), m.end(), "list marker"))
    return spans


def _masked(spans: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    for s, e, why in spans:
        if s < end and start < e:
            return why
    return None


def _words_before(text: str, start: int, limit: int = 3) -> list[str]:
    words = re.findall(r"[A-Za-z~≈#]+", text[max(0, start - 60):start])
    return [w.lower() for w in words[-limit:]]


def extract_numbers(text: str, masks: list[tuple[int, int, str]] | None = None,
                    ) -> list[NumberMention]:
    """Every number in ``text``, each either a claim or ``skipped`` with the reason."""
    spans = _masks(text) if masks is None else masks
    out: list[NumberMention] = []
    for m in _NUMBER.finditer(text):
        out.append(_read_number(text, m, spans))
    return _inherit_ranges(text, out)


def _read_number(text: str, m: re.Match[str], spans: list[tuple[int, int, str]],
                 ) -> NumberMention:
    start, end = m.start(), m.end()
    raw_num = m.group("num")
    digits = raw_num.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    base = float(digits)
    exp = int(m.group("exp")[1:]) if m.group("exp") else 0
    exp = max(-300, min(300, exp))  # '1e999' is still a claim, not an OverflowError
    cur = m.group("cur")
    # at the very start of the text there is nothing before the number: a space, not "",
    # which `in "-−"` or `in "#/"` would match (a leading "97.3%" read as structural)
    prev = text[start - 1] if start > 0 else " "
    prev2 = text[start - 2] if start > 1 else " "
    sign = -1.0 if prev in "-−" and not prev2.isalnum() and not cur else 1.0

    def mention(kind: ClaimKind, cls: NumberClass, mult: float = 1.0,
                time_word: str | None = None, skipped: str | None = None,
                stop: int | None = None) -> NumberMention:
        value = sign * base * (10.0 ** exp) * mult
        tol = 0.5 * (10.0 ** -decimals) * (10.0 ** exp) * mult
        return NumberMention(start, stop or end, text[start:stop or end], kind, cls, value,
                             tol, time_word, skipped)

    why = _masked(spans, start, end)
    if why:
        return mention("number", "plain", skipped=why)
    if not cur:
        if prev.isalnum() or prev == "_" or (prev == "." and prev2.isalnum()):
            return mention("number", "plain", skipped="identifier")
        if prev == "," and prev2.isdigit():
            return mention("number", "plain", skipped="identifier")
        if prev in "-–" and prev2.isalpha():
            return mention("number", "plain", skipped="identifier")
        if prev in "#/":
            return mention("number", "plain", skipped="structural")
    pos = end
    mult = 1.0
    cls: NumberClass = "plain"
    kind: ClaimKind = "number"
    rest = text[pos:]
    glued = _MULT_GLUED.match(rest)
    if glued:
        mult = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "bn": 1e9,
                "B": 1e9}[glued.group(1)]
        pos += glued.end()
    elif _TIMES_GLUED.match(rest):
        pos += 1
    elif rest[:1].isalnum() or rest[:1] == "_":
        if _ORDINAL.match(rest):
            return mention("number", "plain", skipped="ordinal")
        return mention("number", "plain", skipped="identifier")
    rest = text[pos:]
    word = _MULT_WORD.match(rest)
    if word and mult == 1.0:
        mult = {"thousand": 1e3, "million": 1e6, "billion": 1e9}[word.group(1).lower()]
        pos += word.end()
        rest = text[pos:]
    if cur or _CUR_BEFORE.search(text[max(0, start - 5):start]):
        cls, kind = "currency", "currency"
    hit = _PP.match(rest) or _PCT.match(rest)
    if hit:
        cls, kind = "percent", "percent"
        pos += hit.end()
    elif (cur_word := _CUR_AFTER.match(rest)):
        cls, kind = "currency", "currency"
        pos += cur_word.end()
    rest = text[pos:]
    time = _TIME_WORD.match(rest) if cls == "plain" else None
    time_word = time.group("unit").lower() if time else None

    # what is not a claim
    if (cls == "plain" and mult == 1.0 and not m.group("exp") and "," not in raw_num
            and "." not in raw_num and len(raw_num) == 4 and 1900 <= base <= 2100
            and time_word is None):
        return mention(kind, cls, mult, skipped="year")
    before = _words_before(text, start)
    last = before[-1] if before else ""
    if last in _STRUCTURAL and not cur and cls == "plain" and mult == 1.0:
        tail = text[max(0, start - 20):start].rstrip()
        if tail.lower().endswith(last) or tail.endswith("#"):
            return mention(kind, cls, skipped="structural")
    if prev == "(" and text[end:end + 1] == ")" and base <= 20 and decimals == 0:
        return mention(kind, cls, skipped="list marker")
    if _CONVENTION_BEFORE.search(text[max(0, start - 6):start]):
        return mention(kind, cls, mult, skipped="convention")
    if cls == "percent" and _CONVENTION_AFTER.match(text[end:]) and base in (80, 90, 95, 99):
        return mention(kind, cls, mult, skipped="convention")
    if time_word:
        assert time is not None
        if time.group("hy").strip() == "-":
            return mention(kind, cls, mult, time_word, skipped="horizon")
        meaningful = [w for w in before if w not in _FILLER]
        if meaningful and meaningful[-1] in _HORIZON:
            return mention(kind, cls, mult, time_word, skipped="horizon")
    return mention(kind, cls, mult, time_word, stop=pos)


def _inherit_ranges(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """'40–45%' and '$40-45k': the first number takes the unit of the second and back."""
    out = list(mentions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.skipped or b.skipped or not _RANGE_NEXT.fullmatch(text[a.end:b.start]):
            continue
        if a.cls == "plain" and b.cls != "plain":
            out[i] = NumberMention(a.start, a.end, a.raw, b.kind, b.cls, a.value, a.tolerance,
                                   a.time_word, None)
        elif b.cls == "plain" and a.cls != "plain":
            out[i + 1] = NumberMention(b.start, b.end, b.raw, a.kind, a.cls, b.value,
                                       b.tolerance, b.time_word, None)
        if a.time_word is None and b.time_word is not None:
            out[i] = NumberMention(out[i].start, out[i].end, out[i].raw, out[i].kind,
                                   out[i].cls, out[i].value, out[i].tolerance, b.time_word,
                                   None)
    return out


def extract_ids(text: str) -> list[IdMention]:
    """Citation numbers in brackets and id-shaped tokens (dotted ids, passage ids)."""
    out: list[IdMention] = []
    for m in _CITE_BRACKET.finditer(text):
        for n in _expand_bracket(m.group(0)):
            out.append(IdMention(m.start(), m.end(), str(n), True))
    spans = [(m.start(), m.end()) for m in _URL.finditer(text)]
    for pattern in (PASSAGE_ID, _DOTTED_ID):
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            out.append(IdMention(m.start(), m.end(), m.group(0), False))
    out.sort(key=lambda i: (i.start, i.ref))
    return out


def _expand_bracket(raw: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", raw.strip("[] \t")):
        bounds = re.split(r"\s*[–—-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            numbers.extend(range(lo, hi + 1) if 0 <= hi - lo <= 50 else (lo, hi))
        elif part.isdigit():
            numbers.append(int(part))
    return numbers
