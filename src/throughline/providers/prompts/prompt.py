"""What a prompt is (:class:`Prompt`: instructions, user message, the stable prefix) and
how large its parts may be (:class:`PromptLimits`)."""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.model_config import ModelsConfig

__all__ = ["EvidenceCache", "Prompt", "PromptLimits"]

_SETTINGS = ModelsConfig()  # the model settings' defaults


@dataclass(frozen=True)
class PromptLimits:
    """The model settings' prompt bounds (their defaults here, a run's through :meth:`of`)
    and the least history a later round is given."""

    evidence_chars: int = _SETTINGS.max_evidence_chars
    summary_chars: int = _SETTINGS.max_summary_chars
    statement_chars: int = _SETTINGS.max_statement_chars
    history_ratio: float = _SETTINGS.history_ratio
    min_history_chars: int = 1200

    @classmethod
    def of(cls, config: ModelsConfig) -> PromptLimits:
        """The bounds ``config`` sets."""
        return cls(evidence_chars=config.max_evidence_chars,
                   summary_chars=config.max_summary_chars,
                   statement_chars=config.max_statement_chars, history_ratio=config.history_ratio)


@dataclass(frozen=True)
class Prompt:
    instructions: str
    user: str
    prefix: int = 0
    """Characters of ``user`` that are the same in every round of this advisor."""

    @property
    def chars(self) -> int:
        return len(self.instructions) + len(self.user)

    @property
    def stable(self) -> str:
        """What a provider sees first and identically every round: the instructions and
        the stable head of the user message (prompt caching applies to it)."""
        return self.instructions + "\n" + self.user[: self.prefix]


EvidenceCache = dict[tuple[str, ...], list[str]]
"""Rendered evidence blocks by card ids: an advisor sees the same cards every round."""
