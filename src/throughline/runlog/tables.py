"""The record's rows in the run log: statements, claims and forecasts, written (inserted
or updated by id, inside the caller's transaction) and read back; and the log's times
(UTC ISO 8601 to the millisecond)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

from throughline.core.ids import compact_json
from throughline.record.decision import Claim, Forecast, Statement
from throughline.runlog.records import StoredForecast

__all__ = ["dt", "read_claims", "read_forecasts", "read_statements", "ts", "upsert_claims",
           "upsert_forecasts", "upsert_statements"]


def upsert_statements(conn: sqlite3.Connection, run_id: str,
                      statements: list[Statement]) -> None:
    conn.executemany(
        "INSERT INTO statements(run_id, id, round, advisor_id, move, text, addressed, "
        "cites, conviction, conviction_cause, conformity_flag, failed, failure, "
        "dropped_cites) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, id) DO UPDATE "
        "SET round = excluded.round, advisor_id = excluded.advisor_id, "
        "move = excluded.move, text = excluded.text, addressed = excluded.addressed, "
        "cites = excluded.cites, conviction = excluded.conviction, "
        "conviction_cause = excluded.conviction_cause, "
        "conformity_flag = excluded.conformity_flag, failed = excluded.failed, "
        "failure = excluded.failure, dropped_cites = excluded.dropped_cites",
        [(run_id, s.id, s.round, s.advisor_id, s.move.value, s.text, compact_json(s.addressed),
          compact_json(s.cites), s.conviction, s.conviction_cause, int(s.conformity_flag),
          int(s.failed), s.failure,
          compact_json(s.dropped_cites) if s.dropped_cites else None)
         for s in statements])


def upsert_claims(conn: sqlite3.Connection, run_id: str, claims: list[Claim]) -> None:
    conn.executemany(
        "INSERT INTO claims(run_id, id, location, kind, value, status, matched, expected, "
        "text, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, id) DO "
        "UPDATE SET location = excluded.location, kind = excluded.kind, "
        "value = excluded.value, status = excluded.status, matched = excluded.matched, "
        "expected = excluded.expected, text = excluded.text, note = excluded.note",
        [(run_id, c.id, c.location, c.kind, c.value, c.status, c.matched, c.expected,
          c.text, c.note) for c in claims])


def upsert_forecasts(conn: sqlite3.Connection, run_id: str,
                     forecasts: list[Forecast]) -> None:
    conn.executemany(
        "INSERT INTO forecasts(run_id, id, statement, probability, horizon, resolution, "
        "owner, finding_id, metric, current, threshold, unit, method) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, id) DO UPDATE "
        "SET statement = excluded.statement, probability = excluded.probability, "
        "horizon = excluded.horizon, resolution = excluded.resolution, "
        "owner = excluded.owner, finding_id = excluded.finding_id, "
        "metric = excluded.metric, current = excluded.current, "
        "threshold = excluded.threshold, unit = excluded.unit, method = excluded.method",
        [(run_id, f.id, f.statement, f.probability, f.horizon.isoformat(), f.resolution,
          f.owner, f.finding_id, f.metric, f.current, f.threshold, f.unit, f.method)
         for f in forecasts])


def read_statements(conn: sqlite3.Connection, run_id: str) -> list[Statement]:
    rows = conn.execute(
        "SELECT id, round, advisor_id, move, text, addressed, cites, conviction, "
        "conviction_cause, conformity_flag, failed, failure, dropped_cites FROM statements "
        "WHERE run_id = ? ORDER BY round, rowid", (run_id,)).fetchall()
    return [Statement(id=r[0], round=r[1], advisor_id=r[2], move=r[3], text=r[4],
                      addressed=json.loads(r[5]), cites=json.loads(r[6]), conviction=r[7],
                      conviction_cause=r[8], conformity_flag=bool(r[9]), failed=bool(r[10]),
                      failure=r[11], dropped_cites=json.loads(r[12]) if r[12] else [])
            for r in rows]


def read_claims(conn: sqlite3.Connection, run_id: str) -> list[Claim]:
    rows = conn.execute(
        "SELECT id, location, text, kind, value, status, matched, expected, note "
        "FROM claims WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
    return [Claim(id=r[0], location=r[1], text=r[2], kind=r[3], value=r[4], status=r[5],
                  matched=r[6], expected=r[7], note=r[8]) for r in rows]


def read_forecasts(conn: sqlite3.Connection, run_id: str | None = None, *,
                   unresolved: bool = False) -> list[StoredForecast]:
    """One run's forecasts, or every run's (``run_id=None``), by horizon."""
    where, params = [], []
    if run_id is not None:
        where.append("run_id = ?")
        params.append(run_id)
    if unresolved:
        where.append("resolved_at IS NULL")
    sql = ("SELECT run_id, id, statement, probability, horizon, resolution, owner, "
           "finding_id, metric, current, threshold, unit, method, resolved_at, outcome "
           "FROM forecasts" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY horizon, run_id, rowid")
    return [StoredForecast(
        run_id=r[0], id=r[1], statement=r[2], probability=r[3],
        horizon=date.fromisoformat(r[4]), resolution=r[5], owner=r[6], finding_id=r[7],
        metric=r[8], current=r[9], threshold=r[10], unit=r[11], method=r[12],
        resolved_at=dt(r[13]) if r[13] else None,
        outcome=None if r[14] is None else bool(r[14]))
        for r in conn.execute(sql, params).fetchall()]


def ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("run log times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)
