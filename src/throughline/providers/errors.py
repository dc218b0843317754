"""Errors of the model layer, in the package's one hierarchy (``throughline.core.errors``).

* :class:`CallFailed` (a :class:`~throughline.core.errors.ModelError`): one advisor turn or one
  summary could not be obtained (faults exhausted, or the reply stayed invalid after the one
  repair). The pipeline records that turn as failed and goes on; ``call`` carries the
  :class:`~throughline.core.seams.CallInfo` of what was spent.
* :class:`BudgetExceeded`: the run's token or cost budget is spent. *Not* a ModelError, on
  purpose: an ``except ModelError`` that marks one turn failed must not swallow it. The
  pipeline catches it, stops, and writes a partial record.
* :class:`ReplayMismatch`: a replayed run asked for a request that was never recorded. Also
  not a ModelError: a replay that diverges must stop, not record failed turns.
"""

from __future__ import annotations

from throughline.core.seams import CallInfo
from throughline.core.errors import ModelError, ThroughlineError


class CallFailed(ModelError):
    """A model call failed for good; ``call.outcome`` says how, ``reason`` says why."""

    def __init__(self, message: str, *, call: CallInfo, reason: str, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.call = call
        self.reason = reason


class BudgetExceeded(ThroughlineError):
    """The run's budget would be passed by the next call; stop and write a partial record."""

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        tokens_used: int,
        cost_used_usd: float,
        call: CallInfo | None = None,
    ) -> None:
        super().__init__(
            message,
            hint="raise THROUGHLINE_MAX_TOKENS_PER_RUN / THROUGHLINE_MAX_COST_USD_PER_RUN "
            "(settings.models.max_tokens_per_run / max_cost_usd_per_run), or seat fewer "
            "advisors or rounds",
        )
        self.limit = limit
        self.tokens_used = tokens_used
        self.cost_used_usd = cost_used_usd
        self.call = call


class ReplayMismatch(ThroughlineError):
    """Replay was asked for a request the run log does not hold."""

    exit_code = 2
