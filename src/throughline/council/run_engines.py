"""The engines a run's stages call: one model engine per run, wired to the run log (a
resumed or replayed run's replies come from it, every call is recorded in it), and the
framer's and synthesiser's model calls, each falling back to the rule-based result.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from throughline.core.errors import ModelError
from throughline.core.model_config import ModelsConfig
from throughline.core.seams import CallInfo
from throughline.core.settings import Settings
from throughline.council.claimcheck import build_evidence_index
from throughline.council.debate_log import Emit
from throughline.council.gather import EvidencePack
from throughline.council.personas import Persona
from throughline.council.run_state import Mode, RunSpec
from throughline.council.synthesis import Synthesis
from throughline.council.synthesis.model import (
    SynthesisInputs,
    apply_sections,
    ordered_calls,
    synthesise_sections,
)
from throughline.providers.advisor_engine import ModelAdvisorEngine
from throughline.providers.errors import BudgetExceeded
from throughline.providers.replay import LookupStore, RecordedCall
from throughline.providers.roles import uses_model
from throughline.record.decision import Advisor, DecisionRecord
from throughline.runlog import RunLog


def model_engine(settings: Settings, spec: RunSpec, *, mode: Mode, log: RunLog, run_id: str,
                 calls_of: str, stage: Callable[[], str],
                 model_factory: Callable[[Any], Any] | None) -> ModelAdvisorEngine:
    """The run's model engine. Its calls are logged under ``stage()``, the stage that made
    them; a resumed or replayed run looks its replies up in ``calls_of``'s calls."""

    def lookup(key: str) -> str | None:
        if mode == "live":
            return None
        found = log.find_call(calls_of, key)
        return None if found is None or found.reply is None else json.dumps(found.reply)

    def record(c: RecordedCall) -> None:
        log.log_call_json(run_id, c.info, c.request_json,
                          None if c.reply_json is None else json.loads(c.reply_json),
                          stage=stage(), advisor_id=c.advisor_id, round=c.round,
                          error=c.error, key=c.key)

    def failed(key: str) -> list[RecordedCall]:  # replay: a call that failed fails again
        if mode != "replay":
            return []
        return [RecordedCall(key=c.request_key, model=c.model, role=c.role,
                             request_json="", reply_json=None, error=c.error or "",
                             info=CallInfo(role=c.role, engine=c.engine, model=c.model,
                                           reason=c.reason, parameters=c.parameters,
                                           tokens_in=c.tokens_in, tokens_out=c.tokens_out,
                                           latency_s=c.latency_s, outcome=c.outcome,
                                           cost_usd=c.cost_usd))
                for c in log.calls(calls_of) if c.request_key == key and not c.usable]

    config = (ModelsConfig.model_validate(spec.models) if mode != "live"
              else settings.models)
    limits = ("max_tokens_per_run", "max_cost_usd_per_run")
    if mode == "resume":  # a budget raised since (env, settings) lets a stopped run finish
        config = config.model_copy(update={k: getattr(settings.models, k)
                                           for k in limits
                                           if getattr(settings.models, k) is not None})
    elif mode == "replay" and log.get_run(calls_of).status != "partial":
        # the recorded replies cost nothing; a run finished after a raised budget must
        # not stop at the budget it started with
        config = config.model_copy(update={k: None for k in limits})
    return ModelAdvisorEngine(config, store=LookupStore(lookup, record, failed),
                              mode=mode, model_factory=model_factory)


def role_on_model(spec: RunSpec, role: str) -> bool:
    """Whether this run puts ``role`` (framer, synthesiser) on a model: a model run with a
    model set for that role itself (``throughline.providers.roles``)."""
    if spec.engine != "model":
        return False
    return uses_model(ModelsConfig.model_validate(spec.models), role)  # type: ignore[arg-type]


def role_call(engine: ModelAdvisorEngine, make: Callable[[Any], Any], role: str,
              fallback: Any, calls: list[CallInfo], failures: list[str], kept: str,
              emit: Emit) -> Any:
    """One framer or synthesiser call in its own event loop; on a failure for good
    (faults, an invalid reply after the repair, the budget) the deterministic
    ``fallback`` stands and the record says so."""

    async def go() -> Any:
        try:
            return await make(engine)
        finally:
            await engine.aclose()

    try:
        value, call = asyncio.run(go())
    except (ModelError, BudgetExceeded) as exc:
        call = getattr(exc, "call", None)
        if call is not None:
            calls.append(call)
        failures.append(f"{role}: {exc} ({kept})")
        emit("warning", f"{role} failed: {exc}; {kept}", stage=None)
        return fallback
    calls.append(call)
    return value


def model_sections(engine: ModelAdvisorEngine, record: DecisionRecord, syn: Synthesis,
                   pack: EvidencePack, seats: list[tuple[Persona, Advisor]]
                   ) -> tuple[list[CallInfo], list[str]]:
    """The synthesiser's model writes every synthesised section of ``record``; each is
    claim-checked as the record's check will read it, and falls back to the rule-based
    one. Returns the calls made and a line per section that fell back."""
    index = build_evidence_index(pack.findings, pack.passages(), record.predictions,
                                 record.citations, pack.data_quality)
    inputs = SynthesisInputs.build(record, syn, pack, seats, index)

    async def sections() -> Any:
        try:
            return await synthesise_sections(engine, inputs)
        finally:
            await engine.aclose()

    outcome = asyncio.run(sections())
    return ordered_calls(outcome), apply_sections(record, inputs, outcome)
