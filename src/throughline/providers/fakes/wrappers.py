"""Wrappers that add faults or latency to any model (tests, benches)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from pydantic_ai.exceptions import (
    ModelHTTPError,
    ModelRateLimitError,
    ModelServerError,
    ModelTimeoutError,
)
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

FAULT_KINDS = ("timeout", "rate_limited", "server_error", "malformed")


class FaultInjectingModel(WrapperModel):
    """Injects one of ``kinds`` into a share ``rate`` of requests, chosen by a seeded RNG.

    * ``timeout`` raises ``ModelTimeoutError`` (or, with ``hang=True``, never answers so the
      caller's own timeout fires);
    * ``rate_limited`` raises an HTTP 429 with ``Retry-After: retry_after``;
    * ``server_error`` raises an HTTP 500;
    * ``malformed`` calls the wrapped model and truncates its tool-call JSON (or, for a text
      reply, returns an empty response).

    ``injected`` lists what was injected, request by request (``None`` for a clean one).
    """

    def __init__(
        self,
        wrapped: Model,
        *,
        rate: float = 0.3,
        seed: int = 0,
        kinds: Sequence[str] = FAULT_KINDS,
        retry_after: float = 2.0,
        hang: bool = False,
    ) -> None:
        super().__init__(wrapped)
        self.rate = rate
        self.kinds = tuple(kinds)
        self.retry_after = retry_after
        self.hang = hang
        self._rng = random.Random(seed)
        self.injected: list[str | None] = []

    def __repr__(self) -> str:
        return f"FaultInjectingModel(rate={self.rate}, kinds={self.kinds})"

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        kind = self._rng.choice(self.kinds) if self._rng.random() < self.rate else None
        self.injected.append(kind)
        name = self.model_name
        if kind == "timeout":
            if self.hang:
                await asyncio.Event().wait()
            raise ModelTimeoutError(name, "Request timed out (injected)", phase="read")
        if kind == "rate_limited":
            raise _http_error(ModelRateLimitError, 429, name, "Rate limit reached",
                              {"retry-after": f"{self.retry_after:g}"})
        if kind == "server_error":
            raise _http_error(ModelServerError, 500, name, "Internal server error")
        response = await self.wrapped.request(messages, model_settings, model_request_parameters)
        if kind == "malformed":
            return _corrupt(response)
        return response


def _http_error(category: type[ModelRateLimitError | ModelServerError], status: int, name: str,
                message: str, headers: dict[str, str] | None = None) -> ModelHTTPError:
    """The HTTP error a provider's SDK raises, its body saying the fault was injected."""
    return ModelHTTPError.for_category(category, status_code=status, model_name=name,
                                       body={"error": {"message": f"{message} (injected)"}},
                                       headers=headers)


def _corrupt(response: ModelResponse) -> ModelResponse:
    parts: list[ModelResponsePart] = []
    for part in response.parts:
        if isinstance(part, ToolCallPart):
            text = part.args if isinstance(part.args, str) else part.args_as_json_str()
            parts.append(replace(part, args=text[: max(1, len(text) // 2)]))
        elif isinstance(part, TextPart):
            continue
        else:
            parts.append(part)
    return replace(response, parts=parts)


class FixedLatencyModel(WrapperModel):
    """Answers after exactly ``latency`` seconds (``sleep`` injectable)."""

    def __init__(
        self,
        wrapped: Model,
        latency: float,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(wrapped)
        self.latency = latency
        self._sleep = sleep
        self.calls = 0

    def __repr__(self) -> str:
        return f"FixedLatencyModel(latency={self.latency})"

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        self.calls += 1
        await self._sleep(self.latency)
        return await self.wrapped.request(messages, model_settings, model_request_parameters)
