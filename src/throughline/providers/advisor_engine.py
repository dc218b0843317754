"""``ModelAdvisorEngine``: model-backed advisors behind the council's ``AdvisorEngine`` seam.

Per call it picks the model for the role (and advisor) with the reason
(:mod:`~throughline.providers.selection`), builds a bounded prompt with untrusted text fenced
(:mod:`~throughline.providers.prompts`), asks a Pydantic AI agent
(:mod:`~throughline.providers.agents`) for a structured statement, validates it against the
request (:mod:`~throughline.providers.schema`) with **one** repair request carrying the
validation errors, and reports a :class:`CallInfo` (:mod:`~throughline.providers.ledger`).
Every request goes through :class:`~throughline.providers.calls.GuardedModel` (faults,
budget, record/replay); :meth:`~ModelAdvisorEngine.plan` sizes a run before it starts
(:mod:`~throughline.providers.planning`).

Failures: :class:`CallFailed` (a ``ModelError``; ``.call`` has the CallInfo) when a turn or
summary cannot be had — the pipeline records the turn as failed; :class:`BudgetExceeded`
when the run's budget is spent — the pipeline stops with a partial record;
:class:`ReplayMismatch` when replay is asked something it never recorded; ``ConfigError``
for a missing key, a rejected key or an unknown model.

Use one engine per run (``async with ModelAdvisorEngine(...) as engine``): it holds the
run's budget and closes its HTTP clients on exit. Concurrent calls are safe: each call
gets its own ledger, check object and guard; the shared state (budget, store, rng) is only
touched between awaits.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Self, TypeVar

from pydantic_ai import Agent, ModelRetry
from pydantic_ai.exceptions import ModelFeatureUnsupportedError, UnexpectedModelBehavior
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from throughline.core.errors import ConfigError
from throughline.core.model_config import ROLES, ModelsConfig, Role
from throughline.core.model_spec import ModelSpec
from throughline.core.redact import Redactor
from throughline.core.seams import CallInfo, RoundSpec, TurnReply, TurnRequest
from throughline.providers import prompts
from throughline.providers.agents import (
    REPAIR_RETRIES,
    OutputModes,
    SummaryCheck,
    answer_agent,
    cause_text,
    summary_agent,
    turn_agent,
    user_content,
)
from throughline.providers.budget import Budget, PlannedCall, PriceTable, RunEstimate, estimate_run
from throughline.providers.calls import Clock, GuardedModel, RequestFailed, Sleep
from throughline.providers.endpoints import ProviderFactory, TransportFactory
from throughline.providers.errors import BudgetExceeded, CallFailed
from throughline.providers.faults.retry import RetryPolicy, classify
from throughline.providers.ledger import CallLedger, call_info
from throughline.providers.limits import traits
from throughline.providers.planning import plan_calls
from throughline.providers.replay import CallStore, ReplayMode, ReplayModel
from throughline.providers.schema import StatementDraft, TurnCheck
from throughline.providers.selection import Selection, select
from throughline.record.decision import Advisor, Intent, ModelUse, Statement

ModelFactory = Callable[[ModelSpec], Model]
T = TypeVar("T")


class ModelAdvisorEngine:
    """Model-backed advisors (implements ``core.seams.AdvisorEngine``)."""

    name = "model"

    def __init__(
        self,
        config: ModelsConfig,
        *,
        env: Mapping[str, str] | None = None,
        model_factory: ModelFactory | None = None,
        store: CallStore | None = None,
        mode: ReplayMode = "live",
        budget: Budget | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        transport: TransportFactory | None = None,
    ) -> None:
        self.config = config
        self.mode = mode
        self.redactor = Redactor()
        self._providers: ProviderFactory | None = None
        self._evidence: prompts.EvidenceCache = {}  # rendered cards, reused every round
        if mode == "replay":
            if store is None:
                raise ConfigError("replay needs the recorded calls of a run (a call store)")
            self._factory: ModelFactory = lambda spec: ReplayModel(str(spec), store)
        elif model_factory is not None:
            self._factory = model_factory
        else:
            self._providers = ProviderFactory(
                config,
                os.environ if env is None else env,
                transport=transport,
                redactor=self.redactor,
            )
            self._factory = self._providers
        if mode == "resume" and store is None:
            raise ConfigError("resume needs the recorded calls of the run (a call store)")
        self.store = store
        self.prices = PriceTable.with_overrides(config.prices)
        self.budget = budget or Budget(
            max_tokens=config.max_tokens_per_run,
            max_cost_usd=config.max_cost_usd_per_run,
            prices=self.prices,
            max_output_tokens=config.max_output_tokens,
        )
        self.policy = RetryPolicy.of(config)
        self.limits = prompts.PromptLimits.of(config)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random(config.seed if config.seed is not None else 0)
        self._models: dict[str, Model] = {}
        self._seated: dict[str, Selection] = {}
        self._turn_agents: dict[str, Agent[TurnCheck, StatementDraft]] = {}
        self._output_modes = OutputModes(config, self.redactor)
        self._summary_agent = summary_agent()

    def __repr__(self) -> str:
        return f"ModelAdvisorEngine(mode={self.mode!r}, models={sorted(self._models)})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP clients and forget the models made on them: the engine can be
        used again in another event loop (each stage of a run runs its own)."""
        if self._providers is not None:
            await self._providers.aclose()
        self._models.clear()

    # -- selection -----------------------------------------------------------------------

    def select(self, role: Role, advisor: Advisor | None = None) -> Selection:
        if role == "advisor" and advisor is not None:
            seated = self._seated.get(advisor.id)
            if seated is not None and advisor.model == str(seated.spec):
                # an advisor this engine filled in (advisors_with_models): its model came
                # from that selection, not from a panel override, so keep the first reason
                return seated
        return select(self.config, role, advisor)

    def prepare(
        self, panel: Sequence[Advisor], roles: Iterable[Role] = ("advisor", "summariser")
    ) -> list[ModelUse]:
        """Resolve and build every model the run will use, before it starts.

        Raises ``ConfigError`` now (missing key, bad model string, no model for a role, a
        cost limit with an unpriced model) rather than mid-run. Returns the selections for
        ``RunFacts.models``.
        """
        uses: list[ModelUse] = []
        for role in roles:
            selections = (
                [self.select("advisor", a) for a in panel]
                if role == "advisor"
                else [self.select(role)]
            )
            for sel in selections:
                self._model(sel.spec)
                use = ModelUse(
                    role=role, engine=sel.spec.provider, model=str(sel.spec), reason=sel.reason
                )
                if use not in uses:
                    uses.append(use)
        self.budget.check_models(u.model for u in uses)
        return uses

    def advisors_with_models(self, panel: Sequence[Advisor]) -> list[Advisor]:
        """The panel with ``model`` and ``model_reason`` filled in, for the record."""
        out = []
        for a in panel:
            sel = self.select("advisor", a)
            self._seated[a.id] = sel
            out.append(a.model_copy(update={"model": str(sel.spec), "model_reason": sel.reason}))
        return out

    def _model(self, spec: ModelSpec) -> Model:
        key = str(spec)
        if key not in self._models:
            self.budget.check_models([key])  # a cost limit needs a price for every model
            self._models[key] = self._factory(spec)
        return self._models[key]

    def _settings(self, spec: ModelSpec) -> ModelSettings:
        """The request settings for ``spec``: only what its family accepts (see
        :mod:`throughline.providers.limits`); the output cap leaves reasoning models room."""
        row = traits(spec)
        settings: ModelSettings = {
            "max_tokens": row.output_tokens(self.config.max_output_tokens),
            "timeout": self.config.timeout_s,
            "max_retries": 0,
        }
        if row.temperature:
            settings["temperature"] = self.config.temperature
        if self.config.seed is not None and row.seed:
            settings["seed"] = self.config.seed
        return settings

    def output_tokens(self, spec: ModelSpec) -> int:
        """The output-token cap of one request to ``spec``."""
        return traits(spec).output_tokens(self.config.max_output_tokens)

    # -- the AdvisorEngine seam ----------------------------------------------------------

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        sel = self.select("advisor", request.advisor)
        blind = prompts.is_blind(request.round)
        prompt = prompts.turn_prompt(request, self.limits, cache=self._evidence)
        check = TurnCheck.for_request(
            request, max_chars=self.config.max_statement_chars, blind=blind
        )
        who = f"advisor {request.advisor.id}, round {request.round.number}"
        draft, info = await self._call(
            "advisor",
            sel,
            self._turn_agent,
            prompt,
            check,
            who,
            extra={
                "advisor_id": request.advisor.id,
                "round": request.round.number,
                "blind": blind,
                "evidence_cards": len(request.evidence),
            },
        )
        reply = check.to_reply(draft)
        if check.cause_dropped:
            info = info.model_copy(update={"outcome": "cause_missing"})
        if reply.dropped_cites:  # flagged on the statement; said on the call too
            info = info.model_copy(
                update={"parameters": {**info.parameters, "dropped_cites": reply.dropped_cites}}
            )
        return reply, info

    async def summarize(
        self,
        round_: RoundSpec,
        statements: list[Statement],
        panel: list[Advisor],
        intent: Intent,
    ) -> tuple[str, CallInfo]:
        sel = self.select("summariser")
        prompt = prompts.summary_prompt(round_, statements, panel, intent, self.limits)
        check = SummaryCheck(self.config.max_summary_chars)
        text, info = await self._call(
            "summariser",
            sel,
            lambda _mode: self._summary_agent,
            prompt,
            check,
            f"summary of round {round_.number}",
            extra={"round": round_.number, "output_mode": "text"},
        )
        return text.strip(), info

    async def ask(
        self,
        role: Role,
        output_type: type[T],
        instructions: str,
        prompt: str,
        *,
        validate: Callable[[T], list[str]] | None = None,
        prefix: int = 0,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[T, CallInfo]:
        """A structured call for the other roles (framer, synthesiser, claim extractor).

        ``instructions`` is trusted text; put untrusted text into ``prompt`` with
        :func:`throughline.providers.prompts.fence`. ``validate`` returns problems to feed back
        for the one repair. ``prefix``: characters of ``prompt`` that several calls share
        (a cache marker goes there for providers that need one); ``extra`` goes into the
        call's parameters (the run log).
        """
        sel = self.select(role)

        problems: list[str] = []
        return await self._call(
            role,
            sel,
            lambda mode: answer_agent(mode, output_type, validate),
            prompts.Prompt(prompts.DATA_RULES + "\n\n" + instructions, prompt, prefix=prefix),
            problems,
            role,
            extra=extra,
        )

    # -- planning ------------------------------------------------------------------------

    def plan(
        self,
        first_round: Sequence[TurnRequest],
        rounds: int,
        *,
        extra: Sequence[PlannedCall] = (),
    ) -> list[PlannedCall]:
        """Planned calls for a council run, from the round-1 requests (built before the run);
        see :mod:`throughline.providers.planning`."""
        return plan_calls(self, first_round, rounds, extra)

    def estimate(self, calls: Sequence[PlannedCall]) -> RunEstimate:
        return estimate_run(calls, self.prices)

    # -- internals -----------------------------------------------------------------------

    def output_mode(self, spec: ModelSpec) -> str:
        """The structured-output mode used with ``spec`` ('auto' resolved)."""
        return self._output_modes.mode(spec)

    def _turn_agent(self, mode: str) -> Agent[TurnCheck, StatementDraft]:
        if mode not in self._turn_agents:
            self._turn_agents[mode] = turn_agent(mode, self.config.missing_cause)
        return self._turn_agents[mode]

    async def _call(
        self,
        role: Role,
        sel: Selection,
        agent_for: Callable[[str], Agent[Any, Any]],
        prompt: prompts.Prompt,
        deps: Any,
        who: str,
        *,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[Any, CallInfo]:
        ledger = CallLedger()
        model = GuardedModel(
            self._model(sel.spec),
            spec=sel.spec,
            role=role,
            reason=sel.reason,
            ledger=ledger,
            policy=self.policy,
            budget=self.budget,
            prices=self.prices,
            store=self.store,
            reuse=self.mode in ("resume", "replay"),
            replay_failures=self.mode == "replay",
            sleep=self._sleep,
            clock=self._clock,
            rng=self._rng,
            redactor=self.redactor,
            advisor_id=(extra or {}).get("advisor_id"),
            round_=(extra or {}).get("round"),
            labels={k: v for k, v in (extra or {}).items() if k == "section"},
        )
        settings = self._settings(sel.spec)
        mode = self.output_mode(sel.spec)
        fallbacks: list[str] = []

        def info(outcome: str) -> CallInfo:
            more = {"output_mode": mode, **({"output_fallback": fallbacks} if fallbacks else {})}
            return call_info(role, sel, settings, ledger, outcome, prompt.chars,
                             self.output_mode(sel.spec),
                             {**more, **(extra or {})})  # a summary's mode is "text"

        user = user_content(sel.spec, prompt)
        try:
            while True:
                try:
                    result = await agent_for(mode).run(
                        user,
                        model=model,
                        deps=deps,
                        instructions=prompt.instructions,
                        model_settings=settings,
                    )
                    break
                except (RequestFailed, ModelFeatureUnsupportedError) as exc:
                    fault = exc.fault if isinstance(exc, RequestFailed) else classify(exc)
                    if fault is None or fault.kind != "unsupported_output":
                        raise
                    nxt = self._output_modes.fall_back(sel.spec, mode, fault)
                    if nxt is None or nxt == mode or nxt in fallbacks:
                        raise
                    fallbacks.append(f"{mode}->{nxt}")
                    mode = nxt
        except ModelFeatureUnsupportedError as exc:
            call = info("failed:unsupported_output")
            raise CallFailed(
                f"{who}: {sel.spec}: {self.redactor(str(exc))}",
                call=call,
                reason="structured output unsupported",
                hint="set THROUGHLINE_MODEL_OUTPUT_MODE=auto (or tool, or prompted)",
            ) from None
        except RequestFailed as exc:
            call = info(f"failed:{exc.fault.kind}")
            raise CallFailed(
                f"{who}: {self.redactor(exc.message)}",
                call=call,
                reason=f"{exc.fault.kind} after {exc.attempts} attempt(s)",
                hint=exc.hint,
            ) from None
        except UnexpectedModelBehavior as exc:
            # our checks failed last (ModelRetry) -> their problems; else the schema error
            problems = getattr(deps, "last_problems", None) or (
                deps if isinstance(deps, list) else []
            )
            last_was_ours = isinstance(exc.__cause__, ModelRetry)
            detail = "; ".join(problems) if problems and last_was_ours else cause_text(exc)
            call = info("failed:invalid")
            raise CallFailed(
                f"{who}: the reply was still invalid after one repair: {self.redactor(detail)}",
                call=call,
                reason="invalid reply after one repair",
            ) from None
        except BudgetExceeded as exc:
            exc.call = info("budget_exceeded")
            raise
        answered = [r for r in ledger.requests if r.source != "failed"]
        return result.output, info("ok_after_repair" if len(answered) > 1 else "ok")


__all__ = ["REPAIR_RETRIES", "ROLES", "ModelAdvisorEngine"]
