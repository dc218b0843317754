"""What the council argues about: the framed question, the advisors and their statements.

These are the shared contracts of the debate. The stage seams (``core.seams``), the
model-backed advisors (``throughline.providers``), the offline engine and the decision
record (``record.decision``) all speak them, so they live in ``core``, which imports
nothing else of the package.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field

DecisionType = Literal[
    "diagnose", "invest", "prioritise", "pivot", "hire", "price", "other",
]


QuestionForm = Literal["either_or", "yes_no", "how_much", "when", "open"]
"""How the question offers its choice: 'A or B' (or 'A before B'), 'should we X?', 'how
much / how many …?', 'when should we …?', or no choice named ('open')."""

OptionStance = Literal["alternative", "act", "refrain", "more", "hold", "now", "later"]


class OptionFrame(BaseModel):
    """One option of the question: how the record names it and what it would move.

    ``label`` is a noun phrase ("hiring four more SDRs next quarter", "a partner program")
    so it reads in any sentence; ``words`` is the option in the question's own words.
    ``levers`` are the entries of the declared mapping (``council.frame.LEVERS``) its words
    matched, ``families`` the diagnostic families those levers read and ``metrics`` the
    measures they move, by name ("partner win rate")."""

    label: str
    words: str = ""
    stance: OptionStance = "alternative"
    levers: list[str] = Field(default_factory=list)
    families: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    channel: str | None = Field(default=None, description="The channel value it names, if any.")


class Intent(BaseModel):
    """The question framed as an object: what is being decided and what a useful answer holds."""

    question: str = Field(description="The question exactly as the user asked it (untrusted).")
    choice: str = Field(description="The decision to be made, in one line.")
    options: list[str] = Field(default_factory=list,
                               description="Named alternatives as noun phrases, if any.")
    form: QuestionForm = Field(default="open", description="How the question offers its choice.")
    option_frames: list[OptionFrame] = Field(
        default_factory=list, exclude_if=lambda v: not v,
        description="Per option: its noun phrase, its words, and the metrics it moves.")
    stakes: str = Field(description="What is at risk if the decision is wrong.")
    constraints: list[str] = Field(default_factory=list)
    decision_type: DecisionType
    run_date: date
    horizon_months: int = Field(default=12, description="How far ahead the answer must look.")
    must_contain: list[str] = Field(
        default_factory=list, description="What a useful answer must contain."
    )
    framed_by: str = Field(default="offline", description="Engine that framed the question.")


class Advisor(BaseModel):
    id: str = Field(description="Stable slug, e.g. 'auditor'.")
    name: str
    role: str
    lens: str = Field(description="What this advisor weighs, in one line.")
    background: str
    weighs: list[str] = Field(
        default_factory=list,
        description="Evidence this advisor reads: diagnose families and library tags.",
    )
    always_seated: bool = False
    model: str = Field(default="offline", description="Engine/model string it runs on.")
    model_reason: str = Field(default="", description="Why that model was used for this role.")
    cast_reason: str = Field(default="", description="Why casting seated this advisor.")


class Move(str, Enum):
    WARN = "WARN"
    SHARE = "SHARE"
    REFRAME = "REFRAME"
    FACTCHECK = "FACTCHECK"
    CHALLENGE = "CHALLENGE"


class Statement(BaseModel):
    """One advisor turn in one round."""

    id: str = Field(description="'r<round>.<advisor id>', unique in a run.")
    round: int
    advisor_id: str
    move: Move
    text: str
    addressed: list[str] = Field(default_factory=list, description="Advisor ids addressed.")
    cites: list[str] = Field(
        default_factory=list, description="Evidence ids: finding ids or library passage ids."
    )
    conviction: float = Field(
        ge=0.0, le=1.0,
        description="How strongly the advisor believes its own answer to the user's question "
        "is the right one (not agreement with the verdict or the diagnosis): an advisor "
        "arguing against the majority can hold high conviction.")
    conviction_cause: str | None = Field(
        default=None, description="Statement id that changed this advisor's conviction."
    )
    conformity_flag: bool = Field(
        default=False, description="Conviction changed and no statement was named as cause."
    )
    failed: bool = False
    failure: str | None = Field(default=None, description="Why the turn failed, if it did.")
    dropped_cites: list[str] = Field(
        default_factory=list, exclude_if=lambda v: not v,
        description="Ids the reply cited that were not in the advisor's evidence: dropped "
        "from cites and flagged here (absent from the JSON when none).")
    responds_to: str | None = Field(
        default=None, exclude_if=lambda v: v is None,
        description="From round 2: the id of the peer statement whose claim this one takes "
        "up (absent from the JSON when none).")
    claim: str | None = Field(
        default=None, exclude_if=lambda v: v is None,
        description="The words of that peer statement it disputes or extends, quoted as "
        "written (absent from the JSON when none).")
