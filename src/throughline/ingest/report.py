"""The load report: what went where, what was rejected, how long it took."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FileReport(BaseModel):
    path: str
    format: str
    profile: str | None
    sources: list[str] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    rows: int = 0
    rejected: int = 0
    skipped: bool = False
    encoding: str | None = None  # how a text file was decoded (utf-8, utf-8-sig, cp1252, …)
    repaired_lines: list[int] = Field(default_factory=list)  # --repair-encoding: lines read
    # as cp1252 in a file that is otherwise UTF-8 (the first 1,000)
    notes: list[str] = Field(default_factory=list)


class TableReport(BaseModel):
    table: str
    rows_read: int = 0
    inserted: int = 0
    replaced: int = 0
    rejected: int = 0
    total_after: int = 0


class QuarantinedRow(BaseModel):
    file: str
    row: int | None
    table: str
    column: str | None
    value: str | None
    reason: str


class LoadReport(BaseModel):
    ingest_id: str
    store: str
    profiles: list[str]
    files: list[FileReport]
    tables: list[TableReport]
    rejected: int = 0
    quarantine_table: str | None = None
    quarantined_examples: list[QuarantinedRow] = Field(default_factory=list)
    duration_s: float
