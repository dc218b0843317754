"""Provider layer: base URLs, keys from config or environment, and missing-key errors."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.openai import OpenAIChatModel

from throughline.core.errors import ConfigError
from throughline.providers import ModelAdvisorEngine, ModelsConfig, parse_model
from throughline.providers.endpoints import ProviderFactory, resolve_endpoint

from .helpers import PANEL, run


@pytest.mark.parametrize(
    ("model", "var"),
    [("openai:gpt-4o-mini", "OPENAI_API_KEY"), ("anthropic:claude-haiku-4-5", "ANTHROPIC_API_KEY")],
)
def test_missing_key_names_the_variable(model: str, var: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve_endpoint(parse_model(model), ModelsConfig(), env={})
    assert f"set the {var} environment variable" in str(err.value)
    assert "ollama:" in str(err.value)  # and offers the keyless way out


def test_missing_key_is_raised_before_the_run_by_prepare() -> None:
    engine = ModelAdvisorEngine(ModelsConfig(default="anthropic:claude-haiku-4-5"), env={})
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        engine.prepare(PANEL)


def test_key_from_config_beats_environment() -> None:
    cfg = ModelsConfig(openai_api_key=SecretStr("from-config-key"))
    ep = resolve_endpoint(parse_model("openai:gpt-4o"), cfg, env={"OPENAI_API_KEY": "from-env-key"})
    assert ep.api_key == "from-config-key"
    assert ep.key_source == "settings.models.openai_api_key"
    ep = resolve_endpoint(
        parse_model("openai:gpt-4o"), ModelsConfig(), env={"OPENAI_API_KEY": "k-env"}
    )
    assert ep.key_source == "env OPENAI_API_KEY"
    assert "k-env" not in repr(ep)


def test_local_providers_need_no_key_and_never_borrow_the_openai_key() -> None:
    env = {"OPENAI_API_KEY": "sk-openai-secret-value"}
    ollama = resolve_endpoint(parse_model("ollama:qwen2.5:7b"), ModelsConfig(), env)
    assert ollama.api_key is None
    assert ollama.base_url == "http://localhost:11434/v1"
    other = resolve_endpoint(
        parse_model("openai-compatible:m@http://127.0.0.1:9/v1"), ModelsConfig(), env
    )
    assert other.api_key is None  # OPENAI_API_KEY is never sent to another server
    assert other.base_url == "http://127.0.0.1:9/v1"


def test_base_urls_come_from_settings() -> None:
    cfg = ModelsConfig(
        ollama_base_url="http://gpu:11434/v1/",
        openai_compatible_base_url="http://vllm:8000/v1",
        openai_base_url="https://proxy.example.com/v1",
    )
    assert resolve_endpoint(parse_model("ollama:x"), cfg, {}).base_url == "http://gpu:11434/v1"
    assert (
        resolve_endpoint(parse_model("openai-compatible:x"), cfg, {}).base_url
        == "http://vllm:8000/v1"
    )
    # the string's own URL wins over settings
    spec = parse_model("openai-compatible:x@http://other:1/v1")
    assert resolve_endpoint(spec, cfg, {}).base_url == "http://other:1/v1"
    ep = resolve_endpoint(parse_model("openai:gpt-4o"), cfg, {"OPENAI_API_KEY": "k" * 10})
    assert ep.base_url == "https://proxy.example.com/v1"


def test_openai_compatible_without_any_base_url_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError) as err:
        resolve_endpoint(parse_model("openai-compatible:llama"), ModelsConfig(), {})
    assert "THROUGHLINE_OPENAI_COMPATIBLE_BASE_URL" in str(err.value)


def test_factory_builds_the_right_model_classes_and_closes_clients() -> None:
    env = {"OPENAI_API_KEY": "k-openai-123456", "ANTHROPIC_API_KEY": "k-anthropic-123456"}
    factory = ProviderFactory(ModelsConfig(), env)

    async def build() -> None:
        assert isinstance(factory(parse_model("openai:gpt-4o-mini")), OpenAIChatModel)
        assert isinstance(factory(parse_model("ollama:qwen2.5:7b")), OpenAIChatModel)
        assert isinstance(
            factory(parse_model("openai-compatible:m@http://127.0.0.1:1/v1")), OpenAIChatModel
        )
        assert isinstance(factory(parse_model("anthropic:claude-haiku-4-5")), AnthropicModel)
        assert factory(parse_model("openai:gpt-4o-mini")) is factory(
            parse_model("openai:gpt-4o-mini")
        )
        await factory.aclose()

    run(build())
    assert "k-openai" not in repr(factory)
