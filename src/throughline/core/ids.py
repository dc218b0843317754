"""Run ids, canonical JSON and request keys: the one definition of each.

A run id sorts by creation time and is unique without coordination:
``20250614-153012-7f3a9c`` (UTC date and time to the second, then 24 random bits).

Canonical JSON is sorted keys, no whitespace, non-ASCII kept: equal values
give equal text, so equal requests give equal keys in any process.

A request key is the sha256 (hex) of a request's canonical JSON. The top-level ``run_id``
field is left out, so the same request made for another run (a replay) has the same key.
The run log stores it with every call; a resumed run looks its requests up by key so
completed calls are not repeated, and a replay looks them up in the run it replays. The
model layer keys a model request the same way, after cutting it down to what was asked
(:func:`throughline.providers.replay.model_request_key`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_jsonable_python

__all__ = ["KEY_EXCLUDED_FIELDS", "canonical_json", "compact_json", "key_of_json",
           "new_run_id", "request_key", "to_jsonable"]

#: Top-level request fields that identify the run, not the question put to the model.
KEY_EXCLUDED_FIELDS = frozenset({"run_id"})


def new_run_id(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def to_jsonable(value: Any) -> Any:
    """Plain JSON values all the way down (models, dates, enums and paths converted)."""
    return to_jsonable_python(value)


def canonical_json(value: Any, *, allow_nan: bool = False) -> str:
    """Sorted keys, no whitespace, non-ASCII kept: equal values give equal text.

    NaN and infinities are refused unless ``allow_nan``: the model layer passes it, since
    a request carries back whatever a model wrote in a tool call (``NaN`` parses)."""
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=allow_nan)


def compact_json(value: Any) -> str:
    """Keys in their own order, no whitespace: how the run log stores JSON values."""
    return json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def key_of_json(text: str) -> str:
    """The key of a request already serialised with :func:`canonical_json`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_key(request: Any) -> str:
    """sha256 (hex) of the canonical JSON of ``request`` without its ``run_id`` field."""
    value = to_jsonable(request)
    if isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if k not in KEY_EXCLUDED_FIELDS}
    return key_of_json(canonical_json(value))
