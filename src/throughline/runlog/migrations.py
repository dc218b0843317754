"""The run log's schema as named, ordered migrations.

Each migration is a function registered with :func:`migration`; names sort in the order
they run (``001_…``, ``002_…``). :func:`migrate` applies the pending ones, each in its own
``BEGIN IMMEDIATE`` transaction together with its row in ``_migrations(name, applied_at)``,
so a migration that fails leaves neither its tables nor its row behind. Append new
migrations; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from throughline.core.errors import StoreError


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register ``fn`` as the next migration, named after the function (without a leading
    ``m``: ``m001_initial`` is recorded as ``001_initial``)."""
    name = fn.__name__.removeprefix("m")
    if MIGRATIONS and name <= MIGRATIONS[-1].name:
        raise ValueError(f"migration {name!r} must sort after {MIGRATIONS[-1].name!r}")
    MIGRATIONS.append(Migration(name, fn))
    return fn


def execute_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements one by one inside the caller's transaction.

    (``sqlite3.executescript`` would commit first, which breaks the all-or-nothing rule.)
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


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the file, in the order they were applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                 "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None,
            *, where: str = "the run log") -> list[str]:
    """Apply pending migrations in order and return the names applied (idempotent).

    Raises :class:`StoreError` when the file records a migration this code does not know
    (it was written by a newer Throughline), and when a migration fails (rolled back).
    """
    known = list(MIGRATIONS if migrations is None else migrations)
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
                             (step.name, datetime.now(UTC).isoformat(timespec="seconds")))
        except sqlite3.Error as exc:
            raise StoreError(f"migration {step.name!r} of {where} failed and was rolled "
                             f"back: {exc}") from exc
        names.append(step.name)
    return names


# -- the migrations ----------------------------------------------------------------------


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    execute_script(conn, """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,                  -- sortable: UTC time prefix + random suffix
        question TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'partial')),
        engine TEXT NOT NULL,                 -- 'offline' or 'model'
        created_at TEXT NOT NULL,
        finished_at TEXT,
        settings TEXT NOT NULL,               -- JSON snapshot, secrets redacted
        replay_of TEXT REFERENCES runs(id),   -- the run whose recorded replies were replayed
        version TEXT NOT NULL,                -- throughline version that started the run
        error TEXT,                           -- why a failed run failed
        record TEXT,                          -- DecisionRecord JSON, exactly as written
        record_sha256 TEXT                    -- sha256 of the record column's UTF-8 bytes
    );
    CREATE INDEX runs_by_created ON runs(created_at, id);

    CREATE TABLE frames (
        run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        decision_type TEXT NOT NULL,
        intent TEXT NOT NULL,                 -- Intent JSON
        created_at TEXT NOT NULL
    );

    CREATE TABLE stages (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,                   -- frame, gather, cast, debate, claim_check, ...
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 1,  -- > 1 when a resumed run started it again
        started_at TEXT NOT NULL,
        finished_at TEXT,
        output TEXT,                          -- JSON: what the stage produced
        error TEXT,
        PRIMARY KEY (run_id, name)
    );

    CREATE TABLE statements (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,                     -- 'r<round>.<advisor id>'
        round INTEGER NOT NULL,
        advisor_id TEXT NOT NULL,
        move TEXT NOT NULL,
        text TEXT NOT NULL,
        addressed TEXT NOT NULL,              -- JSON list of advisor ids
        cites TEXT NOT NULL,                  -- JSON list of evidence ids
        conviction REAL NOT NULL,
        conviction_cause TEXT,
        conformity_flag INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        failure TEXT,
        PRIMARY KEY (run_id, id)
    );
    CREATE INDEX statements_by_round ON statements(run_id, round, advisor_id);

    CREATE TABLE claims (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        location TEXT NOT NULL,
        kind TEXT NOT NULL,
        value REAL,
        status TEXT NOT NULL,
        matched TEXT,
        expected TEXT,
        text TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
    );
    CREATE INDEX claims_by_status ON claims(run_id, status);

    CREATE TABLE forecasts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        statement TEXT NOT NULL,
        probability REAL NOT NULL,
        horizon TEXT NOT NULL,                -- ISO date the forecast resolves by
        resolution TEXT NOT NULL,
        owner TEXT NOT NULL,                  -- advisor id (per-advisor Brier scores)
        finding_id TEXT,
        metric TEXT,
        current REAL,
        threshold REAL,
        unit TEXT,
        method TEXT NOT NULL,
        resolved_at TEXT,                     -- set when the forecast is scored
        outcome INTEGER,                      -- 1 came true, 0 did not, NULL unresolved
        PRIMARY KEY (run_id, id)
    );
    CREATE INDEX forecasts_open ON forecasts(horizon) WHERE resolved_at IS NULL;
    CREATE INDEX forecasts_by_owner ON forecasts(owner);

    CREATE TABLE model_calls (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,                 -- 1, 2, … in the order calls were logged
        stage TEXT,
        role TEXT NOT NULL,                   -- framer, advisor, summariser, ...
        advisor_id TEXT,
        round INTEGER,
        engine TEXT NOT NULL,                 -- 'offline' or the provider
        model TEXT NOT NULL,
        reason TEXT NOT NULL,                 -- why this model was used for this role
        parameters TEXT NOT NULL,             -- JSON, secrets redacted
        request_key TEXT NOT NULL,            -- sha256 of the canonical request JSON
        request TEXT NOT NULL,                -- JSON
        reply TEXT,                           -- JSON; NULL when no reply came back
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        latency_s REAL NOT NULL,
        cost_usd REAL NOT NULL,
        outcome TEXT NOT NULL,                -- ok, retried, repaired, failed, ...
        error TEXT,                           -- set when this attempt did not produce a reply
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX model_calls_by_key ON model_calls(run_id, request_key, seq);
    """)


@migration
def m002_statement_dropped_cites(conn: sqlite3.Connection) -> None:
    """Citations a model reply made to ids outside the advisor's evidence: dropped from the
    statement's cites and kept here (JSON list; NULL when none)."""
    conn.execute("ALTER TABLE statements ADD COLUMN dropped_cites TEXT")
