"""Run ids and request keys.

A run id sorts by creation time and is unique without coordination:
``20250614-153012-7f3a9c`` (UTC date and time to the second, then 24 random bits).

A request key is the sha256 of a request's canonical JSON (sorted keys, no whitespace,
UTF-8). A resumed run looks its requests up by key so completed calls are not repeated;
a replay looks them up in the run it replays. The top-level ``run_id`` field is left out
of the key, so the same request made for another run (a replay) has the same key.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

#: Top-level request fields that identify the run, not the question put to the model.
KEY_EXCLUDED_FIELDS = frozenset({"run_id"})


def new_run_id(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def to_jsonable(value: Any) -> Any:
    """Plain JSON values all the way down (models, dates, enums and paths converted)."""
    return to_jsonable_python(value)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII kept: equal values give equal text."""
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)


def compact_json(value: Any) -> str:
    """Keys in their own order, no whitespace: how the run log stores JSON values."""
    return json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def request_key(request: BaseModel | Mapping[str, Any] | list[Any]) -> str:
    """sha256 (hex) of the canonical JSON of ``request`` without its ``run_id`` field."""
    value = to_jsonable(request)
    if isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if k not in KEY_EXCLUDED_FIELDS}
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()

