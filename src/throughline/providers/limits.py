"""What each model family accepts: sampling settings, output-token room, and the field the
cap travels in. The one table the engine reads before it builds a request's settings.

Why a table: providers reject settings outright rather than ignore them, and reasoning
models spend output tokens on thinking before they write a word.

* **Anthropic** — the Messages API version the current SDK sends (``2026-10-21``) rejects
  ``temperature``, ``top_p`` and ``top_k`` on every model, so none is sent; nor a ``seed``,
  which it never had.
* **OpenAI reasoning families** (``o1``, ``o3``, ``o4``, ``gpt-5`` and later) reject
  ``temperature`` while reasoning, and their reasoning tokens count against the cap
  (``max_completion_tokens`` on Chat Completions), so the cap is raised to a floor that
  leaves room for the statement after the reasoning. Chat Completions refuses tools while
  they reason, so their structured replies are asked for as native JSON schema output.
* **Open reasoning models** served by Ollama or an OpenAI-compatible server (``gpt-oss``,
  ``deepseek-r1``, ``qwq``, ``qwen3``, ``magistral``) think in output tokens too: same floor,
  sampling kept.
* **Ollama's cloud models** (``…-cloud``, ``…:cloud``) accept a JSON schema and do not
  apply it: their structured replies are asked for as a tool call.
* Everything else gets the configured temperature, seed and cap.

A row matches on the provider and the model name (the part after the last ``/`` for
routed names such as ``openai/o3``); the first matching row wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from throughline.core.model_spec import ModelSpec

REASONING_OUTPUT_FLOOR = 8_000
"""Output tokens a reasoning model may use per request: reasoning plus a ~1,500-character
statement. OpenAI advises reserving at least 25,000 for hard problems; a statement of a
debate is not one, and the budget's reservation uses this cap, so it is kept moderate."""

TokenField = Literal["max_tokens", "max_completion_tokens"]
OutputMode = Literal["tool", "native", "prompted"]


@dataclass(frozen=True)
class ModelTraits:
    """What one model family accepts."""

    family: str
    temperature: bool = True
    seed: bool = True
    reasoning: bool = False
    output_floor: int | None = None
    token_field: TokenField = "max_tokens"
    output_mode: OutputMode | None = None
    """How structured replies are asked for when ``output_mode`` is ``auto`` (``None``:
    the engine's default: native for Ollama, a tool call otherwise)."""

    def output_tokens(self, configured: int) -> int:
        """The output-token cap to send: the configured one, raised to the family's floor."""
        return max(configured, self.output_floor or 0)


_OPENAI_REASONING = ModelTraits(
    "openai reasoning (o-series, gpt-5+)",
    temperature=False,
    reasoning=True,
    output_floor=REASONING_OUTPUT_FLOOR,
    token_field="max_completion_tokens",
    output_mode="native",
)
_OPEN_REASONING = ModelTraits(
    "open reasoning model", reasoning=True, output_floor=REASONING_OUTPUT_FLOOR
)

TABLE: tuple[tuple[frozenset[str], re.Pattern[str], ModelTraits], ...] = (
    (
        frozenset({"anthropic"}),
        re.compile(r".*"),
        ModelTraits("anthropic", temperature=False, seed=False),
    ),
    (
        frozenset({"openai", "openai-compatible"}),
        re.compile(r"^(o1|o3|o4)(-|$)|^gpt-([5-9]|\d\d)(\.\d+)?(-|$)"),
        _OPENAI_REASONING,
    ),
    (
        frozenset({"ollama"}),
        re.compile(r"^(gpt-oss|deepseek-r1|qwq|qwen3|magistral)([-:.].*)?[-:]cloud$"),
        ModelTraits("ollama cloud, reasoning", reasoning=True,
                    output_floor=REASONING_OUTPUT_FLOOR, output_mode="tool"),
    ),
    (
        frozenset({"ollama"}),
        re.compile(r"[-:]cloud$"),
        ModelTraits("ollama cloud", output_mode="tool"),
    ),
    (
        frozenset({"ollama", "openai-compatible"}),
        re.compile(r"^(gpt-oss|deepseek-r1|qwq|qwen3|magistral)([-:.]|$)"),
        _OPEN_REASONING,
    ),
    (
        frozenset({"openai"}),
        re.compile(r".*"),
        ModelTraits("openai", token_field="max_completion_tokens"),
    ),
)
DEFAULT = ModelTraits("default")


def traits(spec: ModelSpec) -> ModelTraits:
    """The row of :data:`TABLE` for ``spec`` (:data:`DEFAULT` when none matches)."""
    name = spec.name.rsplit("/", 1)[-1].strip().lower()
    for providers, pattern, row in TABLE:
        if spec.provider in providers and pattern.search(name):
            return row
    return DEFAULT


__all__ = ["DEFAULT", "REASONING_OUTPUT_FLOOR", "TABLE", "ModelTraits", "traits"]
