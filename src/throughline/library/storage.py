"""The library's SQLite file: connection, named migrations, metadata counters.

One file (``Settings.library_path``) holds the documents, their passages, the BM25
postings (:mod:`.index`) and, with the embeddings extra, passage vectors. Writes run in
one ``BEGIN IMMEDIATE`` transaction each, so a failed ``add`` leaves the library as it
was. WAL mode lets a search read while another process writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from throughline.core.errors import StoreError

#: Named, ordered migrations; each runs once in a transaction and is recorded in
#: ``_migrations``. Append new ones; never edit an applied one.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the library at {path}: {exc}",
                         hint="check the --workspace folder exists and is writable") from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path} is not a usable library file: {exc}",
                         hint="move it aside; `throughline library add` creates a new one"
                         ) from exc
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order; return the names applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                 "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with transaction(conn):
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO _migrations VALUES (?, ?)", (name, now_iso()))
        applied.append(name)
    return applied


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read transaction: every query inside sees the same state of the library."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


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


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
