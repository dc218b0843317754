"""What resume (issue 6) needs: commits survive kill -9; concurrent writers get unique seqs."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from throughline.core.seams import CallInfo
from throughline.runlog import RunLog, request_key

RUN_ID = "20250303-090000-abcdef"

WRITER = textwrap.dedent("""
    import os, signal, sys
    from throughline.core.seams import CallInfo
    from throughline.runlog import RunLog

    log = RunLog.open(sys.argv[1])
    run_id = log.create_run("q", engine="model", run_id=sys.argv[2])
    log.stage_started(run_id, "frame")
    log.stage_finished(run_id, "frame", {"choice": "hire"})
    log.stage_started(run_id, "debate")
    info = CallInfo(role="advisor", engine="fake", model="m", reason="r")
    for turn in range(3):
        log.log_call(run_id, info, {"turn": turn}, {"text": f"reply {turn}"})
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no cleanup: like kill -9 mid-run
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_everything_committed_before_a_kill_9_is_there_after(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    proc = subprocess.run([sys.executable, "-c", WRITER, str(path), RUN_ID],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with RunLog.open(path) as log:
        assert log.get_run(RUN_ID).status == "running"
        assert log.stage_output(RUN_ID, "frame") == {"choice": "hire"}
        assert log.stage_output(RUN_ID, "debate") is None  # unfinished: resume redoes it
        for turn in range(3):  # ...but not the calls it completed
            found = log.find_call(RUN_ID, request_key({"turn": turn}))
            assert found is not None and found.reply == {"text": f"reply {turn}"}
        assert log.find_call(RUN_ID, request_key({"turn": 3})) is None
        log.reopen_run(RUN_ID)
        log.stage_started(RUN_ID, "debate")
        assert log.stages(RUN_ID)[1].attempts == 2


def test_concurrent_writers_get_unique_sequence_numbers(tmp_path: Path) -> None:
    with RunLog.open(tmp_path / "runs.sqlite") as log:
        run_id = log.create_run("q", engine="model")
        info = CallInfo(role="advisor", engine="fake", model="m", reason="r")
        seqs: list[int] = []

        def advisor(n: int) -> None:
            for turn in range(20):
                seqs.append(log.log_call(run_id, info, {"advisor": n, "turn": turn}, {"ok": 1}))

        threads = [threading.Thread(target=advisor, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(seqs) == list(range(1, 121))
        assert [c.seq for c in log.calls(run_id)] == list(range(1, 121))
