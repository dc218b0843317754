"""Which model speaks for which role, and why (the reason goes on every CallInfo).

Precedence for an advisor, most specific first:

1. ``settings.models.advisor_overrides[<advisor id>]``
   — "settings.models.advisor_overrides[auditor]"
2. the panel file's ``model:`` for that advisor (``Advisor.model``, unless ``offline``/empty)
   — "panel override for advisor auditor"
3. ``settings.models.advisor`` — "settings.models.advisor"
4. ``settings.models.default`` — "role default (settings.models.default)"

Other roles (summariser, synthesiser, claim_extractor, framer) use steps 3 and 4 with their
own field. No model at all is a :class:`ConfigError` naming ``THROUGHLINE_MODEL``. Whether
the framer and synthesiser run on a model at all is decided before this: only when their
own field is set (``throughline.providers.roles``); the claim extractor never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.errors import ConfigError
from throughline.core.model_config import ModelsConfig, Role
from throughline.core.model_spec import ModelSpec, parse_model
from throughline.record.decision import Advisor

NOT_A_MODEL = {"", "offline", "default"}


@dataclass(frozen=True)
class Selection:
    role: Role
    spec: ModelSpec
    reason: str


def select(config: ModelsConfig, role: Role, advisor: Advisor | None = None) -> Selection:
    """The model for ``role`` (and ``advisor``, for advisor turns) with the reason it was chosen."""
    if advisor is not None:
        override = config.advisor_overrides.get(advisor.id)
        if override:
            return Selection(
                role, parse_model(override), f"settings.models.advisor_overrides[{advisor.id}]"
            )
        if advisor.model.strip().lower() not in NOT_A_MODEL:
            return Selection(
                role, parse_model(advisor.model), f"panel override for advisor {advisor.id}"
            )
    configured = config.role_model(role)
    if configured:
        return Selection(role, parse_model(configured), f"settings.models.{role}")
    if config.default:
        return Selection(
            role, parse_model(config.default), "role default (settings.models.default)"
        )
    env = f"THROUGHLINE_MODEL_{role.upper()}"
    raise ConfigError(
        f"no model configured for the {role} role",
        hint=f"set THROUGHLINE_MODEL (all roles) or {env}, e.g. "
        "THROUGHLINE_MODEL=ollama:qwen2.5:7b or openai:gpt-4o-mini; or run without a model "
        "to use the offline engine",
    )
