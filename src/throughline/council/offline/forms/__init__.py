"""The offline engine's sentence forms, by round: every kind of sentence a statement or a
round summary is built from, each with several forms (:class:`~.grammar.Voice` chooses).

``opening``: round 1 and the Auditor; ``arguments``: replies to a peer's number, rounds 2
and 3; ``closing``: rounds 4 and 5 and the round summaries. :data:`FORMS` joins them.
"""

from __future__ import annotations

from throughline.council.offline.forms.arguments import PREMISE, PROOF, REPLIES
from throughline.council.offline.forms.closing import ASSUMPTIONS, STORY, SUMMARIES
from throughline.council.offline.forms.opening import AUDITOR, OPENING

__all__ = ["FORMS"]

FORMS: dict[str, list[str]] = {
    **OPENING, **AUDITOR, **REPLIES, **PREMISE, **PROOF, **ASSUMPTIONS, **STORY, **SUMMARIES,
}
