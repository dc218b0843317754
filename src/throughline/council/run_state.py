"""What a council run carries: :class:`RunSpec` (what it was asked to do, stored with the
run so it can be resumed or replayed), its :data:`Mode`, and :class:`RunState` (where it
logs and what the framer and synthesiser calls have cost so far) handed from stage to stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from throughline.core.rounds import MAX_ROUNDS
from throughline.core.seams import CallInfo
from throughline.council.cast import DEFAULT_PANEL
from throughline.diagnose.diagnosis import Diagnosis
from throughline.runlog import RunLog

Mode = Literal["live", "resume", "replay"]


class RunSpec(BaseModel):
    """What a run was asked to do; stored with the run so it can be resumed or replayed."""

    question: str
    rounds: int = MAX_ROUNDS
    panel: str | None = None
    panel_size: int = DEFAULT_PANEL
    run_date: date
    policy: str | None = None
    engine: Literal["offline", "model"] = "offline"
    models: dict[str, Any] = Field(default_factory=dict)


@dataclass
class RunState:
    """One run on its way through the stages. ``calls_of`` is the run whose stored outputs
    and recorded replies answer (the run itself, or the original of a replay);
    ``record_id`` the id the record carries (a replay keeps the original's)."""

    log: RunLog
    run_id: str
    spec: RunSpec
    mode: Mode
    calls_of: str
    record_id: str
    diagnosis: Diagnosis | None
    started: datetime
    t0: float
    role_calls: list[CallInfo] = field(default_factory=list)
    """The framer's and synthesiser's calls, when they run on a model."""
    role_failures: list[str] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        """Whether the run reads what an earlier run stored (resume, replay)."""
        return self.mode in ("resume", "replay")
