"""What a prompt is (:class:`Prompt`: instructions, user message, the stable prefix) and
how large its parts may be (:class:`PromptLimits`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EvidenceCache", "Prompt", "PromptLimits"]

@dataclass(frozen=True)
class PromptLimits:
    evidence_chars: int = 1200
    summary_chars: int = 900
    statement_chars: int = 1500
    history_ratio: float = 0.45
    min_history_chars: int = 1200


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
