"""What the offline debate is made of: a composed statement (:class:`Said`), an advisor's
seat (its side, answer, lead finding and where its conviction settles), the two sides, and
the small helpers that quote and shorten text and pick deterministically.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from throughline.council.offline.facts import Fact
from throughline.council.personas import Persona
from throughline.diagnose.findings import Finding
from throughline.record.decision import Move

FOR, AGAINST = "for", "against"


def first_sentence(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    flat = re.sub(r"^(?:[-*#>]+\s*)+", "", flat).replace("**", "").replace("__", "")
    m = re.match(r"(.+?[.!?])(\s|$)", flat)
    sent = m.group(1) if m else flat
    if len(sent) > limit:
        sent = sent[:limit].rsplit(" ", 1)[0] + " …"
    return sent


def clamp(x: float, lo: float = 0.05, hi: float = 0.95) -> float:
    return max(lo, min(hi, x))


def hash_index(key: str, n: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % max(1, n)


def quoted_option(option: str) -> str:
    return f"“{option.strip().rstrip('?.!')}”"


def quoted(phrase: str) -> str:
    return phrase if phrase.startswith("“") else f"“{phrase}”"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Said:
    """One composed statement, with the numbers it states as its own (peers quote them)."""

    id: str
    round: int
    advisor_id: str
    move: Move
    text: str
    cites: list[str]
    addressed: list[str]
    side: str
    claims: list[Fact] = field(default_factory=list)
    conviction: float = 0.5
    cause: str | None = None
    responds_to: str | None = None
    claim: str | None = None
    assumption_failed: bool = False
    option: str | None = None


@dataclass
class Seat:
    persona: Persona
    side: str
    answer: str
    lead: Finding | None
    quiet: bool
    target: float
