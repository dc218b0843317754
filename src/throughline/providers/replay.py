"""Deterministic request keys, recorded replies, and replay without network.

Every model request has a key (:func:`model_request_key`): ``sha256`` of the canonical
JSON (:mod:`throughline.core.ids`) of *what was asked* — the model string, the messages
(minus timestamps, run and call ids, usage and provider metadata), the generation settings
that change the answer (temperature, max_tokens, seed, top_p) and the output schema/tools. The same prompts give the same key in a later process,
which is what replay and resume need.

A :class:`CallStore` is the run log's side of it (``model_calls(request_key, request JSON,
reply JSON)``): ``lookup(key) -> reply JSON | None`` and ``record(RecordedCall)``.

* Live runs record every attempt as it ends (failed ones with their error); accepted replies
  are the ones reused.
* ``resume``: a key found in the store is answered from it; others go to the network.
* ``replay``: :class:`ReplayModel` stands in for every provider: it answers only from the
  store, never builds a client (no key needed), and raises :class:`ReplayMismatch` for a
  request the store does not hold. A request whose recorded attempts all failed fails again
  with the same error and accounting (the store's optional ``failed_attempts(key)``), so a
  run with a failed turn replays to the same record.

Reply JSON is one Pydantic AI ``ModelResponse`` as serialised by ``ModelMessagesTypeAdapter``;
``metadata["throughline"]`` keeps what the call layer measured (latency, attempts, faults)
so a replayed CallInfo equals the original.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_core import to_jsonable_python

from throughline.core.ids import canonical_json, key_of_json
from throughline.core.seams import CallInfo
from throughline.providers.errors import ReplayMismatch

ReplayMode = Literal["live", "resume", "replay"]

VOLATILE_KEYS = frozenset(
    {
        "timestamp",
        "run_id",
        "conversation_id",
        "tool_call_id",
        "id",
        "metadata",
        "state",
        "usage",
        "model_name",
        "model_id",
        "provider_name",
        "provider_url",
        "provider_details",
        "provider_response_id",
        "canonical_system",
        "finish_reason",
        "history_digest",
        "workspace_ref",
        "failed_attempts",
        "url",
    }
)
KEY_SETTINGS = ("temperature", "max_tokens", "seed", "top_p")
_PARAM_FIELDS = (
    "output_mode",
    "output_object",
    "output_tools",
    "function_tools",
    "allow_text_output",
    "prompted_output_template",
)
_TOOL_FIELDS = ("name", "description", "parameters_json_schema", "strict", "kind")


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _normalise_args(messages: list[Any]) -> list[Any]:
    """Tool-call args may arrive as a JSON string or a dict; key on the parsed value."""
    for message in messages:
        for part in message.get("parts", []):
            args = part.get("args")
            if isinstance(args, str):
                try:
                    part["args"] = json.loads(args)
                except ValueError:
                    pass
    return messages


def canonical_request(
    model: str,
    messages: Sequence[ModelMessage],
    settings: Mapping[str, Any] | None = None,
    params: ModelRequestParameters | None = None,
) -> dict[str, Any]:
    """What a request asks, with everything that varies between identical requests removed."""
    dumped = ModelMessagesTypeAdapter.dump_python(list(messages), mode="json")
    request: dict[str, Any] = {
        "model": model,
        "messages": _normalise_args(_strip(dumped)),
        "settings": {k: settings[k] for k in KEY_SETTINGS if settings and k in settings},
    }
    if params is not None:
        out: dict[str, Any] = {}
        for name in _PARAM_FIELDS:
            value = to_jsonable_python(getattr(params, name, None))
            if name in ("output_tools", "function_tools"):
                value = [{k: t.get(k) for k in _TOOL_FIELDS} for t in value or []]
            out[name] = value
        request["params"] = out
    return request


def model_request_key(model: str, messages: Sequence[ModelMessage],
                      settings: Mapping[str, Any] | None = None,
                      params: ModelRequestParameters | None = None) -> str:
    """The request key (:func:`throughline.core.ids.key_of_json`) of a model request: of
    :func:`request_json`, what it asks; stable across processes."""
    return key_of_json(request_json(canonical_request(model, messages, settings, params)))


def request_json(request: Mapping[str, Any]) -> str:
    """A :func:`canonical_request` as canonical JSON: what its key is computed over and
    what the run log stores."""
    return canonical_json(request, allow_nan=True)


def reply_to_json(response: ModelResponse) -> str:
    clean = replace(response, run_id=None, conversation_id=None)
    return ModelMessagesTypeAdapter.dump_json([clean]).decode("utf-8")


def reply_from_json(text: str) -> ModelResponse:
    messages = ModelMessagesTypeAdapter.validate_json(text)
    if len(messages) != 1 or not isinstance(messages[0], ModelResponse):
        raise ValueError("recorded reply is not exactly one model response")
    return messages[0]


@dataclass(frozen=True)
class RecordedCall:
    """One attempt at one request: a row for the run log's ``model_calls`` table.

    ``info`` is this attempt's own CallInfo (tokens, latency, cost, ``outcome`` "ok" or
    "fault:<kind>"); ``error`` is set (redacted) for an attempt that failed, and then
    ``reply_json`` is the unreadable reply or None. Only an attempt with a reply and no error
    may be reused by resume/replay.
    """

    key: str
    model: str
    role: str
    request_json: str
    reply_json: str | None
    info: CallInfo
    error: str | None = None
    advisor_id: str | None = None
    round: int | None = None

    @property
    def usable(self) -> bool:
        return self.reply_json is not None and self.error is None


class CallStore(Protocol):
    """Optionally also ``failed_attempts(key) -> list[RecordedCall]`` (replay of failures)."""

    def lookup(self, key: str) -> str | None:
        """The reply JSON of the first usable attempt recorded for ``key``, or None."""
        ...

    def record(self, call: RecordedCall) -> None:
        """Persist one attempt (failed attempts too), as soon as it ends."""
        ...


class MemoryCallStore:
    """A dict-backed :class:`CallStore` (tests, benches); ``log`` keeps every attempt."""

    def __init__(self) -> None:
        self.calls: dict[str, RecordedCall] = {}
        self.log: list[RecordedCall] = []

    def __repr__(self) -> str:
        return f"MemoryCallStore({len(self.calls)} calls, {len(self.log)} attempts)"

    def lookup(self, key: str) -> str | None:
        call = self.calls.get(key)
        return call.reply_json if call else None

    def record(self, call: RecordedCall) -> None:
        self.log.append(call)
        if call.usable:
            self.calls.setdefault(call.key, call)

    def failed_attempts(self, key: str) -> list[RecordedCall]:
        """Every failed attempt recorded for ``key``, in order (replay of a failed call)."""
        return [c for c in self.log if c.key == key and not c.usable]


class LookupStore:
    """Adapts plain functions (e.g. the run log's) to :class:`CallStore`."""

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        record: Callable[[RecordedCall], None] | None = None,
        failed: Callable[[str], list[RecordedCall]] | None = None,
    ) -> None:
        self._lookup = lookup
        self._record = record
        self._failed = failed

    def lookup(self, key: str) -> str | None:
        return self._lookup(key)

    def record(self, call: RecordedCall) -> None:
        if self._record is not None:
            self._record(call)

    def failed_attempts(self, key: str) -> list[RecordedCall]:
        return [] if self._failed is None else self._failed(key)


class ReplayModel(Model):
    """A model that only answers from recorded replies; no network, no key."""

    def __init__(self, model: str, store: CallStore) -> None:
        super().__init__()
        self._model = model
        self._store = store

    @property
    def model_name(self) -> str:
        return self._model.split(":", 1)[-1]

    @property
    def system(self) -> str:
        return "replay"

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        key = model_request_key(self._model, messages, model_settings, model_request_parameters)
        reply = self._store.lookup(key)
        if reply is None:
            raise ReplayMismatch(
                f"replay has no recorded reply for a {self._model} request (key {key[:16]}…)",
                hint="the prompts, settings or library versions differ from the recorded run; "
                "re-run without --replay, or replay with the same version and settings",
            )
        return reply_from_json(reply)
