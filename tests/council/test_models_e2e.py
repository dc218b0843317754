"""The council on model-backed advisors, end to end, never leaving 127.0.0.1.

* a whole ``throughline ask --model openai-compatible:…@http://127.0.0.1:PORT/v1`` against a
  real HTTP server speaking the OpenAI API (tool-call replies built from each request), then
  ``ask --replay`` with the server stopped and no key: byte-identical record;
* faults injected at 30 % (timeouts, 429 with Retry-After, 5xx, malformed), sleep injected;
* a token budget that stops the run with a partial record, then a resume with a raised
  budget that finishes it, then a replay of that;
* ``kill -9`` mid-debate, then ``throughline runs resume``: completed calls are not repeated
  and the evidence is the one the run gathered;
* a sentinel API key that reaches the server and nothing else (one advisor's requests are
  refused with the key echoed back, so failed turns and error texts are checked too).

The HTTP ask runs once per module and four tests read it: the fixture does what the
function-scoped ``cli`` fixture does (``throughline.cli.main`` in-process, stdout and stderr
captured) and captures every logger at DEBUG, as ``caplog`` would.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.council.workspace import Company
from throughline.cli import main
from throughline.council.convene import MODEL_NOTICE, Council
from throughline.core.errors import ConfigError
from throughline.providers import ModelAdvisorEngine, ModelsConfig
from throughline.providers.fakes import (
    FakeAdvisor,
    FakeOpenAIServer,
    FaultInjectingModel,
    HTTPReply,
    LooseCiter,
    ScriptedModel,
    SeenRequest,
    ServerFaults,
)
from throughline.providers.fakes.server import SERVER_FAULTS
from throughline.providers.fakes.server import SeenHTTP
from throughline.record.decision import DecisionRecord
from throughline.record.render import render_record
from throughline.runlog import RunLog

SENTINEL = "tl-SENTINEL-5e0c7a91d2b4"  # not key-shaped: only knowing the value can redact it
KEY_ENV = "THROUGHLINE_OPENAI_COMPATIBLE_API_KEY"
RUN_DATE = "2026-11-21"
QUESTION = "Sales is flat while engineering ships faster. What should we fix first?"
ROLE_DEFAULT = "role default (settings.models.default)"
PROVIDER_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_API_KEY", "OPENAI_BASE_URL",
                "ANTHROPIC_BASE_URL", "OLLAMA_BASE_URL", KEY_ENV,
                "THROUGHLINE_OPENAI_COMPATIBLE_BASE_URL", "THROUGHLINE_MAX_TOKENS_PER_RUN",
                "THROUGHLINE_MAX_COST_USD_PER_RUN", "THROUGHLINE_MODEL_MAX_ATTEMPTS")
MODEL_ENV = re.compile(r"^THROUGHLINE_MODEL")
INVENTED = "Net revenue retention is 412% this quarter."


def clean_env(mp: pytest.MonkeyPatch) -> None:
    """No key, model or base URL from the developer's shell."""
    for var in list(os.environ):
        if var in PROVIDER_ENV or MODEL_ENV.match(var):
            mp.delenv(var, raising=False)


class ClaimingAdvisor(FakeAdvisor):
    """Valid statements citing evidence ids taken from the request; the auditor also states
    a number the evidence does not hold, for the claim check to catch."""

    def statement(self, seen: SeenRequest) -> dict[str, Any]:
        reply = super().statement(seen)
        if "Your id on the panel: auditor\n" in seen.instructions + "\n":
            reply["text"] += " " + INVENTED
        return reply


class Server(FakeOpenAIServer):
    """The loopback OpenAI-compatible server, plus: a fixed latency per request, and every
    request of one advisor rejected with a 400 whose body echoes the key it was sent."""

    def __init__(self, *, reject: str | None = None, latency: float = 0.0) -> None:
        super().__init__(ClaimingAdvisor())
        self.reject = reject
        self.latency = latency

    def _handle(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> HTTPReply:
        if self.latency:
            time.sleep(self.latency)
        system = "\n".join(str(m.get("content")) for m in body.get("messages", [])
                           if m.get("role") == "system") + "\n"
        if self.reject and f"Your id on the panel: {self.reject}\n" in system:
            with self._lock:
                self.requests.append(SeenHTTP(path, headers, body))
            key = headers.get("authorization", "")
            return HTTPReply(400, {"error": {"message": f"request refused for {key}",
                                             "type": "invalid_request_error"}})
        return super()._handle(path, headers, body)


def echo(status: int) -> HTTPReply:
    return HTTPReply(status, {"error": {"message": f"overloaded; your key {SENTINEL} is fine"}})


def model_for(server: FakeOpenAIServer, name: str = "fake-qwen") -> str:
    return f"openai-compatible:{name}@{server.base_url}"


# -- the CLI in-process, once per module ------------------------------------------------------

@dataclass
class Ran:
    code: int
    out: str
    err: str


@dataclass
class HttpRun:
    ws: Path
    model: str
    ask: Ran
    replay: Ran
    run_id: str
    replay_id: str
    record: DecisionRecord
    requests: list[SeenHTTP]
    requests_after_stop: int
    exports: dict[str, tuple[bytes, bytes]]
    export_runs: list[Ran]
    logs: list[str] = field(default_factory=list)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.levelname} {record.getMessage()}")
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@contextlib.contextmanager
def debug_logs() -> Iterator[Records]:
    """Every logger at DEBUG into a list (the SDK's and the HTTP client's included)."""
    handler, root = Records(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run_cli(*args: object) -> Ran:
    """What the ``cli`` fixture does: ``throughline ARGS`` in-process, output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def http_run(company: Company, tmp_path_factory: pytest.TempPathFactory) -> HttpRun:
    ws = company.settings.workspace
    tmp = tmp_path_factory.mktemp("http-run")
    with pytest.MonkeyPatch.context() as mp, debug_logs() as logs:
        clean_env(mp)
        mp.setenv(KEY_ENV, SENTINEL)
        with Server(reject="contrarian") as server:
            model = model_for(server)
            server.queue.append(echo(503))  # one request: retried (~1 s); echoes the key
            ask = run_cli("--workspace", ws, "--json", "ask", QUESTION, "--rounds", "2",
                          "--model", model, "--date", RUN_DATE, "--out", tmp / "ask.html")
            assert ask.code == 0, ask.err
        requests = list(server.requests)
        run_id = json.loads(ask.out)["run_id"]
        mp.delenv(KEY_ENV)  # replay needs neither the server nor a key
        replay = run_cli("--workspace", ws, "--json", "ask", "--replay", run_id,
                         "--out", tmp / "replay.html")
        assert replay.code == 0, replay.err
        replay_id = json.loads(replay.out)["run_id"]
        exports: dict[str, tuple[bytes, bytes]] = {}
        export_runs: list[Ran] = []
        for fmt in ("html", "md", "json"):
            pair = []
            for rid in (run_id, replay_id):
                path = tmp / f"{rid}.{fmt}"
                ran = run_cli("--workspace", ws, "runs", "export", rid, "--format", fmt,
                              "--out", path)
                assert ran.code == 0, ran.err
                export_runs.append(ran)
                pair.append(path.read_bytes())
            exports[fmt] = (pair[0], pair[1])
    with RunLog.open(company.settings) as log:
        record = log.get_record(run_id)
    return HttpRun(ws=ws, model=model, ask=ask, replay=replay, run_id=run_id,
                   replay_id=replay_id, record=record, requests=requests,
                   requests_after_stop=len(server.requests) - len(requests), exports=exports,
                   export_runs=export_runs, logs=logs.lines)


def test_http_ask_writes_a_record_generated_with_ai(http_run: HttpRun) -> None:
    r = http_run.record
    assert r.notice == MODEL_NOTICE and r.notice.startswith("Generated with AI")
    assert r.run.engine == "model" and not r.run.partial
    summary = json.loads(http_run.ask.out)
    assert summary["engine"] == "model" and summary["run_id"] == http_run.run_id
    # the panel: each advisor's model and why (the CLI's --model is the role default)
    assert len(r.panel) >= 4
    for m in r.panel:
        assert m.advisor.model == http_run.model and m.advisor.model_reason == ROLE_DEFAULT
    uses = {(u.role, u.model, u.reason) for u in r.run.models if u.engine != "offline"}
    assert uses == {("advisor", http_run.model, ROLE_DEFAULT),
                    ("summariser", http_run.model, ROLE_DEFAULT)}
    # every advisor speaks in every round; the one the server refuses shows as failed
    by_id = {m.advisor.id: m for m in r.panel}
    assert by_id["contrarian"].status == "failed" and by_id["contrarian"].failed_turns == 2
    for rd in r.rounds:
        assert [s.advisor_id for s in rd.statements] == [m.advisor.id for m in r.panel]
        for s in rd.statements:
            assert s.failed == (s.advisor_id == "contrarian")
            if s.failed:
                assert s.failure and "request rejected (rejected)" in s.failure
            else:
                assert s.cites and "reads the evidence" in s.text
        assert rd.summary.startswith(f"Round {rd.number}:")
    assert len(r.run.failures) == 2
    assert r.run.calls == len(http_run.requests) - 1  # the 503 was an attempt, not a request
    assert r.run.tokens_in > 0 and r.run.tokens_out > 0
    # the claim check read the model's statements: the invented number is on the record
    cc = r.claim_check
    assert cc.total == cc.verified + cc.unsupported + cc.contradicted and cc.verified > 0
    caught = [(c.location, c.status) for c in cc.claims if "412%" in c.text]
    assert caught == [("r1.auditor", "unsupported"), ("r2.auditor", "unsupported")]
    assert cc.unsupported >= 2 and summary["claims"]["unsupported"] == cc.unsupported
    traced = next(p for p in r.run.policy if p.rule == "numeric_claims_traced")
    assert not traced.passed and "r1.auditor" in traced.detail
    html = http_run.exports["html"][0].decode()
    md = http_run.exports["md"][0].decode()
    assert "Generated with AI" in html and "Generated with AI" in md
    assert "Turn failed" in html and html.count(http_run.model) >= len(r.panel)
    assert ROLE_DEFAULT in html and ROLE_DEFAULT in md
    assert f"· {cc.unsupported} unsupported ·" in md and INVENTED in md and INVENTED in html


def test_every_http_attempt_is_in_the_run_log(http_run: HttpRun, company: Company) -> None:
    with RunLog.open(company.settings) as log:
        rows = log.calls(http_run.run_id)
        detail = log.get_run(http_run.run_id)
    assert detail.status == "finished" and detail.engine == "model"
    assert len(rows) == len(http_run.requests)  # one row per HTTP request, faults included
    outcomes = Counter(c.outcome for c in rows)
    assert outcomes["fault:server_error"] == 1 and outcomes["fault:rejected"] == 2
    assert outcomes["ok"] == len(rows) - 3
    panel = {m.advisor.id: m.advisor for m in http_run.record.panel}
    for c in rows:
        assert c.stage == "debate" and c.model == http_run.model
        assert c.engine == "openai-compatible" and c.reason == ROLE_DEFAULT
        assert c.role in ("advisor", "summariser") and c.round in (1, 2)
        assert c.latency_s > 0 and c.parameters["attempt"] >= 1
        if c.role == "advisor":
            assert c.advisor_id in panel and c.reason == panel[c.advisor_id].model_reason
        if c.outcome == "ok":
            assert c.usable and c.tokens_in > 100 and c.tokens_out > 0 and c.error is None
        else:
            assert not c.usable and c.error and c.reply is None
    assert sum(c.role == "summariser" and c.outcome == "ok" for c in rows) == 2
    summary = detail.calls_summary
    assert summary.attempts == len(rows) and summary.failed == 3
    assert summary.calls == len({r.request_key for r in rows}) < len(rows)  # retries: attempts


def test_replay_with_the_server_stopped_is_byte_identical(http_run: HttpRun,
                                                         company: Company) -> None:
    assert http_run.requests_after_stop == 0
    for fmt, (original, replayed) in http_run.exports.items():
        assert original == replayed, f"{fmt} export of the replay differs"
        assert len(original) > 1000
    with RunLog.open(company.settings) as log:
        replay = log.get_run(http_run.replay_id)
        assert replay.replay_of == http_run.run_id and replay.status == "finished"
        assert log.calls(http_run.replay_id) == []  # nothing was asked, nothing to log
        assert log.get_record(http_run.replay_id) == http_run.record


def test_the_api_key_reaches_the_server_and_nothing_else(http_run: HttpRun) -> None:
    ok = [q for q in http_run.requests if q.headers.get("authorization")]
    assert len(ok) == len(http_run.requests)
    assert {q.headers["authorization"] for q in ok} == {f"Bearer {SENTINEL}"}
    assert http_run.logs and any(line.startswith(("openai", "httpx")) for line in http_run.logs)
    texts = {
        "ask stdout": http_run.ask.out, "ask stderr": http_run.ask.err,
        "replay stdout": http_run.replay.out, "replay stderr": http_run.replay.err,
        "logs": "\n".join(http_run.logs),
        "failures": "\n".join(http_run.record.run.failures),
    }
    texts.update({f"export {i}": r.out + r.err for i, r in enumerate(http_run.export_runs)})
    for fmt, pair in http_run.exports.items():
        texts[f"record.{fmt}"] = b"".join(pair).decode()
    for where, text in texts.items():
        assert SENTINEL not in text, f"the key leaked into {where}"
    db = http_run.ws / "runs.sqlite"
    for path in (db, db.with_name("runs.sqlite-wal"), db.with_name("runs.sqlite-shm")):
        if path.exists():
            assert SENTINEL.encode() not in path.read_bytes(), f"the key is in {path.name}"
    # the echoed key was scrubbed, not merely absent: failures and failed rows say so
    assert all("[REDACTED]" in f for f in http_run.record.run.failures)
    with RunLog.open(db) as log:
        errors = [c.error for c in log.calls(http_run.run_id) if c.error]
    assert len(errors) == 3 and all("[REDACTED]" in e for e in errors)


def test_a_rejected_key_is_a_clear_error_without_the_key(company: Company,
                                                         caplog: pytest.LogCaptureFixture,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    clean_env(monkeypatch)
    monkeypatch.setenv(KEY_ENV, SENTINEL)
    started: list[str] = []
    with Server() as server:
        server.queue.append(HTTPReply(401, {"error": {"message": f"invalid key {SENTINEL}"}}))
        settings = company.settings.with_model(model_for(server))
        council = Council(settings, on_event=lambda e: started.extend(
            [e.data["run_id"]] if e.kind == "run_started" else []))
        with pytest.raises(ConfigError) as rejected:
            council.ask(QUESTION, rounds=1, run_date=date.fromisoformat(RUN_DATE),
                        diagnosis=company.diagnosis)
    message = str(rejected.value)
    assert "rejected the API key" in message and KEY_ENV in message and "[REDACTED]" in message
    with RunLog.open(company.settings) as log:
        detail = log.get_run(started[0])
    assert detail.status == "failed" and detail.error and "rejected the API key" in detail.error
    for text in (message, repr(rejected.value), detail.error, caplog.text):
        assert SENTINEL not in text


# -- faults ---------------------------------------------------------------------------------

RETRY_AFTER = 7.0  # longer than any backoff before the last attempt (≤ 4 s × 1.25 jitter)


def test_faults_at_30_percent_never_drop_an_advisor(company: Company) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # injected: the run never really waits
        waits.append(seconds)

    flaky, broken = "openai-compatible:flaky@http://127.0.0.1:9/v1", \
        "openai-compatible:broken@http://127.0.0.1:9/v1"
    cfg = ModelsConfig(default=flaky, advisor_overrides={"contrarian": broken})
    models: dict[str, FaultInjectingModel] = {}

    def build(spec: Any) -> FaultInjectingModel:
        rate = 1.0 if str(spec) == broken else 0.3
        models[str(spec)] = FaultInjectingModel(ScriptedModel(responder=FakeAdvisor()),
                                                rate=rate, seed=5, retry_after=RETRY_AFTER)
        return models[str(spec)]

    def engine(pack: Any, personas: Any) -> ModelAdvisorEngine:
        return ModelAdvisorEngine(cfg, model_factory=build, sleep=sleep, rng=random.Random(3))

    started = time.perf_counter()
    result = Council(company.settings, engine_factory=engine).ask(
        QUESTION, rounds=3, run_date=date.fromisoformat(RUN_DATE), diagnosis=company.diagnosis)
    assert time.perf_counter() - started < 15  # every backoff was injected, none slept
    r = result.record
    injected = Counter(k for m in models.values() for k in m.injected if k)
    assert set(injected) == {"timeout", "rate_limited", "server_error", "malformed"}
    assert sum(injected.values()) >= 10
    assert not r.run.partial and r.run.engine == "model"
    # no advisor is dropped: each has a statement (or a failed turn) in every round
    for rd in r.rounds:
        assert [s.advisor_id for s in rd.statements] == [m.advisor.id for m in r.panel]
    member = next(m for m in r.panel if m.advisor.id == "contrarian")
    assert member.status == "failed" and member.failed_turns == 3
    assert member.advisor.model == broken
    assert member.advisor.model_reason == "settings.models.advisor_overrides[contrarian]"
    mine = [s for rd in r.rounds for s in rd.statements if s.advisor_id == "contrarian"]
    assert all(s.failed and s.failure and "after 4 attempt(s)" in s.failure for s in mine)
    assert {f.split(":")[0] for f in r.run.failures} >= {s.id for s in mine}
    others = [s for rd in r.rounds for s in rd.statements if s.advisor_id != "contrarian"]
    assert sum(not s.failed for s in others) >= len(others) - 1  # 4 faults in a row is rare
    html, md = render_record(r, "html"), render_record(r, "md")
    assert html.count("Turn failed") == len([s for s in mine + others if s.failed])
    assert "after 4 attempt(s)" in md
    # Retry-After is honoured: each retried 429 waited exactly its 7 s, nothing else did
    with RunLog.open(company.settings) as log:
        calls = log.calls(result.run_id)
    retried_429 = 0
    for c in calls:
        faults = c.parameters.get("faults", [])
        retried_429 += faults.count("rate_limited") - (c.outcome == "failed:rate_limited")
    assert retried_429 > 0 and waits.count(RETRY_AFTER) == retried_429
    assert all(w <= RETRY_AFTER for w in waits)
    assert len(waits) == sum(injected.values()) - sum(
        c.outcome.startswith("failed:") and c.outcome != "failed:invalid" for c in calls)


# -- budget ---------------------------------------------------------------------------------

def _estimate(note: str) -> int:
    m = re.search(r"about (\d+) calls, ([\d,]+) prompt tokens and up to ([\d,]+) output", note)
    assert m, note
    return int(m.group(2).replace(",", "")) + int(m.group(3).replace(",", ""))


def _with_budget(settings: Any, tokens: int | None) -> Any:
    return settings.model_copy(update={"models": settings.models.model_copy(
        update={"max_tokens_per_run": tokens})})


def _ask(settings: Any, company: Company) -> Any:
    return Council(settings).ask(QUESTION, rounds=2, run_date=date.fromisoformat(RUN_DATE),
                                 diagnosis=company.diagnosis)


def _assert_partial(record: DecisionRecord, run_id: str, company: Company) -> None:
    assert record.run.partial and record.run.partial_reason
    assert record.run.partial_reason.startswith("run budget reached")
    html = render_record(record, "html")
    assert '<div class="banner" role="note"><b>Partial record.</b> run budget reached' in html
    assert "Partial record" in render_record(record, "md")
    cc = record.claim_check
    assert cc.total == cc.verified + cc.unsupported + cc.contradicted > 0
    with RunLog.open(company.settings) as log:
        assert log.get_run(run_id).status == "partial"


def test_a_tiny_token_budget_stops_before_any_call(company: Company) -> None:
    with Server() as server:
        result = _ask(_with_budget(company.settings.with_model(model_for(server)), 1), company)
    assert server.requests == []  # the first reservation was refused: nothing was sent
    r = result.record
    _assert_partial(r, result.run_id, company)
    assert [s for rd in r.rounds for s in rd.statements] == [] and r.run.calls == 0
    assert len(r.panel) >= 4 and r.verdict  # the record is still whole, and says why


def test_a_budget_hit_mid_debate_then_resume_with_a_raised_budget(
        company: Company) -> None:
    with Server() as server:
        settings = company.settings.with_model(model_for(server))
        probe = _ask(_with_budget(settings, 1), company)  # for its pre-run estimate only
        with RunLog.open(company.settings) as log:
            estimate = _estimate(log.stage_output(probe.run_id, "cast")["estimate"])
        budget = int(estimate * 0.3)  # 30 % of the estimate: a few turns of round 1
        stopped = _ask(_with_budget(settings, budget), company)
        sent = len(server.requests)
        r = stopped.record
        _assert_partial(r, stopped.run_id, company)
        done = [s for rd in r.rounds for s in rd.statements]
        assert 0 < sent < 2 * len(r.panel) + 2 and 0 < len(done) < 2 * len(r.panel)
        assert r.run.tokens_in + r.run.tokens_out <= budget
        assert "did not close" in r.rounds[-1].summary or len(r.rounds) == 1
        with RunLog.open(company.settings) as log:
            answered = sum(c.usable for c in log.calls(stopped.run_id))
        # resume with a raised budget (what the stop's hint says to do): the run finishes,
        # and what was done before the stop is not asked again
        resumed = Council(_with_budget(settings, 10 * estimate)).resume(stopped.run_id)
        again = server.requests[sent:]
    final = resumed.record
    assert not final.run.partial and final.run.partial_reason is None
    assert [len(rd.statements) for rd in final.rounds] == [len(final.panel)] * 2
    kept = {s.id: s for rd in final.rounds for s in rd.statements}
    assert all(kept[s.id] == s for s in done)
    assert answered >= len(done) and len(again) == 2 * len(final.panel) + 2 - answered
    repeated = {_body(q) for q in again} & {_body(q) for q in server.requests[:sent]}
    assert len(repeated) <= sent - answered  # only requests cut off by the stop
    with RunLog.open(company.settings) as log:
        assert log.get_run(stopped.run_id).status == "finished"
    # and the finished run replays to the same record, although it began under a budget
    # it could not finish within
    replayed = Council(company.settings).replay(stopped.run_id)
    assert replayed.record == final


# -- kill -9, then resume ------------------------------------------------------------------

def _ok_calls(db: Path, run_id: str | None = None) -> tuple[str | None, int]:
    """(run id, usable model_calls rows) read from outside the running process."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.OperationalError:
        return None, 0
    try:
        if run_id is None:
            row = con.execute("SELECT id FROM runs ORDER BY created_at DESC LIMIT 1").fetchone()
            run_id = row[0] if row else None
        if run_id is None:
            return None, 0
        n = con.execute("SELECT count(*) FROM model_calls WHERE run_id = ? AND error IS NULL "
                        "AND reply IS NOT NULL", (run_id,)).fetchone()[0]
        return run_id, int(n)
    except sqlite3.OperationalError:  # not created yet
        return None, 0
    finally:
        con.close()


def _body(q: SeenHTTP) -> str:
    return json.dumps(q.body, sort_keys=True)


def test_kill_9_mid_debate_then_resume_repeats_no_completed_call(
        company: Company, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"  # a copy: a killed process must not touch the shared workspace
    shutil.copytree(company.settings.workspace, ws,
                    ignore=shutil.ignore_patterns("runs.sqlite*", "reports"))
    clean_env(monkeypatch)
    monkeypatch.setenv(KEY_ENV, "tl-test-key-0000")
    exe = Path(sys.executable).with_name("throughline")
    command = [str(exe)] if exe.exists() else [
        sys.executable, "-c", "import sys; from throughline.cli import main; sys.exit(main())"]
    with Server(latency=0.2) as server:
        env = {**os.environ, "THROUGHLINE_MODEL": model_for(server)}
        proc = subprocess.Popen([*command, "--workspace", str(ws), "ask", QUESTION, "--rounds",
                                 "3", "--date", RUN_DATE], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        db = ws / "runs.sqlite"
        run_id, done = None, 0
        deadline = time.monotonic() + 90
        try:
            while done < 9:  # round 1 (turns and summary) and some of round 2 are done
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the run never reached the debate"
                time.sleep(0.05)
                run_id, done = _ok_calls(db)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc.stderr:
                proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        assert run_id is not None
        time.sleep(0.3)  # let the server finish answering the dead process's open requests
        before = list(server.requests)
        with RunLog.open(db) as log:
            assert log.get_run(run_id).status == "running"  # killed: no chance to say so
            saved = {s.id: s for s in log.statements(run_id)}
            logged_ok = sum(c.usable for c in log.calls(run_id))
            gathered = log.stage_output(run_id, "gather")["pack"]
        assert logged_ok >= 9 and saved
        # the evidence changes after the kill: the resumed run must debate what it gathered
        (ws / "library.sqlite").unlink()

        res = cli("--workspace", str(ws), "runs", "resume", run_id)
        assert res.code == 0, res.err
        after = server.requests[len(before):]

    with RunLog.open(db) as log:
        detail = log.get_run(run_id)
        record = log.get_record(run_id)
        calls = log.calls(run_id)
        assert log.stage_output(run_id, "gather")["pack"] == gathered
    assert detail.status == "finished" and record.run.engine == "model"
    assert [len(rd.statements) for rd in record.rounds] == [len(record.panel)] * 3
    assert not record.run.failures
    # statements finished before the kill are the record's, unchanged (the run log's
    # statements table does not keep the peer claim: compare it on the record only)
    final = {s.id: s for rd in record.rounds for s in rd.statements}
    for sid, statement in saved.items():
        assert final[sid].model_copy(update={"responds_to": None, "claim": None}) == statement
    assert all(s.responds_to and s.claim for rd in record.rounds[1:] for s in rd.statements)
    # no completed call was asked again: only requests in flight at the kill were re-sent
    in_flight = len(before) - logged_ok
    repeated = set(map(_body, before)) & set(map(_body, after))
    assert len(repeated) <= in_flight
    keys = Counter(c.request_key for c in calls if c.usable)
    assert max(keys.values()) == 1, "a completed request was answered twice"
    assert len(after) == sum(c.usable for c in calls) - logged_ok
    assert len(keys) == 3 * len(record.panel) + 3  # every turn and summary, once


# -- servers that fail, cite loosely, share a model across roles, warn ----------------------

def _no_sleep(mp: pytest.MonkeyPatch) -> list[float]:
    """Every backoff the run's model engine takes is recorded, none is slept (the CLI
    builds the engine; its injectable sleep gets this default)."""
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    mp.setitem(ModelAdvisorEngine.__init__.__kwdefaults__, "sleep", record)  # type: ignore[index]
    return waits


def _faulty_ask(company: Company, cli: Any, mp: pytest.MonkeyPatch, tmp: Path,
                faults: ServerFaults, rounds: int) -> tuple[Any, ServerFaults, list[float]]:
    clean_env(mp)
    mp.setenv(KEY_ENV, "tl-test-key-0000")
    mp.setenv("THROUGHLINE_MODEL_TIMEOUT_S", "0.3")  # the server holds a 'timeout' for 2 s
    waits = _no_sleep(mp)
    with FakeOpenAIServer(LooseCiter(), faults=faults) as server:
        res = cli("--workspace", company.settings.workspace, "--json", "ask", QUESTION,
                  "--rounds", str(rounds), "--model", model_for(server), "--date", RUN_DATE,
                  "--out", tmp / "record.json")
    return res, faults, waits


def test_thirty_percent_faults_and_loose_citations_fail_no_turn(
        company: Company, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 429 with Retry-After, 503, replies held past the timeout, 200s with half a JSON body,
    # and a third of all citations to ids that do not exist; at most 3 faults in a row for
    # one request, so the default 4 attempts always get through
    faults = ServerFaults(rate=0.3, seed=11, max_in_a_row=3)
    started = time.perf_counter()
    res, faults, waits = _faulty_ask(company, cli, monkeypatch, tmp_path, faults, rounds=5)
    assert res.code == 0, res.err
    assert time.perf_counter() - started < 60 and waits  # backoffs recorded, not slept
    assert set(faults.injected) - {None} == set(SERVER_FAULTS)
    summary = json.loads(res.out)
    assert summary["status"] == "finished" and summary["degraded_reason"] is None
    record = DecisionRecord.model_validate_json((tmp_path / "record.json").read_text())
    statements = [s for rd in record.rounds for s in rd.statements]
    assert len(record.rounds) == 5 and statements and not record.run.failures
    assert not any(s.failed for s in statements)
    # every reply cited one invented id: dropped from cites, flagged on the statement
    for s in statements:
        assert s.dropped_cites == [f"F-invented-r{s.round}"] and s.cites
        assert not any(c.startswith("F-invented") for c in s.cites)
    turns = next(p for p in record.run.policy if p.rule == "turns_answered")
    assert turns.passed and turns.detail.startswith(f"0 of {len(statements)} turns failed")
    with RunLog.open(company.settings) as log:
        assert log.get_run(summary["run_id"]).status == "finished"
        kept = {s.id: s.dropped_cites for s in log.statements(summary["run_id"])}
        outcomes = Counter(c.outcome for c in log.calls(summary["run_id"]))
    assert kept == {s.id: s.dropped_cites for s in statements}  # kept in the run log
    assert outcomes["fault:malformed"] > 0 and outcomes["fault:timeout"] > 0
    assert outcomes["fault:rate_limited"] > 0 and outcomes["fault:server_error"] > 0


def test_eighty_five_percent_faults_end_degraded_with_a_non_zero_exit(
        company: Company, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    faults = ServerFaults(rate=0.85, seed=5)
    res, faults, _ = _faulty_ask(company, cli, monkeypatch, tmp_path, faults, rounds=2)
    assert res.code == 1 and "degraded run:" in res.err
    summary = json.loads(res.out)  # the record is still written, and its summary printed
    assert summary["status"] == "degraded" and "advisor turns failed" in summary[
        "degraded_reason"]
    record = DecisionRecord.model_validate_json((tmp_path / "record.json").read_text())
    statements = [s for rd in record.rounds for s in rd.statements]
    failed = [s for s in statements if s.failed]
    assert 3 * len(failed) > len(statements)
    assert record.run.degraded_reason and record.run.degraded_reason.startswith(
        f"{len(failed)} of {len(statements)} advisor turns failed")
    assert all("after 4 attempt(s)" in (s.failure or "") for s in failed)
    turns = next(p for p in record.run.policy if p.rule == "turns_answered")
    assert not turns.passed and "degraded" in turns.detail
    assert summary["policy"]["turns_answered"] is False
    listed = cli("--workspace", company.settings.workspace, "--json", "runs", "list")
    with RunLog.open(company.settings) as log:
        assert log.get_run(summary["run_id"]).status == "degraded"
    assert json.loads(listed.out)[0]["status"] == "degraded"


def test_framer_and_synthesiser_on_the_advisors_model_string_in_ask_and_resume(
        company: Company, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One model string for every role used to crash the second stage that used it
    ("client has been closed"), in `ask` and again in `runs resume`."""
    clean_env(monkeypatch)
    monkeypatch.setenv(KEY_ENV, "tl-test-key-0000")
    ws = company.settings.workspace
    with Server() as server:
        model = model_for(server)
        monkeypatch.setenv("THROUGHLINE_MODEL_FRAMER", model)
        monkeypatch.setenv("THROUGHLINE_MODEL_SYNTHESISER", model)
        ran = cli("--workspace", ws, "--json", "ask", QUESTION, "--rounds", "1", "--model",
                  model, "--date", RUN_DATE, "--out", tmp_path / "a.json")
        assert ran.code == 0, ran.err
        record = DecisionRecord.model_validate_json((tmp_path / "a.json").read_text())
        assert record.intent.framed_by == "model" and not record.run.failures
        assert record.run.model_sections == ["verdict", "action_plan", "future_paths",
                                             "deeper_story", "risks"]
        uses = {u.role: u.model for u in record.run.models}
        assert uses["framer"] == uses["synthesiser"] == uses["advisor"] == model
        # a run stopped by its budget after the framer, then resumed with a raised one
        monkeypatch.setenv("THROUGHLINE_MAX_TOKENS_PER_RUN", "9000")
        stopped = cli("--workspace", ws, "--json", "ask", QUESTION, "--rounds", "1",
                      "--model", model, "--date", RUN_DATE, "--out", tmp_path / "b.json")
        assert stopped.code == 0, stopped.err
        run_id = json.loads(stopped.out)["run_id"]
        assert json.loads(stopped.out)["status"] == "partial"
        monkeypatch.setenv("THROUGHLINE_MAX_TOKENS_PER_RUN", "10000000")
        resumed = cli("--workspace", ws, "--json", "runs", "resume", run_id,
                      "--out", tmp_path / "c.json")
    assert resumed.code == 0, resumed.err
    final = DecisionRecord.model_validate_json((tmp_path / "c.json").read_text())
    assert not final.run.partial and not final.run.failures
    assert final.intent.framed_by == "model" and len(final.run.model_sections) == 5
    assert all(not s.failed for rd in final.rounds for s in rd.statements)


def test_a_deprecated_model_is_logged_once_not_printed(
        company: Company, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Pydantic AI warns on every request to a model its provider deprecated: the user
    sees one plain line from the logging system for the run (not one per request, not
    Python's warning printout)."""
    import warnings

    clean_env(monkeypatch)
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "tl-test-key-0000")
        with warnings.catch_warnings():
            warnings.resetwarnings()  # the interpreter's defaults, not this suite's 'error'
            warnings.simplefilter("default")
            ran = cli("--workspace", company.settings.workspace, "ask", QUESTION, "--rounds",
                      "2", "--model", "openai:gpt-5.1", "--date", RUN_DATE,
                      "--out", tmp_path / "w.md")
        requests = len(server.requests)
    assert ran.code == 0, ran.err
    notices = [r for r in caplog.records if "deprecated by its provider" in r.getMessage()]
    assert requests > 10 and len(notices) == 1, [r.getMessage() for r in notices]
    assert notices[0].name == "throughline.providers" and notices[0].levelno == logging.WARNING
    assert notices[0].getMessage().startswith("openai:gpt-5.1 is deprecated by its provider")
    assert not any("DeprecatedModelWarning" in r.getMessage() for r in caplog.records)
    # other libraries' warnings (if any) are logged as one line naming the package
    assert all(re.search(r"\(\w*Warning from [\w.]+\)$", r.getMessage())
               for r in caplog.records if r.name == "throughline.library")
    assert not re.search(r"\.py:\d+: \w*Warning", ran.err), ran.err  # no raw printout
    assert "DeprecatedModelWarning:" not in ran.err and "warnings.warn(" not in ran.err
