"""The Pydantic AI agents behind each call, and how their structured output is asked for.

Every agent validates the reply against the request and, when it is wrong, sends **one**
repair request carrying the problems (:data:`REPAIR_RETRIES`): the turn agent checks a
statement (:class:`~throughline.providers.schema.TurnCheck`), the summary agent the
minutes' length, the answer agent whatever the caller's ``validate`` says (framer,
synthesiser, claim extractor).

Structured output goes as JSON schema (``native``), a tool call (``tool``) or JSON asked
for in the prompt (``prompted``); :func:`user_content` places Anthropic's prompt-cache
marker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic_ai import Agent, ModelRetry, RunContext
from pydantic_ai.messages import CachePoint
from pydantic_ai.output import NativeOutput, PromptedOutput, ToolOutput

from throughline.core.model_config import ModelsConfig
from throughline.core.model_spec import ModelSpec
from throughline.core.redact import Redactor
from throughline.providers.limits import traits
from throughline.providers.prompts import Prompt
from throughline.providers.schema import StatementDraft, TurnCheck

__all__ = ["OUTPUT_FALLBACK", "OUTPUT_ORDER", "REPAIR_RETRIES", "OutputModes", "SummaryCheck",
           "answer_agent", "cause_text", "repair_message", "summary_agent", "turn_agent",
           "user_content"]

REPAIR_RETRIES = 1
"""One bounded repair request per call, carrying the validation errors."""

OUTPUT_ORDER = ("native", "tool", "prompted")
OUTPUT_FALLBACK = {"native": "tool", "tool": "prompted"}
"""Where structured output goes when a server refuses a mode (``output_mode='auto'``): from
JSON schema to a tool call, from a tool call to JSON asked for in the prompt, which any
server can give."""

log = logging.getLogger("throughline.providers")
T = TypeVar("T")


class OutputModes:
    """The structured-output mode per model: the one set (``output_mode``), or with
    ``'auto'`` the model's preferred one (:mod:`~throughline.providers.limits`), moved on
    for the rest of the run when its server refuses it (:data:`OUTPUT_FALLBACK`)."""

    def __init__(self, config: ModelsConfig, redactor: Redactor) -> None:
        self.config = config
        self.redactor = redactor
        self.fallen_back: dict[str, str] = {}  # model -> mode, after a server refused one

    def mode(self, spec: ModelSpec) -> str:
        """The structured-output mode used with ``spec`` ('auto' resolved)."""
        mode = self.config.output_mode
        if mode != "auto":
            return mode
        fallen_back = self.fallen_back.get(str(spec))
        if fallen_back is not None:
            return fallen_back
        preferred = traits(spec).output_mode
        if preferred is not None:
            return preferred
        return "native" if spec.provider == "ollama" else "tool"

    def fall_back(self, spec: ModelSpec, failed: str, fault: Any) -> str | None:
        """After ``spec``'s server refused structured output in mode ``failed``: the next
        mode to try, remembered for the rest of the run (``None``: nothing left to try).
        Only with ``output_mode='auto'``: a mode the user set is not second-guessed."""
        if self.config.output_mode != "auto":
            return None
        nxt = OUTPUT_FALLBACK.get(failed)
        if nxt is None:
            return None
        key = str(spec)
        now = self.fallen_back.get(key)
        if now is None or OUTPUT_ORDER.index(nxt) > OUTPUT_ORDER.index(now):
            self.fallen_back[key] = nxt  # concurrent refusals only ever move it on
            log.warning(
                "%s does not support %s structured output (%s); using %s output for the "
                "rest of the run",
                key,
                failed,
                self.redactor(" ".join(str(fault.detail).split()))[:200],
                nxt,
            )
        return self.fallen_back[key]


class SummaryCheck:
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.last_problems: list[str] = []


def turn_agent(mode: str, missing_cause: str) -> Agent[TurnCheck, StatementDraft]:
    """The advisor's agent: a statement checked against its request. ``missing_cause``
    ``'flag'``: a conviction cause still missing after the repair is dropped and flagged
    instead of failing the turn."""
    agent: Agent[TurnCheck, StatementDraft] = Agent(
        output_type=_output_spec(mode, StatementDraft, name="statement"),
        retries={"output": REPAIR_RETRIES},
        deps_type=TurnCheck,
    )

    @agent.output_validator
    def _check(ctx: RunContext[TurnCheck], draft: StatementDraft) -> StatementDraft:
        check = ctx.deps
        draft = check.normalise(draft)
        problems, cause_problems = check.problems(draft)
        final = ctx.retry >= ctx.max_retries
        if final and not problems and cause_problems and missing_cause == "flag":
            check.cause_dropped = True
            return draft.model_copy(update={"conviction_cause": None})
        if problems or cause_problems:
            check.last_problems = problems + cause_problems
            raise ModelRetry(repair_message(check.last_problems))
        return draft

    return agent


def summary_agent() -> Agent[SummaryCheck, str]:
    """The summariser's agent: plain-text minutes, not empty and within their length."""
    agent: Agent[SummaryCheck, str] = Agent(
        output_type=str, retries={"output": REPAIR_RETRIES}, deps_type=SummaryCheck
    )

    @agent.output_validator
    def _check(ctx: RunContext[SummaryCheck], text: str) -> str:
        problems = []
        if not text.strip():
            problems.append("the summary is empty")
        elif len(text) > ctx.deps.max_chars:
            problems.append(
                f"the summary is {len(text)} characters; keep it under {ctx.deps.max_chars}"
            )
        if problems:
            ctx.deps.last_problems = problems
            raise ModelRetry(repair_message(problems))
        return text

    return agent


def answer_agent(mode: str, output_type: type[T],
                 validate: Callable[[T], list[str]] | None) -> Agent[list[str], T]:
    """An agent for the other roles: ``output_type`` checked by ``validate``, whose problems
    are kept in the run's deps (a list) for the failure message."""
    agent: Agent[list[str], T] = Agent(
        output_type=_output_spec(mode, output_type, name="answer"),
        retries={"output": REPAIR_RETRIES},
        deps_type=list,
    )

    @agent.output_validator
    def _check(ctx: RunContext[list[str]], value: T) -> T:
        problems = validate(value) if validate else []
        if problems:
            ctx.deps[:] = problems
            raise ModelRetry(repair_message(problems))
        return value

    return agent


def user_content(spec: ModelSpec, prompt: Prompt) -> str | list[Any]:
    """The user message of a request. For Anthropic, whose prompt caching needs an explicit
    marker, a ``CachePoint`` sits at :attr:`Prompt.prefix` (the end of the part every round
    of an advisor shares: instructions, persona, question, panel, evidence), so rounds 2…5
    read it from the cache. OpenAI caches a shared prefix of 1,024 tokens or more by itself,
    and Ollama keeps its last prompt's KV cache: they get the plain text."""
    if spec.provider != "anthropic" or not 0 < prompt.prefix < len(prompt.user):
        return prompt.user
    return [prompt.user[: prompt.prefix], CachePoint(), prompt.user[prompt.prefix :]]


def _output_spec(mode: str, output_type: type[Any], *, name: str) -> Any:
    if mode == "native":
        return NativeOutput(output_type, name=name)
    if mode == "prompted":
        return PromptedOutput(output_type, name=name)
    return ToolOutput(output_type, name=name)


def repair_message(problems: list[str]) -> str:
    return (
        "Your reply was not accepted: "
        + "; ".join(problems)
        + ". Send the corrected reply once more, changing only what is needed."
    )


def cause_text(exc: BaseException) -> str:
    cause = exc.__cause__
    text = str(cause) if cause is not None else str(exc)
    return " ".join(text.split())[:600]
