"""The run log: every run's stages, statements, claims, forecasts, model calls and record.

One SQLite file (``Settings.runlog_path``), WAL mode, foreign keys on. Every write is its
own ``BEGIN IMMEDIATE`` transaction and is committed before the method returns, so after a
``kill -9`` the file holds everything up to the last completed call: a resumed run finds
its finished stages (:meth:`RunLog.stage_output`) and completed calls
(:meth:`RunLog.find_call`) and repeats neither. (WAL with ``synchronous=NORMAL`` survives a
killed process; only a power cut can lose the last commits.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from throughline import __version__
from throughline.core.errors import StoreError, UsageError
from throughline.core.ids import canonical_json, compact_json, new_run_id, request_key, to_jsonable
from throughline.core.redact import (
    env_secrets,
    redact,
    redact_text,
    redacted_json,
    redacted_text_json,
)
from throughline.core.seams import CallInfo
from throughline.core.settings import Settings
from throughline.core.sqlite import SQLiteFile, connect, transaction
from throughline.record.decision import (
    RECORD_SCHEMA_VERSION,
    Claim,
    DecisionRecord,
    Forecast,
    Intent,
    Statement,
)
from throughline.runlog import calls as model_calls
from throughline.runlog import runs, tables
from throughline.runlog.migrations import MIGRATIONS
from throughline.runlog.records import (
    STAGES,
    CallRecord,
    CallsSummary,
    RunDetail,
    RunStatus,
    RunSummary,
    StageInfo,
    StoredForecast,
)
from throughline.runlog.tables import dt, ts

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RunLog(SQLiteFile):
    """Typed access to the run log. Open with :meth:`open`; use as a context manager."""

    def __init__(self, path: str | Path, *, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or _utcnow
        self._lock = threading.RLock()
        self._conn = _connect(self.path)

    @classmethod
    def open(cls, where: Settings | str | Path, *, clock: Clock | None = None) -> RunLog:
        """Open (creating if needed) the run log and apply pending migrations."""
        path = where.runlog_path if isinstance(where, Settings) else Path(where)
        return cls(path, clock=clock)

    # runs -------------------------------------------------------------------------------
    def create_run(self, question: str, *, engine: str,
                   settings: BaseModel | Mapping[str, Any] | None = None,
                   replay_of: str | None = None, run_id: str | None = None) -> str:
        """Start a run (status ``running``) and return its id.

        ``settings`` is snapshotted as JSON with secrets redacted (see :mod:`throughline.core.redact`).
        """
        now = self._clock()
        run_id = run_id or new_run_id(now)
        snapshot = redact(to_jsonable(settings) if settings is not None else {})
        if not isinstance(snapshot, dict):
            raise UsageError("the settings snapshot must be an object (a mapping or a model)")
        replayed = self.resolve(replay_of) if replay_of else None
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO runs(id, question, status, engine, created_at, settings, "
                    "replay_of, version) VALUES (?, ?, 'running', ?, ?, ?, ?, ?)",
                    (run_id, question, engine, ts(now), compact_json(snapshot), replayed,
                     __version__))
            except sqlite3.IntegrityError as exc:
                raise UsageError(f"a run with id {run_id!r} already exists") from exc
        return run_id

    def finish_run(self, run_id: str, record: DecisionRecord,
                   status: RunStatus | None = None) -> str:
        """Store the record and close the run; return the record's sha256.

        The status defaults to ``partial`` when the record says so, ``degraded`` when it
        says more than a third of its turns failed, else ``finished``. The
        record's statements, claims and forecasts are written to their tables too (the
        record is the final word), and the ``record`` stage is marked finished — all in one
        transaction.
        """
        self._require(run_id)
        replay_of = self._conn.execute("SELECT replay_of FROM runs WHERE id = ?",
                                       (run_id,)).fetchone()[0]
        if record.run_id not in (run_id, replay_of):
            raise UsageError(f"the record belongs to run {record.run_id!r}, not {run_id!r}")
        status = status or ("partial" if record.run.partial else "finished")
        if status not in ("finished", "partial", "degraded"):
            raise UsageError("a run with a record is 'finished', 'partial' or 'degraded', "
                             f"not {status!r}")
        if status == "degraded" and not record.run.degraded_reason:
            raise UsageError("a degraded run's record says why (run.degraded_reason)")
        # stored as 'finished' (the column's CHECK predates 'degraded'); read back as
        # 'degraded' from the record's run.degraded_reason (see runs.SUMMARY_COLUMNS)
        status = "finished" if status == "degraded" else status
        text = record.model_dump_json()
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        now = ts(self._clock())
        statements = [s for r in record.rounds for s in r.statements]
        with self._write() as conn:
            tables.upsert_statements(conn, run_id, statements)
            tables.upsert_claims(conn, run_id, record.claim_check.claims)
            tables.upsert_forecasts(conn, run_id, record.predictions)
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, record = ?, record_sha256 = ?, "
                "error = NULL WHERE id = ?", (status, now, text, digest, run_id))
            output = compact_json({"record_sha256": digest, "bytes": len(text.encode("utf-8"))})
            conn.execute(
                "INSERT INTO stages(run_id, name, status, started_at, finished_at, output) "
                "VALUES (?, 'record', 'finished', ?, ?, ?) ON CONFLICT(run_id, name) DO "
                "UPDATE SET status = 'finished', finished_at = excluded.finished_at, "
                "output = excluded.output, error = NULL", (run_id, now, now, output))
        return digest

    def fail_run(self, run_id: str, error: str) -> None:
        """Close a run that produced no record (the error is stored, secrets redacted)."""
        self._change(run_id, "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
                     "WHERE id = ?", (ts(self._clock()), redact_text(error), run_id))

    def reopen_run(self, run_id: str) -> None:
        """Mark a run ``running`` again (resume); its stages, statements and calls stay."""
        self._change(run_id, "UPDATE runs SET status = 'running', finished_at = NULL, "
                     "error = NULL WHERE id = ?", (run_id,))

    def resolve(self, ref: str) -> str:
        """The full id for an id, a unique prefix of one (≥ 4 characters) or ``latest``.

        Raises :class:`UsageError` naming ``ref`` when no run (or several) match.
        """
        return runs.resolve(self._conn, ref)

    def list_runs(self, limit: int = 20) -> list[RunSummary]:
        """The latest runs, newest first."""
        if limit < 1:
            raise UsageError(f"--limit must be at least 1 (got {limit})")
        rows = self._conn.execute(
            f"SELECT {runs.SUMMARY_COLUMNS} FROM runs ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit,)).fetchall()
        return [runs.summary(self._conn, row) for row in rows]

    def get_run(self, ref: str) -> RunDetail:
        """Everything about one run but its full record (see :meth:`get_record`)."""
        run_id = self.resolve(ref)
        row = self._conn.execute(f"SELECT {runs.SUMMARY_COLUMNS}, version, error, settings, "
                                 "record_sha256 FROM runs WHERE id = ?", (run_id,)).fetchone()
        summary = runs.summary(self._conn, row[:len(runs.SUMMARY_FIELDS)])
        verdict = row[runs.SUMMARY_FIELDS.index("verdict")]
        version, error, settings, digest = row[len(runs.SUMMARY_FIELDS):]
        counts = self._conn.execute(
            "SELECT count(*), coalesce(sum(failed), 0), count(DISTINCT round) "
            "FROM statements WHERE run_id = ?", (run_id,)).fetchone()
        forecasts = self._conn.execute("SELECT count(*) FROM forecasts WHERE run_id = ?",
                                       (run_id,)).fetchone()[0]
        end = summary.finished_at
        return RunDetail(
            **summary.model_dump(), verdict_text=verdict, version=version, error=error,
            settings=json.loads(settings), intent=self.get_frame(run_id),
            stages=self.stages(run_id), statements=counts[0], failed_statements=counts[1],
            forecasts=forecasts, calls_summary=self.calls_summary(run_id),
            record_sha256=digest,
            duration_s=(end - summary.created_at).total_seconds() if end else None)

    def get_record(self, ref: str) -> DecisionRecord:
        """The stored record, checked against its sha256 and parsed."""
        run_id = self.resolve(ref)
        status, text, digest = self._conn.execute(
            "SELECT status, record, record_sha256 FROM runs WHERE id = ?", (run_id,)).fetchone()
        if text is None:
            raise UsageError(f"run {run_id!r} has no decision record (status: {status})",
                             hint="only finished, partial or degraded runs have one; "
                             f"see `throughline runs show {run_id}`")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            raise StoreError(f"the stored record of run {run_id!r} does not match its sha256",
                             hint=f"the run log {self.path} was modified outside Throughline")
        try:
            version = json.loads(text).get("schema_version")
            if isinstance(version, int) and version > RECORD_SCHEMA_VERSION:
                raise StoreError(f"run {run_id!r} has a record of schema version {version}; "
                                 f"this Throughline reads up to {RECORD_SCHEMA_VERSION}",
                                 hint="upgrade throughline")
            return DecisionRecord.model_validate_json(text)
        except (ValueError, ValidationError) as exc:
            raise StoreError(f"the stored record of run {run_id!r} cannot be read: {exc}") from exc

    def record_json(self, ref: str) -> str:
        """The record exactly as stored (the bytes ``record_sha256`` was computed over)."""
        self.get_record(ref)  # checks presence and digest
        return str(self._conn.execute("SELECT record FROM runs WHERE id = ?",
                                      (self.resolve(ref),)).fetchone()[0])

    # frame and stages -------------------------------------------------------------------
    def save_frame(self, run_id: str, intent: Intent) -> None:
        self._change(
            run_id,
            "INSERT INTO frames(run_id, decision_type, intent, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
            "decision_type = excluded.decision_type, intent = excluded.intent",
            (run_id, intent.decision_type, intent.model_dump_json(), ts(self._clock())))

    def get_frame(self, run_id: str) -> Intent | None:
        row = self._conn.execute("SELECT intent FROM frames WHERE run_id = ?",
                                 (run_id,)).fetchone()
        return Intent.model_validate_json(row[0]) if row else None

    def stage_started(self, run_id: str, name: str) -> None:
        """Mark a stage running; starting it again (a resumed run) counts an attempt."""
        self._change(
            run_id,
            "INSERT INTO stages(run_id, name, status, started_at) "
            "VALUES (?, ?, 'running', ?) ON CONFLICT(run_id, name) DO UPDATE SET "
            "status = 'running', attempts = attempts + 1, started_at = "
            "excluded.started_at, finished_at = NULL, output = NULL, error = NULL",
            (run_id, name, ts(self._clock())))

    def stage_finished(self, run_id: str, name: str, output: Any = None) -> None:
        """Mark a stage finished with what it produced (any JSON value or Pydantic model)."""
        self._stage_end(run_id, name, "finished", compact_json(to_jsonable(output)), None)

    def stage_failed(self, run_id: str, name: str, error: str) -> None:
        self._stage_end(run_id, name, "failed", None, redact_text(error))

    def stage_output(self, run_id: str, name: str) -> Any | None:
        """What a finished stage produced (parsed JSON); None if it has not finished."""
        row = self._conn.execute(
            "SELECT output FROM stages WHERE run_id = ? AND name = ? AND status = 'finished'",
            (run_id, name)).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else None

    def stages(self, run_id: str) -> list[StageInfo]:
        """The run's stages in pipeline order (unknown names after, by start time)."""
        rows = self._conn.execute(
            "SELECT name, status, attempts, started_at, finished_at, error FROM stages "
            "WHERE run_id = ? ORDER BY started_at, name", (run_id,)).fetchall()
        infos = []
        for name, status, attempts, started, finished, error in rows:
            start, end = dt(started), dt(finished) if finished else None
            infos.append(StageInfo(
                name=name, status=status, attempts=attempts, started_at=start,
                finished_at=end, error=error,
                duration_s=round((end - start).total_seconds(), 3) if end else None))
        order = {name: i for i, name in enumerate(STAGES)}
        return sorted(infos, key=lambda s: order.get(s.name, len(STAGES)))

    def _stage_end(self, run_id: str, name: str, status: str, output: str | None,
                   error: str | None) -> None:
        now = ts(self._clock())
        self._change(
            run_id,
            "INSERT INTO stages(run_id, name, status, started_at, finished_at, output, "
            "error) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, name) DO UPDATE SET "
            "status = excluded.status, finished_at = excluded.finished_at, "
            "output = excluded.output, error = excluded.error",
            (run_id, name, status, now, now, output, error))

    # statements, claims, forecasts --------------------------------------------------------
    def save_statement(self, run_id: str, statement: Statement) -> None:
        self.save_statements(run_id, [statement])

    def save_statements(self, run_id: str, statements: Iterable[Statement]) -> None:
        """Insert or replace statements by id (saving one twice is harmless)."""
        self._save(run_id, tables.upsert_statements, statements)

    def statements(self, run_id: str) -> list[Statement]:
        return tables.read_statements(self._conn, run_id)

    def save_claims(self, run_id: str, claims: Iterable[Claim]) -> None:
        """Insert or replace claim-check results by claim id."""
        self._save(run_id, tables.upsert_claims, claims)

    def claims(self, run_id: str) -> list[Claim]:
        return tables.read_claims(self._conn, run_id)

    def save_forecasts(self, run_id: str, forecasts: Iterable[Forecast]) -> None:
        """Insert or update forecasts by id; a resolution already recorded is kept."""
        self._save(run_id, tables.upsert_forecasts, forecasts)

    def forecasts(self, run_id: str | None = None, *,
                  unresolved: bool = False) -> list[StoredForecast]:
        """One run's forecasts, or every run's (``run_id=None``), by horizon."""
        return tables.read_forecasts(self._conn, run_id, unresolved=unresolved)

    def resolve_forecast(self, run_id: str, forecast_id: str, outcome: bool,
                         resolved_at: datetime | None = None) -> None:
        """Record whether a forecast came true (for Brier scoring)."""
        self._require(run_id)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE forecasts SET outcome = ?, resolved_at = ? WHERE run_id = ? AND id = ?",
                (int(outcome), ts(resolved_at or self._clock()), run_id, forecast_id))
            if cursor.rowcount == 0:
                raise UsageError(f"run {run_id!r} has no forecast {forecast_id!r}")

    # model calls --------------------------------------------------------------------------
    def log_call(self, run_id: str, info: CallInfo, request: Any, reply: Any, *,
                 stage: str | None = None, advisor_id: str | None = None,
                 round: int | None = None, error: str | None = None,
                 key: str | None = None) -> int:
        """Log one model call (one attempt) and return its sequence number in the run.

        ``request`` and ``reply`` are JSON values or Pydantic models; ``reply`` is None
        when nothing came back. Log every attempt, retries included, with ``error`` set
        for one that failed: only a call with a reply and no error is reused by
        :meth:`find_call`. ``key`` defaults to :func:`request_key` of ``request`` (computed
        before secrets are redacted); a caller with its own canonical form passes its own.
        """
        self._require(run_id)
        key = key or request_key(request)
        secrets = env_secrets()
        request_text = redacted_json(to_jsonable(request), canonical_json, secrets=secrets)
        return self._insert_call(run_id, info, key, request_text, reply, secrets, stage=stage,
                                 advisor_id=advisor_id, round=round, error=error)

    def log_call_json(self, run_id: str, info: CallInfo, request_json: str, reply: Any, *,
                      key: str, stage: str | None = None, advisor_id: str | None = None,
                      round: int | None = None, error: str | None = None) -> int:
        """:meth:`log_call` for a request the caller already holds as canonical JSON text
        (the model layer serialises each request once, for its key): the text is stored
        as it is unless it might hold a secret, and only then parsed and redacted."""
        self._require(run_id)
        secrets = env_secrets()
        request_text = redacted_text_json(request_json, canonical_json, secrets=secrets)
        return self._insert_call(run_id, info, key, request_text, reply, secrets, stage=stage,
                                 advisor_id=advisor_id, round=round, error=error)

    def _insert_call(self, run_id: str, info: CallInfo, key: str, request_text: str,
                     reply: Any, secrets: list[str], *, stage: str | None,
                     advisor_id: str | None, round: int | None, error: str | None) -> int:
        reply_text = None if reply is None else redacted_json(
            to_jsonable(reply), compact_json, secrets=secrets)
        parameters = compact_json(redact(info.parameters, secrets=secrets))
        with self._write() as conn:
            return model_calls.insert_call(
                conn, run_id, info, key=key, parameters=parameters, request=request_text,
                reply=reply_text, stage=stage, advisor_id=advisor_id, round=round,
                error=None if error is None else redact_text(error, secrets),
                created_at=ts(self._clock()))

    def find_call(self, run_id: str, key: str) -> CallRecord | None:
        """The first usable call of ``run_id`` with this request key (resume, replay)."""
        return model_calls.find_call(self._conn, run_id, key)

    def calls(self, run_id: str) -> list[CallRecord]:
        return model_calls.read_calls(self._conn, run_id)

    def calls_summary(self, run_id: str) -> CallsSummary:
        return model_calls.calls_summary(self._conn, run_id)

    # internals ----------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                with transaction(self._conn) as conn:
                    yield conn
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write to the run log {self.path}: {exc}") from exc

    def _change(self, run_id: str, sql: str, params: tuple[Any, ...]) -> None:
        """One statement about an existing run, in a write transaction."""
        self._require(run_id)
        with self._write() as conn:
            conn.execute(sql, params)

    def _save(self, run_id: str, upsert: Callable[[sqlite3.Connection, str, list[Any]], None],
              rows: Iterable[Any]) -> None:
        self._require(run_id)
        with self._write() as conn:
            upsert(conn, run_id, list(rows))

    def _require(self, run_id: str) -> None:
        if not self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
            raise UsageError(f"no run with id {run_id!r}", hint=runs.LIST_HINT)


def _connect(path: Path) -> sqlite3.Connection:
    return connect(path, MIGRATIONS, what="the run log", kind="run log",
                   recreate_hint="move it aside; the next run creates a new one",
                   check_same_thread=False)
