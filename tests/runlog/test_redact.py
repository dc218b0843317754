"""No API key reaches the run log: settings snapshot, call parameters, requests, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from throughline.core.seams import CallInfo
from throughline.runlog import REDACTED, RunLog, redact, redact_text, request_key
from throughline.core.settings import load_settings

KEY = "sk-test-0123456789abcdefghijklmnop"
ANTHROPIC = "sk-ant-api03-ZYXWVUTSRQPONMLKJIH"
LOCAL = "ollama-local-secret-77"  # not key-shaped: only known through its variable's name


@pytest.fixture(autouse=True)
def keys_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC)
    monkeypatch.setenv("OLLAMA_TOKEN", LOCAL)


def test_redact_by_field_name_and_by_value() -> None:
    settings = {
        "workspace": "/w", "backend": "postgres://ann:hunter2pass@db.example/gtm",
        "models": {"advisor": "openai:gpt-4o-mini", "api_key": "anything-at-all",
                   "providers": [{"name": "openai", "key": "k-123"},
                                 {"name": "local", "token": LOCAL, "base_url": "http://x"}]},
        "env": {"OPENAI_API_KEY": KEY, "HOME": "/root"},
        "note": f"called with {ANTHROPIC} in a sentence",
        "max_tokens": 800, "secret": None,
    }
    clean = redact(settings)
    assert clean["backend"] == f"postgres://ann:{REDACTED}@db.example/gtm"
    assert clean["models"]["api_key"] == REDACTED
    assert clean["models"]["providers"][0] == {"name": "openai", "key": REDACTED}
    assert clean["models"]["providers"][1]["token"] == REDACTED
    assert clean["models"]["providers"][1]["base_url"] == "http://x"
    assert clean["env"] == {"OPENAI_API_KEY": REDACTED, "HOME": "/root"}
    assert clean["note"] == f"called with {REDACTED} in a sentence"
    assert clean["max_tokens"] == 800 and clean["secret"] is None
    assert settings["models"]["api_key"] == "anything-at-all"  # the input is not modified


def test_redact_text_knows_env_values_that_look_like_nothing() -> None:
    assert redact_text(f"401 from http://localhost: bad token {LOCAL}") == (
        f"401 from http://localhost: bad token {REDACTED}")


def test_no_key_anywhere_in_the_run_log_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    settings = load_settings(tmp_path, backend="postgres://ann:hunter2pass@db/gtm")
    snapshot = {"settings": settings, "openai_api_key": KEY, "model": "openai:gpt-4o-mini",
                "providers": {"anthropic": {"api_key": ANTHROPIC}}}
    with RunLog.open(path) as log:
        run_id = log.create_run("q", engine="model", settings=snapshot)
        info = CallInfo(role="advisor", engine="openai", model="gpt-4o-mini", reason="default",
                        parameters={"temperature": 0.2, "api_key": KEY,
                                    "headers": {"Authorization": f"Bearer {KEY}"}})
        request = {"messages": [{"role": "user", "content": f"my key is {LOCAL}"}]}
        log.log_call(run_id, info, request, {"text": f"echo {KEY}", "token": "t"},
                     error=f"401: invalid key {ANTHROPIC}")
        log.stage_started(run_id, "debate")
        log.stage_failed(run_id, "debate", f"auth failed for {KEY}")
        log.fail_run(run_id, f"provider said: bad key {LOCAL}")
        detail = log.get_run(run_id)
        [call] = log.calls(run_id)
        # the key of the request as made (before redaction) still finds the call
        assert log.find_call(run_id, request_key(request)) is None  # it has an error
        assert call.request_key == request_key(request)
    assert detail.settings["openai_api_key"] == REDACTED
    assert detail.settings["providers"]["anthropic"]["api_key"] == REDACTED
    assert detail.settings["settings"]["backend"] == f"postgres://ann:{REDACTED}@db/gtm"
    assert detail.settings["model"] == "openai:gpt-4o-mini"
    assert call.parameters == {"temperature": 0.2, "api_key": REDACTED,
                               "headers": {"Authorization": REDACTED}}
    assert call.reply == {"text": f"echo {REDACTED}", "token": "t"}  # replies keep field names
    data = b"".join(p.read_bytes() for p in tmp_path.glob("runs.sqlite*"))
    for secret in (KEY, ANTHROPIC, LOCAL, "hunter2pass"):
        assert secret.encode() not in data, secret


# -- the run log's fast path: serialise once, walk only when the text might hold a secret --

QUOTED = 'pa"ss\\word-with-quotes'  # a secret JSON escapes


@pytest.mark.parametrize("value", [
    {"messages": [{"content": "line one\nsk-live-ABCDEFGHIJKLMNOPQRSTUV after a newline"}]},
    {"content": "db at postgres://ann:hunter2pass@db.example/gtm", "n": 3},
    {"content": f"the local token is {LOCAL}", "list": [LOCAL, 1.5, None]},
    {"content": f"quoted {QUOTED} secret"},
    {"content": "no secret: risk-adjusted pipeline, see https://example.com/a:b"},
    ["plain", {"nested": ["text — with “unicode” ≥ 5%"]}],
])
def test_fast_redaction_gives_the_same_text_as_walking_the_value(
        value: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from throughline.core.ids import canonical_json, compact_json
    from throughline.core.redact import env_secrets, redacted_json, redacted_text_json

    monkeypatch.setenv("DB_PASSWORD", QUOTED)
    secrets = env_secrets()
    for dump in (canonical_json, compact_json):
        walked = dump(redact(value, by_name=False, secrets=secrets))
        assert redacted_json(value, dump, secrets=secrets) == walked
        assert redacted_text_json(dump(value), dump, secrets=secrets) == walked
        for secret in (KEY, LOCAL, QUOTED, "hunter2pass", "sk-live-ABCDEFGHIJKLMNOPQRSTUV"):
            assert secret not in walked


def test_log_call_json_stores_the_request_text_redacted(tmp_path: Path) -> None:
    from throughline.core.ids import canonical_json

    request = {"messages": [{"content": f"prompt\n{KEY}"}], "model": "openai:gpt-4o-mini"}
    clean = {"messages": [{"content": "prompt plain"}], "model": "openai:gpt-4o-mini"}
    info = CallInfo(role="advisor", engine="openai", model="gpt-4o-mini", reason="default")
    with RunLog.open(tmp_path / "runs.sqlite") as log:
        run_id = log.create_run("q", engine="model", settings={})
        log.log_call_json(run_id, info, canonical_json(request), {"text": "ok"}, key="k1")
        log.log_call_json(run_id, info, canonical_json(clean), None, key="k2",
                          error=f"401: {KEY}")
        first, second = log.calls(run_id)
    assert first.request == {"messages": [{"content": f"prompt\n{REDACTED}"}],
                             "model": "openai:gpt-4o-mini"}
    assert first.request_key == "k1" and first.reply == {"text": "ok"}
    assert second.request == clean and second.reply is None
    assert KEY not in (second.error or "") and REDACTED in (second.error or "")
