"""Model calls in the run log: one row per attempt (``model_calls``), numbered in the order
they were logged, found again by request key (resume, replay), read back and summed."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from throughline.core.seams import CallInfo
from throughline.runlog.records import CallRecord, CallsSummary, ModelUsage

__all__ = ["calls_summary", "find_call", "insert_call", "read_calls"]

_CALL_FIELDS = ("run_id", "seq", "stage", "role", "advisor_id", "round", "engine", "model",
                "reason", "parameters", "request_key", "request", "reply", "tokens_in",
                "tokens_out", "latency_s", "cost_usd", "outcome", "error", "created_at")
_CALL_COLUMNS = ", ".join(_CALL_FIELDS)


def insert_call(conn: sqlite3.Connection, run_id: str, info: CallInfo, *, key: str,
                parameters: str, request: str, reply: str | None, stage: str | None,
                advisor_id: str | None, round: int | None, error: str | None,
                created_at: str) -> int:
    """Insert one attempt (JSON texts already redacted) and return its sequence number."""
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM model_calls "
                       "WHERE run_id = ?", (run_id,)).fetchone()[0]
    conn.execute(
        "INSERT INTO model_calls(run_id, seq, stage, role, advisor_id, round, engine, "
        "model, reason, parameters, request_key, request, reply, tokens_in, "
        "tokens_out, latency_s, cost_usd, outcome, error, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, seq, stage, info.role, advisor_id, round, info.engine, info.model,
         info.reason, parameters, key, request, reply, info.tokens_in,
         info.tokens_out, info.latency_s, info.cost_usd, info.outcome, error, created_at))
    return int(seq)


def find_call(conn: sqlite3.Connection, run_id: str, key: str) -> CallRecord | None:
    """The first usable call of ``run_id`` with this request key (resume, replay)."""
    row = conn.execute(
        f"SELECT {_CALL_COLUMNS} FROM model_calls WHERE run_id = ? AND request_key = ? "
        "AND reply IS NOT NULL AND error IS NULL ORDER BY seq LIMIT 1",
        (run_id, key)).fetchone()
    return _call(row) if row else None


def read_calls(conn: sqlite3.Connection, run_id: str) -> list[CallRecord]:
    rows = conn.execute(f"SELECT {_CALL_COLUMNS} FROM model_calls WHERE run_id = ? "
                        "ORDER BY seq", (run_id,)).fetchall()
    return [_call(r) for r in rows]


def calls_summary(conn: sqlite3.Connection, run_id: str) -> CallsSummary:
    rows = conn.execute(
        "SELECT role, engine, model, min(reason), count(*), "
        "sum(error IS NOT NULL OR reply IS NULL), sum(tokens_in), sum(tokens_out), "
        "sum(cost_usd), sum(latency_s) FROM model_calls WHERE run_id = ? "
        "GROUP BY role, engine, model ORDER BY min(seq)", (run_id,)).fetchall()
    usage = [ModelUsage(role=r[0], engine=r[1], model=r[2], reason=r[3], calls=r[4],
                        failed=r[5], tokens_in=r[6], tokens_out=r[7],
                        cost_usd=round(r[8], 6), latency_s=round(r[9], 3)) for r in rows]
    outcomes = dict(conn.execute(
        "SELECT outcome, count(*) FROM model_calls WHERE run_id = ? GROUP BY outcome "
        "ORDER BY outcome", (run_id,)).fetchall())
    distinct = conn.execute(
        "SELECT count(DISTINCT coalesce(request_key, seq)) FROM model_calls "
        "WHERE run_id = ?", (run_id,)).fetchone()[0]
    return CallsSummary(
        calls=distinct, attempts=sum(u.calls for u in usage),
        failed=sum(u.failed for u in usage),
        tokens_in=sum(u.tokens_in for u in usage), tokens_out=sum(u.tokens_out for u in usage),
        cost_usd=round(sum(u.cost_usd for u in usage), 6),
        latency_s=round(sum(u.latency_s for u in usage), 3), outcomes=outcomes,
        by_model=usage)


def _call(row: tuple[Any, ...]) -> CallRecord:
    data = dict(zip(_CALL_FIELDS, row, strict=True))
    for field in ("parameters", "request"):
        data[field] = json.loads(data[field])
    data["reply"] = None if data["reply"] is None else json.loads(data["reply"])
    return CallRecord(**data)
