"""What real servers do that the happy path does not: a 200 with a broken body, servers
without native structured output (Ollama's cloud models, older vLLM), faults at a rate.
All against the loopback server; backoff sleeps are injected (no real waiting)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from throughline.providers import ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import FakeOpenAIServer, HTTPReply, ServerFaults
from throughline.providers.faults.retry import classify

from .helpers import INTENT, PANEL, SleepRecorder, make_request, run, statement


def engine_for(model: str, sleeper: SleepRecorder | None = None, **kw: Any
               ) -> ModelAdvisorEngine:
    sleeper = sleeper or SleepRecorder()
    return ModelAdvisorEngine(ModelsConfig(default=model, **kw), env={}, sleep=sleeper,
                              clock=sleeper.clock, rng=random.Random(0))


async def _turns(engine: ModelAdvisorEngine, n: int = 1) -> list[Any]:
    async with engine:
        return [await engine.turn(make_request(advisor=PANEL[i % 3])) for i in range(n)]


def test_a_200_with_a_truncated_json_body_is_retried() -> None:
    with FakeOpenAIServer() as server:
        server.queue.append(HTTPReply(200, '{"id": "chatcmpl-1", "object": "chat.comp'))
        sleeper = SleepRecorder()
        [(reply, info)] = run(_turns(engine_for(
            f"openai-compatible:fake@{server.base_url}", sleeper)))
    assert info.outcome == "ok" and info.parameters["faults"] == ["malformed"]
    assert info.parameters["attempts"] == 2 and len(sleeper.waits) == 1
    assert reply.cites == ["F-nrr"]


def test_an_undecodable_body_is_classed_malformed_not_rejected() -> None:
    from pydantic_ai.exceptions import ModelAPIError

    try:
        json.loads('{"id": "x", "cho')
    except ValueError as decode_error:
        exc = ModelAPIError("m", f"Failed to decode response as JSON: {decode_error}")
        exc.__cause__ = decode_error
    fault = classify(exc)
    assert fault is not None and fault.kind == "malformed" and fault.retryable


def test_ollama_cloud_models_ask_for_a_tool_call() -> None:
    with FakeOpenAIServer() as server:
        for name in ("gpt-oss:120b-cloud", "glm-4.6:cloud"):
            engine = engine_for(f"ollama:{name}", ollama_base_url=server.base_url)
            assert engine.output_mode(engine.select("advisor").spec) == "tool"
            [(reply, info)] = run(_turns(engine))
            assert info.outcome == "ok" and reply.cites == ["F-nrr"]
        assert all("tools" in q.body and "response_format" not in q.body
                   for q in server.requests)


def test_prose_instead_of_json_falls_back_to_tool_output_for_the_run() -> None:
    # a server that takes response_format and ignores it (as Ollama's cloud models do)
    with FakeOpenAIServer(ignore_schema=True) as server:
        engine = engine_for("ollama:qwen2.5:7b", ollama_base_url=server.base_url)
        assert engine.output_mode(engine.select("advisor").spec) == "native"  # Ollama's default
        (r1, i1), (r2, i2) = run(_turns(engine, 2))
        modes = [("tools" in q.body, "response_format" in q.body) for q in server.requests]
    assert i1.outcome == "ok" and r1.cites == ["F-nrr"] and i1.parameters["repairs"] == 0
    assert i1.parameters["output_fallback"] == ["native->tool"]
    assert i1.parameters["output_mode"] == "tool"
    assert i1.parameters["faults"] == ["unsupported_output"]
    # the refusal is learnt once: the second turn asks with a tool call straight away
    assert "output_fallback" not in i2.parameters and i2.parameters["output_mode"] == "tool"
    assert modes == [(False, True), (True, False), (True, False)] and r2.cites == ["F-nrr"]


def test_a_server_refusing_json_schema_then_tools_ends_on_prompted_output() -> None:
    with FakeOpenAIServer(refuse={"json_schema", "tools"}) as server:
        engine = engine_for(f"openai-compatible:old-vllm@{server.base_url}",
                            output_mode="auto")
        engine._output_modes.fallen_back.clear()
        [(reply, info)] = run(_turns(engine))
        bodies = [q.body for q in server.requests]
    # tool first (the default for OpenAI-compatible servers), refused; then prompted JSON
    assert info.parameters["output_fallback"] == ["tool->prompted"]
    assert info.parameters["output_mode"] == "prompted" and reply.cites == ["F-nrr"]
    assert "tools" in bodies[0] and "tools" not in bodies[1]
    assert bodies[1].get("response_format", {}).get("type") != "json_schema"
    assert "respond with a JSON object" in json.dumps(bodies[1]["messages"])


def test_a_mode_set_by_the_user_is_not_second_guessed() -> None:
    from throughline.providers import CallFailed

    with FakeOpenAIServer(refuse={"tools"}) as server:
        engine = engine_for(f"openai-compatible:old-vllm@{server.base_url}",
                            output_mode="tool")
        with pytest.raises(CallFailed, match="tool-call-parser"):
            run(_turns(engine))
        assert len(server.requests) == 1  # refused for good: not retried, no fallback


def test_the_summary_is_plain_text_whatever_the_fallback() -> None:
    from throughline.core.seams import RoundSpec

    with FakeOpenAIServer(refuse={"tools"}) as server:
        engine = engine_for(f"openai-compatible:old-vllm@{server.base_url}")

        async def go():  # type: ignore[no-untyped-def]
            async with engine:
                await engine.turn(make_request())
                return await engine.summarize(RoundSpec(number=1, title="t", purpose="p"),
                                              [statement(a.id, 1) for a in PANEL], PANEL,
                                              INTENT)

        text, info = run(go())
    assert text.startswith("Round 1:") and info.parameters["output_mode"] == "text"


@pytest.mark.parametrize("kind", ["rate_limited", "server_error", "timeout", "truncated"])
def test_each_server_fault_is_retried(kind: str) -> None:
    faults = ServerFaults(rate=1.0, kinds=(kind,), max_in_a_row=1, hang_s=2.0)
    with FakeOpenAIServer(faults=faults) as server:
        sleeper = SleepRecorder()
        [(reply, info)] = run(_turns(engine_for(
            f"openai-compatible:fake@{server.base_url}", sleeper, timeout_s=0.3)))
    expected = {"truncated": "malformed"}.get(kind, kind)
    assert info.parameters["faults"] == [expected] and info.outcome == "ok"
    assert faults.injected == [kind, None] and reply.cites == ["F-nrr"]
    if kind == "rate_limited":
        assert sleeper.waits[0] >= faults.retry_after


def test_server_faults_are_the_same_whatever_the_order() -> None:
    a, b = ServerFaults(rate=0.5, seed=4), ServerFaults(rate=0.5, seed=4)
    bodies = [{"n": i} for i in range(40)]
    first = {json.dumps(x): a.draw(x) for x in bodies}
    second = {json.dumps(x): b.draw(x) for x in reversed(bodies)}
    assert first == second and 10 < sum(v is not None for v in first.values()) < 30
