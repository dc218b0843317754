"""Fixtures for the diagnose engine, report and CLI tests (fakes live in diagnose_fakes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import build_store
from throughline.settings import Settings, load_settings
from throughline.store import EvidenceStore
from throughline.store.connection import store_session


def _duckdb_list_tables_is_broken() -> bool:
    import ibis

    try:
        ibis.duckdb.connect().list_tables()
    except AttributeError:  # duckdb 2 removed the cursor's fetch_arrow_table ibis 12 calls
        return True
    return False


# duckdb 2.0 deprecates the relation's fetch_arrow_table, which ibis 12 still calls (see
# below); the warning is the environment's, not this code's.
DUCKDB2_WARNING = "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings(DUCKDB2_WARNING))


@pytest.fixture(autouse=True, scope="session")
def _duckdb2_list_tables_compat() -> Iterator[None]:
    """Test-only stopgap while the venv pairs ibis 12 with duckdb 2.0.

    ibis' DuckDB ``list_tables`` calls ``DuckDBPyConnection.fetch_arrow_table``, which
    duckdb 2.0 removed, so ``EvidenceStore.tables()`` fails before any diagnostic runs.
    The store is not ours to change; until the environment or the store is fixed, these
    tests list tables with ``fetchall``. A no-op once ibis works again.
    """
    if not _duckdb_list_tables_is_broken():
        yield
        return
    from ibis.backends.duckdb import Backend

    original = Backend.list_tables

    def list_tables(self: Backend, *, like: str | None = None,
                    database: object = None) -> list[str]:
        loc = self._to_sqlglot_table(database)
        catalog = loc.catalog or self.current_catalog
        schema = loc.db or self.current_database
        rows = self.con.execute(
            "SELECT DISTINCT table_name FROM information_schema.tables "
            "WHERE table_catalog IN (?, 'temp') AND table_schema = ?", [catalog, schema]
        ).fetchall()
        return self._filter_with_like([r[0] for r in rows], like)

    Backend.list_tables = list_tables  # type: ignore[method-assign]
    try:
        yield
    finally:
        Backend.list_tables = original  # type: ignore[method-assign]


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
