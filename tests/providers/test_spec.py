"""Model strings and the settings block: what parses, and what a bad value says."""

from __future__ import annotations

import pytest

from throughline.core.errors import ConfigError
from throughline.providers import ModelsConfig, ModelSpec, models_config_from_env, parse_model


@pytest.mark.parametrize(
    ("text", "provider", "name", "base_url"),
    [
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini", None),
        ("anthropic:claude-haiku-4-5", "anthropic", "claude-haiku-4-5", None),
        ("ollama:qwen2.5:7b", "ollama", "qwen2.5:7b", None),
        ("  OLLAMA:llama3.1:8b-instruct-q4_K_M ", "ollama", "llama3.1:8b-instruct-q4_K_M", None),
        (
            "openai-compatible:Qwen/Qwen2.5-7B@http://gpu-box:8000/v1/",
            "openai-compatible",
            "Qwen/Qwen2.5-7B",
            "http://gpu-box:8000/v1",
        ),
        (
            "openai-compatible:local-model@https://lm.example.org/v1",
            "openai-compatible",
            "local-model",
            "https://lm.example.org/v1",
        ),
        ("openai-compatible:user@host-model", "openai-compatible", "user@host-model", None),
        ("openai-compatible:llama", "openai-compatible", "llama", None),
    ],
)
def test_model_strings_parse(text: str, provider: str, name: str, base_url: str | None) -> None:
    spec = parse_model(text)
    assert spec == ModelSpec(provider, name, base_url)  # type: ignore[arg-type]
    assert parse_model(str(spec)) == spec  # the canonical string round-trips


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("gpt-4o-mini", "names no provider"),
        ("", "names no provider"),
        ("mistral:large", "unknown model provider 'mistral'"),
        ("openai:", "has no model name"),
        ("ollama:qwen@http://x:1/v1", "only read for openai-compatible"),
        ("openai-compatible:m@http://", "invalid base URL"),
    ],
)
def test_bad_model_strings_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_model(text)
    assert says in str(err.value)
    assert "openai:gpt-4o-mini" in str(err.value) or "http" in str(err.value)


def test_local_models_are_recognised() -> None:
    assert parse_model("ollama:qwen2.5:7b").is_local
    assert parse_model("openai-compatible:m@http://127.0.0.1:8080/v1").is_local
    assert not parse_model("openai-compatible:m@https://api.example.com/v1").is_local
    assert not parse_model("openai:gpt-4o").is_local


def test_config_from_env_maps_variables() -> None:
    cfg = models_config_from_env(
        {
            "THROUGHLINE_MODEL": "ollama:qwen2.5:7b",
            "THROUGHLINE_MODEL_SUMMARISER": "openai:gpt-4o-mini",
            "OLLAMA_BASE_URL": "http://gpu:11434/v1",
            "THROUGHLINE_MAX_TOKENS_PER_RUN": "50000",
            "THROUGHLINE_MODEL_MAX_ATTEMPTS": "3",
        },
        temperature=0.0,
    )
    assert cfg.default == "ollama:qwen2.5:7b"
    assert cfg.summariser == "openai:gpt-4o-mini"
    assert cfg.ollama_base_url == "http://gpu:11434/v1"
    assert cfg.max_tokens_per_run == 50_000
    assert cfg.max_attempts == 3
    assert cfg.temperature == 0.0


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as err:
        models_config_from_env(
            {"THROUGHLINE_MODEL_ADVISOR": "gpt4", "THROUGHLINE_MODEL_MAX_ATTEMPTS": "x"}
        )
    text = str(err.value)
    assert "THROUGHLINE_MODEL_ADVISOR" in text and "names no provider" in text
    assert "THROUGHLINE_MODEL_MAX_ATTEMPTS" in text


def test_config_rejects_unknown_fields_and_bad_overrides() -> None:
    with pytest.raises(ValueError):
        ModelsConfig(modle="openai:gpt-4o")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown model provider"):
        ModelsConfig(advisor_overrides={"auditor": "foo:bar"})


def test_settings_side_imports_stay_light() -> None:
    """Settings need ModelsConfig; that must not load Pydantic AI or the provider SDKs."""
    import subprocess
    import sys

    from throughline import providers as models

    code = (
        "import sys, throughline.core.model_config\n"
        "print(any(m.split('.')[0] in ('pydantic_ai', 'openai', 'anthropic') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert sorted(models.__all__) == sorted(models._EXPORTS)
    assert all(getattr(models, name) is not None for name in models.__all__)
