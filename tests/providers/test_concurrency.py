"""Concurrent turns share one engine safely and really overlap (fixed-latency fake)."""

from __future__ import annotations

import asyncio
import time

from throughline.providers import ModelAdvisorEngine
from throughline.providers.fakes import FakeAdvisor, FixedLatencyModel, ScriptedModel

from .helpers import PANEL, config, make_request, run

LATENCY = 0.4


def test_six_concurrent_turns_take_about_one_latency() -> None:
    slow = FixedLatencyModel(ScriptedModel(responder=FakeAdvisor()), LATENCY)
    engine = ModelAdvisorEngine(config(), model_factory=lambda spec: slow)
    panel = PANEL + [a.model_copy(update={"id": a.id + "2"}) for a in PANEL]

    async def round_one() -> list:
        return await asyncio.gather(*(engine.turn(make_request(1, a)) for a in panel))

    started = time.perf_counter()
    results = run(round_one())
    elapsed = time.perf_counter() - started
    assert slow.calls == 6 and len(results) == 6
    assert elapsed < 3 * LATENCY  # serial would be 6 x LATENCY
    # each turn got its own ledger: one request, its own key
    keys = {info.parameters["request_keys"][0] for _, info in results}
    assert len(keys) == 6
    assert all(info.latency_s >= LATENCY * 0.9 for _, info in results)
