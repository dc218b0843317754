"""The library's SQLite file: connection, named migrations, metadata counters.

One file (``Settings.library_path``) holds the documents, their passages, the BM25
postings (:mod:`.index`) and, with the embeddings extra, passage vectors. Writes run in
one ``BEGIN IMMEDIATE`` transaction each, so a failed ``add`` leaves the library as it
was. WAL mode lets a search read while another process writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from throughline.core import sqlite
from throughline.core.sqlite import Migration, now_iso, script, snapshot, transaction

__all__ = ["MIGRATIONS", "bump_generation", "connect", "get_meta", "now_iso", "set_meta",
           "snapshot", "transaction"]

#: Named, ordered migrations; each runs once in a transaction and is recorded in
#: ``_migrations``. Append new ones; never edit an applied one.
MIGRATIONS: tuple[Migration, ...] = (
    script(
        "m001_documents_passages_postings",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            source_key TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            url TEXT,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            author TEXT,
            date TEXT,
            tags TEXT NOT NULL,            -- JSON list: the document's own and added tags
            added_tags TEXT NOT NULL,      -- JSON list: tags given to `add` (they stick)
            content_hash TEXT NOT NULL,    -- sha256 of the normalised text
            fingerprint TEXT NOT NULL,     -- content + metadata + chunker/tokenizer versions
            encoding TEXT,
            bytes INTEGER NOT NULL,
            hidden_removed INTEGER NOT NULL,
            passages INTEGER NOT NULL,
            flagged INTEGER NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE passages (
            num INTEGER PRIMARY KEY AUTOINCREMENT,  -- internal, never reused
            id TEXT NOT NULL UNIQUE,                -- public, stable
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            length INTEGER NOT NULL,                -- number of index terms (BM25 dl)
            flags TEXT NOT NULL                     -- JSON list of instruction patterns
        );
        CREATE INDEX passages_by_document ON passages(document_id, ordinal);
        CREATE INDEX passages_lengths ON passages(num, length);
        CREATE TABLE postings (
            term TEXT NOT NULL,
            segment INTEGER NOT NULL,
            nums BLOB NOT NULL,   -- little-endian uint32 passage nums, ascending
            tfs BLOB NOT NULL,    -- little-endian uint16 term frequencies
            PRIMARY KEY (term, segment)
        ) WITHOUT ROWID;
        CREATE TABLE embeddings (
            num INTEGER PRIMARY KEY REFERENCES passages(num) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BLOB NOT NULL  -- little-endian float32, L2-normalised
        );
        INSERT INTO meta(key, value) VALUES ('tokenizer_version', '1'), ('generation', '0'),
            ('next_segment', '0'), ('dead_passages', '0');
        """,
    ),
)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the library file and bring its schema up to date."""
    return sqlite.connect(path, MIGRATIONS, what="the library", kind="library file",
                          recreate_hint="move it aside; `throughline library add` creates a "
                          "new one")


def get_meta(conn: sqlite3.Connection, key: str, default: int = 0) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: int) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))


def bump_generation(conn: sqlite3.Connection) -> int:
    """Mark the library changed (readers drop their cached statistics)."""
    generation = get_meta(conn, "generation") + 1
    set_meta(conn, "generation", generation)
    return generation
