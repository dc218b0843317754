"""Model-backed advisors: providers, selection, prompts, faults, budgets, replay.

The council pipeline talks to :class:`ModelAdvisorEngine` only through the
``AdvisorEngine`` seam (``throughline.core.seams``). Layout, by concern:

``core.model_spec``   model strings (``openai:gpt-4o-mini``, ``ollama:qwen2.5:7b``, …)
``core.model_config`` :class:`ModelsConfig`, the ``settings.models`` block, and its env variables
``endpoints``   spec -> Pydantic AI model; base URLs and keys (missing key -> ConfigError)
``selection``   which model per role/advisor, and why
``limits``      per-model request settings (output caps, temperature, seed, output mode)
``prompts/``    bounded prompts; untrusted text fenced as data (fencing, blocks, turn, summary)
``schema``      the structured statement and the checks fed back for one repair
``agents``      the Pydantic AI agents (one repair each) and the structured-output modes
``faults/``     what is retried and how long to wait
``budget``      price table, pre-run estimate, token/cost limits
``planning``    the calls a run will make, sized before it starts (for the estimate)
``replay``      model request keys, call store, replay model
``calls``       the guarded call layer every request goes through
``ledger``      what one engine call spent, and the CallInfo reported for it
``advisor_engine`` :class:`ModelAdvisorEngine`
``roles``       the framer and the synthesiser on a model
``errors``      CallFailed, BudgetExceeded, ReplayMismatch
``fakes/``      scripted/fault/latency fakes and a loopback OpenAI-compatible server

Names are imported lazily: ``import throughline.core.model_config`` (what settings need) does
not load Pydantic AI or the provider SDKs; ``from throughline.providers import
ModelAdvisorEngine`` does.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "PRICES_AS_OF": "throughline.providers.budget",
    "PRICE_TABLE": "throughline.providers.budget",
    "Budget": "throughline.providers.budget",
    "PlannedCall": "throughline.providers.budget",
    "PriceTable": "throughline.providers.budget",
    "RunEstimate": "throughline.providers.budget",
    "estimate_run": "throughline.providers.budget",
    "estimate_tokens": "throughline.providers.budget",
    "ROLES": "throughline.core.model_config",
    "ModelPrice": "throughline.core.model_config",
    "ModelsConfig": "throughline.core.model_config",
    "Role": "throughline.core.model_config",
    "models_config_from_env": "throughline.core.model_config",
    "ModelAdvisorEngine": "throughline.providers.advisor_engine",
    "BudgetExceeded": "throughline.providers.errors",
    "CallFailed": "throughline.providers.errors",
    "ReplayMismatch": "throughline.providers.errors",
    "CallStore": "throughline.providers.replay",
    "LookupStore": "throughline.providers.replay",
    "MemoryCallStore": "throughline.providers.replay",
    "RecordedCall": "throughline.providers.replay",
    "ReplayMode": "throughline.providers.replay",
    "ReplayModel": "throughline.providers.replay",
    "model_request_key": "throughline.providers.replay",
    "Selection": "throughline.providers.selection",
    "select": "throughline.providers.selection",
    "ModelSpec": "throughline.core.model_spec",
    "parse_model": "throughline.core.model_spec",
}

__all__ = [
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
    "PRICES_AS_OF",
    "PRICE_TABLE",
    "PlannedCall",
    "PriceTable",
    "ROLES",
    "RecordedCall",
    "ReplayMismatch",
    "ReplayMode",
    "ReplayModel",
    "Role",
    "RunEstimate",
    "Selection",
    "estimate_run",
    "estimate_tokens",
    "model_request_key",
    "models_config_from_env",
    "parse_model",
    "select",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from throughline.providers.budget import (
        PRICE_TABLE,
        PRICES_AS_OF,
        Budget,
        PlannedCall,
        PriceTable,
        RunEstimate,
        estimate_run,
        estimate_tokens,
    )
    from throughline.core.model_config import (
        ROLES,
        ModelPrice,
        ModelsConfig,
        Role,
        models_config_from_env,
    )
    from throughline.providers.advisor_engine import ModelAdvisorEngine
    from throughline.providers.errors import BudgetExceeded, CallFailed, ReplayMismatch
    from throughline.providers.replay import (
        CallStore,
        LookupStore,
        MemoryCallStore,
        RecordedCall,
        ReplayMode,
        ReplayModel,
        model_request_key,
    )
    from throughline.providers.selection import Selection, select
    from throughline.core.model_spec import ModelSpec, parse_model
