"""Untrusted text made safe to show: Markdown that cannot run, direction marks that cannot lie.

Text that came from a company's exports, a research document or a model is data. Rendered
into Markdown it must show as written and never become a link, an image, emphasis, a
heading, a table or raw HTML; rendered anywhere it must not carry invisible bidirectional
controls (U+202E "right-to-left override" makes ``exe.txt`` read as ``txt.exe``). Both
renderers (the diagnosis report and the decision record) use these functions.

Also the two stemmers, each kept for its own use:

- :func:`stem`, a conservative plural stemmer: the library's index terms (and any new
  matching of words) fold plurals with it.
- :func:`loose_stem`, drops one common suffix and keeps six letters, so 'stated' and
  'states' meet: only the claim check's word matching uses it. It must not become
  :func:`stem`: which metric a claim's number is matched to depends on it, and the plural
  stemmer matches some numbers to another metric of the same finding, which would change
  every record.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# Explicit directional embeddings, overrides and isolates, and the implicit marks: shown as
# a visible code point instead of acting on the text around them.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Characters with inline meaning in CommonMark / GFM: code, emphasis, links and images,
# tables, strikethrough, and the backslash itself.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+*](?=\s)|\d+[.)](?=\s)|>|`{3,}|~{3,}|"
                             r"={3,}|-{3,})")


def neutralise_bidi(text: str) -> str:
    """Replace each bidirectional control with a visible ``(U+202E)``."""
    return _BIDI.sub(lambda m: f"(U+{ord(m.group()):04X})", text)


def visible_bidi(value: object) -> object:
    """Jinja ``finalize``: every string an HTML template prints, with bidirectional
    controls made visible (kept safe when it was marked safe)."""
    if isinstance(value, Markup):
        return Markup(neutralise_bidi(str(value)))
    if isinstance(value, str):
        return neutralise_bidi(value)
    return value


def md_inline(text: str) -> str:
    """Untrusted text as inline Markdown: shown literally, on one line, never markup."""
    flat = re.sub(r"\s+", " ", neutralise_bidi(text)).strip()
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_INLINE.sub(r"\\\1", flat)


def md_paragraph(text: str) -> str:
    """Untrusted text as a Markdown paragraph: inline-safe, and unable to open a block
    (heading, list, quote, fence, rule) at its start."""
    line = md_inline(text)
    m = _MD_BLOCK_START.match(line)
    if m:
        line = line[: m.end(1)] + "\\" + line[m.end(1):]
    return line


def stem(word: str) -> str:
    """A conservative plural stemmer (Harman's S-stemmer); other words pass unchanged."""
    if len(word) > 3 and not word[-1].isdigit():
        if word.endswith("ies") and not word.endswith(("eies", "aies")):
            return word[:-3] + "y"
        if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
            return word[:-1]
        if word.endswith("s") and not word.endswith(("us", "ss", "is")):
            return word[:-1]
    return word


def loose_stem(word: str) -> str:
    """A crude stem for the claim check: drop one common suffix, keep six letters
    ('stated', 'states' → 'stat'; 'realised', 'realise' → 'realis')."""
    w = word.lower()
    for suffix in ("ing", "ies", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return w[:6]
