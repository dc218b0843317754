"""The synthesiser on a model: it writes every synthesised section, each one checked.

With a model set for the synthesiser (``THROUGHLINE_MODEL_SYNTHESISER``) the record's
**verdict**, **action plan** (each step with its opening words), **future paths** (each
milestone backed by a quote from the debate, a forecast of this run or a finding),
**deeper story** (from the statements actually made) and **risks** are written by the
model, one call per section, each with its own schema. The rule-based section
(:class:`throughline.council.synthesis.Synthesis`) is the draft the model starts from
and the fallback when it fails.

Every section is checked before it is accepted, the same way the record's claim check
will read it (:func:`throughline.council.claimcheck.record_texts`): every number must be
one the evidence holds (numbers in the user's own words are not claims). Beyond numbers:

* action plan — every step has a who, a what and the exact opening words, at least one step
  is unconditional, and no step is due past the question's horizon plus a quarter;
* future paths — a quote milestone names a statement of a round that ran and quotes its
  words exactly; a forecast or finding milestone names one of this run's; no milestone
  restates a step of the action plan (paths are outcomes, not the plan again);
* deeper story — every quoted span is words an advisor actually said in a round that ran,
  said by the advisor the sentence names; every image from a seated advisor's catalog that
  the story uses was said in the debate; each listed quote is its advisor's own words;
* risks — the first opens with "What would have to be true for this verdict to be wrong?".

A section that fails its check goes back once with the problems (the engine's one repair);
still wrong — or its call failed for good — the rule-based section stands and
``record.run.failures`` says so. ``record.run.model_sections`` lists the sections a model
wrote. Calls run in three waves: the verdict; then the action plan, the deeper story and
the risks (each told the verdict); then the future paths (told the plan, so they do not
repeat it). Sections are applied to the record in a fixed order, so citation numbers —
and a replayed record — do not depend on which call finished first.

Where each piece lives: ``schemas.py`` (what each section returns and must do),
``prompt.py`` (what the synthesiser reads and is asked), ``checks.py`` (why a section cannot
be used), ``convert.py`` (a section as the record holds it), ``calls.py`` (the calls, wave
by wave, and the sections applied). The section names, the shared instructions and the
prompt-size estimate live in :mod:`throughline.core.synthesis_sections` (the provider
layer reads them for its cost estimate).
"""

from __future__ import annotations

from throughline.core.synthesis_sections import MARK, SECTIONS, planned_prompt_chars
from throughline.council.synthesis.model.calls import (
    SectionsOutcome,
    apply_sections,
    ordered_calls,
    synthesise_sections,
)
from throughline.council.synthesis.model.prompt import SynthesisInputs, draft_of

__all__ = ["MARK", "SECTIONS", "SectionsOutcome", "SynthesisInputs", "apply_sections",
           "draft_of", "ordered_calls", "planned_prompt_chars", "synthesise_sections"]
