"""The framer and the synthesiser on a model, for runs that ask for them.

These roles stay deterministic unless a model is set for the role itself
(``THROUGHLINE_MODEL_FRAMER``, ``THROUGHLINE_MODEL_SYNTHESISER`` or ``settings.models``):
``THROUGHLINE_MODEL`` alone puts models behind the advisors and the summariser only. The
deterministic framer and synthesiser tie every number to the evidence by construction; a
model's wording has to earn that, so using one is a choice made per role, and each call is
logged with the reason its model was chosen, like any other.

Each role starts from the deterministic draft and may only improve it:

* **framer** — reads the question (fenced as data) and the offline framing, returns the
  decision, the options it names, stakes, constraints, decision type and horizon. Options
  must be words of the question: a framer may not invent alternatives the user did not
  name.
* **synthesiser** — writes every synthesised section (verdict, action plan, future paths,
  deeper story, risks), one call each, from the evidence, the forecasts and the debate's
  statements in full: see :mod:`throughline.council.synthesis_model`. Every number it
  writes is run through the claim check before it is accepted; a section that is still
  wrong after its one repair falls back to the rule-based section.

When a call fails for good (faults, an invalid reply after the repair, a budget), the
run keeps the deterministic text and says so on the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from throughline.core.model_config import ModelsConfig, Role
from throughline.providers.prompts import fence
from throughline.record.decision import DecisionType, Intent

if TYPE_CHECKING:
    from throughline.core.seams import CallInfo
    from throughline.providers.advisor_engine import ModelAdvisorEngine

OPT_IN_ROLES: tuple[Role, ...] = ("framer", "synthesiser")
"""Roles that use a model only when one is set for the role itself (not the default)."""

MAX_FRAME_ITEM_CHARS = 240


def uses_model(config: ModelsConfig, role: Role) -> bool:
    """Whether ``role`` runs on a model in this configuration (see the module docstring)."""
    return bool(config.role_model(role))


# -- framer ------------------------------------------------------------------------------

class FrameDraft(BaseModel):
    """What the framer returns; the question and run date are the user's, not the model's."""

    choice: str = Field(description="The decision to be made, in one line.")
    options: list[str] = Field(default_factory=list, max_length=3,
                               description="Alternatives the question names, in its words.")
    stakes: str = Field(description="What is at risk if the decision is wrong.")
    constraints: list[str] = Field(default_factory=list, max_length=5)
    decision_type: DecisionType
    horizon_months: int = Field(ge=1, le=36)
    must_contain: list[str] = Field(default_factory=list, max_length=6)


FRAMER_INSTRUCTIONS = """\
You frame a go-to-market question before a panel of advisors debates it. Return the
decision to be made (one line), the options the question itself names (in its own words;
none if it names none), what is at stake, the constraints it states, the decision type,
the horizon in months, and what a useful answer must contain. A draft framing made by
rules is given; keep what it gets right and correct what it gets wrong."""


def frame_problems(draft: FrameDraft, question: str) -> list[str]:
    """Why a framing cannot be used (empty when it can)."""
    problems = []
    words = " ".join(question.lower().split())
    for option in draft.options:
        if " ".join(option.lower().split()) not in words:
            problems.append(f"the option {option!r} is not in the question's words; name only "
                            "alternatives the question names, as it names them")
    for name, text in [("choice", draft.choice), ("stakes", draft.stakes),
                       *[("constraint", c) for c in draft.constraints],
                       *[("must_contain", m) for m in draft.must_contain]]:
        if not text.strip():
            problems.append(f"the {name} is empty")
        elif len(text) > MAX_FRAME_ITEM_CHARS:
            problems.append(f"the {name} is {len(text)} characters; keep it under "
                            f"{MAX_FRAME_ITEM_CHARS}")
    if len(draft.options) == 1:
        problems.append("one option is not a choice: name two or more, or none")
    return problems


async def frame_with_model(engine: ModelAdvisorEngine, draft: Intent
                           ) -> tuple[Intent, CallInfo]:
    """The framer's Intent, starting from the deterministic ``draft``."""
    prompt = "\n".join([
        "The question, as the user asked it:", fence("question", draft.question), "",
        f"Run date: {draft.run_date.isoformat()}", "",
        "The draft framing (made by rules):",
        fence("draft", _draft_frame(draft).model_dump_json(indent=1)),
    ])
    value, call = await engine.ask("framer", FrameDraft, FRAMER_INSTRUCTIONS, prompt,
                                   validate=lambda d: frame_problems(d, draft.question))
    intent = draft.model_copy(update={**value.model_dump(), "framed_by": "model"})
    return intent, call


def _draft_frame(intent: Intent) -> FrameDraft:
    """The rule-based framing in the framer's schema (lists cut to the schema's bounds)."""
    # the options in the question's own words (intent.options are noun phrases for the
    # record; council.frame.align_options maps the model's words back to them)
    words = [o.words for o in intent.option_frames if o.words] or intent.options
    return FrameDraft(choice=intent.choice, options=words[:3], stakes=intent.stakes,
                      constraints=intent.constraints[:5], decision_type=intent.decision_type,
                      horizon_months=max(1, min(36, intent.horizon_months)),
                      must_contain=intent.must_contain[:6])
