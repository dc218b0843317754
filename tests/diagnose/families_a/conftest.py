"""Tiny in-memory evidence stores for the post-sale, ICP, honesty, pipeline, push/pull,
channel and attribution diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# duckdb 2.0 deprecates the relation method ibis 12 still calls; the warning belongs to the
# environment, not to the code under test.
DUCKDB2_WARNING = "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings(DUCKDB2_WARNING))


@pytest.fixture(autouse=True, scope="session")
def _list_tables_compat() -> Iterator[None]:
    """ibis 12's DuckDB ``list_tables`` calls a method duckdb 2.0 removed; list the tables
    through information_schema instead while these tests run (no-op once fixed)."""
    import ibis
    from ibis.backends.duckdb import Backend

    try:
        ibis.duckdb.connect().list_tables()
        yield
        return
    except AttributeError:
        pass
    original = Backend.list_tables

    def list_tables(self: Backend, *, like: str | None = None,
                    database: object = None) -> list[str]:
        rows = self.con.execute(
            "SELECT DISTINCT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()").fetchall()
        return self._filter_with_like([r[0] for r in rows], like)

    Backend.list_tables = list_tables  # type: ignore[method-assign]
    try:
        yield
    finally:
        Backend.list_tables = original  # type: ignore[method-assign]
