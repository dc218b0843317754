"""Ingest: a company's exports → the canonical evidence store, all or nothing."""

from throughline.ingest.loader import ingest
from throughline.ingest.report import LoadReport

__all__ = ["ingest", "LoadReport"]
