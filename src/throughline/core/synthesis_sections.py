"""The synthesiser's sections and the size of its prompts, shared by two layers.

``council.synthesis.model`` asks a model for each section named in :data:`SECTIONS`, with
:data:`INSTRUCTIONS` as the system prompt; ``providers`` estimates a run's cost before it
starts and needs how many section calls there are and how large each prompt grows
(:func:`planned_prompt_chars`). Both import them from here, the layer below them.
"""

from __future__ import annotations

from typing import Literal

Section = Literal["verdict", "action_plan", "future_paths", "deeper_story", "risks"]
SECTIONS: tuple[Section, ...] = ("verdict", "action_plan", "future_paths", "deeper_story",
                                 "risks")

MAX_FINDINGS = 24
DEBATE_CHARS = 28_000
"""Characters of statement text a section prompt shows before earlier rounds are cut."""
MIN_STATEMENT_CHARS = 280
MARK = "You write one section of a decision record"
"""The first words of the synthesiser's instructions (fakes recognise the call by them)."""

INSTRUCTIONS = f"""\
{MARK} for a go-to-market leader: the record of a panel of advisors who debated the
leader's question over the company's evidence. The section to write, what it must do and a
draft of it made by rules come at the end of the prompt; everything before is the same for
every section.

Rules for every section:
- It answers the question asked, in the question's terms: name the options as the question
  names them.
- Every number comes from an evidence card or a forecast below, written as it is written
  there. Numbers no card holds are struck out, and the section is sent back.
- Credit an advisor only with words it said: quote only the statements below (rounds that
  ran), exactly, and attribute each quote to the advisor who said it. Never credit an
  advisor with an image it did not use.
- A healthy number is good news, not proof of a problem; a small n is a small n.
- Plain sentences: no headings, lists, Markdown or preamble.
- The draft made by rules is correct but mechanical: keep what it gets right (its answer,
  unless the debate gives a reason to change it) and write it the way a trusted advisor
  would."""


def planned_prompt_chars(*, rounds: int, panel: int, statement_chars: int) -> int:
    """A section prompt's size before the run (for the estimate): instructions, about
    :data:`MAX_FINDINGS` cards of ~600 characters, forecasts, the debate (every statement
    at its longest, within :data:`DEBATE_CHARS` as the synthesiser's prompt cuts it), and
    the section's own part with its draft."""
    debate = rounds * panel * statement_chars
    if debate > DEBATE_CHARS and rounds > 2:
        debate = max(DEBATE_CHARS, 2 * panel * statement_chars
                     + (rounds - 2) * panel * MIN_STATEMENT_CHARS)
    return len(INSTRUCTIONS) + MAX_FINDINGS * 600 + 6 * 400 + debate + \
        rounds * panel * 260 + 8_000


__all__ = ["DEBATE_CHARS", "INSTRUCTIONS", "MARK", "MAX_FINDINGS", "MIN_STATEMENT_CHARS",
           "SECTIONS", "Section", "planned_prompt_chars"]
