"""Fixtures for the diagnose engine, report and CLI tests (fakes live in diagnose_fakes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import build_store
from throughline.core.settings import Settings, load_settings
from throughline.store import EvidenceStore
from throughline.store.connection import store_session


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace; the environment cannot point elsewhere."""
    monkeypatch.delenv("THROUGHLINE_BACKEND", raising=False)
    monkeypatch.delenv("THROUGHLINE_HOME", raising=False)
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def filled_workspace(workspace: Path) -> Path:
    """A workspace whose DuckDB store holds accounts, opportunities and pull_requests."""
    build_store(workspace / "evidence.duckdb")
    return workspace


@pytest.fixture
def settings(filled_workspace: Path) -> Settings:
    return load_settings(workspace=filled_workspace)


@pytest.fixture
def store(settings: Settings) -> Iterator[EvidenceStore]:
    with store_session(settings, read_only=True) as s:
        yield s
