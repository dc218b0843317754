"""Named, ordered, transactional migrations recorded in `_migrations`."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from throughline.core.errors import StoreError
from throughline.runlog import MIGRATIONS, Migration, RunLog, migrate
from throughline.runlog.migrations import execute_script, migration

TABLES = {"runs", "frames", "stages", "statements", "claims", "forecasts", "model_calls"}


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def _applied(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def test_fresh_file_gets_every_migration(log_path: Path) -> None:
    with RunLog.open(log_path) as log:
        assert log._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert log._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert TABLES | {"_migrations"} <= _tables(log_path)
    assert _applied(log_path) == [m.name for m in MIGRATIONS] and _applied(log_path)[0] == (
        "001_initial")
    names = [m.name for m in MIGRATIONS]
    assert names == sorted(names) and len(set(names)) == len(names)


def test_reopening_applies_nothing_and_keeps_data(log_path: Path) -> None:
    with RunLog.open(log_path) as log:
        run_id = log.create_run("q?", engine="offline")
        assert migrate(log._conn) == []
    with RunLog.open(log_path) as log:
        assert [r.id for r in log.list_runs()] == [run_id]
    assert _applied(log_path) == [m.name for m in MIGRATIONS]


def test_a_failing_migration_rolls_back_and_is_not_recorded(tmp_path: Path) -> None:
    def half_done(conn: sqlite3.Connection) -> None:
        execute_script(conn, """
        CREATE TABLE scores (run_id TEXT, brier REAL);
        INSERT INTO scores VALUES ('x', 0.1);
        ALTER TABLE no_such_table ADD COLUMN y TEXT;
        """)

    conn = sqlite3.connect(tmp_path / "runs.sqlite", isolation_level=None)
    try:
        with pytest.raises(StoreError, match=r"900_scores.*rolled back"):
            migrate(conn, [*MIGRATIONS, Migration("900_scores", half_done)])
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'scores'"
                            ).fetchone() is None
        done = [r[0] for r in conn.execute("SELECT name FROM _migrations")]
        assert done == [m.name for m in MIGRATIONS]  # the good ones before it stay applied

        def fixed(conn: sqlite3.Connection) -> None:
            execute_script(conn, "CREATE TABLE scores (run_id TEXT, brier REAL);")

        assert migrate(conn, [*MIGRATIONS, Migration("900_scores", fixed)]) == ["900_scores"]
        assert migrate(conn, [*MIGRATIONS, Migration("900_scores", fixed)]) == []
    finally:
        conn.close()


def test_a_newer_file_is_refused_with_a_clear_error(log_path: Path) -> None:
    RunLog.open(log_path).close()
    with closing(sqlite3.connect(log_path)) as conn, conn:
        conn.execute("INSERT INTO _migrations VALUES ('900_from_the_future', '2030-01-01')")
    with pytest.raises(StoreError, match=r"newer version of Throughline.*900_from_the_future"):
        RunLog.open(log_path)


def test_a_file_that_is_not_sqlite_is_a_store_error(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_bytes(b"not a database, just text" * 100)
    with pytest.raises(StoreError, match="not a usable run log"):
        RunLog.open(log_path)


def test_migrations_must_be_registered_in_order() -> None:
    before = list(MIGRATIONS)

    def m000_too_early(conn: sqlite3.Connection) -> None:  # pragma: no cover - never runs
        pass

    with pytest.raises(ValueError, match="must sort after"):
        migration(m000_too_early)
    assert before == MIGRATIONS
