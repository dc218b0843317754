"""What the run log hands back: typed summaries and rows (the CLI's ``--json`` dumps these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from throughline.record.decision import Forecast, Intent

RunStatus = Literal["running", "finished", "failed", "partial", "degraded"]
"""``degraded``: the run wrote its record but more than a third of its turns failed."""
StageStatus = Literal["running", "finished", "failed"]

#: The pipeline's stages in order (RECORD.md); other names sort after these.
STAGES: tuple[str, ...] = (
    "frame", "gather", "cast", "debate", "claim_check", "synthesize", "record",
)


class ClaimCounts(BaseModel):
    verified: int = 0
    unsupported: int = 0
    contradicted: int = 0

    @property
    def total(self) -> int:
        return self.verified + self.unsupported + self.contradicted


class RunSummary(BaseModel):
    """One line of ``runs list``."""

    id: str
    created_at: datetime
    finished_at: datetime | None
    status: RunStatus
    engine: str
    question: str
    binding: str | None = Field(description="Binding constraint, from the record if any.")
    binding_label: str | None = None
    verdict: str | None = Field(description="First line of the record's verdict.")
    claims: ClaimCounts
    calls: int = Field(description="Model calls (one per request; retries are attempts).")
    attempts: int = Field(default=0, description="Model requests sent, retries included.")
    rounds: int = Field(default=0, description="Debate rounds that ran.")
    replay_of: str | None = None


class StageInfo(BaseModel):
    name: str
    status: StageStatus
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    error: str | None = None


class ModelUsage(BaseModel):
    """Calls grouped by role, engine and model."""

    role: str
    engine: str
    model: str
    reason: str
    calls: int
    failed: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    latency_s: float


class CallsSummary(BaseModel):
    calls: int = Field(default=0, description="Distinct requests (a retried call counts once).")
    attempts: int = Field(default=0, description="Requests sent, retries included.")
    failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    outcomes: dict[str, int] = Field(default_factory=dict)
    by_model: list[ModelUsage] = Field(default_factory=list)


class RunDetail(RunSummary):
    """Everything ``runs show`` prints."""

    verdict_text: str | None = Field(description="The record's whole verdict paragraph.")
    version: str
    error: str | None
    settings: dict[str, Any] = Field(description="Settings snapshot (secrets redacted).")
    intent: Intent | None
    stages: list[StageInfo]
    statements: int
    failed_statements: int
    forecasts: int
    calls_summary: CallsSummary
    record_sha256: str | None
    duration_s: float | None


class CallRecord(BaseModel):
    """One logged model call (an attempt: retries are separate rows)."""

    run_id: str
    seq: int
    stage: str | None
    role: str
    advisor_id: str | None
    round: int | None
    engine: str
    model: str
    reason: str
    parameters: dict[str, Any]
    request_key: str
    request: Any
    reply: Any | None
    tokens_in: int
    tokens_out: int
    latency_s: float
    cost_usd: float
    outcome: str
    error: str | None
    created_at: datetime

    @property
    def usable(self) -> bool:
        """A reply came back and this attempt did not fail: resume and replay may reuse it."""
        return self.reply is not None and self.error is None


class StoredForecast(Forecast):
    """A forecast as stored for later scoring."""

    run_id: str
    resolved_at: datetime | None = None
    outcome: bool | None = None
