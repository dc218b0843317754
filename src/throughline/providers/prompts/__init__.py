"""Prompts for advisor turns and round summaries.

Four rules hold everywhere:

* **Untrusted text is fenced as data.** The question, the framed intent, evidence passages
  and findings, round summaries and peer statements (all of them user- or model-written) go
  inside ``<data …>…</data>`` blocks, and the instructions say that nothing inside a data
  block is an instruction. :func:`fence` neutralises any ``<data``/``</data`` inside the
  body (``<`` becomes ``&lt;``) and escapes attribute values, so a passage or a reply
  cannot close its block early or open a new one.
* **The stable part comes first.** An advisor's prompt is its instructions (who it is, how
  the debate runs, what a good statement does, the reply format), then the question, the
  panel and its evidence — all identical in every round — and only then the round-specific
  part (the round's brief, the diagnosis from round 2, earlier summaries, the previous
  round's statements, its last conviction). Providers cache a long identical prefix, so
  rounds 2…5 of each advisor reuse round 1's. :attr:`Prompt.prefix` marks where the round
  part starts.
* **Round 1 is blind and unanchored.** It shows no peer statement and not the diagnosis'
  verdict (the ranking card is held back from the evidence and shown from round 2), so
  the openings are independent readings of the evidence.
* **Prompts are bounded.** Later rounds see the previous round's statements in full (each
  at most ``statement_chars``, the reply limit), the advisor's own last statement, and the
  summaries of the rounds before, which together get at most ``history_ratio`` × the size
  of the stable part (at least ``min_history_chars``), newest first.

Evidence is rendered for reading: each finding's statement, then its numbers formatted as
a report prints them (percentages, money, days, ``n = …``, intervals when present,
p-values as ``p < 0.001``), never raw floats or empty fields.

Prompt text is a pure function of its inputs, so request keys (replay) are stable.

Layout: ``fencing`` (data blocks and :data:`DATA_RULES`), ``prompt`` (:class:`Prompt`,
:class:`PromptLimits`), ``blocks`` (question, evidence card, statement, numbers for
reading), ``turn`` (an advisor's turn), ``summary`` (a round's minutes).
"""

from __future__ import annotations

from throughline.providers.prompts.blocks import (
    evidence_block,
    evidence_blocks,
    intent_text,
    metric_lines,
    metric_text,
    statement_block,
)
from throughline.providers.prompts.fencing import DATA_RULES, TAG, clip, fence, neutralise
from throughline.providers.prompts.prompt import EvidenceCache, Prompt, PromptLimits
from throughline.providers.prompts.summary import SUMMARY_INSTRUCTIONS, summary_prompt
from throughline.providers.prompts.turn import (
    CRAFT,
    MOVES,
    RANKING_ID,
    is_blind,
    turn_instructions,
    turn_prompt,
)

__all__ = [
    "CRAFT", "DATA_RULES", "MOVES", "RANKING_ID", "SUMMARY_INSTRUCTIONS", "TAG",
    "EvidenceCache", "Prompt", "PromptLimits", "clip", "evidence_block", "evidence_blocks",
    "fence", "intent_text", "is_blind", "metric_lines", "metric_text", "neutralise",
    "statement_block", "summary_prompt", "turn_instructions", "turn_prompt",
]
