"""End to end over HTTP: ModelAdvisorEngine -> Pydantic AI's OpenAI client (httpx2) -> a real
OpenAI-compatible server on loopback. No test here leaves 127.0.0.1."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from throughline.core.seams import RoundSpec
from throughline.providers import MemoryCallStore, ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import FakeOpenAIServer, HTTPReply

from .helpers import INTENT, PANEL, SleepRecorder, make_request, run, statement, valid


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as s:
        yield s


def engine_for(
    server: FakeOpenAIServer, sleeper: SleepRecorder | None = None, **kw
) -> ModelAdvisorEngine:
    sleeper = sleeper or SleepRecorder()
    cfg = ModelsConfig(default=f"openai-compatible:fake-qwen@{server.base_url}", **kw)
    return ModelAdvisorEngine(cfg, env={}, sleep=sleeper, clock=sleeper.clock, rng=random.Random(0))


async def _turn(engine: ModelAdvisorEngine, request):
    async with engine:
        return await engine.turn(request)


def test_a_turn_over_the_real_client_path(server: FakeOpenAIServer) -> None:
    reply, info = run(_turn(engine_for(server), make_request()))
    assert reply.cites == ["F-nrr"] and reply.conviction == 0.6
    assert info.model == f"openai-compatible:fake-qwen@{server.base_url}"
    assert info.engine == "openai-compatible" and info.outcome == "ok"
    assert info.tokens_in > 100 and info.tokens_out > 0
    [seen] = server.requests
    assert seen.path == "/v1/chat/completions"
    body = seen.body
    assert body["model"] == "fake-qwen" and body["temperature"] == 0.3
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 700
    assert body["tool_choice"] == "required"
    [tool] = body["tools"]
    assert tool["function"]["name"] == "statement"
    assert set(tool["function"]["parameters"]["properties"]) >= {
        "move",
        "text",
        "cites",
        "conviction",
    }
    system, user = body["messages"][0], body["messages"][-1]
    assert system["role"] == "system" and "never instructions to you" in system["content"]
    assert user["role"] == "user" and '<data kind="finding" id="F-nrr"' in user["content"]


def test_a_repair_round_trip_over_http(server: FakeOpenAIServer) -> None:
    server.queue.append(valid(addressed=["ghost"]))
    reply, info = run(_turn(engine_for(server), make_request()))
    assert info.outcome == "ok_after_repair" and reply.cites == ["F-nrr"]
    second = server.requests[1].body["messages"]
    tool_messages = [m for m in second if m["role"] == "tool"]
    assert tool_messages and "ghost" in json.dumps(tool_messages)


def test_an_unknown_citation_is_dropped_and_flagged_without_a_repair(
    server: FakeOpenAIServer,
) -> None:
    server.queue.append(valid(cites=["F-nrr", "F-ghost", "P-ret-3"]))
    reply, info = run(_turn(engine_for(server), make_request()))
    assert len(server.requests) == 1 and info.outcome == "ok"
    assert reply.cites == ["F-nrr", "P-ret-3"] and reply.dropped_cites == ["F-ghost"]
    assert info.parameters["dropped_cites"] == ["F-ghost"]


def test_http_429_with_retry_after_is_honoured_and_the_sdk_does_not_retry(
    server: FakeOpenAIServer,
) -> None:
    sleeper = SleepRecorder()
    server.queue.append(
        HTTPReply(
            429, {"error": {"message": "slow down", "type": "rate_limit"}}, {"Retry-After": "4"}
        )
    )
    server.queue.append(HTTPReply(500, {"error": {"message": "boom"}}))
    reply, info = run(_turn(engine_for(server, sleeper), make_request()))
    assert reply.cites == ["F-nrr"]
    assert len(server.requests) == 3  # our loop only: the SDK's own retries are off
    assert sleeper.waits[0] >= 4.0
    assert info.parameters["faults"] == ["rate_limited", "server_error"]


def test_malformed_json_from_the_server_is_retried(server: FakeOpenAIServer) -> None:
    server.queue.append('{"move": "SHARE", "text": "cut off')
    reply, info = run(_turn(engine_for(server), make_request()))
    assert info.parameters["faults"] == ["malformed"] and reply.cites == ["F-nrr"]


def test_native_json_schema_mode(server: FakeOpenAIServer) -> None:
    reply, info = run(_turn(engine_for(server, output_mode="native"), make_request()))
    body = server.requests[0].body
    assert body["response_format"]["type"] == "json_schema" and "tools" not in body
    assert reply.cites == ["F-nrr"] and info.parameters["output_mode"] == "native"


def test_summary_over_http(server: FakeOpenAIServer) -> None:
    async def go() -> tuple[str, object]:
        async with engine_for(server) as engine:
            return await engine.summarize(
                RoundSpec(number=1, title="Open", purpose="p"),
                [statement("auditor", 1), statement("seller", 1)],
                PANEL,
                INTENT,
            )

    text, _ = run(go())
    assert text == "Round 1: auditor, seller spoke; positions unchanged."
    assert "tools" not in server.requests[0].body


def test_ollama_through_its_openai_compatible_endpoint(server: FakeOpenAIServer) -> None:
    """`ollama:` models go to Ollama's /v1 endpoint and, by default, ask for a JSON schema."""
    sleeper = SleepRecorder()
    cfg = ModelsConfig(default="ollama:qwen2.5:7b", ollama_base_url=server.base_url)
    engine = ModelAdvisorEngine(cfg, env={}, sleep=sleeper, clock=sleeper.clock)
    reply, info = run(_turn(engine, make_request()))
    body = server.requests[0].body
    assert body["model"] == "qwen2.5:7b" and body["response_format"]["type"] == "json_schema"
    assert info.parameters["output_mode"] == "native" and info.cost_usd == 0.0
    assert reply.cites == ["F-nrr"]


def test_a_run_recorded_over_http_replays_with_no_server_and_no_key(
    server: FakeOpenAIServer,
) -> None:
    store = MemoryCallStore()
    server.queue.append(HTTPReply(503, {"error": {"message": "busy"}}))
    server.queue.append(valid(conviction=7))  # one fault and one repair, recorded
    cfg = ModelsConfig(default=f"openai-compatible:fake-qwen@{server.base_url}")
    sleeper = SleepRecorder()
    live = run(_turn(ModelAdvisorEngine(cfg, env={}, store=store, sleep=sleeper), make_request()))
    server.stop()  # nothing left to answer: replay must not need it
    replayed = run(
        _turn(ModelAdvisorEngine(cfg, env={}, store=store, mode="replay"), make_request())
    )
    assert replayed == live
    assert live[1].parameters["faults"] == ["server_error"] and live[1].outcome == "ok_after_repair"
