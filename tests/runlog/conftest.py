from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from throughline.runlog import RunLog


class Clock:
    """A clock that moves 1.5 s each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 3, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1.5)
        return self.now


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "runs.sqlite"


@pytest.fixture
def runlog(log_path: Path) -> Iterator[RunLog]:
    with RunLog.open(log_path, clock=Clock()) as log:
        yield log
