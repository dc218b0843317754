"""Runs found and summed up: a run id resolved from a prefix or ``latest``, and the summary
row of a run (status, question, binding constraint, verdict, claim and call counts)."""

from __future__ import annotations

import sqlite3
from typing import Any

from throughline.core.errors import UsageError
from throughline.runlog.records import ClaimCounts, RunSummary

__all__ = ["LIST_HINT", "MIN_PREFIX", "SUMMARY_COLUMNS", "SUMMARY_FIELDS", "resolve", "summary"]

LIST_HINT = "see `throughline runs list` for run ids"
MIN_PREFIX = 4

SUMMARY_FIELDS = ("id", "created_at", "finished_at", "status", "engine", "question",
                  "binding", "binding_label", "verdict", "replay_of")
SUMMARY_COLUMNS = ("id, created_at, finished_at, CASE WHEN status = 'finished' AND "
                   "json_extract(record, '$.run.degraded_reason') IS NOT NULL THEN 'degraded' "
                   "ELSE status END, engine, question, "
                   "json_extract(record, '$.binding'), json_extract(record, '$.binding_label'), "
                   "json_extract(record, '$.verdict'), replay_of")
"""A run's summary columns; a degraded run is stored 'finished' (the status column's CHECK
predates 'degraded') and read back as 'degraded' from its record."""


def resolve(conn: sqlite3.Connection, ref: str) -> str:
    """The full id for an id, a unique prefix of one (≥ 4 characters) or ``latest``.

    Raises :class:`UsageError` naming ``ref`` when no run (or several) match.
    """
    ref = ref.strip()
    if not ref:
        raise UsageError("give a run id", hint=LIST_HINT)
    if ref == "latest":
        row = conn.execute(
            "SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
        if row is None:
            raise UsageError("there are no runs yet",
                             hint="start one with `throughline ask \"QUESTION\"`")
        return str(row[0])
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (ref,)).fetchone():
        return ref
    rows = []
    if len(ref) >= MIN_PREFIX:
        rows = conn.execute(
            "SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 6",
            (len(ref), ref)).fetchall()
    if len(rows) > 1:
        shown = ", ".join(r[0] for r in rows[:5])
        raise UsageError(f"run id prefix {ref!r} matches several runs ({shown}…)"
                         if len(rows) > 5 else
                         f"run id prefix {ref!r} matches several runs ({shown})",
                         hint="give more characters of the id")
    if not rows:
        raise UsageError(f"no run with id {ref!r}", hint=LIST_HINT)
    return str(rows[0][0])


def summary(conn: sqlite3.Connection, row: tuple[Any, ...]) -> RunSummary:
    """A run's summary from a row of :data:`SUMMARY_COLUMNS`."""
    data = dict(zip(SUMMARY_FIELDS, row, strict=True))
    counts = dict(conn.execute(
        "SELECT status, count(*) FROM claims WHERE run_id = ? GROUP BY status",
        (data["id"],)).fetchall())
    calls, attempts = conn.execute(
        "SELECT count(DISTINCT coalesce(request_key, seq)), count(*) FROM model_calls "
        "WHERE run_id = ?", (data["id"],)).fetchone()
    rounds = conn.execute("SELECT count(DISTINCT round) FROM statements "
                                "WHERE run_id = ?", (data["id"],)).fetchone()[0]
    verdict = data.pop("verdict")
    return RunSummary(
        **data, claims=ClaimCounts(**counts), calls=calls, attempts=attempts, rounds=rounds,
        verdict=verdict.strip().splitlines()[0] if verdict and verdict.strip() else None)
