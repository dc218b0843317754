"""Shared builders for the model-layer tests: a panel, an intent, evidence, requests, engines.

Tests are plain functions that drive coroutines with ``asyncio.run`` (no async plugin).
Nothing here reaches the network: engines get scripted models, or a loopback server.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any, TypeVar

from throughline.core.seams import EvidenceCard, RoundSpec, TurnRequest
from throughline.providers import ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import ScriptedModel
from throughline.record.decision import Advisor, Intent, Move, Statement

T = TypeVar("T")

PANEL = [
    Advisor(
        id="auditor",
        name="Ada Auditor",
        role="Revenue auditor",
        lens="whether the numbers hold up",
        background="Ten years of revenue audits.",
    ),
    Advisor(
        id="seller",
        name="Sam Seller",
        role="Sales leader",
        lens="pipeline and win rates",
        background="Ran enterprise sales teams.",
    ),
    Advisor(
        id="builder",
        name="Bo Builder",
        role="Product lead",
        lens="activation and retention",
        background="Built onboarding flows.",
    ),
]
INTENT = Intent(
    question="Should we hire five more account executives next quarter?",
    choice="Hire five AEs or fix retention first",
    options=["hire now", "fix retention first"],
    stakes="A year of payroll if the constraint is elsewhere.",
    decision_type="hire",
    run_date=date(2026, 3, 2),
)
EVIDENCE = [
    EvidenceCard(
        id="F-nrr",
        kind="finding",
        title="Net revenue retention",
        text="Net revenue retention fell from 104% to 92% over four quarters.",
        family="post_sale",
        severity="high",
        metrics={"nrr": {"value": 0.92, "unit": "ratio", "n": 118}},
    ),
    EvidenceCard(
        id="F-win",
        kind="finding",
        title="Win rate",
        text="Win rate held at 23% with stable cycle length.",
        family="pipeline",
    ),
    EvidenceCard(
        id="P-ret-3",
        kind="passage",
        title="Retention playbook",
        text="Fix onboarding before scaling acquisition.",
        location="notes/retention.md",
    ),
]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def statement(
    advisor: str, round_: int, text: str = "I see churn first.", conviction: float = 0.5, **kw: Any
) -> Statement:
    return Statement(
        id=f"r{round_}.{advisor}",
        round=round_,
        advisor_id=advisor,
        move=kw.pop("move", Move.SHARE),
        text=text,
        conviction=conviction,
        **kw,
    )


def make_request(
    round_: int = 1,
    advisor: Advisor | None = None,
    *,
    visible: list[Statement] | None = None,
    summaries: list[str] | None = None,
    conviction: float | None = None,
    evidence: list[EvidenceCard] | None = None,
    own: list[Statement] | None = None,
    blind: bool | None = None,
    question: str | None = None,
) -> TurnRequest:
    intent = INTENT if question is None else INTENT.model_copy(update={"question": question})
    return TurnRequest(
        run_id="run-1",
        round=RoundSpec(
            number=round_,
            title=f"Round {round_}",
            purpose="Test the constraint.",
            blind=(round_ == 1) if blind is None else blind,
        ),
        advisor=advisor or PANEL[0],
        peers=PANEL,
        intent=intent,
        binding="retention",
        runner_up="pipeline",
        evidence=EVIDENCE if evidence is None else evidence,
        summaries=summaries or [],
        visible=visible or [],
        own_history=own or [],
        conviction=conviction,
    )


class SleepRecorder:
    """An injected sleep: records each wait and advances a fake clock; never really waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def config(**kw: Any) -> ModelsConfig:
    kw.setdefault("default", "openai:gpt-4o-mini")
    return ModelsConfig(**kw)


def engine_with(
    model: Any,
    *,
    sleeper: SleepRecorder | None = None,
    cfg: ModelsConfig | None = None,
    **kw: Any,
) -> ModelAdvisorEngine:
    sleeper = sleeper or SleepRecorder()
    return ModelAdvisorEngine(
        cfg or config(),
        model_factory=lambda spec: model,
        sleep=sleeper,
        clock=sleeper.clock,
        rng=random.Random(7),
        **kw,
    )


def scripted(*replies: Any, responder: Callable[..., Any] | None = None) -> ScriptedModel:
    return ScriptedModel(replies, responder=responder)


def valid(**over: Any) -> dict[str, Any]:
    reply = {
        "move": "SHARE",
        "text": "Retention is the binding constraint [F-nrr].",
        "addressed": [],
        "cites": ["F-nrr"],
        "conviction": 0.7,
        "conviction_cause": None,
    }
    reply.update(over)
    return reply
