"""One writer per workspace; a killed writer leaves the store's bytes as they were and its
leftovers are removed by the next ingest."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import sha256
from tests.ingest.fixtures import query
from throughline.ingest.guard import ASIDE_SUFFIX, LOCK_FILE, STAGING_PREFIX

EXE = str(Path(sys.executable).with_name("throughline"))


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two sample companies: the first makes the store, the second merges into it."""
    base = tmp_path_factory.mktemp("companies")
    for name, seed in (("a", 1), ("b", 2)):
        subprocess.run([EXE, "sample", "--scenario", "healthy", "--seed", str(seed),
                        "--scale", "1", "--out", str(base / name)], check=True,
                       capture_output=True)
    return base / "a", base / "b"


def test_a_second_ingest_while_one_writes_is_told_the_store_is_busy(
        cli, company: tuple[Path, Path], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", company[0]).code == 0
    before = sha256(ws / "evidence.duckdb")
    fd = os.open(ws / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running ingest holds it
    try:
        res = cli("--workspace", ws, "ingest", company[1])
    finally:
        os.close(fd)
    assert res.code == 2
    assert "another ingest is writing to this workspace; try again when it finishes" in res.err
    assert "Traceback" not in res.err and "IOException" not in res.err
    assert sha256(ws / "evidence.duckdb") == before
    assert cli("--workspace", ws, "ingest", company[1]).code == 0  # free again


def _counts(ws: Path) -> dict[str, int]:
    tables = [r[0] for r in query(ws, "SELECT table_name FROM information_schema.tables "
                                      "WHERE NOT starts_with(table_name, '_')")]
    return {t: query(ws, f'SELECT count(*) FROM "{t}"')[0][0] for t in sorted(tables)}


def test_kill_9_during_an_ingest_never_changes_the_store_bytes(
        cli, company: tuple[Path, Path], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", company[0]).code == 0
    store = ws / "evidence.duckdb"
    before = sha256(store)
    done = tmp_path / "done"  # what a complete merge holds
    assert cli("--workspace", done, "ingest", company[0]).code == 0
    assert cli("--workspace", done, "ingest", company[1]).code == 0
    merged = _counts(done)
    killed = 0
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0):
        proc = subprocess.Popen([EXE, "--workspace", str(ws), "ingest", str(company[1])],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        now = sha256(store)
        if now != before:  # only a finished swap may change the bytes: then all is merged
            assert _counts(ws) == merged
            before = now
    assert killed >= 3, f"only {killed} ingests were killed before they finished"
    # the next ingest removes whatever the killed ones left behind
    assert cli("--workspace", ws, "ingest", company[1]).code == 0
    assert not [p.name for p in ws.iterdir()
                if p.name.startswith(STAGING_PREFIX) or p.name.endswith(ASIDE_SUFFIX)]
    assert _counts(ws) == merged
