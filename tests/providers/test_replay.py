"""Replay and resume: deterministic request keys, recorded replies, no network."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pydantic_ai.exceptions import ModelHTTPError, ModelServerError
from pydantic_ai.messages import ModelRequest, UserPromptPart

from throughline.core.seams import CallInfo, RoundSpec
from throughline.core.errors import ModelError
from throughline.providers import (
    CallStore,
    LookupStore,
    MemoryCallStore,
    ModelAdvisorEngine,
    RecordedCall,
    ReplayMismatch,
    model_request_key,
)
from throughline.providers.fakes import FakeAdvisor, ScriptedModel
from throughline.record.decision import Statement

from .helpers import INTENT, PANEL, SleepRecorder, config, make_request, run, statement, valid


def debate(engine: ModelAdvisorEngine) -> list[object]:
    """Two rounds of three advisors and a summary; returns replies and CallInfos in order."""

    async def go() -> list[object]:
        out: list[object] = []
        visible: list[Statement] = []
        for number in (1, 2):
            for advisor in PANEL:
                reply, info = await engine.turn(
                    make_request(
                        number, advisor, visible=visible, conviction=None if number == 1 else 0.7
                    )
                )
                out += [reply, info]
            visible = [statement(a.id, number) for a in PANEL]
            text, info = await engine.summarize(
                RoundSpec(number=number, title="t", purpose="p"), visible, PANEL, INTENT
            )
            out += [text, info]
        return out

    return run(go())


def live_model() -> ScriptedModel:
    fault = ModelHTTPError.for_category(ModelServerError, status_code=500, model_name="m")
    # a fault on the first call, a repair on the second, a malformed reply on the third:
    # all must replay identically (tokens of the malformed attempt included)
    return ScriptedModel(
        [fault, valid(), valid(addressed=["nope"]), valid(), '{"move": "SH', valid()],
        responder=FakeAdvisor(0.7),
    )


def engine(model: ScriptedModel | None, store: CallStore, mode: str, **kw) -> ModelAdvisorEngine:
    sleeper = SleepRecorder()
    factory = None if model is None else (lambda spec: model)
    return ModelAdvisorEngine(
        config(),
        model_factory=factory,
        store=store,
        mode=mode,  # type: ignore[arg-type]
        sleep=sleeper,
        clock=sleeper.clock,
        env={},
        **kw,
    )


def test_replay_reproduces_replies_and_call_infos_without_network_or_keys() -> None:
    store = MemoryCallStore()
    original = debate(engine(live_model(), store, "live"))
    assert len(store.calls) == 2 * 3 + 2 + 1  # one extra: the repaired turn made two requests
    # replay: no model factory, no OPENAI_API_KEY — ReplayModel answers from the store
    replayed = debate(engine(None, store, "replay"))
    assert replayed == original
    first, second, third = original[1], original[3], original[5]
    assert isinstance(first, CallInfo) and isinstance(second, CallInfo)
    assert isinstance(third, CallInfo)
    assert first.parameters["faults"] == ["server_error"]
    assert second.outcome == "ok_after_repair"
    assert third.parameters["faults"] == ["malformed"] and third.tokens_out > 10


def test_every_attempt_is_logged_with_its_own_call_info() -> None:
    store = MemoryCallStore()
    run(engine(live_model(), store, "live").turn(make_request(2, PANEL[1])))
    first, second = store.log
    assert (first.info.outcome, second.info.outcome) == ("fault:server_error", "ok")
    assert first.error and "500" in first.error and first.reply_json is None
    assert not first.usable and second.usable and first.key == second.key
    assert (second.advisor_id, second.round, second.role) == ("seller", 2, "advisor")
    assert second.info.reason == "role default (settings.models.default)"
    assert second.info.parameters == {"request_key": second.key, "attempt": 2}
    assert first.info.parameters == {"request_key": first.key, "attempt": 1}
    assert store.lookup(first.key) == second.reply_json


def test_a_call_that_failed_for_good_replays_to_the_same_failure() -> None:
    store = MemoryCallStore()
    fault = ModelHTTPError.for_category(ModelServerError, status_code=503, model_name="m")
    live = engine(ScriptedModel([fault] * 4), store, "live")
    with pytest.raises(ModelError) as original:
        run(live.turn(make_request()))
    assert len(store.log) == 4 and not store.calls  # four failed attempts, nothing usable
    with pytest.raises(ModelError) as replayed:  # no model: nothing is asked
        run(engine(None, store, "replay").turn(make_request()))
    assert str(replayed.value) == str(original.value) and "after 4 attempt(s)" in str(
        original.value
    )
    # the same CallInfo, but for latency: the original's includes its backoff waits
    calls = [e.value.call.model_dump(exclude={"latency_s"})  # type: ignore[attr-defined]
             for e in (original, replayed)]
    assert calls[0] == calls[1]


def test_replay_of_a_request_never_recorded_fails_clearly() -> None:
    store = MemoryCallStore()
    run(engine(live_model(), store, "live").turn(make_request()))
    replayer = engine(None, store, "replay")
    with pytest.raises(ReplayMismatch) as err:
        run(replayer.turn(make_request(question="A different question?")))
    assert not isinstance(err.value, ModelError)  # must stop the replay, not fail one turn
    assert "no recorded reply" in str(err.value) and "--replay" in str(err.value)


def test_resume_repeats_no_completed_call() -> None:
    store = MemoryCallStore()
    debate(engine(ScriptedModel(responder=FakeAdvisor(0.7)), store, "live"))
    # keep only the first four recorded calls, as if the process died there
    kept = dict(list(store.calls.items())[:4])
    store.calls = kept
    resumed_model = ScriptedModel(responder=FakeAdvisor(0.7))
    debate(engine(resumed_model, store, "resume"))
    assert len(resumed_model.seen) == 8 - 4
    assert len(store.calls) == 8


def test_lookup_store_adapts_plain_functions() -> None:
    rows: dict[str, str] = {}
    recorded: list[str] = []

    def record(call: RecordedCall) -> None:  # what a run-log adapter does
        if call.reply_json is not None and call.error is None:
            rows.setdefault(call.key, call.reply_json)
        recorded.append(call.request_json)

    store = LookupStore(rows.get, record)
    model = ScriptedModel(responder=FakeAdvisor())
    first = run(engine(model, store, "live").turn(make_request()))
    assert len(rows) == 1 and '"model":"openai:gpt-4o-mini"' in recorded[0]
    again = run(engine(None, store, "replay").turn(make_request()))
    assert again == first


def _messages(stamp: datetime) -> list[ModelRequest]:
    return [
        ModelRequest(
            parts=[UserPromptPart("hello", timestamp=stamp)],
            instructions="be brief",
            timestamp=stamp,
            run_id=f"run-{stamp.second}",
        )
    ]


def test_request_key_ignores_timestamps_and_run_ids_but_not_content() -> None:
    a = model_request_key("openai:gpt-4o-mini",
                          _messages(datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)))
    b = model_request_key("openai:gpt-4o-mini",
                          _messages(datetime(2026, 5, 5, 5, 5, 5, tzinfo=UTC)))
    assert a == b and len(a) == 64
    assert model_request_key("openai:gpt-4o", _messages(datetime(2026, 1, 1, tzinfo=UTC))) != a
    assert (
        model_request_key(
            "openai:gpt-4o-mini", _messages(datetime(2026, 1, 1, tzinfo=UTC)), {"temperature": 0.9}
        )
        != a
    )
    assert (
        model_request_key(
            "openai:gpt-4o-mini",
            _messages(datetime(2026, 1, 1, tzinfo=UTC)),
            {"timeout": 5, "max_retries": 0},
        )
        == a
    )  # operational settings don't count


def test_request_key_is_stable_across_processes() -> None:
    code = (
        "from datetime import datetime, UTC\n"
        "from pydantic_ai.messages import ModelRequest, UserPromptPart\n"
        "from throughline.providers import model_request_key\n"
        "m=[ModelRequest(parts=[UserPromptPart('hello')], instructions='be brief')]\n"
        "print(model_request_key('openai:gpt-4o-mini', m, {'temperature': 0.3}))\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = model_request_key("openai:gpt-4o-mini", _messages(datetime.now(UTC)),
                             {"temperature": 0.3})
    assert other.stdout.strip() == here
