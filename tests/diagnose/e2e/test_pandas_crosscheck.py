"""Our metrics against an independent implementation: the pandas one in bench/diagnose.py.

The benchmark's pandas path recomputes 22 diagnostics' metrics from the same columns with
vectorised pandas and lifelines, written from the families' definitions rather than from
our queries. On a generated company, every metric it computes must equal ours (relative
1e-6) and none may be missing from ours.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_diagnose", ROOT / "bench" /
                                                  "diagnose.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("scenario", "seed"), [("honesty", 11), ("distribution", 12)])
def test_pandas_metrics_equal_ours(cli, tmp_path: Path, scenario: str, seed: int) -> None:
    sample, ws, work = tmp_path / "sample", tmp_path / "ws", tmp_path / "work"
    assert cli("sample", "--scenario", scenario, "--seed", str(seed), "--scale", "1",
               "--out", str(sample)).code == 0
    assert cli("--workspace", str(ws), "ingest", str(sample)).code == 0
    bench = bench_module()
    for kind in ("ours", "pandas"):
        (work / kind).mkdir(parents=True)
    ours = bench.child_ours(str(ws), str(work / "ours"))
    bench.child_pandas(str(ws), str(work / "pandas"))
    same, differ, missing = bench.agreement(work)
    assert differ == []
    assert missing == []
    assert same >= 250, same  # ≈ 310 metrics at this scale
    assert ours["findings"] > 0
