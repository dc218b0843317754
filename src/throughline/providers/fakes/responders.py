"""A fake advisor that answers validly from the prompt text alone."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from throughline.core.synthesis_sections import MARK

_EVIDENCE = re.compile(r'<data kind="(?:finding|passage)" id="([^"]*)"')
_STATEMENT = re.compile(r'<data kind="statement" id="([^"]*)" advisor="([^"]*)"')
_STATEMENT_BODY = re.compile(
    r'<data kind="statement" id="([^"]*)" advisor="([^"]*)"[^>]*>\n(.*?)\n</data>', re.DOTALL)
_PRIOR = re.compile(r"Your conviction after your last turn was ([0-9]+(?:\.[0-9]+)?)")
_ROUND = re.compile(r"^Round (\d+):", re.MULTILINE)
_DRAFT = re.compile(r'<data kind="draft">\n(.*?)\n</data>', re.DOTALL)
_ME = re.compile(r"^Your id on the panel: (\S+)$", re.MULTILINE)
_PEERS_FROM = "The statements of round"
SECTION_MARK = MARK
"""The synthesiser's instructions open with these words
(:data:`throughline.core.synthesis_sections.MARK`)."""
OPENING = "Before we start: which number would tell us this step worked?"


@dataclass
class SeenRequest:
    """What a fake model was asked (one model request)."""

    instructions: str
    prompt: str
    output_tool: str | None
    mode: str
    retry_feedback: list[str] = field(default_factory=list)
    index: int = 0

    @property
    def text(self) -> str:
        return self.instructions + "\n" + self.prompt


class FakeAdvisor:
    """Valid replies: cites the first evidence id, keeps its conviction, summarises plainly."""

    def __init__(self, conviction: float = 0.6, move: str = "SHARE") -> None:
        self.conviction = conviction
        self.move = move

    def __call__(self, seen: SeenRequest) -> dict[str, Any] | str:
        prompted = "respond with a JSON object" in seen.text  # the schema is in the prompt
        if seen.output_tool in (None, "") and seen.mode == "text" and not prompted:
            return self.summary(seen)
        draft = _DRAFT.search(seen.prompt)
        if draft is not None and "You frame a go-to-market question" in seen.instructions:
            return dict(json.loads(html.unescape(draft.group(1))))  # the rules' framing
        if draft is not None and SECTION_MARK in seen.instructions:
            return self.section(dict(json.loads(html.unescape(draft.group(1)))))
        return self.statement(seen)

    def section(self, draft: dict[str, Any]) -> dict[str, Any]:
        """A synthesised section: the rules' draft handed back, with opening words where
        the rules wrote none (a plan step needs them)."""
        for step in draft.get("steps", []):
            step["opening_words"] = step.get("opening_words") or OPENING
        return draft

    def statement(self, seen: SeenRequest) -> dict[str, Any]:
        ids = [html.unescape(i) for i in _EVIDENCE.findall(seen.prompt)]
        prior = _PRIOR.search(seen.text)  # the round part of the prompt says it
        me = _ME.search(seen.instructions)
        rnd = _ROUND.search(seen.prompt)
        who = me.group(1) if me else "advisor"
        cite = ids[:1]
        text = f"{who} reads the evidence for round {rnd.group(1) if rnd else '?'}"
        text += f" and relies on [{cite[0]}]." if cite else " and has no evidence to cite."
        responds_to, claim = self.peer_claim(seen, who)
        return {
            "move": self.move,
            "text": text,
            "addressed": [],
            "cites": cite,
            "responds_to": responds_to,
            "claim": claim,
            "conviction": float(prior.group(1)) if prior else self.conviction,
            "conviction_cause": None,
        }

    @staticmethod
    def peer_claim(seen: SeenRequest, me: str) -> tuple[str | None, str | None]:
        """From round 2: the first peer statement shown, and its first sentence quoted
        exactly (the one with a number, if any)."""
        at = seen.prompt.find(_PEERS_FROM)
        if at < 0:
            return None, None
        for sid, advisor, body in _STATEMENT_BODY.findall(seen.prompt[at:]):
            if html.unescape(advisor) == me or body.startswith("(this advisor's turn failed"):
                continue
            sentences = [x for x in re.split(r"(?<=[.!?])\s+", " ".join(body.split())) if x]
            quoted = next((x for x in sentences if re.search(r"\d", x)), sentences[0]
                          if sentences else None)
            return html.unescape(sid), quoted
        return None, None

    def summary(self, seen: SeenRequest) -> str:
        statements = _STATEMENT.findall(seen.prompt)
        rnd = _ROUND.search(seen.prompt)
        who = ", ".join(advisor for _, advisor in statements) or "nobody"
        return f"Round {rnd.group(1) if rnd else '?'}: {who} spoke; positions unchanged."


class LooseCiter(FakeAdvisor):
    """Cites three ids, the middle one invented: a third of its citations are unknown ids
    (a model citing loosely). Otherwise valid."""

    def statement(self, seen: SeenRequest) -> dict[str, Any]:
        reply = super().statement(seen)
        ids = [html.unescape(i) for i in _EVIDENCE.findall(seen.prompt)]
        rnd = _ROUND.search(seen.prompt)
        invented = f"F-invented-r{rnd.group(1) if rnd else 0}"
        reply["cites"] = [*ids[:1], invented, *ids[1:2]] if len(ids) >= 2 else [*ids, invented]
        return reply
