"""Frame: the user's question → an :class:`~throughline.record.decision.Intent`.

The offline framer is deterministic: it reads the decision type from the verbs of the
question, the form of the choice and its options ("A or B", "A before B", "should we X?",
"how much …?", "when …?"), and a horizon from "next quarter" / "in N months" / "by Qn
YYYY". Options are rendered as noun phrases ("hire four more SDRs" → "hiring four more
SDRs"; "invest in a partner program" → "a partner program") so they read in any sentence.

Each option is mapped to what it would move through :data:`LEVERS`, a declared table from
option terms to diagnostic families and the metrics (finding id, metric name) that bear on
it (in :mod:`throughline.council.levers`): the evidence pack, casting and the forecasts
read it. A model-backed framer fills the
same object (:func:`align_options` maps its options); either way the intent is stored with
the run and shown on the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from throughline.core.errors import UsageError
from throughline.council.levers import LEVER_BY_KEY, option_frame
from throughline.record.decision import DecisionType, Intent, OptionFrame, QuestionForm

__all__ = [
    "DEFAULT_QUESTION", "LEVER_BY_KEY", "MAX_QUESTION_CHARS", "align_options",
    "frame_question", "gerund", "join_options", "noun_phrase",
]

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


# -- options as noun phrases --------------------------------------------------------------

_MODAL = re.compile(r"^(?:so,?\s+)?(?:should|shall|do|does|can|could|would|must|will)\s+"
                    r"(?:we|i|the company|our (?:team|company))\s+(?:rather\s+|instead\s+)?",
                    re.IGNORECASE)
_BETTER = re.compile(r"^(?:is|would)\s+it\s+(?:be\s+)?(?:better|smarter|wiser|worth\s+it|"
                     r"right|time)\s+(?:for us\s+)?to\s+", re.IGNORECASE)
_OBJECT_VERBS = re.compile(
    r"^(?:invest(?:ing)?|put(?:ting)?\s+(?:more\s+)?(?:money|budget|resources)|focus(?:ing)?|"
    r"doubl(?:e|ing)\s+down|bet(?:ting)?|go(?:ing)?\s+all\s+in)\s+(?:more\s+|heavily\s+)?"
    r"(?:in|on|into)\s+(?P<obj>.+)$", re.IGNORECASE)
_DETERMINERS = {"a", "an", "the", "our", "more", "fewer", "less", "some", "new", "one", "two",
                "three", "four", "five", "six", "seven", "eight", "nine", "ten", "another",
                "each", "every", "this", "that", "these", "those", "its", "their", "no"}
_VERBS = {
    "hire", "invest", "spend", "build", "launch", "raise", "lower", "cut", "fix", "add",
    "expand", "enter", "open", "move", "keep", "stop", "start", "grow", "double", "focus",
    "hold", "delay", "pause", "wait", "buy", "sell", "go", "shift", "switch", "replace",
    "outsource", "create", "run", "test", "try", "pilot", "change", "rework", "redesign",
    "rebuild", "increase", "decrease", "reduce", "drop", "discount", "price", "target",
    "pivot", "prioritise", "prioritize", "fund", "staff", "sign", "push", "bring", "make",
    "take", "put", "get", "set", "use", "adopt", "implement", "introduce", "consolidate",
    "restructure", "reorganise", "reorganize", "train", "retain", "upsell", "repackage",
    "rewrite", "clean", "tighten", "redefine", "instrument", "measure", "partner", "scale",
    "hire", "recruit", "kill", "sunset", "charge", "offer", "ship", "plan", "revamp",
    "refocus", "rebrand", "reposition", "automate", "double", "triple", "halve",
}
_DOUBLED = {"cut", "stop", "run", "put", "plan", "get", "set", "shut", "drop", "ship", "sit",
            "begin", "hit", "swap", "bet", "admit", "commit", "quit", "trim", "scrap"}


def gerund(verb: str) -> str:
    """'hire' → 'hiring', 'cut' → 'cutting', 'focus' → 'focusing'."""
    v = verb.lower()
    if v.endswith("ing"):
        return verb
    if v in _DOUBLED:
        return verb + verb[-1] + "ing"
    if v.endswith("ie"):
        return verb[:-2] + "ying"
    if v.endswith("e") and not v.endswith(("ee", "ye", "oe")) and len(v) > 2:
        return verb[:-1] + "ing"
    return verb + "ing"


def _clean(text: str) -> str:
    t = " ".join(text.split()).strip(" ,;:")
    t = re.sub(r"^(?:to|we|i)\s+", "", t, flags=re.IGNORECASE)
    t = re.sub(r"^(?:should|shall|do|can|could|would|must|will)\s+we\s+", "", t,
               flags=re.IGNORECASE)
    t = re.sub(r"\s+(?:instead|first|now)$", "", t, flags=re.IGNORECASE)
    return t.strip(" ,;:")


def noun_phrase(words: str, *, verb_led: bool) -> str:
    """An option in the question's words as a noun phrase: a verb-led option becomes a
    gerund ('hire four more SDRs' → 'hiring four more SDRs'), 'invest in X' becomes X."""
    t = _clean(words)
    if not t:
        return t
    obj = _OBJECT_VERBS.match(t)
    if obj:
        return obj.group("obj").strip()
    first, _, rest = t.partition(" ")
    low = first.lower()
    if low in _VERBS or (verb_led and low not in _DETERMINERS and low.isalpha()
                         and not first[:1].isupper()):
        return (gerund(first) + (" " + rest if rest else "")).strip()
    return t


def _verb_led(text: str) -> bool:
    first = _clean(text).split(" ", 1)[0].lower()
    return first in _VERBS


def _split_or(body: str) -> list[str]:
    """'A, B or C' / 'A or B' → parts (None when no 'or' joins two real options)."""
    body = re.sub(r",?\s+or\s+not$", "", body, flags=re.IGNORECASE)
    parts = re.split(r",?\s+or\s+(?:should we\s+|do we\s+|we\s+)?", body, flags=re.IGNORECASE)
    if len(parts) == 2 and "," in parts[0]:
        head = [p for p in re.split(r",\s+", parts[0]) if p]
        if 2 <= len(head) <= 2:
            parts = head + parts[1:]
    return [p for p in (x.strip(" ,;:") for x in parts) if p]


@dataclass
class _Framed:
    form: QuestionForm
    options: list[OptionFrame]


def _frame_options(q: str) -> _Framed:
    text = q.strip().rstrip("?.! ")
    last = re.split(r"(?<=[.?!])\s+", text)[-1].rstrip("?.! ")
    # how much / how many
    m = re.match(r"^how\s+(?P<what>much|many)\s+(?P<obj>.*?)\s*(?:should|shall|do|can|must)\s+"
                 r"we\s+(?P<rest>.+)$", last, flags=re.IGNORECASE)
    if m:
        rest = _clean(m.group("rest"))
        verb, _, tail = rest.partition(" ")
        obj = m.group("obj").strip()
        g = gerund(verb) if verb else "spending"
        tail_words = f"{obj} {tail}".strip()
        words = " ".join(x for x in (verb, tail_words) if x)
        more = " ".join(x for x in (g, "more", tail_words) if x)
        hold = " ".join(x for x in (g, "no more", tail_words) if x) + " than today"
        return _Framed("how_much", [option_frame(more, words, "more", last),
                                    option_frame(hold, words, "hold", last)])
    # when
    m = re.match(r"^when\s+(?:should|shall|do|can|must|will)\s+we\s+(?P<rest>.+)$", last,
                 flags=re.IGNORECASE)
    if m:
        rest = _clean(m.group("rest"))
        np = noun_phrase(rest, verb_led=True)
        return _Framed("when", [option_frame(f"{np} now", rest, "now", last),
                                option_frame(f"{np} later", rest, "later", last)])
    lead = _MODAL.match(last) or _BETTER.match(last)
    body = last[lead.end():] if lead else last
    verb_led = bool(lead)
    if not lead:  # 'which first: X or Y' / 'X or Y?'
        body = re.sub(r"^.*?(?:between|:)\s+", "", body, count=1, flags=re.IGNORECASE)
    # A before B
    m = re.match(r"^(?P<a>.+?)\s+before\s+(?:we\s+)?(?P<b>.+)$", body, flags=re.IGNORECASE)
    if m and verb_led and " or " not in body.lower():
        a = noun_phrase(m.group("a"), verb_led=True)
        b = noun_phrase(m.group("b"), verb_led=True)
        return _Framed("either_or", [option_frame(f"{a} first", m.group("a"), "alternative", last),
                                     option_frame(f"{b} first", m.group("b"), "alternative", last)])
    parts = _split_or(body)
    if len(parts) >= 2 and all(len(p) <= 80 for p in parts):
        parts = parts[:3]
        first_led = verb_led or _verb_led(parts[0])
        frames = []
        for i, p in enumerate(parts):
            led = first_led if i == 0 else (first_led and (_verb_led(p) or not (
                p.split(" ", 1)[0].lower() in _DETERMINERS)))
            # 'invest in A or in B': the second keeps the first's verb
            if i > 0 and re.match(r"^(?:in|on|into)\s+", p, flags=re.IGNORECASE):
                p_np = re.sub(r"^(?:in|on|into)\s+", "", p, flags=re.IGNORECASE)
            else:
                p_np = noun_phrase(p, verb_led=led)
            words = re.sub(r"^(?:in|on|into)\s+", "", _clean(p), flags=re.IGNORECASE) \
                if i > 0 else _clean(p)
            frames.append(option_frame(p_np, words, "alternative", last))
        return _Framed("either_or", frames)
    if lead and len(body) <= 120:
        np = noun_phrase(body, verb_led=True)
        if np:
            return _Framed("yes_no", [option_frame(np, _clean(body), "act", last),
                                      option_frame(f"holding off on {np}", _clean(body),
                                                   "refrain", last)])
    return _Framed("open", [])


def align_options(intent: Intent) -> Intent:
    """An intent whose ``options`` were set by someone else (a model framer, in the
    question's words): its option frames rebuilt from them, labels as noun phrases."""
    if not intent.options:
        return intent.model_copy(update={"option_frames": [], "form": intent.form})
    ruled = _frame_options(intent.question)
    if [o.words for o in ruled.options] == intent.options or \
            [o.label for o in ruled.options] == intent.options:
        return intent.model_copy(update={"option_frames": ruled.options, "form": ruled.form,
                                         "options": [o.label for o in ruled.options]})
    frames = [option_frame(noun_phrase(o, verb_led=_verb_led(o)), o, "alternative",
                           intent.question) for o in intent.options]
    return intent.model_copy(update={"option_frames": frames, "form": "either_or",
                                     "options": [f.label for f in frames]})


def join_options(labels: list[str], conj: str = "and") -> str:
    if len(labels) <= 1:
        return "".join(labels)
    if len(labels) == 2:
        return f"{labels[0]} {conj} {labels[1]}"
    return ", ".join(labels[:-1]) + f", {conj} {labels[-1]}"


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
    framed = _frame_options(q)
    options = [o.label for o in framed.options]
    if framed.form == "yes_no":
        choice = f"Decide whether to go ahead with {options[0]}, or hold off."
    elif framed.form == "how_much":
        choice = f"Decide between {options[0]} and {options[1]}."
    elif framed.form == "when":
        choice = f"Decide between {options[0]} and {options[1]}."
    elif options:
        choice = f"Choose between {join_options(options)}, or neither first."
    elif kind == "diagnose":
        choice = "Name the binding go-to-market constraint and the first repair."
    else:
        choice = f"Decide ({kind}) on the basis of the company's own evidence."
    return Intent(
        question=question.strip(),
        choice=choice,
        options=options,
        form=framed.form,
        option_frames=framed.options,
        stakes=_STAKES[kind],
        constraints=_constraints(q),
        decision_type=kind,
        run_date=run_date,
        horizon_months=_horizon_months(q),
        must_contain=_MUST[kind] + _COMMON_MUST,
        framed_by="offline",
    )
