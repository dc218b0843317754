"""Fixtures for the research library: a fresh library per test and a documents folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from throughline.library import Library


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """A BM25-only library in a temporary workspace."""
    lib = Library(tmp_path / "ws" / "library.sqlite", embedder=None)
    yield lib
    lib.close()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder
