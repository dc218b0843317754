"""Golden files: the fixture record rendered to HTML, Markdown and JSON.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/record`` and
read the diff before committing it. Run ids and clock times are normalised (see
``helpers.normalise``) so the goldens do not depend on them.
"""

from __future__ import annotations

import difflib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.record.fixture import make_record
from tests.record.helpers import normalise
from throughline.record.render import FORMATS, render_record

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")
VARIANTS = {"record": {}, "partial": {"partial": True}, "degraded": {"degraded": True}}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_matches_golden(variant: str, fmt: str) -> None:
    record = make_record(**VARIANTS[variant])
    text = normalise(render_record(record, fmt), record)
    path = GOLDEN / f"{variant}.{fmt}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(list(difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"golden/{path.name}", tofile="rendered", n=2))[:80])
        pytest.fail(f"{path.name} differs from the golden (UPDATE_GOLDEN=1 to accept):\n"
                    f"{diff}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_normalisation_hides_only_the_run_id_and_the_clock(fmt: str) -> None:
    a = make_record()
    b = make_record(run_id="run-20991231-000000",
                    started_at=datetime(2099, 12, 31, 23, 1, 2, tzinfo=UTC))
    text_a, text_b = render_record(a, fmt), render_record(b, fmt)
    assert text_a != text_b
    assert normalise(text_a, a) == normalise(text_b, b)
    assert a.run_id not in normalise(text_a, a)
