"""Provider layer: a :class:`ModelSpec` becomes a Pydantic AI ``Model``.

One place decides, per provider, where the base URL and the key come from:

================== ======================================= ================================
provider           key (settings field, then environment)  base URL (settings, default)
================== ======================================= ================================
openai             openai_api_key, ``OPENAI_API_KEY``       openai_base_url (OpenAI's)
anthropic          anthropic_api_key, ``ANTHROPIC_API_KEY`` anthropic_base_url (Anthropic's)
ollama             ollama_api_key, ``OLLAMA_API_KEY``       ollama_base_url,
                   (optional)                               ``http://localhost:11434/v1``
openai-compatible  openai_compatible_api_key,               ``@URL`` in the model string,
                   ``THROUGHLINE_OPENAI_COMPATIBLE_API_KEY`` then openai_compatible_base_url
                   (optional; ``OPENAI_API_KEY`` is never
                   sent to another server)
================== ======================================= ================================

OpenAI, Ollama and OpenAI-compatible servers all go through Pydantic AI's Chat Completions
model (``OpenAIChatModel``) over ``httpx2``; Anthropic through ``AnthropicModel``. The
factory owns the HTTP clients it creates and closes them in :meth:`ProviderFactory.aclose`.
Keys are handed to the SDK client and nowhere else; the factory's :class:`Redactor` knows
them so errors can be scrubbed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
from pydantic_ai.models import Model, create_async_httpx2_client

from throughline.core.errors import ConfigError
from throughline.core.model_config import ModelsConfig
from throughline.core.redact import Redactor
from throughline.core.model_spec import ModelSpec, check_base_url

log = logging.getLogger("throughline.providers")

KEY_ENV: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "ollama": "OLLAMA_API_KEY",
    "openai-compatible": "THROUGHLINE_OPENAI_COMPATIBLE_API_KEY",
}
KEY_FIELD: dict[str, str] = {
    "openai": "openai_api_key",
    "anthropic": "anthropic_api_key",
    "ollama": "ollama_api_key",
    "openai-compatible": "openai_compatible_api_key",
}
KEY_REQUIRED: dict[str, bool] = {
    "openai": True,
    "anthropic": True,
    "ollama": False,
    "openai-compatible": False,
}
KEY_URLS: dict[str, str] = {
    "openai": "https://platform.openai.com/api-keys",
    "anthropic": "https://console.anthropic.com/settings/keys",
}


@dataclass(frozen=True)
class Endpoint:
    """Where a spec's requests go and with which key (the key itself is never repr'd)."""

    spec: ModelSpec
    base_url: str
    key_source: str
    api_key: str | None = None

    def __repr__(self) -> str:
        return (
            f"Endpoint(spec={str(self.spec)!r}, base_url={self.base_url!r}, key={self.key_source})"
        )


def resolve_endpoint(
    spec: ModelSpec, config: ModelsConfig, env: Mapping[str, str] | None = None
) -> Endpoint:
    """Base URL and key for ``spec``; raise :class:`ConfigError` naming the variable to set."""
    env = os.environ if env is None else env
    field = KEY_FIELD[spec.provider]
    var = KEY_ENV[spec.provider]
    secret = getattr(config, field)
    if secret is not None and secret.get_secret_value():
        key, source = secret.get_secret_value(), f"settings.models.{field}"
    elif env.get(var):
        key, source = env[var], f"env {var}"
    else:
        key, source = None, "none"
    if key is None and KEY_REQUIRED[spec.provider]:
        where = f" (create one at {KEY_URLS[spec.provider]})" if spec.provider in KEY_URLS else ""
        raise ConfigError(
            f"no API key for {spec}: set the {var} environment variable",
            hint=f"export {var}=...{where}, or set settings.models.{field}; "
            "or choose a local model such as ollama:qwen2.5:7b",
        )
    return Endpoint(spec=spec, base_url=_base_url(spec, config), key_source=source, api_key=key)


DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
}
"""Passed explicitly so the SDKs never fall back to reading OPENAI_BASE_URL etc. themselves."""


def _base_url(spec: ModelSpec, config: ModelsConfig) -> str:
    url: str | None
    if spec.provider == "openai":
        url = config.openai_base_url or DEFAULT_BASE_URLS["openai"]
    elif spec.provider == "anthropic":
        url = config.anthropic_base_url or DEFAULT_BASE_URLS["anthropic"]
    elif spec.provider == "ollama":
        url = config.ollama_base_url
    else:
        url = spec.base_url or config.openai_compatible_base_url
        if not url:
            raise ConfigError(
                f"no base URL for {spec}",
                hint="write openai-compatible:MODEL@http://HOST:PORT/v1, or set "
                "THROUGHLINE_OPENAI_COMPATIBLE_BASE_URL "
                "(settings.models.openai_compatible_base_url)",
            )
    return check_base_url(url, where=str(spec))


def deprecation_line(model: str, notice: Any) -> str:
    """'openai:gpt-x is deprecated by its provider (retires 2026-…); it recommends 'y'
    instead: <url>' — one line, from Pydantic AI's ``ModelDeprecation``."""
    line = f"{model} is deprecated by its provider"
    retires = getattr(notice, "retirement_date", None)
    if retires is not None:
        line += f" (retires {retires.isoformat()})"
    rerouted = getattr(notice, "rerouted_to", None)
    if rerouted:
        line += f"; its requests are routed to {rerouted!r}"
    replacement = getattr(notice, "replacement", None)
    if replacement:
        line += f"; it recommends {replacement!r} instead"
    url = getattr(notice, "source_url", None)
    return line + (f": {url}" if url else "") + " (logged once per run)"


TransportFactory = Callable[[ModelSpec], httpx2.AsyncBaseTransport | None]


class ProviderFactory:
    """Builds (and caches) one Pydantic AI model per model string.

    ``transport`` lets tests put an ``httpx2.MockTransport`` under the real SDK clients.
    """

    def __init__(
        self,
        config: ModelsConfig,
        env: Mapping[str, str] | None = None,
        *,
        transport: TransportFactory | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.config = config
        self._env = os.environ if env is None else env
        self._transport = transport
        self.redactor = redactor or Redactor()
        self._clients: list[httpx2.AsyncClient] = []
        self._models: dict[str, Model] = {}
        self._deprecated: set[str] = set()  # models whose deprecation was logged (once)

    def __repr__(self) -> str:
        return f"ProviderFactory(models={sorted(self._models)})"

    def endpoint(self, spec: ModelSpec) -> Endpoint:
        return resolve_endpoint(spec, self.config, self._env)

    def __call__(self, spec: ModelSpec) -> Model:
        key = str(spec)
        if key not in self._models:
            self._models[key] = self._build(spec)
        return self._models[key]

    def _build(self, spec: ModelSpec) -> Model:
        endpoint = self.endpoint(spec)
        self.redactor.add(endpoint.api_key)
        http_client = create_async_httpx2_client(
            timeout=self.config.timeout_s,
            transport=self._transport(spec) if self._transport else None,
        )
        self._clients.append(http_client)
        if spec.provider == "anthropic":
            from pydantic_ai.models.anthropic import AnthropicModel
            from pydantic_ai.providers.anthropic import AnthropicProvider

            return AnthropicModel(
                spec.name,
                provider=AnthropicProvider(
                    api_key=endpoint.api_key, base_url=endpoint.base_url, http_client=http_client
                ),
                profile=self._once(spec),
            )
        from pydantic_ai.models.openai import OpenAIChatModel

        if spec.provider == "openai":
            from pydantic_ai.providers.openai import OpenAIProvider

            provider = OpenAIProvider(
                base_url=endpoint.base_url, api_key=endpoint.api_key, http_client=http_client
            )
            return OpenAIChatModel(spec.name, provider=provider, profile=self._once(spec))
        if spec.provider == "ollama":
            from pydantic_ai.models.ollama import OllamaModel
            from pydantic_ai.providers.ollama import OllamaProvider

            return OllamaModel(
                spec.name,
                provider=OllamaProvider(
                    base_url=endpoint.base_url,
                    api_key=endpoint.api_key or "not-needed",
                    http_client=http_client,
                ),
                profile=self._once(spec),
            )
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        return OpenAIChatModel(
            spec.name,
            provider=OpenAICompatibleProvider(
                "openai-compatible",
                base_url=endpoint.base_url,
                api_key=endpoint.api_key,
                http_client=http_client,
            ),
            profile=self._once(spec),
        )

    def _once(self, spec: ModelSpec) -> Callable[[Any], Any]:
        """The model's profile with its provider's deprecation notice taken out, logged here
        once per run instead: Pydantic AI warns on every request to a deprecated model, and
        a run makes dozens (the factory lives as long as the run's engine; it rebuilds a
        model per stage, and the notice is still logged only once)."""

        def profile(resolved: Any) -> Any:
            notice = resolved.get("deprecation")
            if notice is not None and str(spec) not in self._deprecated:
                self._deprecated.add(str(spec))
                log.warning("%s", deprecation_line(str(spec), notice))
            return {**resolved, "deprecation": None}

        return profile

    async def aclose(self) -> None:
        """Close the HTTP clients and forget the models built on them: the next request for
        a model string (the next stage of a run, in its own event loop; another role on the
        same model) builds it again on a fresh client."""
        clients, self._clients = self._clients, []
        self._models.clear()
        for client in clients:
            await client.aclose()
