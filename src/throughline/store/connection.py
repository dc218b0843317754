"""Open the evidence store through Ibis.

The default is a DuckDB file in the workspace; ``--backend`` takes any Ibis URL
(``postgres://user:pw@host/db``, ``trino://...``, ``duckdb:///path/file.duckdb`` ...). The
diagnostics only ever see Ibis tables, so the same expressions run wherever the data lives.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis

from throughline.core.redact import redact_text
from throughline.core.errors import StoreError
from throughline.evidence import SCHEMA
from throughline.core.settings import Settings


class EvidenceStore:
    """A thin handle on an Ibis backend holding the canonical evidence tables."""

    def __init__(self, con: Any, url: str) -> None:
        self.con = con
        self.url = url

    @property
    def backend_name(self) -> str:
        return str(self.con.name)

    def tables(self) -> set[str]:
        """Canonical tables present in the store (other tables are ignored)."""
        present = set(self.con.list_tables())
        return {name for name in SCHEMA if name in present}

    def has(self, name: str) -> bool:
        return name in self.tables()

    def table(self, name: str) -> ibis.Table | None:
        """The Ibis table for a canonical table, or None when it was never loaded."""
        if name not in SCHEMA:
            raise KeyError(f"not a canonical table: {name}")
        if name not in set(self.con.list_tables()):
            return None
        return self.con.table(name)

    def row_counts(self) -> dict[str, int]:
        return {name: int(self.con.table(name).count().execute()) for name in sorted(self.tables())}

    def close(self) -> None:
        disconnect = getattr(self.con, "disconnect", None)
        if callable(disconnect):
            disconnect()


def _connect(url: str, read_only: bool) -> Any:
    if url.startswith("duckdb://"):
        path = url[len("duckdb://"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            if read_only and not Path(path).exists():
                return ibis.duckdb.connect()  # empty store: nothing loaded yet
            return ibis.duckdb.connect(path, read_only=read_only)
        return ibis.duckdb.connect()
    return ibis.connect(url)


def open_store(settings: Settings, *, read_only: bool = True) -> EvidenceStore:
    """Open the store named by the settings; raises ``StoreError`` with a hint on failure."""
    url = settings.backend_url
    try:
        con = _connect(url, read_only)
    except Exception as exc:  # translate driver errors at the seam, keep the cause
        safe = redact_text(url)
        raise StoreError(
            f"cannot open the evidence store at {safe}: {type(exc).__name__}: "
            f"{redact_text(str(exc))}",
            hint="check --backend / THROUGHLINE_BACKEND, or that no other process holds the "
            "DuckDB file open for writing",
        ) from exc
    return EvidenceStore(con, url)


@contextmanager
def store_session(settings: Settings, *, read_only: bool = True) -> Iterator[EvidenceStore]:
    store = open_store(settings, read_only=read_only)
    try:
        yield store
    finally:
        store.close()
