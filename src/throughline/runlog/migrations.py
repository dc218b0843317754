"""The run log's schema as named, ordered migrations.

Each migration is a function registered with :func:`migration`; names sort in the order
they run (``001_…``, ``002_…``). Applying them (transactions, the ``_migrations`` table,
the newer-version check) is :mod:`throughline.core.sqlite`'s. Append new migrations;
never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from throughline.core.sqlite import Migration, execute_script, transaction
from throughline.core.sqlite import migrate as migrate_schema

__all__ = ["MIGRATIONS", "Migration", "execute_script", "migrate", "migration", "transaction"]

MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register ``fn`` as the next migration, named after the function (without a leading
    ``m``: ``m001_initial`` is recorded as ``001_initial``)."""
    name = fn.__name__.removeprefix("m")
    if MIGRATIONS and name <= MIGRATIONS[-1].name:
        raise ValueError(f"migration {name!r} must sort after {MIGRATIONS[-1].name!r}")
    MIGRATIONS.append(Migration(name, fn))
    return fn


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None,
            *, where: str = "the run log") -> list[str]:
    """Apply the run log's pending migrations (or ``migrations``) in order and return the
    names applied (idempotent); see :func:`throughline.core.sqlite.migrate`."""
    return migrate_schema(conn, MIGRATIONS if migrations is None else migrations, where=where)


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
