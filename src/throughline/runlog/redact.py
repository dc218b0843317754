"""Keep secrets out of the run log.

Two rules. In a settings snapshot or call parameters, a field whose name says it holds a
secret (``api_key``, ``key``, ``token``, ``secret``, ``password``, ``OPENAI_API_KEY`` …)
has its value replaced. Everywhere (snapshots, parameters, requests, replies, errors), a
string that contains the value of a secret-named environment variable, a URL password or
a provider-style key (``sk-…``) has that part replaced. Requests and replies only get the
second rule: their field names are the model's business (a reply may carry ``token``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[REDACTED]"  # the same mask as throughline.models.redact

_SECRET_NAME = re.compile(
    r"(?i)(^|[_\-.])(api[_\-]?key|apikey|key|token|secret|password|passwd|"
    r"credentials?|authorization|auth[_\-]?token|private[_\-]?key|access[_\-]?key)$")
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^/\s:@]+:)(?P<pw>[^@\s/]+)(?=@)",
                           re.IGNORECASE)
_KEY_SHAPED = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|sk-ant-[A-Za-z0-9_\-]{16,}|"
                         r"xai-[A-Za-z0-9]{16,}|gsk_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{16,})")
# A superset of _KEY_SHAPED that also holds in JSON text, where an escape such as ``\n``
# puts a word character before the key and takes away the word boundary.
_KEY_PREFIXES = ("sk-", "xai-", "gsk_", "hf_")
_KEY_SHAPED_LOOSE = re.compile(r"(sk-|xai-|gsk_|hf_)[A-Za-z0-9_\-]{16,}")
_MIN_ENV_SECRET = 8  # shorter env values are too likely to occur by chance


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def env_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they hold a secret, longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= _MIN_ENV_SECRET}
    return sorted(values, key=len, reverse=True)


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with secret values, URL passwords and key-shaped tokens replaced."""
    for value in env_secrets() if secrets is None else secrets:
        text = text.replace(value, REDACTED)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + REDACTED, text)
    return _KEY_SHAPED.sub(REDACTED, text)


def redact(value: Any, *, by_name: bool = True, secrets: list[str] | None = None) -> Any:
    """A copy of a JSON-like value with secrets replaced (see the module docstring)."""
    known = env_secrets() if secrets is None else secrets
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
                  secrets: list[str] | None = None) -> str:
    """``dump(value)`` with secrets replaced by value (the second rule; no field names).

    The same text as ``dump(redact(value, by_name=False))``, but cheaper on the large
    values the run log stores for every model call (a prompt is tens of kilobytes): the
    value is serialised once and the text scanned for anything that could be a secret;
    only then is the value walked and redacted string by string (which keeps the JSON
    valid, where replacing in the text could cut across an escape).
    """
    known = env_secrets() if secrets is None else secrets
    text = dump(value)
    if _may_hold_secret(text, known):
        text = dump(_redact(value, False, known))
    return text


def redacted_text_json(text: str, dump: Callable[[Any], str], *,
                       secrets: list[str] | None = None) -> str:
    """JSON ``text`` with secrets replaced by value: the text itself when nothing in it
    could be a secret, else ``dump`` of the parsed and redacted value."""
    known = env_secrets() if secrets is None else secrets
    if not _may_hold_secret(text, known):
        return text
    return dump(_redact(json.loads(text), False, known))


def _may_hold_secret(text: str, secrets: list[str]) -> bool:
    """Whether JSON ``text`` might hold a secret: true for every text that does (escapes
    only add characters the patterns accept), and now and then for one that does not."""
    return (any(s in text or json.dumps(s, ensure_ascii=False)[1:-1] in text
                for s in secrets)
            or ("://" in text and _URL_PASSWORD.search(text) is not None)
            or (any(p in text for p in _KEY_PREFIXES)
                and _KEY_SHAPED_LOOSE.search(text) is not None))
