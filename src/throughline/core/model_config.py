"""What the model layer reads from settings: one typed, validated block.

The lead's ``Settings`` holds it as ``settings.models`` (a :class:`ModelsConfig`);
:func:`models_config_from_env` maps the ``THROUGHLINE_*`` environment variables onto it so
the settings factory stays the one place that reads the environment for settings. Provider
keys are *not* read here: :mod:`throughline.providers.endpoints` looks them up (config first,
then the provider's usual variable such as ``OPENAI_API_KEY``) when a model is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from throughline.core.errors import ConfigError
from throughline.core.model_spec import parse_model

Role = Literal["advisor", "summariser", "synthesiser", "claim_extractor", "framer"]
ROLES: tuple[Role, ...] = ("advisor", "summariser", "synthesiser", "claim_extractor", "framer")

DEFAULT_OLLAMA_BASE_URL = "http://localhost:11434/v1"
RETIRED_FIELDS = frozenset({"max_peer_chars"})
"""Fields that once existed and are now ignored when read (see ``ModelsConfig._retired``)."""


class ModelPrice(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(frozen=True)

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


class ModelsConfig(BaseModel):
    """Model selection, endpoints, limits and retry policy for model-backed advisors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # -- selection (see throughline.providers.selection for precedence) ---------------------
    default: str | None = Field(
        default=None, description="Model for every role not set below (THROUGHLINE_MODEL)."
    )
    advisor: str | None = Field(default=None, description="THROUGHLINE_MODEL_ADVISOR")
    summariser: str | None = Field(default=None, description="THROUGHLINE_MODEL_SUMMARISER")
    synthesiser: str | None = Field(default=None, description="THROUGHLINE_MODEL_SYNTHESISER")
    claim_extractor: str | None = Field(
        default=None, description="THROUGHLINE_MODEL_CLAIM_EXTRACTOR"
    )
    framer: str | None = Field(default=None, description="THROUGHLINE_MODEL_FRAMER")
    advisor_overrides: dict[str, str] = Field(
        default_factory=dict, description="Advisor id -> model string; beats the panel file."
    )

    # -- endpoints and keys (keys are SecretStr: never printed, dumped as '**********') ---
    openai_base_url: str | None = None
    anthropic_base_url: str | None = None
    ollama_base_url: str = DEFAULT_OLLAMA_BASE_URL
    openai_compatible_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    ollama_api_key: SecretStr | None = None
    openai_compatible_api_key: SecretStr | None = None

    # -- generation ------------------------------------------------------------------------
    temperature: float = Field(default=0.3, ge=0.0, le=2.0)
    seed: int | None = None
    max_output_tokens: int = Field(default=700, ge=16)
    output_mode: Literal["auto", "tool", "native", "prompted"] = Field(
        default="auto",
        description="How structured replies are asked for: a tool call (widest support), "
        "native JSON schema (response_format; Ollama constrains decoding to it), or the "
        "schema in the prompt. 'auto': native for Ollama, tool call otherwise.",
    )

    # -- faults ----------------------------------------------------------------------------
    timeout_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10, description="Per request, faults included.")
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=30.0, ge=0)
    max_retry_after_s: float = Field(
        default=120.0, ge=0, description="A longer Retry-After fails the call instead of waiting."
    )

    # -- budgets ---------------------------------------------------------------------------
    max_tokens_per_run: int | None = Field(default=None, ge=1)
    max_cost_usd_per_run: float | None = Field(default=None, gt=0)
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict, description="Model string -> price; beats the built-in table."
    )

    # -- prompt bounds and checks ----------------------------------------------------------
    max_evidence_chars: int = Field(default=1200, ge=100, description="Per evidence card.")
    max_statement_chars: int = Field(default=1500, ge=100, description="A reply's text.")
    max_summary_chars: int = Field(default=900, ge=100)
    history_ratio: float = Field(
        default=0.45,
        gt=0,
        le=2.0,
        description="Later rounds' history (summaries, peer statements) gets at most this "
        "share of the round-invariant prompt size; keeps round 5 <= ~1.45x round 1.",
    )
    missing_cause: Literal["flag", "fail"] = Field(
        default="flag",
        description="After the one repair, a conviction change still without a valid cause "
        "is kept with conviction_cause=None (the pipeline flags it) or fails the turn.",
    )

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: object) -> object:
        """Settings that no longer do anything are accepted and dropped, so a settings file
        or a stored run (``runs resume``, ``ask --replay``) that names one still loads:
        ``max_peer_chars`` clipped each peer statement once; peers and the summariser now
        see statements in full (up to ``max_statement_chars``, the longest reply taken)."""
        if isinstance(data, dict) and any(k in data for k in RETIRED_FIELDS):
            data = {k: v for k, v in data.items() if k not in RETIRED_FIELDS}
        return data

    @field_validator("default", "advisor", "summariser", "synthesiser", "claim_extractor", "framer")
    @classmethod
    def _model_string(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            _check_model_string(value)
            return value.strip()
        return None

    @field_validator("advisor_overrides")
    @classmethod
    def _overrides(cls, value: dict[str, str]) -> dict[str, str]:
        for model in value.values():
            _check_model_string(model)
        return value

    def role_model(self, role: Role) -> str | None:
        value: str | None = getattr(self, role)
        return value


def _check_model_string(value: str) -> None:
    try:
        parse_model(value)
    except ConfigError as exc:  # pydantic reports ValueErrors with the field's name
        raise ValueError(str(exc)) from None


ENV_FIELDS: dict[str, str] = {
    "THROUGHLINE_MODEL": "default",
    "THROUGHLINE_MODEL_ADVISOR": "advisor",
    "THROUGHLINE_MODEL_SUMMARISER": "summariser",
    "THROUGHLINE_MODEL_SYNTHESISER": "synthesiser",
    "THROUGHLINE_MODEL_CLAIM_EXTRACTOR": "claim_extractor",
    "THROUGHLINE_MODEL_FRAMER": "framer",
    "THROUGHLINE_OPENAI_COMPATIBLE_BASE_URL": "openai_compatible_base_url",
    "OPENAI_BASE_URL": "openai_base_url",
    "ANTHROPIC_BASE_URL": "anthropic_base_url",
    "OLLAMA_BASE_URL": "ollama_base_url",
    "THROUGHLINE_MODEL_TIMEOUT_S": "timeout_s",
    "THROUGHLINE_MODEL_MAX_ATTEMPTS": "max_attempts",
    "THROUGHLINE_MAX_TOKENS_PER_RUN": "max_tokens_per_run",
    "THROUGHLINE_MAX_COST_USD_PER_RUN": "max_cost_usd_per_run",
    "THROUGHLINE_MODEL_TEMPERATURE": "temperature",
    "THROUGHLINE_MODEL_OUTPUT_MODE": "output_mode",
}
"""Environment variable -> ModelsConfig field. Provider keys (OPENAI_API_KEY, ANTHROPIC_API_KEY,
OLLAMA_API_KEY) are deliberately absent: providers.py reads them at build time, so a key never
sits in a settings dump."""


def models_config_from_env(env: Mapping[str, str], **overrides: object) -> ModelsConfig:
    """Build a :class:`ModelsConfig` from ``env`` (strings) and explicit overrides (win)."""
    values: dict[str, object] = {}
    for var, field in ENV_FIELDS.items():
        raw = env.get(var)
        if raw is not None and raw.strip():
            values[field] = raw.strip()
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ModelsConfig.model_validate(values)
    except ValidationError as exc:
        env_of = {field: var for var, field in ENV_FIELDS.items()}
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "models"
            var = f" (env {env_of[field]})" if field in env_of else ""
            problems.append(f"{field}{var}: {err['msg']}")
        raise ConfigError(
            "invalid model settings: " + "; ".join(problems),
            hint="fix the value, or unset the variable to use the default",
        ) from None
