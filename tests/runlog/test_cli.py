"""`throughline runs list | show | export` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.record.fixture import SMALL_QUESTION, make_small_intent, make_small_record
from throughline.core.seams import CallInfo
from throughline.record.decision import DecisionRecord
from throughline.record.render import RecordFormat, render_record
from throughline.runlog import RunLog
from throughline.core.settings import load_settings


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def finished(ws: Path) -> tuple[str, DecisionRecord]:
    """A finished run with a frame, stages and two calls, and a running one after it."""
    with RunLog.open(load_settings(ws)) as log:
        run_id = log.create_run(SMALL_QUESTION, engine="offline", settings=load_settings(ws))
        log.save_frame(run_id, make_small_intent())
        for stage in ("frame", "gather", "cast", "debate", "claim_check", "synthesize"):
            log.stage_started(run_id, stage)
            log.stage_finished(run_id, stage, {"stage": stage})
        info = CallInfo(role="advisor", engine="offline", model="offline",
                        reason="no model configured")
        log.log_call(run_id, info, {"turn": 1}, {"move": "SHARE"}, advisor_id="auditor", round=1)
        log.log_call(run_id, info, {"turn": 2}, {"move": "WARN"}, advisor_id="contrarian",
                     round=1)
        record = make_small_record(run_id)
        log.finish_run(run_id, record)
        log.create_run("A second question, still running", engine="offline",
                       run_id="20000101-000000-000000")
    return run_id, record


def test_list_without_a_run_log(cli, ws: Path) -> None:
    r = cli("--workspace", ws, "runs", "list")
    assert r.code == 0 and "No runs yet" in r.out
    assert json.loads(cli("--workspace", ws, "runs", "list", "--json").out) == []
    assert not ws.exists()  # listing does not create a workspace


def test_list(cli, ws: Path, finished: tuple[str, DecisionRecord]) -> None:
    run_id, _ = finished
    r = cli("--workspace", ws, "runs", "list")
    assert r.code == 0, r.err
    assert run_id in r.out and "2 run(s)" in r.out and "running" in r.out
    assert "1/1/1" in r.out and "0/0/0" in r.out
    listed = json.loads(cli("--workspace", ws, "--json", "runs", "list").out)
    assert [x["status"] for x in listed] == ["running", "finished"]
    assert listed[1]["id"] == run_id and listed[1]["calls"] == 2
    assert listed[1]["binding_label"] == "Post-sale truth"
    assert listed[1]["claims"] == {"verified": 1, "unsupported": 1, "contradicted": 1}
    one = json.loads(cli("--workspace", ws, "runs", "list", "--limit", "1", "--json").out)
    assert len(one) == 1 and one[0]["status"] == "running"


def test_show(cli, ws: Path, finished: tuple[str, DecisionRecord]) -> None:
    run_id, _ = finished
    r = cli("--workspace", ws, "runs", "show", run_id[:12])  # a unique prefix will do
    assert r.code == 0, r.err
    out = " ".join(r.out.split())
    assert f"Run {run_id}" in out
    assert "<script>alert('x')</script>" in out  # printed as text, never as markup
    assert "Frame: hire" in out and "Post-sale truth" in out
    assert "Fix onboarding first; hire in Q4." in out
    for stage in ("frame", "gather", "cast", "debate", "claim_check", "synthesize", "record"):
        assert stage in out
    assert "1 verified, 1 unsupported, 1 contradicted" in out
    assert "Model calls: 2 (2 attempt(s))" in out and "no model configured" in out
    shown = json.loads(cli("--workspace", ws, "runs", "show", run_id, "--json").out)
    assert shown["id"] == run_id and shown["question"] == SMALL_QUESTION
    assert [s["name"] for s in shown["stages"]][-1] == "record"
    assert shown["intent"]["decision_type"] == "hire"
    assert shown["calls_summary"]["calls"] == 2
    assert shown["settings"]["workspace"] == str(ws.resolve())


def test_list_shows_status_engine_binding_rounds_and_show_counts_attempts(
        cli, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`runs list` at a normal terminal width has the status, engine, binding constraint,
    rounds and question; `runs show` counts a retried request once (and its attempts), and
    names a model once, not 'openai:openai:gpt-4o-mini'."""
    with RunLog.open(load_settings(ws)) as log:
        run_id = log.create_run(SMALL_QUESTION, engine="model", settings=load_settings(ws))
        info = CallInfo(role="advisor", engine="openai", model="openai:gpt-4o-mini",
                        reason="settings.models.default")
        request = {"turn": 1}
        log.log_call(run_id, info.model_copy(update={"outcome": "failed"}), request, None,
                     advisor_id="auditor", round=1, error="HTTP 503")
        log.log_call(run_id, info, request, {"move": "SHARE"}, advisor_id="auditor", round=1)
        log.finish_run(run_id, make_small_record(run_id))
    monkeypatch.setenv("COLUMNS", "100")
    r = cli("--workspace", ws, "runs", "list")
    assert r.code == 0, r.err
    header = r.out.splitlines()[0]
    for column in ("status", "engine", "binding", "rounds", "question"):
        assert column in header, column
    assert "model" in r.out and "Post-sale truth" in r.out
    listed = json.loads(cli("--workspace", ws, "--json", "runs", "list").out)[0]
    assert (listed["calls"], listed["attempts"]) == (1, 2)
    shown = " ".join(cli("--workspace", ws, "runs", "show", run_id).out.split())
    assert "Model calls: 1 (2 attempt(s), 1 failed)" in shown
    assert "openai:gpt-4o-mini" in shown and "openai:openai:" not in shown


def test_unknown_id_exits_2(cli, ws: Path, finished: tuple[str, DecisionRecord]) -> None:
    for command in ("show", "export"):
        r = cli("--workspace", ws, "runs", command, "no-such-run")
        assert r.code == 2
        assert "no run with id 'no-such-run'" in r.err and "throughline runs list" in r.err
    r = cli("--workspace", ws, "--json", "runs", "show", "no-such-run")
    assert r.code == 2 and json.loads(r.out)["exit_code"] == 2


def test_unknown_id_without_a_run_log_exits_2(cli, ws: Path) -> None:
    r = cli("--workspace", ws, "runs", "show", "20250101")
    assert r.code == 2 and "has no run log yet" in r.err
    assert not ws.exists()


def test_export_of_a_run_without_record_exits_2(cli, ws: Path,
                                                 finished: tuple[str, DecisionRecord]) -> None:
    r = cli("--workspace", ws, "runs", "export", "latest", "--format", "json")
    assert r.code == 2 and "has no decision record (status: running)" in r.err


def test_export_json_is_the_record_and_byte_identical(
        cli, ws: Path, tmp_path: Path, finished: tuple[str, DecisionRecord]) -> None:
    run_id, record = finished
    first = cli("--workspace", ws, "runs", "export", run_id, "--format", "json")
    second = cli("--workspace", ws, "runs", "export", run_id, "--format", "json")
    assert first.code == 0, first.err
    assert first.out == second.out
    assert DecisionRecord.model_validate_json(first.out) == record
    out = tmp_path / "exports" / "record.json"
    r = cli("--workspace", ws, "runs", "export", run_id, "--out", out)  # format from suffix
    assert r.code == 0 and "Record:" in r.out
    assert out.read_bytes() == first.out.encode("utf-8")
    r = cli("--workspace", ws, "--json", "runs", "export", run_id, "--out", out)
    assert json.loads(r.out)["path"] == str(out.resolve())


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_export_rerenders_byte_identically(cli, ws: Path, tmp_path: Path, fmt: RecordFormat,
                                           finished: tuple[str, DecisionRecord]) -> None:
    run_id, record = finished
    expected = render_record(record, fmt).encode("utf-8")
    paths = [tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"]
    for path in paths:
        r = cli("--workspace", ws, "runs", "export", run_id, "--format", fmt, "--out", path)
        assert r.code == 0, r.err
    assert paths[0].read_bytes() == paths[1].read_bytes()
    # and the stored run renders exactly as the record did before it was stored
    assert paths[0].read_bytes() == expected
