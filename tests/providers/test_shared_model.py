"""Roles sharing a model string share one provider model; each stage of a run runs in its
own event loop and closes the HTTP clients when it ends, so the next stage must get a
model on a fresh client ("client has been closed" before)."""

from __future__ import annotations

import asyncio
import random

from pydantic import BaseModel

from throughline.providers import ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import FakeOpenAIServer

from .helpers import SleepRecorder, make_request


class Answer(BaseModel):
    choice: str


def test_the_same_model_string_across_stages_and_event_loops() -> None:
    with FakeOpenAIServer(responder=lambda seen: (
            {"choice": "hire"} if seen.output_tool == "answer" else _statement(seen))) as server:
        model = f"openai-compatible:fake@{server.base_url}"
        sleeper = SleepRecorder()
        engine = ModelAdvisorEngine(
            ModelsConfig(default=model, framer=model, synthesiser=model), env={},
            sleep=sleeper, clock=sleeper.clock, rng=random.Random(0))

        async def framer_stage():  # type: ignore[no-untyped-def]
            try:
                return await engine.ask("framer", Answer, "Frame it.", "the question")
            finally:
                await engine.aclose()

        async def debate_stage():  # type: ignore[no-untyped-def]
            try:
                return await engine.turn(make_request())
            finally:
                await engine.aclose()

        framed, _ = asyncio.run(framer_stage())
        reply, info = asyncio.run(debate_stage())  # a new loop, the same model string
        again, _ = asyncio.run(framer_stage())
    assert framed.choice == again.choice == "hire"
    assert info.outcome == "ok" and reply.cites == ["F-nrr"]
    assert len(server.requests) == 3


def _statement(seen):  # type: ignore[no-untyped-def]
    from throughline.providers.fakes import FakeAdvisor

    return FakeAdvisor()(seen)
