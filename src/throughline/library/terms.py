"""Turning text into index terms: one tokenizer for documents and queries alike.

A term is a run of letters or digits, case-folded, with accents removed, an English
stop word dropped, and a light plural stem applied (``companies`` → ``company``,
``churns`` → ``churn``; :func:`throughline.core.text.stem`, the one stemmer). Everything
else — quotes, ``*``, ``-``, parentheses, colons, ``AND``/``NEAR`` (which are ordinary
words here) — is a separator, so no query text is ever interpreted as search syntax.

``TOKENIZER_VERSION`` is stored in the index; changing anything here must bump it so an
existing library is re-indexed instead of silently mixing two vocabularies.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from throughline.core.text import stem

TOKENIZER_VERSION = 1

_WORD = re.compile(r"[^\W_]+")

# A short list of English function words: they match almost every passage and carry no
# signal. Kept deliberately small so that domain words ("churn", "pipeline") never vanish.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves
    """.split()
)

_term_cache: dict[str, str] = {}  # raw word → index term ('' for a stop word)


def term_of(word: str) -> str:
    """The index term for one folded word, or ``''`` for a stop word (cached)."""
    term = _term_cache.get(word)
    if term is None:
        term = "" if word in STOPWORDS else stem(word)
        if len(_term_cache) < 1_000_000:
            _term_cache[word] = term
    return term


def _fold(text: str) -> str:
    """Case-fold and strip accents (``Café`` → ``cafe``); ASCII text takes the fast path."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The raw words of ``text`` (folded, before stop words and stemming)."""
    return _WORD.findall(_fold(text))


def term_counts(text: str) -> dict[str, int]:
    """Index terms of ``text`` with their frequencies (the ``tf`` of BM25)."""
    out: dict[str, int] = {}
    get = _term_cache.get
    for word, n in Counter(words(text)).items():
        term = get(word)
        if term is None:
            term = term_of(word)
        if term:
            out[term] = out.get(term, 0) + n
    return out


def query_terms(query: str) -> list[tuple[str, str]]:
    """Distinct index terms of a query, in order of first use, with the word that gave each.

    Repeating a word does not weigh it twice: each distinct term scores once.
    """
    seen: dict[str, str] = {}
    for word in words(query):
        term = term_of(word)
        if term:
            seen.setdefault(term, word)
    return list(seen.items())
