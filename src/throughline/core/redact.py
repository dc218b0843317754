"""Keep secrets out of everything the product writes: terminal, logs, errors, run log, records.

The one redaction module. Every secret shape is known here:

* values of environment variables whose names say they hold a secret (``OPENAI_API_KEY``,
  ``DB_PASSWORD``, …) and any value a caller registers (a key handed to a provider client);
* the password of a URL's userinfo (``postgres://user:secret@host/db``);
* secret-named URL query parameters (``?password=…``, ``&token=…``, ``api_key``, ``key``,
  ``secret``, ``sig``, ``access_token``, …);
* ``Authorization: Bearer …`` and ``x-api-key: …`` header values;
* provider-shaped keys (``sk-…``, ``sk-ant-…``, ``xai-…``, ``gsk_…``, ``hf_…``).

Two rules for structured values: in a settings snapshot or call parameters, a field whose
*name* says it holds a secret has its value replaced (:func:`redact` with ``by_name``);
everywhere, any string has the shapes above replaced (:func:`redact_text`). Requests and
replies to models only get the second rule: their field names are the model's business.
The mask is always ``[REDACTED]``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_WORDS = (r"api[_\-]?key|apikey|key|token|secret|password|passwd|pwd|credentials?|"
                 r"authorization|auth[_\-]?token|private[_\-]?key|access[_\-]?key|"
                 r"access[_\-]?token|refresh[_\-]?token|client[_\-]?secret|sig|signature")
_SECRET_NAME = re.compile(rf"(?i)(^|[_\-.])({_SECRET_WORDS})$")
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^/\s:@]+:)(?P<pw>[^@\s/]+)(?=@)",
                           re.IGNORECASE)
_QUERY_SECRET = re.compile(
    rf"(?P<head>[?&;](?:[A-Za-z0-9_.\-]*[_\-.])?(?:{_SECRET_WORDS})=)(?P<value>[^&#\s\"'<>]+)",
    re.IGNORECASE)
_HEADER_SECRET = re.compile(
    r"(?P<head>(?i:bearer\s+|(?:x-)?api[-_]?key[\"']?\s*[:=]\s*[\"']?))"
    r"(?P<value>[A-Za-z0-9._~+/=\-]{8,})")
_KEY_SHAPED = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|sk-ant-[A-Za-z0-9_\-]{16,}|"
                         r"xai-[A-Za-z0-9]{16,}|gsk_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{16,})")
# A superset of _KEY_SHAPED that also holds in JSON text, where an escape such as ``\n``
# puts a word character before the key and takes away the word boundary.
_KEY_PREFIXES = ("sk-", "xai-", "gsk_", "hf_")
_KEY_SHAPED_LOOSE = re.compile(r"(sk-|xai-|gsk_|hf_)[A-Za-z0-9_\-]{16,}")
_MIN_ENV_SECRET = 8  # shorter env values are too likely to occur by chance
_MIN_KNOWN_SECRET = 4


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def env_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they hold a secret, longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= _MIN_ENV_SECRET}
    return sorted(values, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every secret shape (see the module docstring) replaced."""
    for value in env_secrets() if secrets is None else secrets:
        text = text.replace(value, REDACTED)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group("head") + REDACTED, text)
    if "=" in text:
        text = _QUERY_SECRET.sub(lambda m: m.group("head") + REDACTED, text)
    text = _HEADER_SECRET.sub(lambda m: m.group("head") + REDACTED, text)
    return _KEY_SHAPED.sub(REDACTED, text)


def redact(value: Any, *, by_name: bool = True, secrets: Iterable[str] | None = None) -> Any:
    """A copy of a JSON-like value with secrets replaced (see the module docstring)."""
    known = env_secrets() if secrets is None else list(secrets)
    return _redact(value, by_name, known)


def _redact(value: Any, by_name: bool, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if by_name and isinstance(key, str) and is_secret_name(key) and item not in (
                    None, "", [], {}):
                out[key] = REDACTED
            else:
                out[key] = _redact(item, by_name, secrets)
        return out
    if isinstance(value, list | tuple):
        return [_redact(item, by_name, secrets) for item in value]
    return value


def redacted_json(value: Any, dump: Callable[[Any], str], *,
                  secrets: Iterable[str] | None = None) -> str:
    """``dump(value)`` with secrets replaced by value (the second rule; no field names).

    The same text as ``dump(redact(value, by_name=False))``, but cheaper on the large
    values the run log stores for every model call: the value is serialised once and the
    text scanned for anything that could be a secret; only then is the value walked and
    redacted string by string (which keeps the JSON valid).
    """
    known = env_secrets() if secrets is None else list(secrets)
    text = dump(value)
    if _may_hold_secret(text, known):
        text = dump(_redact(value, False, known))
    return text


def redacted_text_json(text: str, dump: Callable[[Any], str], *,
                       secrets: Iterable[str] | None = None) -> str:
    """JSON ``text`` with secrets replaced by value: the text itself when nothing in it
    could be a secret, else ``dump`` of the parsed and redacted value."""
    known = env_secrets() if secrets is None else list(secrets)
    if not _may_hold_secret(text, known):
        return text
    return dump(_redact(json.loads(text), False, known))


def _may_hold_secret(text: str, secrets: list[str]) -> bool:
    """Whether JSON ``text`` might hold a secret: true for every text that does (escapes
    only add characters the patterns accept), and now and then for one that does not."""
    lowered = text.lower()
    return (any(s in text or json.dumps(s, ensure_ascii=False)[1:-1] in text
                for s in secrets)
            or ("://" in text and _URL_PASSWORD.search(text) is not None)
            or ("=" in text and _QUERY_SECRET.search(text) is not None)
            or (("bearer" in lowered or "key" in lowered)
                and _HEADER_SECRET.search(text) is not None)
            or (any(p in text for p in _KEY_PREFIXES)
                and _KEY_SHAPED_LOOSE.search(text) is not None))


class Redactor:
    """Replaces known secret values (and every shape above) in text; keys handed to a
    provider client are registered with :meth:`add`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_KNOWN_SECRET:
            self._secrets.add(secret)

    @property
    def secrets(self) -> list[str]:
        return sorted(self._secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        return redact_text(text, [*self.secrets, *env_secrets()])

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secret(s))"
