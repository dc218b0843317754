"""One redaction for every secret shape, used by errors, logs, the run log and records."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from throughline.core.redact import REDACTED, Redactor, redact, redact_text

SECRET = "hunter2-secret-99"


@pytest.mark.parametrize("text", [
    f"postgres://user:{SECRET}@db.internal:5432/gtm",
    f"postgres://user@db.internal/gtm?password={SECRET}&sslmode=require",
    f"trino://host/cat?sslmode=require&token={SECRET}",
    f"https://api.example.com/v1?api_key={SECRET}",
    f"snowflake://u@acct/db?private_key={SECRET}",
    f"Authorization: Bearer {SECRET}",
    f'{{"x-api-key": "{SECRET}"}}',
])
def test_every_secret_shape_is_masked(text: str) -> None:
    masked = redact_text(text, secrets=[])
    assert SECRET not in masked and REDACTED in masked


def test_key_shaped_tokens_env_values_and_registered_keys() -> None:
    key = "sk-ant-" + "a1B2c3D4e5F6g7H8i9J0"
    assert redact_text(f"bad key {key} rejected", secrets=[]) == f"bad key {REDACTED} rejected"
    assert redact_text("the value is swordfish123", secrets=["swordfish123"]) == (
        f"the value is {REDACTED}")
    r = Redactor()
    r.add("tl-known-secret-value")
    assert r("sent tl-known-secret-value upstream") == f"sent {REDACTED} upstream"
    # by name in structured values; the rest by shape
    snap = redact({"backend": f"postgres://u@h/db?password={SECRET}", "password": "x" * 9,
                   "note": "plain"}, secrets=[])
    assert snap == {"backend": f"postgres://u@h/db?password={REDACTED}",
                    "password": REDACTED, "note": "plain"}


def test_plain_text_is_left_alone() -> None:
    text = "Win rate is 23.4% over 512 deals; see https://example.com/report?id=7&page=2"
    assert redact_text(text, secrets=[]) == text


BACKEND = f"postgres://u@127.0.0.1:1/db?password={SECRET}&sslmode=disable"


def test_a_backend_url_secret_never_reaches_stderr_json_or_the_run_log(
        cli, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    res = cli("--workspace", ws, "--backend", BACKEND, "ask", "Should we hire more sellers?")
    assert res.code != 0
    assert SECRET not in res.out + res.err and "password=[REDACTED]" in res.err
    js = cli("--workspace", ws, "--json", "--backend", BACKEND, "diagnose")
    assert js.code != 0 and SECRET not in js.out + js.err
    assert json.loads(js.out)["exit_code"] == js.code
    runs = ws / "runs.sqlite"
    if runs.exists():
        assert SECRET.encode() not in runs.read_bytes()
        shown = cli("--workspace", ws, "runs", "show", "latest")
        assert SECRET not in shown.out + shown.err


def test_log_records_reach_the_terminal_masked(cli, tmp_path: Path, monkeypatch) -> None:
    import throughline.cli.runs_cmd as runs_cmd

    def noisy(*args, **kwargs):
        logging.getLogger("somelib.pool").warning("retrying %s", BACKEND)
        raise SystemExit(0)

    monkeypatch.setattr(runs_cmd, "_open", noisy)
    res = cli("--workspace", tmp_path / "ws", "runs", "show", "latest")
    assert "retrying" in res.err  # printed once, through the CLI's handler
    assert SECRET not in res.err and f"password={REDACTED}" in res.err


def test_every_cli_error_has_one_json_shape(cli, tmp_path: Path) -> None:
    """A usage error, a store error and an input error share one JSON shape."""
    bad = tmp_path / "Opportunity.csv"
    bad.write_text("Id,StageName,IsWon,IsClosed,CreatedDate\n006A,Won,maybe,true,2025-01-01\n")
    shapes = []
    for args in (("runs", "show", "nope"),
                 ("--backend", BACKEND, "diagnose"),
                 ("ingest", bad)):
        res = cli("--workspace", tmp_path / "ws", "--json", *args)
        assert res.code != 0
        payload = json.loads(res.out)
        assert payload["exit_code"] == res.code and payload["error"] and payload["kind"]
        shapes.append(sorted(payload))
    assert shapes[0] == shapes[1] == shapes[2]
    assert json.loads(cli("--workspace", tmp_path / "ws", "--json", "ingest", bad).out)[
        "column"] is not None
