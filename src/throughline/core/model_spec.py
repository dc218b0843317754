"""Model strings: ``provider:model`` parsed into a :class:`ModelSpec`.

Accepted forms::

    openai:gpt-4o-mini
    anthropic:claude-haiku-4-5
    ollama:qwen2.5:7b                   # everything after the first ':' is the model name
    openai-compatible:MODEL@http://host:8000/v1   # vLLM, llama.cpp server, LM Studio, ...
    openai-compatible:MODEL             # base URL: settings.models.openai_compatible_base_url

The base URL of an ``openai-compatible`` model may be given in the string (after the last
``@`` that starts an ``http://`` or ``https://`` URL) or in settings; the string wins. A
spec never holds a key: keys are resolved by :mod:`throughline.providers.endpoints`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

from throughline.core.errors import ConfigError

Provider = Literal["openai", "anthropic", "ollama", "openai-compatible"]
PROVIDERS: tuple[Provider, ...] = ("openai", "anthropic", "ollama", "openai-compatible")

EXAMPLES = (
    "openai:gpt-4o-mini, anthropic:claude-haiku-4-5, ollama:qwen2.5:7b, "
    "openai-compatible:MODEL@http://localhost:8000/v1"
)


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model string. ``str(spec)`` gives the canonical string back."""

    provider: Provider
    name: str
    base_url: str | None = None

    def __str__(self) -> str:
        if self.provider == "openai-compatible" and self.base_url:
            return f"{self.provider}:{self.name}@{self.base_url}"
        return f"{self.provider}:{self.name}"

    @property
    def is_local(self) -> bool:
        """Served on this machine or network (no per-token price): Ollama and loopback servers."""
        if self.provider == "ollama":
            return True
        host = urlparse(self.base_url or "").hostname or ""
        return host in {"localhost", "127.0.0.1", "::1"}


def parse_model(text: str) -> ModelSpec:
    """Parse a model string; raise :class:`ConfigError` saying what a valid one looks like."""
    raw = (text or "").strip()
    if ":" not in raw:
        raise ConfigError(
            f"model string {raw!r} names no provider",
            hint=f"write PROVIDER:MODEL, e.g. {EXAMPLES}",
        )
    provider, _, rest = raw.partition(":")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise ConfigError(
            f"unknown model provider {provider!r} in {raw!r}",
            hint=f"use one of {', '.join(PROVIDERS)} (e.g. {EXAMPLES}); any other "
            "OpenAI-compatible server is 'openai-compatible:MODEL@BASE_URL'",
        )
    name, base_url = rest.strip(), None
    if provider == "openai-compatible":
        name, base_url = _split_base_url(name, raw)
    elif "@http://" in name or "@https://" in name:
        raise ConfigError(
            f"a base URL in the model string is only read for openai-compatible models: {raw!r}",
            hint="set the provider's base URL in settings (e.g. THROUGHLINE_OLLAMA_BASE_URL), "
            "or write openai-compatible:MODEL@BASE_URL",
        )
    if not name:
        raise ConfigError(f"model string {raw!r} has no model name", hint=f"e.g. {EXAMPLES}")
    return ModelSpec(provider=provider, name=name, base_url=base_url)  # type: ignore[arg-type]


def _split_base_url(rest: str, raw: str) -> tuple[str, str | None]:
    for scheme in ("@https://", "@http://"):
        at = rest.rfind(scheme)
        if at >= 0:
            name, url = rest[:at].strip(), rest[at + 1 :].strip()
            return name, check_base_url(url, where=raw)
    return rest, None


def check_base_url(url: str, *, where: str) -> str:
    """Return ``url`` without a trailing slash, or raise if it is not an http(s) URL with a host."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(
            f"invalid base URL {url!r} in {where!r}",
            hint="give an http(s) URL including the API prefix, e.g. http://localhost:8000/v1",
        )
    return url.rstrip("/")
