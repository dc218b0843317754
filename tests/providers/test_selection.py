"""Auditable model selection: which model per role, and the reason recorded with it."""

from __future__ import annotations

import pytest

from throughline.core.errors import ConfigError
from throughline.providers import ModelsConfig, select

from .helpers import PANEL, engine_with, scripted


def test_role_default_then_role_setting() -> None:
    cfg = ModelsConfig(default="ollama:qwen2.5:7b", summariser="openai:gpt-4o-mini")
    s = select(cfg, "advisor", PANEL[0])
    assert (str(s.spec), s.reason) == (
        "ollama:qwen2.5:7b",
        "role default (settings.models.default)",
    )
    s = select(cfg, "summariser")
    assert (str(s.spec), s.reason) == ("openai:gpt-4o-mini", "settings.models.summariser")


def test_panel_override_and_settings_override_per_advisor() -> None:
    cfg = ModelsConfig(
        default="ollama:qwen2.5:7b",
        advisor="openai:gpt-4o-mini",
        advisor_overrides={"seller": "anthropic:claude-haiku-4-5"},
    )
    auditor = PANEL[0].model_copy(update={"model": "openai:gpt-4o"})
    assert select(cfg, "advisor", auditor).reason == "panel override for advisor auditor"
    assert str(select(cfg, "advisor", auditor).spec) == "openai:gpt-4o"
    seller = PANEL[1].model_copy(update={"model": "openai:gpt-4o"})
    s = select(cfg, "advisor", seller)
    assert (str(s.spec), s.reason) == (
        "anthropic:claude-haiku-4-5",
        "settings.models.advisor_overrides[seller]",
    )
    s = select(cfg, "advisor", PANEL[2])  # model="offline" is no override
    assert (str(s.spec), s.reason) == ("openai:gpt-4o-mini", "settings.models.advisor")


def test_no_model_at_all_says_which_variable_to_set() -> None:
    with pytest.raises(ConfigError) as err:
        select(ModelsConfig(), "synthesiser")
    assert "THROUGHLINE_MODEL" in str(err.value)
    assert "THROUGHLINE_MODEL_SYNTHESISER" in str(err.value)


def test_prepare_lists_model_uses_and_fills_the_panel() -> None:
    cfg = ModelsConfig(
        default="ollama:qwen2.5:7b", advisor_overrides={"builder": "ollama:llama3.1:8b"}
    )
    engine = engine_with(scripted(), cfg=cfg)
    uses = engine.prepare(PANEL)
    assert [(u.role, u.model, u.reason) for u in uses] == [
        ("advisor", "ollama:qwen2.5:7b", "role default (settings.models.default)"),
        ("advisor", "ollama:llama3.1:8b", "settings.models.advisor_overrides[builder]"),
        ("summariser", "ollama:qwen2.5:7b", "role default (settings.models.default)"),
    ]
    panel = engine.advisors_with_models(PANEL)
    assert panel[2].model == "ollama:llama3.1:8b"
    assert panel[2].model_reason == "settings.models.advisor_overrides[builder]"
