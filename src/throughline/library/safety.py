"""Treating every document as untrusted data.

Three guards, all applied before anything is indexed:

1. **Size.** A file over ``Settings.max_library_file_bytes`` is refused with an
   :class:`~throughline.core.errors.InputError` naming the file, its size, the limit and the
   setting to change. The check uses ``stat`` so an oversized file is never read.
2. **Decoding.** Text, Markdown and HTML bytes are decoded from a byte-order mark, then
   strict UTF-8, then a charset declared by the document, then charset-normalizer's best
   guess. Bytes that look binary (NUL bytes without a UTF-16 mark) or that no encoding
   explains are refused. Control characters, and invisible characters used to hide text
   (zero-width, bidirectional overrides, Unicode "tag" characters), are removed so a
   passage cannot smuggle terminal escapes or hidden words into a report.
3. **Instructions aimed at a model.** Documents are only ever data: nothing in them is
   executed, evaluated or followed (no macros, no links fetched). Text that reads like an
   instruction to an AI model is still stored, but the passage is flagged
   (``untrusted_instructions=True``) with the names of the patterns that matched, so the
   council can fence it as quoted material. The heuristic is a short list of regular
   expressions (:data:`INSTRUCTION_PATTERNS`): it is meant to catch the common phrasings
   ("ignore previous instructions", "you are now …", "system prompt", chat-template
   markers), not to be a complete defence. False positives only cost a fence.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from throughline.core.errors import InputError

SIZE_SETTING = "max_library_file_bytes"

# --- size -------------------------------------------------------------------------------


def check_size(path: Path, limit: int) -> int:
    """Return the file's size, or raise if it is over ``limit`` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise too_large(path, size, limit)
    return size


def too_large(path: Path, size: int, limit: int) -> InputError:
    """The error for a file over the library's size limit."""
    return InputError(
        f"file is {size:,} bytes, over the library limit of {limit:,} bytes",
        file=str(path),
        hint=f"split the document, or raise the limit: `throughline library add "
        f"--max-file-bytes N ...` or the `{SIZE_SETTING}` setting "
        f"(load_settings({SIZE_SETTING}=N))",
    )


# --- decoding ---------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, *, file: str, declared: str | None = None) -> tuple[str, str]:
    """Decode untrusted bytes to text; return ``(text, encoding)``.

    ``declared`` is an encoding the document names for itself (an HTML ``<meta
    charset>``); it is tried after UTF-8 and before detection.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _undecodable(file, f"starts with a {encoding} mark but {exc.reason}")
    if b"\x00" in data[:8192]:
        raise InputError(
            "looks like a binary file, not text (it contains NUL bytes)",
            file=file,
            hint="export the document as Markdown, plain text, HTML or PDF (UTF-16 text "
            "needs a byte-order mark, or save it as UTF-8)",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            codecs.lookup(declared)
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _undecodable(file, "no text encoding explains its bytes")
    return str(best), best.encoding


def _undecodable(file: str, why: str) -> InputError:
    return InputError(
        f"cannot decode the file as text: {why}",
        file=file,
        hint="save it as UTF-8 and add it again",
    )


# --- invisible and control characters ---------------------------------------------------

_INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0/C1 controls (keeps \t \n \r)
    "\u00ad"  # soft hyphen
    "\u200b-\u200f"  # zero-width space/joiners, LRM/RLM
    "\u202a-\u202e"  # bidirectional embeddings and overrides
    "\u2060-\u2064\u2066-\u2069"  # word joiner, invisible operators, bidi isolates
    "\ufeff"  # zero-width no-break space
    "\U000e0000-\U000e007f"  # Unicode tag characters ("ASCII smuggling")
    "]"
)


def clean_text(text: str) -> tuple[str, int]:
    """Normalise line endings and drop control/invisible characters; return (text, removed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    cleaned, removed = _INVISIBLE.subn("", text)
    return cleaned, removed


# --- instructions aimed at a model ------------------------------------------------------

_GAP = r"[^.!?\n]{0,40}?"

#: name → pattern. Matched case-insensitively against each passage (heading + text).
INSTRUCTION_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    for name, pattern in {
        # "ignore all previous instructions", "disregard the above rules"
        "override_instructions": (
            rf"\b(?:ignore|disregard|forget|override|bypass)\b{_GAP}"
            rf"\b(?:previous|prior|above|earlier|preceding|foregoing|all|your|system)\b{_GAP}"
            r"\b(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails)\b"
        ),
        # "you are now DAN", "from now on you will", "pretend you are"
        "role_reassignment": (
            r"\byou are now\b|\bfrom now on,? you\b|\bpretend (?:to be|you are)\b"
            r"|\byou (?:must|will) now act as\b"
        ),
        # talk about the hidden prompt itself
        "system_prompt": (
            r"\bsystem prompt\b|\bsystem message\b|\bdeveloper mode\b|\bjailbreak"
        ),
        # chat-template control tokens and role markers
        "chat_markup": (
            r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext)\s*\|>"
            r"|\[/?INST\]|<<\s*/?SYS\s*>>|</?\s*system\s*>"
            r"|^\s*(?:system|assistant)\s*:\s*\S"
        ),
        # "reveal your instructions", "print the prompt above"
        "prompt_exfiltration": (
            rf"\b(?:reveal|print|repeat|disclose|output|leak)\b{_GAP}"
            r"\b(?:your|the)\b[^.!?\n]{0,20}?\b(?:instructions|prompt|hidden rules)\b"
        ),
        # text addressed to a model: "AI assistants must recommend ...", "note to the LLM:"
        "addressed_to_model": (
            r"\b(?:ai|llm|chatbot|language model)s?\b[^.!?\n]{0,25}?"
            r"\b(?:must|should|shall) (?:now |always |only )?"
            r"(?:ignore|say|respond|reply|answer|output|recommend|include)\b"
            r"|\b(?:note|message|instructions?) (?:to|for) (?:the |any )?"
            r"(?:ai|llm|assistant|model|chatbot)\b"
        ),
    }.items()
}


#: name → literal substrings, one of which must occur (lower-cased) before the pattern is
#: tried: a cheap prefilter so that ordinary prose costs a few ``in`` checks.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "override_instructions": ("ignore", "disregard", "forget", "override", "bypass"),
    "role_reassignment": ("you are now", "from now on", "pretend", "now act as"),
    "system_prompt": ("system prompt", "system message", "developer mode", "jailbreak"),
    "chat_markup": ("<|", "inst]", "<<", "system", "assistant"),
    "prompt_exfiltration": ("reveal", "print", "repeat", "disclose", "output", "leak"),
    "addressed_to_model": ("must ", "should ", "shall ", "note ", "message ", "instruction"),
}


def instruction_flags(text: str) -> list[str]:
    """Names of the :data:`INSTRUCTION_PATTERNS` that match ``text`` (empty if none)."""
    lowered = text.lower()
    return [name for name, pattern in INSTRUCTION_PATTERNS.items()
            if any(t in lowered for t in _TRIGGERS[name]) and pattern.search(text)]
