"""The evidence store: a DuckDB file in the workspace by default, any Ibis backend by URL.

``connection`` opens it (``open_store``, ``store_session``) as an ``EvidenceStore``.
"""

from throughline.store.connection import EvidenceStore, open_store

__all__ = ["EvidenceStore", "open_store"]
