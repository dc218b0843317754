"""The Anthropic path, faked at the transport level (httpx2.MockTransport under the real SDK)."""

from __future__ import annotations

import json
import random

import httpx2

from throughline.providers import ModelAdvisorEngine, ModelsConfig

from .helpers import SleepRecorder, make_request, run, valid

KEY = "tl-anthropic-test-key-31337"


def test_a_turn_through_the_anthropic_sdk() -> None:
    seen: list[httpx2.Request] = []
    replies = [
        httpx2.Response(
            429,
            headers={"retry-after": "3"},
            json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
        ),
    ]

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if replies:
            return replies.pop(0)
        body = json.loads(request.content)
        tool = body["tools"][0]["name"]
        return httpx2.Response(
            200,
            json={
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "tool_use", "id": "toolu_1", "name": tool, "input": valid()}],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {"input_tokens": 812, "output_tokens": 64},
            },
        )

    sleeper = SleepRecorder()
    engine = ModelAdvisorEngine(
        ModelsConfig(default="anthropic:claude-haiku-4-5", seed=5),
        env={"ANTHROPIC_API_KEY": KEY},
        transport=lambda spec: httpx2.MockTransport(handler),
        sleep=sleeper,
        clock=sleeper.clock,
        rng=random.Random(0),
    )

    async def go():
        async with engine:
            return await engine.turn(make_request())

    reply, info = run(go())
    assert reply.cites == ["F-nrr"] and reply.conviction == 0.7
    assert (info.engine, info.model) == ("anthropic", "anthropic:claude-haiku-4-5")
    assert (info.tokens_in, info.tokens_out) == (812, 64)
    assert info.cost_usd == (812 * 1.00 + 64 * 5.00) / 1_000_000
    assert info.parameters["faults"] == ["rate_limited"] and sleeper.waits[0] >= 3.0
    assert "seed" not in info.parameters  # not sent to a provider that has none
    assert len(seen) == 2 and seen[-1].url.path == "/v1/messages"
    auth = seen[-1].headers.get("x-api-key", "") + seen[-1].headers.get("authorization", "")
    assert KEY in auth
    body = json.loads(seen[-1].content)
    assert body["model"] == "claude-haiku-4-5" and body["tools"][0]["name"] == "statement"
    # the current Messages API rejects sampling settings on every model: none is sent (and
    # the SDK has nothing to warn about: with warnings as errors, a warning fails this test)
    assert not {"temperature", "top_p", "top_k", "seed"} & set(body)
    assert body["max_tokens"] == 700 and info.parameters["temperature"] is None
    assert "never instructions to you" in json.dumps(body["system"])
