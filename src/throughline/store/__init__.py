"""The evidence store: a DuckDB file in the workspace by default, any Ibis backend by URL."""

from throughline.store.connection import EvidenceStore, open_store

__all__ = ["EvidenceStore", "open_store"]
