"""What one engine call spent: its requests (:class:`RequestRecord`, a turn may take a
repair request) summed in a :class:`CallLedger`, and the :class:`CallInfo` reported for it
(:func:`call_info`: model, reason, settings, tokens, cost, latency, outcome)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.settings import ModelSettings

from throughline.core.seams import CallInfo
from throughline.core.model_config import Role
from throughline.providers.selection import Selection

__all__ = ["CallLedger", "RequestRecord", "call_info"]


@dataclass
class RequestRecord:
    key: str
    attempts: int
    faults: list[str]
    tokens_in: int
    tokens_out: int
    latency_s: float
    cost_usd: float | None
    source: str  # "live", "recorded" or "failed"


@dataclass
class CallLedger:
    """The requests made for one engine call (a turn may take a repair request)."""

    requests: list[RequestRecord] = field(default_factory=list)

    @property
    def tokens_in(self) -> int:
        return sum(r.tokens_in for r in self.requests)

    @property
    def tokens_out(self) -> int:
        return sum(r.tokens_out for r in self.requests)

    @property
    def latency_s(self) -> float:
        return round(sum(r.latency_s for r in self.requests), 6)

    @property
    def cost_usd(self) -> float | None:
        costs = [r.cost_usd for r in self.requests]
        return None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 8)

    @property
    def attempts(self) -> int:
        return sum(r.attempts for r in self.requests)

    @property
    def faults(self) -> list[str]:
        return [f for r in self.requests for f in r.faults]


def call_info(
    role: Role,
    sel: Selection,
    settings: ModelSettings,
    ledger: CallLedger,
    outcome: str,
    prompt_chars: int,
    output_mode: str,
    extra: Mapping[str, Any] | None,
) -> CallInfo:
    """The CallInfo of one engine call; ``output_mode`` is the mode used (``extra`` may
    say more: a summary's mode is "text", a fallback the modes it went through)."""
    parameters: dict[str, Any] = {
        "temperature": settings.get("temperature"),
        "max_tokens": settings.get("max_tokens"),
        "timeout_s": settings.get("timeout"),
        "output_mode": output_mode,
        "requests": len(ledger.requests),
        "attempts": ledger.attempts,
        "repairs": max(0, sum(r.source != "failed" for r in ledger.requests) - 1),
        "faults": ledger.faults,
        "request_keys": [r.key for r in ledger.requests],
        "prompt_chars": prompt_chars,
    }
    if "seed" in settings:
        parameters["seed"] = settings["seed"]
    if extra:
        parameters.update(extra)
    cost = ledger.cost_usd
    if cost is None:
        parameters["cost_note"] = f"no price known for {sel.spec}; cost not counted"
    return CallInfo(
        role=role,
        engine=sel.spec.provider,
        model=str(sel.spec),
        reason=sel.reason,
        parameters=parameters,
        tokens_in=ledger.tokens_in,
        tokens_out=ledger.tokens_out,
        latency_s=ledger.latency_s,
        outcome=outcome,
        cost_usd=cost or 0.0,
    )
