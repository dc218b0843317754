"""Typed settings built by a factory (never import-time globals)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from throughline.core.errors import ConfigError
from throughline.core.model_config import ModelsConfig, models_config_from_env

DEFAULT_WORKSPACE = ".throughline"


class Settings(BaseModel):
    """Everything a run needs to know about where things live and what limits apply."""

    workspace: Path = Field(description="Folder holding the store, run log and library.")
    backend: str | None = Field(
        default=None,
        description="Ibis connection URL; None means the DuckDB file in the workspace.",
    )
    json_output: bool = False
    max_field_bytes: int = Field(
        default=1_000_000, description="Largest single CSV field accepted at ingest."
    )
    max_library_file_bytes: int = Field(
        default=20_000_000, description="Largest document accepted by `library add`."
    )
    duckdb_memory_limit: str = Field(
        default="1GB", description="DuckDB memory_limit for the embedded store."
    )
    duckdb_threads: int | None = None
    council_concurrency: int = Field(
        default=7, ge=1, le=64,
        description="Advisor turns of one round run at once (env THROUGHLINE_CONCURRENCY).")
    models: ModelsConfig = Field(
        default_factory=ModelsConfig,
        description="Model per role, endpoints, limits (env THROUGHLINE_MODEL…); none set "
        "means the offline engine.",
    )

    def with_model(self, model: str | None) -> Settings:
        """These settings with ``model`` as the default for every role (``--model``)."""
        if not model:
            return self
        cfg = ModelsConfig.model_validate({**self.models.model_dump(), "default": model})
        return self.model_copy(update={"models": cfg})

    @property
    def uses_models(self) -> bool:
        """True when a model is configured for the advisors (else: the offline engine)."""
        return bool(self.models.default or self.models.advisor)

    @property
    def store_path(self) -> Path:
        return self.workspace / "evidence.duckdb"

    @property
    def runlog_path(self) -> Path:
        return self.workspace / "runs.sqlite"

    @property
    def library_path(self) -> Path:
        return self.workspace / "library.sqlite"

    @property
    def reports_dir(self) -> Path:
        return self.workspace / "reports"

    @property
    def backend_url(self) -> str:
        return self.backend or f"duckdb://{self.store_path}"

    @property
    def is_embedded(self) -> bool:
        return self.backend is None or self.backend.startswith("duckdb://")


def workspace_dir(explicit: str | Path | None = None) -> Path:
    """The workspace: explicit option, then ``THROUGHLINE_HOME``, then ``./.throughline``."""
    raw = explicit or os.environ.get("THROUGHLINE_HOME") or DEFAULT_WORKSPACE
    return Path(raw).expanduser().resolve()


def load_settings(
    workspace: str | Path | None = None,
    backend: str | None = None,
    json_output: bool = False,
    **overrides: object,
) -> Settings:
    """Build settings from options, environment and defaults (in that order of precedence)."""
    env_backend = os.environ.get("THROUGHLINE_BACKEND")
    if "council_concurrency" not in overrides and os.environ.get("THROUGHLINE_CONCURRENCY"):
        overrides["council_concurrency"] = os.environ["THROUGHLINE_CONCURRENCY"]
    if "models" not in overrides:
        overrides["models"] = models_config_from_env(os.environ)
    try:
        return Settings(
            workspace=workspace_dir(workspace),
            backend=backend or env_backend or None,
            json_output=json_output,
            **overrides,  # type: ignore[arg-type]
        )
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"invalid settings: {exc}") from exc
