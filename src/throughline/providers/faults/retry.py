"""Retry policy: timeouts, 429 (honouring Retry-After), 5xx, dropped connections and
malformed output (a broken tool call, or a 200 whose body is not JSON at all) are retried
with exponential backoff and jitter, up to ``max_attempts`` per request. Everything else is
final — ``unsupported_output`` (the server cannot give structured output the way it was
asked for) too, for the request: the engine asks again in another output mode.

The provider SDKs' own retries are switched off (``max_retries=0``) so this is the only
retry loop; its clock, sleep and random source are injected, so tests run instantly and
deterministically.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from dataclasses import dataclass
from typing import Literal

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelEmptyResponseError,
    ModelFeatureUnsupportedError,
    ModelHTTPError,
    ModelInvalidResponseError,
    ModelNotFoundError,
    ModelRateLimitError,
    ModelRequestTimeout,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
)

from throughline.core.model_config import ModelsConfig

FaultKind = Literal[
    "timeout",
    "rate_limited",
    "server_error",
    "connection",
    "malformed",
    "auth",
    "not_found",
    "rejected",
    "unsupported_output",
]
RETRYABLE: frozenset[str] = frozenset(
    {"timeout", "rate_limited", "server_error", "connection", "malformed"}
)


class MalformedReply(Exception):
    """The reply could not be parsed at all (broken JSON, empty response)."""


class UnsupportedOutput(Exception):
    """The server does not give structured output the way it was asked for (it refused the
    JSON schema or the tools, or answered in prose as if it had not seen the schema)."""


_UNDECODABLE = ("Failed to decode response as JSON", "Expected a JSON response")
_REFUSED_OUTPUT = re.compile(
    r"response_format|json_schema|structured output|guided_json|"
    r"tool_choice|tool[ _]call|tools? (?:are|is) not supported|function calling|"
    r"enable-auto-tool-choice|tool-call-parser",
    re.IGNORECASE,
)


def _undecodable(exc: BaseException) -> bool:
    """A 200 whose body the SDK could not decode (truncated or not JSON): a transport fault."""
    if isinstance(exc, ModelEmptyResponseError | ModelInvalidResponseError):
        return True
    if not isinstance(exc, ModelAPIError) or isinstance(exc, ModelHTTPError):
        return False
    if isinstance(exc.__cause__, json.JSONDecodeError | UnicodeDecodeError):
        return True
    return str(getattr(exc, "message", "")).startswith(_UNDECODABLE)


def _refused_output(exc: BaseException, status: int | None) -> bool:
    if isinstance(exc, UnsupportedOutput):
        return True
    if isinstance(exc, ModelFeatureUnsupportedError):
        return str(exc.feature) in ("native_output", "tool_output", "tool_choice")
    return status in (400, 422) and bool(_REFUSED_OUTPUT.search(str(exc)))


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    detail: str
    status: int | None = None
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


def classify(exc: BaseException) -> Fault | None:
    """What kind of fault ``exc`` is, or ``None`` if it is not a provider/transport fault."""
    status = exc.status_code if isinstance(exc, ModelHTTPError) else None
    retry_after = exc.retry_after if isinstance(exc, ModelAPIError) else None
    detail = f"{type(exc).__name__}: {exc}"
    kind: FaultKind
    if isinstance(exc, MalformedReply) or _undecodable(exc):
        kind = "malformed"
    elif _refused_output(exc, status):
        kind = "unsupported_output"
    elif isinstance(
        exc, TimeoutError | asyncio.TimeoutError | ModelTimeoutError | ModelRequestTimeout
    ):
        kind = "timeout"
    elif isinstance(exc, ModelRateLimitError) or status == 429:
        kind = "rate_limited"
    elif isinstance(exc, ModelServerError | ModelUnavailableError) or (status or 0) >= 500:
        kind = "server_error"
    elif isinstance(exc, ModelConnectionError):
        kind = "connection"
    elif isinstance(exc, ModelAuthenticationError) or status in (401, 403):
        kind = "auth"
    elif isinstance(exc, ModelNotFoundError) or status == 404:
        kind = "not_found"
    elif isinstance(exc, ModelAPIError):
        kind = "rejected"
    else:
        return None
    return Fault(kind=kind, detail=detail, status=status, retry_after=retry_after)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts with exponential backoff and jitter; Retry-After is a floor.

    The bounds are the model settings' (:meth:`of`): ``max_attempts``, ``backoff_base_s``,
    ``backoff_max_s``, ``max_retry_after_s`` and ``timeout_s``."""

    max_attempts: int
    base_s: float
    max_s: float
    max_retry_after_s: float
    timeout_s: float
    jitter: float = 0.25

    @classmethod
    def of(cls, config: ModelsConfig | None = None) -> RetryPolicy:
        """The policy ``config`` asks for (the settings' defaults without one)."""
        c = config or ModelsConfig()
        return cls(max_attempts=c.max_attempts, base_s=c.backoff_base_s, max_s=c.backoff_max_s,
                   max_retry_after_s=c.max_retry_after_s, timeout_s=c.timeout_s)

    def delay(self, attempt: int, fault: Fault, rng: random.Random) -> float | None:
        """Seconds to wait after failed ``attempt`` (1-based); ``None`` means give up."""
        if not fault.retryable or attempt >= self.max_attempts:
            return None
        backoff = min(self.max_s, self.base_s * (2 ** (attempt - 1)))
        backoff *= 1.0 + rng.uniform(-self.jitter, self.jitter)
        if fault.retry_after is not None:
            if fault.retry_after > self.max_retry_after_s:
                return None
            return max(fault.retry_after, backoff)
        return max(0.0, backoff)
