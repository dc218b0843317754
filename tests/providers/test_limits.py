"""Per-model request settings (``throughline.providers.limits``): no sampling setting a model
rejects, and room for reasoning models, checked on the wire (loopback server)."""

from __future__ import annotations

import random

import pytest

from throughline.providers import ModelAdvisorEngine, ModelsConfig, parse_model
from throughline.providers.fakes import FakeOpenAIServer
from throughline.providers.limits import REASONING_OUTPUT_FLOOR, traits

from .helpers import SleepRecorder, make_request, run


@pytest.mark.parametrize(
    ("model", "temperature", "cap", "field"),
    [
        ("openai:gpt-4o-mini", True, 700, "max_completion_tokens"),
        ("openai:gpt-4.1", True, 700, "max_completion_tokens"),
        ("openai:o1", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:o3-mini", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:gpt-5.6-terra", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:gpt-5", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:gpt-5-mini", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:gpt-5.1", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai:gpt-5.6-terra", False, REASONING_OUTPUT_FLOOR, "max_completion_tokens"),
        ("openai-compatible:openai/o3@http://127.0.0.1:9/v1", False, REASONING_OUTPUT_FLOOR,
         "max_completion_tokens"),
        ("anthropic:claude-haiku-4-5", False, 700, "max_tokens"),
        ("anthropic:claude-sonnet-4-5", False, 700, "max_tokens"),
        ("ollama:qwen2.5:7b", True, 700, "max_tokens"),
        ("ollama:gpt-oss:20b", True, REASONING_OUTPUT_FLOOR, "max_tokens"),
        ("ollama:deepseek-r1:8b", True, REASONING_OUTPUT_FLOOR, "max_tokens"),
        ("openai-compatible:gpt-4o@http://127.0.0.1:9/v1", True, 700, "max_tokens"),
    ],
)
def test_the_table(model: str, temperature: bool, cap: int, field: str) -> None:
    row = traits(parse_model(model))
    assert (row.temperature, row.output_tokens(700), row.token_field) == (
        temperature, cap, field)
    assert row.output_tokens(20_000) == 20_000  # a larger configured cap is kept


def _turn_over_http(model: str, **cfg: object) -> tuple[dict[str, object], object]:
    sleeper = SleepRecorder()
    with FakeOpenAIServer() as server:
        config = ModelsConfig(default=model, openai_base_url=server.base_url, seed=3, **cfg)
        engine = ModelAdvisorEngine(config, env={"OPENAI_API_KEY": "tl-test-key"},
                                    sleep=sleeper, clock=sleeper.clock, rng=random.Random(0))

        async def go():  # type: ignore[no-untyped-def]
            async with engine:
                return await engine.turn(make_request())

        _reply, info = run(go())
        [seen] = server.requests
    return seen.body, info


def test_an_openai_reasoning_model_gets_no_temperature_and_room_to_reason() -> None:
    body, info = _turn_over_http("openai:gpt-5.6-terra")
    assert "temperature" not in body and "max_tokens" not in body
    assert body["max_completion_tokens"] == REASONING_OUTPUT_FLOOR
    assert info.parameters["temperature"] is None  # type: ignore[attr-defined]
    assert info.parameters["max_tokens"] == REASONING_OUTPUT_FLOOR  # type: ignore[attr-defined]


def test_a_chat_model_keeps_its_temperature_and_cap() -> None:
    body, info = _turn_over_http("openai:gpt-4o-mini", temperature=0.5)
    assert body["temperature"] == 0.5 and body["seed"] == 3
    assert body["max_completion_tokens"] == 700 and "max_tokens" not in body


def test_the_budget_reserves_a_reasoning_models_cap() -> None:
    from throughline.providers.budget import Budget

    budget = Budget(max_tokens=10_000, max_output_tokens=700)
    budget.reserve("openai:gpt-5.6-terra", 1_000, REASONING_OUTPUT_FLOOR)  # 9,000 held
    with pytest.raises(Exception, match="over its budget"):
        budget.reserve("openai:gpt-5.6-terra", 1_000, REASONING_OUTPUT_FLOOR)


def test_the_estimate_plans_a_reasoning_models_cap() -> None:
    engine = ModelAdvisorEngine(ModelsConfig(default="openai:gpt-5.6-terra"),
                                model_factory=lambda spec: None)  # type: ignore[return-value]
    planned = engine.plan([make_request()], rounds=1)
    assert {p.output_tokens for p in planned} == {REASONING_OUTPUT_FLOOR}
