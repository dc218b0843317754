"""The RunLog API: runs, frames, stages, statements, claims, forecasts, calls, records."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.record.fixture import (
    SMALL_QUESTION,
    make_small_claims,
    make_small_forecasts,
    make_small_intent,
    make_small_record,
    make_small_statements,
)
from throughline.core.seams import CallInfo, RoundSpec, TurnReply, TurnRequest
from throughline.core.errors import StoreError, UsageError
from throughline.record.decision import Advisor, Move
from throughline.runlog import RunLog, new_run_id, request_key
from throughline.core.settings import load_settings

AUDITOR = Advisor(id="auditor", name="The Auditor", role="Fact-checker", lens="numbers",
                  background="Audit")


def _turn_request(run_id: str, round_: int = 1) -> TurnRequest:
    return TurnRequest(run_id=run_id, round=RoundSpec(number=round_, title="Opening",
                                                      purpose="blind", blind=True),
                       advisor=AUDITOR, peers=[], intent=make_small_intent(),
                       binding="post_sale", runner_up=None, evidence=[])


def test_run_ids_sort_by_time_and_are_unique() -> None:
    early = new_run_id(datetime(2025, 1, 1, 8, 0, tzinfo=UTC))
    late = new_run_id(datetime(2025, 1, 1, 9, 0, tzinfo=UTC))
    assert re.fullmatch(r"20250101-080000-[0-9a-f]{6}", early)
    assert early < late
    assert len({new_run_id() for _ in range(200)}) == 200


def test_record_round_trips_byte_for_byte(runlog: RunLog) -> None:
    run_id = runlog.create_run(SMALL_QUESTION, engine="offline",
                               settings=load_settings("/tmp/w"))
    record = make_small_record(run_id)
    digest = runlog.finish_run(run_id, record)
    stored = runlog.get_record(run_id)
    assert stored == record
    assert stored.model_dump_json() == record.model_dump_json()
    assert runlog.record_json(run_id) == record.model_dump_json()
    assert digest == hashlib.sha256(record.model_dump_json().encode()).hexdigest()
    detail = runlog.get_run(run_id)
    assert detail.status == "finished" and detail.record_sha256 == digest
    assert detail.binding == "post_sale" and detail.verdict == "Fix onboarding first; hire in Q4."
    assert detail.verdict_text == record.verdict


def test_finish_run_writes_the_records_rows_and_marks_partial(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    runlog.finish_run(run_id, make_small_record(run_id, partial=True))
    detail = runlog.get_run(run_id)
    assert detail.status == "partial"
    assert (detail.statements, detail.failed_statements, detail.rounds) == (4, 1, 2)
    assert detail.claims.model_dump() == {"verified": 1, "unsupported": 1, "contradicted": 1}
    assert detail.forecasts == 1
    assert [s.name for s in detail.stages] == ["record"]
    assert runlog.stage_output(run_id, "record")["record_sha256"] == detail.record_sha256


def test_finish_run_refuses_another_runs_record(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    with pytest.raises(UsageError, match="belongs to run 'other'"):
        runlog.finish_run(run_id, make_small_record("other"))


def test_a_replay_may_store_the_original_runs_record(runlog: RunLog) -> None:
    original = runlog.create_run("q", engine="model")
    runlog.finish_run(original, make_small_record(original))
    replay = runlog.create_run("q", engine="model", replay_of=original[:12])
    runlog.finish_run(replay, make_small_record(original))
    assert runlog.get_run(replay).replay_of == original
    assert runlog.record_json(replay) == runlog.record_json(original)


def test_tampered_record_is_detected(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    runlog.finish_run(run_id, make_small_record(run_id))
    runlog._conn.execute("UPDATE runs SET record = replace(record, 'Fix', 'Skip')")
    with pytest.raises(StoreError, match="does not match its sha256"):
        runlog.get_record(run_id)


def test_a_run_without_record_cannot_be_exported(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    with pytest.raises(UsageError, match=r"has no decision record \(status: running\)"):
        runlog.get_record(run_id)
    runlog.fail_run(run_id, "the store is empty")
    detail = runlog.get_run(run_id)
    assert detail.status == "failed" and detail.error == "the store is empty"
    assert detail.finished_at is not None
    runlog.reopen_run(run_id)
    assert runlog.get_run(run_id).status == "running"


def test_statements_claims_forecasts_read_back(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    statements = make_small_statements()
    runlog.save_statement(run_id, statements[0])
    runlog.save_statements(run_id, statements)  # saving again replaces, never duplicates
    assert runlog.statements(run_id) == statements
    runlog.save_claims(run_id, make_small_claims())
    assert runlog.claims(run_id) == make_small_claims()
    runlog.save_forecasts(run_id, make_small_forecasts())
    [stored] = runlog.forecasts(run_id)
    assert stored.model_dump(exclude={"run_id", "resolved_at", "outcome"}) == (
        make_small_forecasts()[0].model_dump())
    assert stored.resolved_at is None and stored.outcome is None


def test_forecast_resolution_survives_a_resave(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    runlog.save_forecasts(run_id, make_small_forecasts())
    when = datetime(2026, 1, 2, tzinfo=UTC)
    runlog.resolve_forecast(run_id, "fc1", True, when)
    runlog.save_forecasts(run_id, make_small_forecasts())
    [stored] = runlog.forecasts(unresolved=False)
    assert stored.outcome is True and stored.resolved_at == when
    assert runlog.forecasts(unresolved=True) == []
    with pytest.raises(UsageError, match="no forecast 'nope'"):
        runlog.resolve_forecast(run_id, "nope", False)


def test_frame_and_stages_with_durations(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    runlog.save_frame(run_id, make_small_intent())
    assert runlog.get_frame(run_id) == make_small_intent()
    for name in ("frame", "gather"):
        runlog.stage_started(run_id, name)
        runlog.stage_finished(run_id, name, {"name": name, "advisors": [AUDITOR]})
    runlog.stage_started(run_id, "cast")
    stages = runlog.stages(run_id)
    assert [(s.name, s.status, s.duration_s) for s in stages] == [
        ("frame", "finished", 1.5), ("gather", "finished", 1.5), ("cast", "running", None)]
    assert runlog.stage_output(run_id, "gather")["advisors"][0]["id"] == "auditor"
    assert runlog.stage_output(run_id, "cast") is None  # not finished: a resume redoes it
    runlog.stage_started(run_id, "cast")  # resumed after a crash
    runlog.stage_failed(run_id, "cast", "no advisors")
    cast = runlog.stages(run_id)[2]
    assert (cast.status, cast.attempts, cast.error) == ("failed", 2, "no advisors")
    assert runlog.get_run(run_id).intent == make_small_intent()


def test_calls_are_logged_and_found_by_request_key(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="model")
    request = _turn_request(run_id)
    reply = TurnReply(move=Move.SHARE, text="NRR is 91.3% [f.nrr].", cites=["f.nrr"],
                      conviction=0.7)
    info = CallInfo(role="advisor", engine="openai", model="gpt-4o-mini",
                    reason="advisors run on the default model",
                    parameters={"temperature": 0.2, "max_tokens": 800}, tokens_in=1200,
                    tokens_out=150, latency_s=1.25, cost_usd=0.0004)
    failed = info.model_copy(update={"outcome": "failed", "tokens_out": 0})
    first = runlog.log_call(run_id, failed, request, None, stage="debate",
                            advisor_id="auditor", round=1, error="HTTP 503")
    second = runlog.log_call(run_id, info.model_copy(update={"outcome": "retried"}), request,
                             reply, stage="debate", advisor_id="auditor", round=1)
    assert (first, second) == (1, 2)

    found = runlog.find_call(run_id, request_key(request))
    assert found is not None and found.seq == 2 and found.usable
    assert TurnReply.model_validate(found.reply) == reply
    assert TurnRequest.model_validate(found.request) == request
    assert found.parameters == {"temperature": 0.2, "max_tokens": 800}
    assert (found.role, found.advisor_id, found.round, found.stage) == (
        "advisor", "auditor", 1, "debate")
    assert runlog.find_call(run_id, request_key(_turn_request(run_id, 2))) is None

    calls = runlog.calls(run_id)
    assert [c.outcome for c in calls] == ["failed", "retried"] and not calls[0].usable
    summary = runlog.calls_summary(run_id)
    # one request sent twice: one call, two attempts
    assert (summary.calls, summary.attempts, summary.failed, summary.tokens_in) == (1, 2, 1, 2400)
    assert summary.outcomes == {"failed": 1, "retried": 1}
    assert summary.by_model[0].reason == "advisors run on the default model"


def test_request_key_ignores_the_run_id_so_a_replay_finds_the_original(
        runlog: RunLog) -> None:
    original = runlog.create_run("q", engine="model")
    reply = {"move": "SHARE", "text": "ok", "conviction": 0.5}
    runlog.log_call(original, CallInfo(role="advisor", engine="fake", model="m", reason="r"),
                    _turn_request(original), reply)
    replay = runlog.create_run("q", engine="model", replay_of=original)
    key = request_key(_turn_request(replay))
    assert key == request_key(_turn_request(original))
    assert runlog.find_call(replay, key) is None
    found = runlog.find_call(original, key)
    assert found is not None and found.reply == reply


def test_a_caller_may_bring_its_own_request_key(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="model")
    info = CallInfo(role="advisor", engine="openai", model="gpt-4o-mini", reason="r")
    runlog.log_call(run_id, info, {"messages": []}, {"parts": []}, key="k" * 64)
    found = runlog.find_call(run_id, "k" * 64)
    assert found is not None and found.reply == {"parts": []}
    assert runlog.find_call(run_id, request_key({"messages": []})) is None


def test_request_key_is_canonical() -> None:
    assert request_key({"b": 1, "a": [1, "é"]}) == request_key({"a": [1, "é"], "b": 1})
    assert request_key({"a": 1}) != request_key({"a": 2})
    assert request_key({"a": 1, "run_id": "x"}) == request_key({"a": 1, "run_id": "y"})


def test_list_runs_newest_first_with_counts(runlog: RunLog) -> None:
    ids = [runlog.create_run(f"question {i}", engine="offline") for i in range(3)]
    runlog.finish_run(ids[1], make_small_record(ids[1]))
    runlog.log_call(ids[1], CallInfo(role="advisor", engine="offline", model="offline",
                                     reason="default"), {"x": 1}, {"y": 2})
    runs = runlog.list_runs()
    assert [r.id for r in runs] == ids[::-1]
    done = runs[1]
    assert (done.status, done.binding, done.calls, done.claims.total) == (
        "finished", "post_sale", 1, 3)
    assert done.verdict == "Fix onboarding first; hire in Q4."
    assert runs[0].verdict is None and runs[0].binding is None
    assert [r.id for r in runlog.list_runs(limit=1)] == [ids[2]]
    with pytest.raises(UsageError):
        runlog.list_runs(limit=0)


def test_unknown_and_ambiguous_ids(runlog: RunLog) -> None:
    with pytest.raises(UsageError, match="there are no runs yet"):
        runlog.resolve("latest")
    a = runlog.create_run("q", engine="offline", run_id="20250303-090000-aaaaaa")
    b = runlog.create_run("q", engine="offline", run_id="20250303-090000-aabbbb")
    assert runlog.resolve("20250303-090000-aaa") == a
    assert runlog.resolve("latest") == b
    with pytest.raises(UsageError, match="matches several runs") as exc:
        runlog.resolve("20250303")
    assert a in str(exc.value) and b in str(exc.value)
    with pytest.raises(UsageError, match="no run with id 'nope'") as exc:
        runlog.get_run("nope")
    assert "throughline runs list" in str(exc.value) and exc.value.exit_code == 2
    with pytest.raises(UsageError, match="no run with id"):
        runlog.save_statements("nope", make_small_statements())
    with pytest.raises(UsageError, match="already exists"):
        runlog.create_run("q", engine="offline", run_id=a)


def test_a_killed_writer_loses_nothing_it_committed(log_path: Path) -> None:
    """Each call commits: a second connection (another process after kill -9) sees it."""
    log = RunLog.open(log_path)
    run_id = log.create_run("q", engine="model")
    log.stage_started(run_id, "debate")
    log.log_call(run_id, CallInfo(role="advisor", engine="fake", model="m", reason="r"),
                 {"turn": 1}, {"move": "SHARE"})
    with closing(sqlite3.connect(log_path)) as other:
        assert other.execute("SELECT count(*) FROM model_calls").fetchone()[0] == 1
    log.close()
    with RunLog.open(log_path) as reopened:
        assert reopened.find_call(run_id, request_key({"turn": 1})) is not None
        assert reopened.stages(run_id)[0].status == "running"


def test_record_of_a_newer_schema_is_refused(runlog: RunLog) -> None:
    run_id = runlog.create_run("q", engine="offline")
    newer = make_small_record(run_id).model_copy(update={"schema_version": 99})
    runlog.finish_run(run_id, newer)
    with pytest.raises(StoreError, match="schema version 99"):
        runlog.get_record(run_id)


def test_open_from_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws")
    with RunLog.open(settings) as log:
        assert log.path == settings.runlog_path
    assert settings.runlog_path.exists()
