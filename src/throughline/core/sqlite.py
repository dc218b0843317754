"""The one SQLite layer: open a file, run transactions, migrate its schema.

Both SQLite files (the run log and the research library) open through :func:`connect`:
autocommit connection (``isolation_level=None``), foreign keys on, WAL journal with
``synchronous=NORMAL`` (a killed process loses nothing committed; only a power cut can
lose the last commits), then pending migrations applied.

:class:`SQLiteFile` is the base of the objects that hold one (``RunLog``, ``Library``).

A schema is a list of named, ordered :class:`Migration` s. :func:`migrate` applies the
pending ones, each in its own ``BEGIN IMMEDIATE`` transaction together with its row in
``_migrations(name, applied_at)``, so a migration that fails leaves neither its tables nor
its row behind. A file that records a migration this code does not know was written by a
newer Throughline and is refused with a clear error. Append new migrations; never edit
one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from throughline.core.errors import StoreError

WRITABLE_HINT = "check the --workspace folder exists and is writable"


class SQLiteFile:
    """Base of an object that holds one SQLite connection (``self._conn``): :meth:`close`
    it, or use it as a context manager."""

    _conn: sqlite3.Connection

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def script(name: str, sql: str) -> Migration:
    """A migration that runs the statements of ``sql`` in order."""
    return Migration(name, lambda conn: execute_script(conn, sql))


def execute_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements one by one inside the caller's transaction.

    (``sqlite3.executescript`` would commit first, which breaks the all-or-nothing rule;
    splitting on ``;`` would break a statement holding one in a string or a trigger.)
    """
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]!r}")


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
    """A read transaction: every query inside sees the same state of the file."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the file, in the order they were applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                 "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration], *, where: str) -> list[str]:
    """Apply pending migrations in order and return the names applied (idempotent).

    Raises :class:`StoreError` when the file records a migration this code does not know
    (it was written by a newer Throughline), and when a migration fails (rolled back).
    ``where`` names the file in those messages ("the run log /path/runs.sqlite").
    """
    known = list(migrations)
    done = set(applied(conn))
    unknown = sorted(done - {m.name for m in known})
    if unknown:
        raise StoreError(
            f"{where} was written by a newer version of Throughline "
            f"(unknown migration {unknown[-1]!r})",
            hint="upgrade throughline, or point --workspace at another folder")
    names = []
    for step in known:
        if step.name in done:
            continue
        try:
            with transaction(conn):
                step.apply(conn)
                conn.execute("INSERT INTO _migrations(name, applied_at) VALUES (?, ?)",
                             (step.name, now_iso()))
        except sqlite3.Error as exc:
            raise StoreError(f"migration {step.name!r} of {where} failed and was rolled "
                             f"back: {exc}") from exc
        names.append(step.name)
    return names


def connect(path: Path, migrations: Sequence[Migration], *, what: str, kind: str,
            recreate_hint: str, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the SQLite file at ``path`` and bring its schema up to date.

    ``what`` names the file in messages ("the run log"), ``kind`` says what it should be
    ("run log": "… is not a usable run log"), ``recreate_hint`` how to start afresh.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0,
                               check_same_thread=check_same_thread)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open {what} at {path}: {exc}", hint=WRITABLE_HINT) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn, migrations, where=f"{what} {path}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path} is not a usable {kind}: {exc}", hint=recreate_hint) from exc
    except StoreError:
        conn.close()
        raise
    return conn


def now_iso() -> str:
    """UTC now to the second, ISO 8601 ('2026-01-31T09:30:00+00:00')."""
    return datetime.now(UTC).isoformat(timespec="seconds")
