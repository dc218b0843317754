"""The offline engine's grammar: several sentence forms for every move of every round.

A statement is a few sentences, each filled from one *kind* (an answer, a reply to a
peer's number, a test of an assumption …; the forms live in :mod:`.forms`, by round) with
the advisor's own evidence. Which form of a kind a sentence takes is chosen by
:class:`Voice`: in a hash order seeded by the question and the data (so the same inputs
give the same bytes, and a different question gives different sentences), taking the
least-used form, so no form is used more than twice in a record while a kind has forms
left. Forms never carry a digit: every number comes from a slot filled with a metric
shown through the diagnose formatters.

Slots: ``{Peer}``/``{peer}`` a peer's name (sentence start / inside), ``{claim}`` the peer's
number as quoted, ``{mine}`` the speaker's own number, ``{opt}``/``{opts}`` the question's
options (quoted), ``{answer}`` the answer the speaker argues for, ``{h}``/``{runner}``
hypotheses, ``{title}`` a finding's title, ``{stmt}`` a finding's statement, ``{n}`` a sample
size, ``{low}``/``{high}`` an interval, ``{test}`` a significance test, and the persona's
``{assumption}``, ``{meaning}``, ``{image}``, ``{protects}``, ``{hides}``, ``{role}``.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from throughline.council.offline.forms import FORMS

GRAMMAR: dict[str, list[str]] = FORMS
"""Every sentence form by kind (``r1.answer``, ``reply.counter`` …), from :mod:`.forms`."""


def _h(*parts: str) -> int:
    return int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12], 16)


class Voice:
    """Chooses sentence forms for one record: seeded by the question and the data, each
    form at most twice while its kind has forms left (then the least used)."""

    def __init__(self, seed: str, grammar: dict[str, list[str]] | None = None) -> None:
        self.seed = seed
        self.grammar = GRAMMAR if grammar is None else grammar
        self.used: Counter[tuple[str, int]] = Counter()

    def say(self, kind: str, key: str, **slots: str) -> str:
        forms = self.grammar[kind]
        order = sorted(range(len(forms)), key=lambda i: _h(self.seed, kind, key, str(i)))
        pick = min(order, key=lambda i: (self.used[(kind, i)], order.index(i)))
        self.used[(kind, pick)] += 1
        text = forms[pick].format(**slots)
        return text[:1].upper() + text[1:]

    def pick(self, key: str, options: list[str]) -> str:
        """A deterministic choice among ``options`` (not counted as a form)."""
        return options[_h(self.seed, key) % len(options)]
