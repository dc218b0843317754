"""Same record, same bytes: no clock, no random ids, no hash-order dependence."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.record.fixture import make_record
from throughline.record.decision import DecisionRecord
from throughline.record.render import FORMATS, render_record

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.record.fixture import make_record
from throughline.record.render import render_record
for partial in (False, True):
    for fmt in ("html", "md", "json"):
        text = render_record(make_record(partial=partial), fmt)
        print(hashlib.sha256(text.encode()).hexdigest())
"""


def _digests() -> list[str]:
    return [hashlib.sha256(render_record(make_record(partial=p), fmt).encode()).hexdigest()
            for p in (False, True) for fmt in FORMATS]


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_twice_is_byte_identical(fmt: str) -> None:
    assert render_record(make_record(), fmt) == render_record(make_record(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_rerendering_a_reloaded_record_is_byte_identical(fmt: str) -> None:
    record = make_record()
    reloaded = DecisionRecord.model_validate_json(render_record(record, "json"))
    assert render_record(reloaded, fmt) == render_record(record, fmt)


def test_other_processes_and_hash_seeds_render_the_same_bytes() -> None:
    here = _digests()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _SCRIPT.format(root=str(ROOT))],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        assert out.stdout.split() == here
