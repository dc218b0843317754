"""Faults: timeouts, 429 (Retry-After honoured), 5xx and malformed output are retried with
backoff (injected sleep, seeded jitter); a call that keeps failing is a CallFailed with its
CallInfo, so the pipeline shows the advisor as failed."""

from __future__ import annotations

import asyncio
import random

import pytest
from pydantic_ai.exceptions import (
    ModelHTTPError,
    ModelRateLimitError,
    ModelServerError,
    ModelTimeoutError,
)

from throughline.core.errors import ConfigError, ModelError
from throughline.providers import CallFailed, ModelAdvisorEngine
from throughline.providers.fakes import FakeAdvisor, FaultInjectingModel, ScriptedModel
from throughline.providers.faults import Fault, RetryPolicy, classify

from .helpers import (
    PANEL,
    SleepRecorder,
    config,
    engine_with,
    make_request,
    run,
    scripted,
    statement,
    valid,
)


def http(status: int, category: type | None, **headers: str) -> ModelHTTPError:
    return ModelHTTPError.for_category(
        category, status_code=status, model_name="m", body={"error": "x"}, headers=headers
    )


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (ModelTimeoutError("m", "timed out", phase="read"), "timeout"),
        (http(429, ModelRateLimitError), "rate_limited"),
        (http(500, ModelServerError), "server_error"),
        (http(503, None), "server_error"),
        ('{"move": "SHARE", "text": "trunc', "malformed"),
    ],
)
def test_each_fault_is_retried(fault: object, kind: str, sleeper: SleepRecorder) -> None:
    model = scripted(fault, valid())
    reply, info = run(engine_with(model, sleeper=sleeper).turn(make_request()))
    assert reply.cites == ["F-nrr"]
    assert info.outcome == "ok"  # a retried fault is not a repair
    assert info.parameters["faults"] == [kind] and info.parameters["attempts"] == 2
    assert info.parameters["repairs"] == 0
    assert len(sleeper.waits) == 1 and 0.75 <= sleeper.waits[0] <= 1.25  # base 1s ± 25% jitter
    assert len(model.seen) == 2


def test_429_waits_at_least_retry_after(sleeper: SleepRecorder) -> None:
    model = scripted(
        http(429, ModelRateLimitError, **{"retry-after": "7"}),
        http(429, ModelRateLimitError, **{"retry-after-ms": "2500"}),
        valid(),
    )
    _, info = run(engine_with(model, sleeper=sleeper).turn(make_request()))
    assert sleeper.waits[0] == 7.0
    assert sleeper.waits[1] == 2.5  # the second backoff (2s ± 25%) is below what was asked
    assert info.parameters["faults"] == ["rate_limited", "rate_limited"]
    assert info.latency_s == pytest.approx(9.5)  # waits count as latency (fake clock)


def test_retry_after_beyond_the_cap_fails_at_once(sleeper: SleepRecorder) -> None:
    model = scripted(http(429, ModelRateLimitError, **{"retry-after": "3600"}), valid())
    with pytest.raises(CallFailed, match="asked to wait 3600s"):
        run(engine_with(model, sleeper=sleeper).turn(make_request()))
    assert sleeper.waits == []


def test_backoff_grows_exponentially_and_attempts_are_bounded(sleeper: SleepRecorder) -> None:
    model = scripted(*[http(500, ModelServerError)] * 10)
    engine = engine_with(model, sleeper=sleeper, cfg=config(max_attempts=4, backoff_base_s=1.0))
    with pytest.raises(CallFailed) as err:
        run(engine.turn(make_request()))
    assert len(model.seen) == 4 and len(sleeper.waits) == 3
    for wait, nominal in zip(sleeper.waits, (1, 2, 4), strict=True):
        assert 0.75 * nominal <= wait <= 1.25 * nominal
    failure = err.value
    assert isinstance(failure, ModelError)
    assert failure.call.outcome == "failed:server_error"
    assert failure.call.parameters["attempts"] == 4
    assert "server_error after 4 attempt(s)" in str(failure)


def test_jitter_is_seeded() -> None:
    policy = RetryPolicy.of()
    fault = Fault("server_error", "x")
    a = [policy.delay(n, fault, random.Random(3)) for n in (1, 2, 3)]
    b = [policy.delay(n, fault, random.Random(3)) for n in (1, 2, 3)]
    assert a == b and policy.delay(4, fault, random.Random(3)) is None


def test_a_hung_call_is_cut_by_the_timeout() -> None:
    slow = FaultInjectingModel(scripted(valid()), rate=1.0, kinds=["timeout"], hang=True)
    sleeper = SleepRecorder()
    engine = engine_with(slow, sleeper=sleeper, cfg=config(timeout_s=0.05, max_attempts=2))
    with pytest.raises(CallFailed) as err:
        run(engine.turn(make_request()))
    assert err.value.call.parameters["faults"] == ["timeout", "timeout"]


def test_rejected_key_is_a_config_error_naming_the_variable(sleeper: SleepRecorder) -> None:
    from pydantic_ai.exceptions import ModelAuthenticationError

    model = scripted(http(401, ModelAuthenticationError), valid())
    with pytest.raises(ConfigError, match="check OPENAI_API_KEY"):
        run(engine_with(model, sleeper=sleeper).turn(make_request()))
    assert sleeper.waits == []  # not retried


def test_a_400_is_final_and_not_retried(sleeper: SleepRecorder) -> None:
    model = scripted(http(400, None), valid())
    with pytest.raises(CallFailed, match="request rejected"):
        run(engine_with(model, sleeper=sleeper).turn(make_request()))
    assert len(model.seen) == 1


def test_unknown_exceptions_are_not_swallowed() -> None:
    assert classify(KeyError("x")) is None
    model = scripted(KeyError("bug in a fake"))
    with pytest.raises(KeyError):
        run(engine_with(model).turn(make_request()))


def test_fault_injection_at_30_percent_every_turn_completes_or_is_marked_failed() -> None:
    """Six advisors, five rounds, a summary per round; 30% of requests hit a fault."""
    inner = ScriptedModel(responder=FakeAdvisor())
    faulty = FaultInjectingModel(inner, rate=0.3, seed=11, retry_after=3.0)
    sleeper = SleepRecorder()
    engine = ModelAdvisorEngine(
        config(max_attempts=3),
        model_factory=lambda s: faulty,
        sleep=sleeper,
        clock=sleeper.clock,
        rng=random.Random(1),
    )
    panel = PANEL + [a.model_copy(update={"id": a.id + "2", "name": a.name + " II"}) for a in PANEL]

    async def debate() -> tuple[list[str], list[str]]:
        outcomes: list[str] = []
        failures: list[str] = []
        visible: list = []
        for number in range(1, 6):
            requests = [
                make_request(number, a, visible=visible, conviction=None if number == 1 else 0.6)
                for a in panel
            ]
            results = await asyncio.gather(
                *(engine.turn(r) for r in requests), return_exceptions=True
            )
            visible = []
            for request, result in zip(requests, results, strict=True):
                if isinstance(result, CallFailed):
                    failures.append(f"r{number}.{request.advisor.id}")
                    assert result.call.outcome.startswith("failed:")
                    continue
                assert not isinstance(result, BaseException), result
                reply, info = result
                outcomes.append(info.outcome)
                visible.append(statement(request.advisor.id, number, text=reply.text))
        return outcomes, failures

    outcomes, failures = run(debate())
    assert len(outcomes) + len(failures) == 30  # nothing silently dropped
    injected = [k for k in faulty.injected if k]
    assert 0.2 <= len(injected) / len(faulty.injected) <= 0.4
    assert set(injected) == {"timeout", "rate_limited", "server_error", "malformed"}
    assert 3.0 in sleeper.waits or any(w >= 3.0 for w in sleeper.waits)  # Retry-After honoured
    assert len(outcomes) >= 27
