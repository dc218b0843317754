"""Secrets: an API key reaches the provider and nothing else — not errors, logs, CallInfo,
the recorded calls (run log) or any dumped settings."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from throughline.core.errors import ConfigError
from throughline.providers import CallFailed, MemoryCallStore, ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import FakeOpenAIServer, HTTPReply
from throughline.providers.endpoints import resolve_endpoint
from throughline.core.model_spec import parse_model

from .helpers import SleepRecorder, make_request, run

SENTINEL = "tl-SENTINEL-4b1d9c0e7f2a"  # not key-shaped: only knowing the value can redact it


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as s:
        yield s


def scan(*texts: str) -> None:
    for text in texts:
        assert SENTINEL not in text


def engine(
    server: FakeOpenAIServer, store: MemoryCallStore, *, provider: str
) -> ModelAdvisorEngine:
    sleeper = SleepRecorder()
    if provider == "openai-compatible":
        cfg = ModelsConfig(default=f"openai-compatible:m@{server.base_url}", max_attempts=2)
        env = {"THROUGHLINE_OPENAI_COMPATIBLE_API_KEY": SENTINEL}
    else:  # OpenAI through a proxy URL, key from config
        cfg = ModelsConfig(
            default="openai:gpt-4o-mini",
            openai_base_url=server.base_url,
            openai_api_key=SecretStr(SENTINEL),
            max_attempts=2,
        )
        env = {}
    return ModelAdvisorEngine(
        cfg, env=env, store=store, sleep=sleeper, clock=sleeper.clock, rng=random.Random(0)
    )


@pytest.mark.parametrize("provider", ["openai-compatible", "openai"])
def test_the_key_goes_to_the_provider_and_nowhere_else(
    server: FakeOpenAIServer,
    caplog: pytest.LogCaptureFixture,
    provider: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's and the HTTP client's included
    store = MemoryCallStore()
    eng = engine(server, store, provider=provider)

    # make every error body echo the key the server was sent
    def echo_key(status: int) -> HTTPReply:
        return HTTPReply(status, {"error": {"message": f"bad key {SENTINEL}", "type": "x"}})

    async def go() -> list[str]:
        outputs: list[str] = []
        async with eng:
            reply, info = await eng.turn(make_request())
            outputs += [reply.model_dump_json(), info.model_dump_json()]
            server.queue.extend([echo_key(500), echo_key(503)])
            with pytest.raises(CallFailed) as failed:
                await eng.turn(make_request(question="Second question?"))
            outputs += [str(failed.value), repr(failed.value), failed.value.call.model_dump_json()]
            server.queue.append(echo_key(401))
            with pytest.raises(ConfigError) as rejected:
                await eng.turn(make_request(question="Third question?"))
            outputs += [str(rejected.value), repr(rejected.value)]
        return outputs

    outputs = run(go())
    assert {r.name.split(".")[0] for r in caplog.records} >= {"throughline", "openai", "httpx2"}
    # the key was really used...
    assert server.requests[0].headers["authorization"] == f"Bearer {SENTINEL}"
    # ...and appears nowhere we write
    scan(*outputs)
    assert "[REDACTED]" in outputs[2]  # the echoed key was scrubbed, not just absent
    scan(caplog.text, *(r.getMessage() for r in caplog.records))
    rows = [
        json.dumps([c.request_json, c.reply_json, c.error, c.info.model_dump_json()])
        for c in store.log
    ]
    scan(*rows)
    assert any(c.error and "[REDACTED]" in c.error for c in store.log)  # failed attempts logged
    scan(repr(eng), repr(eng.config), eng.config.model_dump_json(), str(eng.config.model_dump()))
    assert store.calls  # the run log did get the call


def test_missing_key_error_names_the_variable_but_no_value() -> None:
    with pytest.raises(ConfigError) as err:
        resolve_endpoint(
            parse_model("openai:gpt-4o"), ModelsConfig(), env={"ANTHROPIC_API_KEY": SENTINEL}
        )
    assert "OPENAI_API_KEY" in str(err.value)
    scan(str(err.value))


def test_settings_dump_masks_keys() -> None:
    cfg = ModelsConfig(anthropic_api_key=SecretStr(SENTINEL))
    scan(repr(cfg), cfg.model_dump_json(), json.dumps(cfg.model_dump(mode="json")))
    assert "**********" in cfg.model_dump_json()
