"""The demo leads somewhere: it uses the workspace, keeps the run log, tells the truth about
its time, and never overwrites a workspace that holds someone's own data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import sha256

SMALL = ("--scale", "0.3")


def _runs(cli, ws: Path) -> list[dict]:
    res = cli("--workspace", ws, "--json", "runs", "list")
    assert res.code == 0, res.err
    return json.loads(res.out)


def test_demo_then_ask_and_runs_list_use_the_same_workspace(cli, tmp_path: Path) -> None:
    ws, out = tmp_path / "W", tmp_path / "demo"
    res = cli("--workspace", ws, "demo", "--out", out, *SMALL)
    assert res.code == 0, res.err
    assert (ws / "evidence.duckdb").exists() and (ws / "runs.sqlite").exists()
    assert not (out / "workspace").exists()  # nothing under --out but exports and documents
    assert (out / "record.html").exists() and (out / "diagnosis.html").exists()
    nxt = res.out.split("Next:")[1].strip().splitlines()
    assert len(nxt) == 3 and all(f"--workspace {ws}" in line for line in nxt)
    assert "Loaded" not in res.out and len(res.out.splitlines()) <= 14  # a summary, not tables
    assert len(_runs(cli, ws)) == 1

    asked = cli("--workspace", ws, "ask", "Should we hire more sellers?", "--rounds", "1",
                "--out", tmp_path / "r.md")
    assert asked.code == 0, asked.err
    assert "nothing ingested" not in asked.out + asked.err
    assert len(_runs(cli, ws)) == 2

    again = cli("--workspace", ws, "demo", "--out", out, *SMALL, "--seed", "8")
    assert again.code == 0, again.err
    assert "replaced honesty (seed 7)" in again.out
    assert len(_runs(cli, ws)) == 3  # the run log is kept across reruns


def test_demo_refuses_a_workspace_holding_other_data_unless_fresh(cli, tmp_path: Path) -> None:
    ws = tmp_path / "W"
    exports = tmp_path / "exports"
    assert cli("sample", "--scenario", "healthy", "--seed", "2", "--scale", "0.2",
               "--out", exports).code == 0
    assert cli("--workspace", ws, "ingest", exports).code == 0
    before = sha256(ws / "evidence.duckdb")
    res = cli("--workspace", ws, "demo", "--out", tmp_path / "demo", *SMALL)
    assert res.code == 2
    assert "already holds ingested data" in res.err and "--fresh" in res.err
    assert sha256(ws / "evidence.duckdb") == before
    fresh = cli("--workspace", ws, "demo", "--out", tmp_path / "demo", *SMALL, "--fresh")
    assert fresh.code == 0, fresh.err


def test_demo_reports_the_wall_time_its_user_saw(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("throughline")
    started = time.perf_counter()
    done = subprocess.run([str(exe), "--workspace", str(tmp_path / "W"), "demo", "--out",
                           str(tmp_path / "demo"), *SMALL], capture_output=True, text=True,
                          timeout=600)
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    said = float(re.search(r"Done in ([0-9.]+) s\.", done.stdout).group(1))
    assert 0.8 * wall <= said <= wall + 0.05
