"""The call layer: every request to a model goes through :class:`GuardedModel`.

It sits between a Pydantic AI agent and the provider model, and for each request:

1. computes the request key; when resuming or replaying (``reuse``) and the call store holds
   a reply for it, returns that reply (no network, no retries);
2. reserves budget (raises :class:`BudgetExceeded` instead of sending);
3. sends it under a timeout, checks the reply parses at all, and retries timeouts, 429
   (waiting at least Retry-After), 5xx, dropped connections and malformed replies with
   backoff — clock, sleep and random source injected;
4. settles the budget, records every attempt in the store as it ends (the run log's
   ``model_calls`` rows; failed ones with their redacted error), and adds a
   :class:`RequestRecord` to the caller's :class:`CallLedger`.

Final faults become :class:`RequestFailed` (the engine turns it into ``CallFailed`` with a
CallInfo) or, for a rejected key or unknown model, :class:`ConfigError` naming what to fix.
One GuardedModel is made per engine call (it holds that call's ledger); the wrapped
provider model is shared.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

from throughline.core.ids import canonical_json, key_of_json
from throughline.core.seams import CallInfo
from throughline.core.errors import ConfigError, ModelError
from throughline.providers.budget import Budget, PriceTable, estimate_tokens
from throughline.providers.ledger import CallLedger, RequestRecord
from throughline.providers.faults.retry import (
    Fault,
    MalformedReply,
    RetryPolicy,
    UnsupportedOutput,
    classify,
)
from throughline.providers.endpoints import KEY_ENV, KEY_FIELD
from throughline.core.redact import Redactor
from throughline.providers.replay import (
    CallStore,
    RecordedCall,
    canonical_request,
    reply_from_json,
    reply_to_json,
    request_json,
)
from throughline.core.model_spec import ModelSpec

log = logging.getLogger("throughline.providers")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
META = "throughline"


class RequestFailed(ModelError):
    """A request failed after its attempts (or at once, for a final fault)."""

    def __init__(self, message: str, *, fault: Fault, attempts: int, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.fault = fault
        self.attempts = attempts


def check_parseable(response: ModelResponse, params: ModelRequestParameters) -> None:
    """Raise :class:`MalformedReply` when the reply cannot be read at all.

    Readable-but-wrong replies (schema violations, unknown ids) are *not* malformed: the
    agent feeds those back to the model for its one repair.
    """
    if not response.parts:
        raise MalformedReply("the reply was empty")
    output_tools = {t.name for t in params.output_tools}
    for part in response.parts:
        if (
            isinstance(part, ToolCallPart)
            and part.tool_name in output_tools
            and isinstance(part.args, str)
            and part.args.strip()
        ):
            try:
                parsed = json.loads(part.args)
            except ValueError as exc:
                raise MalformedReply(f"tool-call arguments are not valid JSON ({exc})") from None
            if not isinstance(parsed, dict):
                raise MalformedReply("tool-call arguments are not a JSON object")
    if params.output_mode == "native":
        text = "".join(p.content for p in response.parts if isinstance(p, TextPart)).strip()
        text = text.removeprefix("```json").removeprefix("```").removesuffix("```").strip()
        if text and not text.startswith(("{", "[")):  # prose: the schema was not applied
            raise UnsupportedOutput(
                "the server answered in prose to a request for JSON-schema output "
                f"(it starts {text[:60]!r}): it does not apply response_format"
            )
        try:
            json.loads(text)
        except ValueError as exc:
            raise MalformedReply(f"the reply is not valid JSON ({exc})") from None


class GuardedModel(WrapperModel):
    """Retries, budget, record/replay and accounting around one provider model."""

    def __init__(
        self,
        wrapped: Model,
        *,
        spec: ModelSpec,
        role: str,
        reason: str,
        ledger: CallLedger,
        policy: RetryPolicy,
        budget: Budget | None,
        prices: PriceTable,
        store: CallStore | None,
        reuse: bool,
        sleep: Sleep,
        clock: Clock,
        rng: random.Random,
        redactor: Redactor,
        advisor_id: str | None = None,
        round_: int | None = None,
        replay_failures: bool = False,
        labels: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(wrapped)
        self.labels = dict(labels or {})
        """Added to each attempt's logged parameters (e.g. the synthesiser's section)."""
        self.spec = spec
        self.role = role
        self.reason = reason
        self.advisor_id = advisor_id
        self.round = round_
        self.ledger = ledger
        self.policy = policy
        self.budget = budget
        self.prices = prices
        self.store = store
        self.reuse = reuse
        self.replay_failures = replay_failures
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._redact = redactor

    def __repr__(self) -> str:
        return f"GuardedModel({self.spec}, role={self.role})"

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        model = str(self.spec)
        asked = canonical_request(model, messages, model_settings, model_request_parameters)
        asked_json = request_json(asked)  # serialised once: the key and the run log's copy
        key = key_of_json(asked_json)
        if self.store is not None and self.reuse:
            recorded = self.store.lookup(key)
            if recorded is not None:
                return self._from_store(key, recorded)
            if self.replay_failures:  # a request that failed for good fails the same way
                failed = _last_try(getattr(self.store, "failed_attempts", _none)(key))
                if failed:
                    raise self._failure_from_store(key, failed)
        prompt_tokens = estimate_tokens(canonical_json(asked["messages"], allow_nan=True))
        started = self._clock()
        faults: list[str] = []
        spent_in = spent_out = 0  # malformed replies use tokens too
        attempt = 0
        while True:
            attempt += 1
            reservation = (
                self.budget.reserve(model, prompt_tokens, _output_cap(model_settings))
                if self.budget
                else None
            )
            attempt_started = self._clock()
            response: ModelResponse | None = None
            try:
                async with asyncio.timeout(self.policy.timeout_s):
                    response = await self.wrapped.request(
                        messages, model_settings, model_request_parameters
                    )
                check_parseable(response, model_request_parameters)
            except Exception as exc:  # classified below; anything unknown is re-raised
                used = _usage(response) if response is not None else (0, 0)
                spent_in, spent_out = spent_in + used[0], spent_out + used[1]
                if reservation is not None and self.budget is not None:
                    self.budget.settle(reservation, *used)
                fault = classify(exc)
                if fault is None:
                    raise
                faults.append(fault.kind)
                detail = " ".join(self._redact(fault.detail).split())[:400]
                self._log_attempt(
                    key,
                    asked_json,
                    response,
                    used,
                    attempt_started,
                    f"fault:{fault.kind}",
                    error=detail,
                    attempt=attempt,
                    retry_after=fault.retry_after,
                )
                delay = self.policy.delay(attempt, fault, self._rng)
                if delay is None:
                    self.ledger.requests.append(
                        self._record(
                            key, attempt, faults, spent_in, spent_out, started, source="failed"
                        )
                    )
                    raise self._final(fault, attempt, detail) from None
                log.warning(
                    "%s call to %s: %s on attempt %d/%d; retrying in %.2fs",
                    self.role,
                    model,
                    fault.kind,
                    attempt,
                    self.policy.max_attempts,
                    delay,
                )
                await self._sleep(delay)
                continue
            used = _usage(response)
            if reservation is not None and self.budget is not None:
                self.budget.settle(reservation, *used)
            record = self._record(
                key,
                attempt,
                faults,
                spent_in + used[0],
                spent_out + used[1],
                started,
                source="live",
            )
            response = replace(
                response,
                metadata={**(response.metadata or {}), META: _meta(record)},
            )
            self._log_attempt(
                key, asked_json, response, used, attempt_started, "ok", attempt=attempt
            )
            self.ledger.requests.append(record)
            return response

    def _log_attempt(
        self,
        key: str,
        asked_json: str,
        response: ModelResponse | None,
        used: tuple[int, int],
        attempt_started: float,
        outcome: str,
        *,
        error: str | None = None,
        attempt: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """One row for the run log: this attempt, with its own CallInfo."""
        if self.store is None:
            return
        parameters: dict[str, Any] = {**self.labels, "request_key": key, "attempt": attempt}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        info = CallInfo(
            role=self.role,
            engine=self.spec.provider,
            model=str(self.spec),
            reason=self.reason,
            parameters=parameters,
            tokens_in=used[0],
            tokens_out=used[1],
            latency_s=round(self._clock() - attempt_started, 6),
            outcome=outcome,
            cost_usd=self.prices.cost(self.spec, *used) or 0.0,
        )
        self.store.record(
            RecordedCall(
                key=key,
                model=str(self.spec),
                role=self.role,
                request_json=asked_json,
                reply_json=None if response is None else reply_to_json(response),
                info=info,
                error=error,
                advisor_id=self.advisor_id,
                round=self.round,
            )
        )

    def _record(
        self,
        key: str,
        attempts: int,
        faults: list[str],
        tokens_in: int,
        tokens_out: int,
        started: float,
        *,
        source: str,
    ) -> RequestRecord:
        return RequestRecord(
            key=key,
            attempts=attempts,
            faults=list(faults),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_s=round(self._clock() - started, 6),
            cost_usd=self.prices.cost(self.spec, tokens_in, tokens_out),
            source=source,
        )

    def _from_store(self, key: str, reply_json: str) -> ModelResponse:
        response = reply_from_json(reply_json)
        meta: dict[str, Any] = (response.metadata or {}).get(META, {})
        # what the original request spent in all its attempts (malformed ones included)
        tokens_in = int(meta.get("tokens_in", _usage(response)[0]))
        tokens_out = int(meta.get("tokens_out", _usage(response)[1]))
        cost = meta.get("cost_usd")
        self._account_recorded(RequestRecord(
            key=key,
            attempts=int(meta.get("attempts", 1)),
            faults=list(meta.get("faults", [])),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_s=float(meta.get("latency_s", 0.0)),
            cost_usd=None if cost is None else float(cost),
            source="recorded",
        ))
        return response

    def _account_recorded(self, record: RequestRecord) -> None:
        """A request answered from the store spends what the original spent: charged to the
        run's budget and added to the ledger, without asking anything."""
        if self.budget is not None:
            reservation = self.budget.reserve(str(self.spec), record.tokens_in)
            self.budget.settle(reservation, record.tokens_in, record.tokens_out)
        self.ledger.requests.append(record)

    def _failure_from_store(self, key: str, attempts: list[RecordedCall]) -> Exception:
        """Replay of a request whose recorded attempts all failed: the same final error and
        the same accounting as the original, without asking anything."""
        faults = [a.info.outcome.removeprefix("fault:") for a in attempts]
        tokens_in = sum(a.info.tokens_in for a in attempts)
        tokens_out = sum(a.info.tokens_out for a in attempts)
        self._account_recorded(RequestRecord(
            key=key,
            attempts=len(attempts),
            faults=faults,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_s=round(sum(a.info.latency_s for a in attempts), 6),
            cost_usd=self.prices.cost(self.spec, tokens_in, tokens_out),
            source="failed",
        ))
        last = attempts[-1]
        retry_after = last.info.parameters.get("retry_after")
        fault = Fault(
            kind=faults[-1],  # type: ignore[arg-type]
            detail=last.error or "",
            retry_after=None if retry_after is None else float(retry_after),
        )
        return self._final(fault, len(attempts), last.error or "")

    def _final(self, fault: Fault, attempts: int, detail: str) -> Exception:
        model = str(self.spec)
        if fault.kind == "auth":
            var = KEY_ENV[self.spec.provider]
            return ConfigError(
                f"{model}: the provider rejected the API key ({detail})",
                hint=f"check {var} (or settings.models.{KEY_FIELD[self.spec.provider]})",
            )
        if fault.kind == "not_found":
            return ConfigError(
                f"{model}: the provider does not know this model, or the base URL is wrong "
                f"({detail})",
                hint="check the model string"
                + (
                    "; for Ollama, run `ollama pull " + self.spec.name + "`"
                    if self.spec.provider == "ollama"
                    else ""
                ),
            )
        hint = None
        if fault.kind == "connection" and self.spec.provider == "ollama":
            hint = (
                "is Ollama running? start it with `ollama serve` (base URL: THROUGHLINE's "
                "OLLAMA_BASE_URL, default http://localhost:11434/v1)"
            )
        if fault.retryable:
            waited = (
                f"; the provider asked to wait {fault.retry_after:g}s, more than "
                f"max_retry_after_s={self.policy.max_retry_after_s:g}"
                if fault.retry_after is not None
                and fault.retry_after > self.policy.max_retry_after_s
                else ""
            )
            message = f"{model}: {fault.kind} after {attempts} attempt(s){waited}: {detail}"
        else:
            message = f"{model}: request rejected ({fault.kind}): {detail}"
        return RequestFailed(message, fault=fault, attempts=attempts, hint=hint)


def _none(_key: str) -> list[RecordedCall]:
    return []


def _last_try(attempts: list[RecordedCall]) -> list[RecordedCall]:
    """The attempts of the last try at a request that never got a usable reply (a resumed
    run may hold an earlier, interrupted try of the same request before it)."""
    failed = [a for a in attempts if not a.usable and a.info.outcome.startswith("fault:")]
    if not failed:
        return []
    n = int(failed[-1].info.parameters.get("attempt") or len(failed))
    return failed[-n:]


def _output_cap(settings: ModelSettings | None) -> int | None:
    cap = (settings or {}).get("max_tokens")
    return int(cap) if cap is not None else None


def _usage(response: ModelResponse) -> tuple[int, int]:
    usage = response.usage
    return int(usage.input_tokens or 0), int(usage.output_tokens or 0)


def _meta(record: RequestRecord) -> dict[str, Any]:
    return {
        "attempts": record.attempts,
        "faults": record.faults,
        "latency_s": record.latency_s,
        "tokens_in": record.tokens_in,
        "tokens_out": record.tokens_out,
        "cost_usd": record.cost_usd,
    }
