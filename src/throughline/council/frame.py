"""Frame: the user's question → an :class:`~throughline.record.model.Intent`.

The offline framer is deterministic: it reads the decision type from the verbs of the
question, the options from an "X or Y" choice, and a horizon from "in N months" / "by
Qn YYYY". A model-backed framer (later) fills the same object; either way the intent is
stored with the run and shown on the record.
"""

from __future__ import annotations

import re
from datetime import date

from throughline.errors import UsageError
from throughline.record.model import DecisionType, Intent

DEFAULT_QUESTION = ("What is our binding go-to-market constraint, and what should we do "
                    "first?")
MAX_QUESTION_CHARS = 2_000

# Ordered: the first type whose cue appears wins (pivot before invest: "pivot our spend").
_CUES: list[tuple[DecisionType, tuple[str, ...]]] = [
    ("diagnose", ("binding", "constraint", "bottleneck", "diagnos")),
    ("pivot", ("pivot", "change direction", "new market", "reposition", "new segment",
               "move upmarket", "move downmarket", "abandon")),
    ("hire", ("hire", "hiring", "headcount", "recruit", "sdr", "account executive",
              "team of")),
    ("price", ("price", "pricing", "discount", "packaging", "plan tier", "monetis",
               "monetiz")),
    ("invest", ("invest", "spend", "budget", "tooling", "buy ", "allocate", "fund ",
                "funding", "double down")),
    ("prioritise", ("prioriti", "focus on", "first", "order of", "which should",
                    "sequence")),
    ("diagnose", ("why", "what is", "what's", "what is wrong", "imbalanced",
                  "advantage")),
]

_STAKES: dict[str, str] = {
    "diagnose": "Acting on the wrong constraint spends a quarter fixing what was not binding "
                "while the real one compounds.",
    "invest": "Money and attention spent on a remedy the data does not support, and a "
              "binding constraint left untouched.",
    "prioritise": "Doing the right things in the wrong order: later steps fail because "
                  "the first one was skipped.",
    "pivot": "Abandoning a motion that works, or keeping one that does not, on the "
             "strength of a story rather than evidence.",
    "hire": "Headcount that adds cost without relieving the constraint that limits growth.",
    "price": "Revenue lost to a price change that treats a symptom of the real constraint.",
    "other": "A decision taken on impressions where evidence was available.",
}

_MUST: dict[str, list[str]] = {
    "diagnose": ["the binding constraint and the evidence for it",
                 "the order of repairs", "what the data cannot show"],
    "invest": ["where the money should go first and what it should not go to",
               "the evidence that would change the answer"],
    "prioritise": ["an order of work with the first step dated",
                   "what to stop doing"],
    "pivot": ["whether the current motion is failing or unmeasured",
              "the evidence that would justify the change"],
    "hire": ["which constraint a hire would relieve, if any", "what to do before hiring"],
    "price": ["whether price is the constraint or a symptom", "what to test first"],
    "other": ["the binding constraint and the evidence for it"],
}

_COMMON_MUST = ["a dated first step within two weeks", "forecasts that can be scored later"]


def _decision_type(q: str) -> DecisionType:
    low = q.lower()
    for kind, cues in _CUES:
        if any(cue in low for cue in cues):
            return kind
    return "other"


def _options(q: str) -> list[str]:
    """'Invest in GTM tooling or in product clarity?' → ['GTM tooling', 'product clarity']."""
    text = q.strip().rstrip("?.! ")
    last = re.split(r"[.?!]\s+", text)[-1]
    m = re.search(r"(?:^|\b(?:in|on|into|to|between|:)\s+)(.+?)\s*,?\s+or\s+(?:in\s+|on\s+|into\s+"
                  r"|to\s+)?(.+)$", last, flags=re.IGNORECASE)
    if not m:
        return []
    first, second = (s.strip(" ,;:") for s in m.groups())
    first = re.split(r"\b(?:invest|spend|focus|put)\b\s+(?:in|on)?\s*", first,
                     flags=re.IGNORECASE)[-1]
    first = re.sub(r"^(?:should|shall|do|can|could|would|must)\s+we\s+", "", first,
                   flags=re.IGNORECASE)
    options = [o for o in (first, second) if 0 < len(o) <= 80]
    return options if len(options) == 2 else []


def _horizon_months(q: str) -> int:
    low = q.lower()
    m = re.search(r"\b(?:in|within|next|over)\s+(\d{1,2})\s+months?\b", low)
    if m:
        return max(1, min(36, int(m.group(1))))
    if re.search(r"\b(?:this|next)\s+quarter\b", low):
        return 3
    if re.search(r"\b(?:this|next)\s+year\b", low):
        return 12
    return 12


def _constraints(q: str) -> list[str]:
    low = q.lower()
    out: list[str] = []
    if re.search(r"\bwithout\s+(?:hiring|adding headcount)\b", low):
        out.append("no new headcount")
    if re.search(r"\b(?:flat|same|fixed)\s+budget\b", low):
        out.append("budget held flat")
    m = re.search(r"\bby\s+(q[1-4]\s+\d{4})\b", low)
    if m:
        out.append(f"deadline {m.group(1).upper()}")
    return out


def frame_question(question: str, run_date: date) -> Intent:
    """Frame a question deterministically (the offline framer)."""
    q = " ".join(question.split())
    if not q:
        raise UsageError("the question is empty", hint='Ask e.g. throughline ask "'
                         + DEFAULT_QUESTION + '"')
    if len(q) > MAX_QUESTION_CHARS:
        raise UsageError(f"the question is longer than {MAX_QUESTION_CHARS:,} characters",
                         hint="Put background in a document and add it with "
                              "`throughline library add`.")
    kind = _decision_type(q)
    options = _options(q)
    if options:
        choice = f"Choose between {options[0]} and {options[1]}, or neither first."
    elif kind == "diagnose":
        choice = "Name the binding go-to-market constraint and the first repair."
    else:
        choice = f"Decide ({kind}) on the basis of the company's own evidence."
    return Intent(
        question=question.strip(),
        choice=choice,
        options=options,
        stakes=_STAKES[kind],
        constraints=_constraints(q),
        decision_type=kind,
        run_date=run_date,
        horizon_months=_horizon_months(q),
        must_contain=_MUST[kind] + _COMMON_MUST,
        framed_by="offline",
    )
