"""Fixed wording of the offline engine: the masquerade map, better stories, owners, the
opening words of conversations, and small helpers that keep digits out of connective text.

Connective text never carries a digit: every number a statement states comes from a
finding (its statement or a metric shown through the diagnose formatters), a passage or a
forecast, so the claim check can trace it.
"""

from __future__ import annotations

from throughline.diagnose.ranking import HYPOTHESES

# hypothesis → (what is observed, what it really is, what it passes for)
MASQUERADE: dict[str, tuple[str, str, str]] = {
    "distribution": ("uneven growth", "a distribution problem", "an execution problem"),
    "positioning": ("churn after good quarters", "a positioning problem",
                    "a targeting problem"),
    "messaging": ("pipeline nobody can trace to a source", "a messaging problem",
                  "a measurement problem"),
    "honesty": ("the missed forecast", "an honesty problem", "a creative problem"),
    "architecture": ("flat pipeline under rising activity", "an architecture problem",
                     "an effort problem"),
    "measurement_vacuum": ("the imbalance between functions", "a measurement problem",
                           "an engineering success story"),
    "inventory": ("slow revenue from fast engineering", "a product-clarity problem",
                  "a speed problem"),
}

BETTER_STORY: dict[str, str] = {
    "distribution": "we grow on channels we understand and can repeat",
    "positioning": "we sell to the customers who stay, and say so",
    "messaging": "every artifact tells the buyer the same true story",
    "honesty": "we win by knowing which deals are real",
    "architecture": "growth that compounds with the customers we already have",
    "measurement_vacuum": "every function can show what it contributes, in the same room",
    "inventory": "we ship what sales can explain, and explain what we ship",
}

OWNER: dict[str, str] = {
    "distribution": "Head of Marketing with the demand-generation lead",
    "positioning": "CEO with the heads of Marketing and Customer Success",
    "messaging": "Head of Product Marketing",
    "honesty": "Head of Sales with RevOps",
    "architecture": "CRO with the partnerships lead",
    "measurement_vacuum": "COO with one internal analyst",
    "inventory": "Head of Product with the VP Engineering",
}

# The first words of the conversation each repair step opens with (per hypothesis, per step).
OPENING: dict[str, list[str]] = {
    "distribution": [
        "Show me, month by month, where our new pipeline came from — not where we think it "
        "came from. Which of these channels would still be here if we stopped pushing it?",
        "Before we add budget anywhere, I want a second channel we can rely on. Which one is "
        "closest, and what would it take to make it dependable?",
        "Now that the mix holds, let's tune inside it: where do deals stall in the channels "
        "we are keeping?",
    ],
    "positioning": [
        "Let's look at the customers who stayed and grew, not the ones we closed last "
        "quarter. What do they have in common that our ICP slide doesn't say?",
        "I want our positioning rewritten around the customers who stay. Which segments are "
        "we chasing that leave within a year?",
        "Rebuild the target list from the new profile before we buy any more data.",
    ],
    "messaging": [
        "Put the website, the deck, the sequences and a recent proposal side by side. What "
        "are the few claims all of them should make, and can engineering back each one?",
        "Rewrite each artifact from those claims, and take out anything that is not "
        "generally available.",
        "From today every deal carries its source. Tell me what you need to make that true.",
    ],
    "honesty": [
        "Walk me through the three largest deals in commit. For each, what has the buyer "
        "verified — in writing — that says it closes this quarter?",
        "I want stage probabilities that match what our deals actually do. Let's set each "
        "stage's number from realised conversion, not from habit.",
        "Every lost deal gets a named owner and an answer within two weeks. Who owns the "
        "last five losses?",
        "Only now do we talk about more volume, enrichment or automation.",
    ],
    "architecture": [
        "Which of our motions grow with the customer base, and which only grow when we push "
        "harder? Show me both lines on one chart.",
        "Pick one pull loop — referrals, integrations or in-product sharing — and give it an "
        "owner and a budget this quarter.",
        "Shift part of the outbound effort to seeding that loop, and measure both.",
    ],
    "measurement_vacuum": [
        "I'm not auditing anyone. I want product and go-to-market to have the same standing "
        "in this room that engineering's numbers give it. What would you measure first?",
        "From next month we review these numbers beside engineering's, in the same meeting, "
        "with a named owner for each.",
        "Only when we can see all of it do we decide where the engineering gain goes.",
    ],
    "inventory": [
        "Before anything new starts, which shipped features still have no sales play? Let's "
        "name them and who will write each play.",
        "For each of those, what would let a seller explain it to a buyer this month?",
        "Give every decision a product owner and a deadline: what is blocking the next "
        "spec?",
        "When the unsold pile is cleared, we talk about shipping faster.",
    ],
}

WHEN_LABELS = ["This week", "Within two weeks", "Within a month", "Within six weeks",
               "Within two months"]
WHEN_DAYS = [7, 14, 30, 42, 60]

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve"]


def words(n: int) -> str:
    """Small counts in words (connective text carries no digits)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else "many"


def label(h: str | None) -> str:
    if h is None:
        return "no single constraint"
    return HYPOTHESES.get(h, h)


def short(h: str | None) -> str:
    """'Honesty (optimistic pipeline …)' → 'honesty'; 'measurement_vacuum' → 'measurement
    vacuum'."""
    if h is None:
        return "no single constraint"
    return HYPOTHESES.get(h, h).split(" (")[0].lower()


def join_names(names: list[str]) -> str:
    if not names:
        return "nobody"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def masquerade_sentence(h: str) -> str:
    seen, real, apparent = MASQUERADE[h]
    return f"{seen[0].upper() + seen[1:]} is {real} masquerading as {apparent}"


def lower_first(text: str) -> str:
    """Lower-case the first letter, unless the first word is an acronym-like ('RevOps')."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def strip_period(text: str) -> str:
    return text.rstrip().rstrip(".")
