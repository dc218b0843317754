"""The rule-based synthesis: :class:`Synthesis` composes one writer per section of the
record over the state they share (:class:`~throughline.council.synthesis.state.SynthesisBase`).

Deterministic: the verdict takes the side the ranking supports, the action plan follows the
binding constraint's order of repairs, the future paths set "act on the constraint" against
"keep going" (and the runner-up as root cause), each milestone backed by a forecast or by
a sentence an advisor actually said. Numbers only enter as finding statements, forecast
statements or quotes, so the claim check can trace every one.
"""

from __future__ import annotations

from throughline.council.synthesis.evidence import EvidenceWriter
from throughline.council.synthesis.head import HeadWriter
from throughline.council.synthesis.paths import PathsWriter
from throughline.council.synthesis.plan import PlanWriter
from throughline.council.synthesis.risks import RisksWriter
from throughline.council.synthesis.story import StoryWriter
from throughline.council.synthesis.verdict import VerdictWriter


class Synthesis(HeadWriter, VerdictWriter, PlanWriter, PathsWriter, StoryWriter,
                EvidenceWriter, RisksWriter):
    """Every section of the record, made by rules: ``title()``, ``verdict()``,
    ``action_plan()``, ``future_paths()``, ``deeper_story()``, ``evidence()``, ``risks()``,
    ``panel()``, ``cannot_see()``, ``sources()`` …; citations are numbered in ``book`` in
    the order the sections are asked for."""


__all__ = ["Synthesis"]
