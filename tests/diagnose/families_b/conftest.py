"""Fixtures for the families-B tests (handoff, legibility, feedback, promises, messaging,
binding constraint); the store builders live in ``stores``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.diagnose.families_b.stores import list_tables_compat

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
    undo = list_tables_compat()
    try:
        yield
    finally:
        undo()
