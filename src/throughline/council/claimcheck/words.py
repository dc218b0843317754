"""The words around a number: the stems that say what it is about, its clause and the
short context a claim shows.

The stems are :func:`throughline.core.text.loose_stem`'s, not the library's plural
stemmer: its docstring (core.text) says why the claim check keeps its own.
"""

from __future__ import annotations

import re

from throughline.core.text import loose_stem

_STOP = {
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "by", "and", "or", "is", "are",
    "was", "were", "be", "been", "with", "from", "as", "that", "this", "it", "its", "than",
    "per", "our", "we", "their", "they", "has", "have", "had", "not", "no", "all", "each",
    "any", "more", "less", "over", "under", "across", "within", "between", "into", "about",
    "around", "only", "just", "so", "which", "what", "who", "whose", "while", "but", "also",
    "still", "vs", "against", "now", "then", "there", "here", "these", "those", "one",
    "two", "three", "you", "your", "us", "do", "does", "did", "will", "would", "could",
    "can", "may", "might", "should", "if", "when", "how", "why", "where", "after", "before",
}


def stems(text: str) -> set[str]:
    """The loose stems of a text's words, short and common words left out."""
    return {loose_stem(w) for w in re.findall(r"[A-Za-z]+", text.replace("_", " "))
            if len(w) > 1 and w.lower() not in _STOP}


_BOUNDARY = re.compile(r"[;:!?()\[\]\n—]|,(?!\d{3})|\.(?=\s|$)")


def clause(text: str, start: int, end: int) -> str:
    """The words around a number, up to the nearest clause boundary on either side
    (a thousands separator is not a boundary)."""
    left = text[max(0, start - 80):start]
    cuts = [m.end() for m in _BOUNDARY.finditer(left)]
    left = left[cuts[-1]:] if cuts else left
    right = text[end:end + 80]
    stop = _BOUNDARY.search(right)
    right = right[:stop.start()] if stop else right
    return left + " " + right


def context(text: str, start: int, end: int, width: int = 28) -> str:
    a = max(0, start - width)
    b = min(len(text), end + width)
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    span = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + span + ("…" if b < len(text) else "")


__all__ = ["clause", "context", "stems"]
