"""Same evidence, same report, in any process.

Python randomises string hashing per process, so anything built from set iteration order
(Ibis compiles ``Table.drop`` with several names that way) can change the evidence SQL, and
so the report, from one run to the next. Two CLI runs with different hash seeds must write
byte-identical HTML and Markdown reports, once the time each was generated is set aside.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

_GENERATED = re.compile(rb"generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def _throughline() -> str:
    exe = Path(sys.executable).with_name("throughline")
    found = str(exe) if exe.exists() else shutil.which("throughline")
    if not found:
        pytest.skip("the `throughline` command is not installed next to this Python")
    return found


def test_reports_do_not_depend_on_the_hash_seed(cli, tmp_path: Path) -> None:
    sample, ws = tmp_path / "sample", tmp_path / "ws"
    assert cli("sample", "--scenario", "honesty", "--seed", "5", "--scale", "0.3",
               "--out", str(sample)).code == 0
    assert cli("--workspace", str(ws), "ingest", str(sample)).code == 0
    exe = _throughline()
    outputs: dict[str, list[bytes]] = {"html": [], "md": []}
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for fmt in outputs:
            out = tmp_path / f"report-{seed}.{fmt}"
            subprocess.run([exe, "--workspace", str(ws), "diagnose", "--format", fmt,
                            "--out", str(out)], check=True, env=env, capture_output=True)
            outputs[fmt].append(_GENERATED.sub(b"generated (time)", out.read_bytes()))
    for fmt, (first, second) in outputs.items():
        assert b"generated (time)" in first  # the pattern still matches what reports write
        assert first == second, f"the {fmt} report differs between hash seeds"
