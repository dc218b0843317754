"""Keep secrets out of everything the model layer writes: errors, logs, CallInfo, run log.

Keys live only inside provider clients. Anything built from provider output (error bodies,
exception text) passes through :class:`Redactor`, which replaces every known secret value
(and any ``Bearer``/``sk-`` looking token) with ``[REDACTED]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\b(sk-(?:ant-)?)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(?i)((?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}"),
)
MASK = "[REDACTED]"


class Redactor:
    """Replaces known secret values and key-shaped tokens in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secret(s))"
