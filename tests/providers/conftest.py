"""Fixtures for the model-layer tests (builders live in ``tests/providers/helpers.py``)."""

from __future__ import annotations

import pytest

from .helpers import SleepRecorder


@pytest.fixture
def sleeper() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture(autouse=True)
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never depend on keys or base URLs set in the developer's shell."""
    for var in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OLLAMA_API_KEY",
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
        "OLLAMA_BASE_URL",
        "THROUGHLINE_OPENAI_COMPATIBLE_API_KEY",
        "THROUGHLINE_MODEL",
    ):
        monkeypatch.delenv(var, raising=False)
