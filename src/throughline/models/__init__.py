"""Model-backed advisors: providers, selection, prompts, faults, budgets, replay.

The council pipeline talks to :class:`ModelAdvisorEngine` only through the
``AdvisorEngine`` seam (``throughline.council.seams``). Layout, by concern:

``spec``        model strings (``openai:gpt-4o-mini``, ``ollama:qwen2.5:7b``, …)
``config``      :class:`ModelsConfig`, the ``settings.models`` block, and its env variables
``providers``   spec -> Pydantic AI model; base URLs and keys (missing key -> ConfigError)
``selection``   which model per role/advisor, and why
``prompts``     bounded prompts; untrusted text fenced as data
``schema``      the structured statement and the checks fed back for one repair
``faults``      what is retried and how long to wait
``budget``      price table, pre-run estimate, token/cost limits
``replay``      request keys, call store, replay model
``calls``       the guarded call layer every request goes through
``engine``      :class:`ModelAdvisorEngine`
``fakes``       scripted/fault/latency fakes and a loopback OpenAI-compatible server

Names are imported lazily: ``import throughline.models.config`` (what settings need) does
not load Pydantic AI or the provider SDKs; ``from throughline.models import
ModelAdvisorEngine`` does.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "PRICES_AS_OF": "budget",
    "PRICE_TABLE": "budget",
    "Budget": "budget",
    "PlannedCall": "budget",
    "PriceTable": "budget",
    "RunEstimate": "budget",
    "estimate_run": "budget",
    "estimate_tokens": "budget",
    "ROLES": "config",
    "ModelPrice": "config",
    "ModelsConfig": "config",
    "Role": "config",
    "models_config_from_env": "config",
    "ModelAdvisorEngine": "engine",
    "BudgetExceeded": "errors",
    "CallFailed": "errors",
    "ReplayMismatch": "errors",
    "CallStore": "replay",
    "LookupStore": "replay",
    "MemoryCallStore": "replay",
    "RecordedCall": "replay",
    "ReplayMode": "replay",
    "ReplayModel": "replay",
    "request_key": "replay",
    "Selection": "selection",
    "select": "selection",
    "ModelSpec": "spec",
    "parse_model": "spec",
}

__all__ = [
    "PRICES_AS_OF",
    "PRICE_TABLE",
    "ROLES",
    "Budget",
    "BudgetExceeded",
    "CallFailed",
    "CallStore",
    "LookupStore",
    "MemoryCallStore",
    "ModelAdvisorEngine",
    "ModelPrice",
    "ModelSpec",
    "ModelsConfig",
    "PlannedCall",
    "PriceTable",
    "RecordedCall",
    "ReplayMismatch",
    "ReplayMode",
    "ReplayModel",
    "Role",
    "RunEstimate",
    "Selection",
    "estimate_run",
    "estimate_tokens",
    "models_config_from_env",
    "parse_model",
    "request_key",
    "select",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from throughline.models.budget import (
        PRICE_TABLE,
        PRICES_AS_OF,
        Budget,
        PlannedCall,
        PriceTable,
        RunEstimate,
        estimate_run,
        estimate_tokens,
    )
    from throughline.models.config import (
        ROLES,
        ModelPrice,
        ModelsConfig,
        Role,
        models_config_from_env,
    )
    from throughline.models.engine import ModelAdvisorEngine
    from throughline.models.errors import BudgetExceeded, CallFailed, ReplayMismatch
    from throughline.models.replay import (
        CallStore,
        LookupStore,
        MemoryCallStore,
        RecordedCall,
        ReplayMode,
        ReplayModel,
        request_key,
    )
    from throughline.models.selection import Selection, select
    from throughline.models.spec import ModelSpec, parse_model
