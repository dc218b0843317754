"""The decision record: one typed structure every renderer (HTML, Markdown, JSON) reads.

Sections follow the council's pipeline (see ``../shared/spec/RECORD.md``): the framed
question, the verdict, forecasts, a dated action plan, future paths, the deeper story,
numbered evidence, risks, the panel with its conviction history, the debate rounds, the
claim check, what the evidence cannot see, sources and the facts of the run.

Everything here is data: renderers escape every string (questions, documents and model
replies are untrusted text) and never compute a number of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field

from throughline.core.debate import (
    Advisor,
    DecisionType,
    Intent,
    Move,
    OptionFrame,
    OptionStance,
    QuestionForm,
    Statement,
)
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.scorecard import CapabilityScore

RECORD_SCHEMA_VERSION = 1

# -- evidence and citations -------------------------------------------------------------

CitationKind = Literal["finding", "passage", "forecast"]


class Citation(BaseModel):
    """A numbered source the record points to as [n]."""

    number: int
    kind: CitationKind
    ref: str = Field(description="Finding id, library passage id or forecast id.")
    title: str
    excerpt: str = Field(description="The finding's statement or the passage's text (trimmed).")
    location: str | None = Field(default=None, description="Source path or URL for passages.")


class EvidenceItem(BaseModel):
    """One claim of the evidence section: cited by number, or attributed to an advisor."""

    text: str
    citations: list[int] = Field(default_factory=list)
    attribution: str | None = Field(default=None, description="Advisor name, if not cited.")


# -- the panel and the debate -----------------------------------------------------------


class RoundRecord(BaseModel):
    number: int
    title: str
    purpose: str
    summary: str
    statements: list[Statement] = Field(default_factory=list)


class ConvictionPoint(BaseModel):
    round: int
    conviction: float
    cause: str | None = None
    conformity_flag: bool = False


class PanelMember(BaseModel):
    advisor: Advisor
    final_conviction: float | None = Field(description="None when every turn failed.")
    history: list[ConvictionPoint] = Field(default_factory=list)
    failed_turns: int = 0
    status: Literal["ok", "partly_failed", "failed"] = "ok"


# -- synthesis --------------------------------------------------------------------------


class Forecast(BaseModel):
    """A prediction computed from the data: a trend with uncertainty against a threshold."""

    id: str
    statement: str
    probability: float = Field(ge=0.0, le=1.0)
    horizon: date
    resolution: str = Field(description="How and when the forecast resolves true or false.")
    owner: str = Field(description="Advisor id that owns the forecast.")
    finding_id: str | None = None
    metric: str | None = None
    current: float | None = None
    threshold: float | None = None
    unit: str | None = None
    method: str = Field(default="", description="How the probability was computed.")
    anchor: date | None = Field(
        default=None, description="The as-of date the horizon is counted from (the data's end).")
    projected: float | None = Field(default=None, description="Projected value at the horizon.")
    low: float | None = Field(default=None, description="Lower end of its prediction interval.")
    high: float | None = Field(default=None, description="Upper end of its prediction interval.")


class OmittedForecast(BaseModel):
    """A forecast the data could not support: which, and why."""

    name: str = Field(description="The series, e.g. 'win rate'.")
    months: int | None = Field(default=None, description="The horizon it would have had.")
    reason: str = Field(description="'4 monthly points, fewer than the 6 a trend needs'.")


class TiedHypothesis(BaseModel):
    name: str
    label: str
    score: float


class DataTrust(BaseModel):
    """What we could not trust, and what we did about it: the diagnosis' data-quality issues,
    the currency amounts are in, the as-of date and hypotheses the gate kept from being named
    binding. Shown near the top of the record."""

    issues: list[DataQualityIssue] = Field(default_factory=list)
    as_of: date | None = None
    as_of_line: str = Field(default="", description="'Data as of 15 Aug 2025 (…).'")
    currency_line: str = Field(default="", description="'Amounts are in USD; …'.")
    blocked: list[str] = Field(
        default_factory=list, description="'Messaging was not named: its evidence rests on …'.")


class ActionStep(BaseModel):
    due: date
    when: str = Field(description="Plain label relative to the run date, e.g. 'This week'.")
    who: str
    what: str
    opening_words: str | None = Field(
        default=None, description="The exact words to open the conversation with."
    )
    condition: str | None = Field(
        default=None, description="For a conditional branch: 'If …'. None for unconditional."
    )
    citations: list[int] = Field(default_factory=list)


class Milestone(BaseModel):
    month: int
    text: str
    backing: str = Field(description="The quote or forecast that backs this milestone.")
    backing_kind: Literal["quote", "forecast", "finding"]
    backing_ref: str = Field(description="Statement id, forecast id or finding id.")


class FuturePath(BaseModel):
    id: str
    title: str = Field(description="'You treat … as the root cause …'.")
    stance: Literal["act_on_constraint", "keep_going", "other"]
    milestones: list[Milestone]


class Risk(BaseModel):
    text: str
    raised_by: str | None = Field(default=None, description="Advisor id.")
    citations: list[int] = Field(default_factory=list)


# -- checks, gaps, sources, run facts ---------------------------------------------------

ClaimStatus = Literal["verified", "unsupported", "contradicted"]
ClaimKind = Literal["number", "percent", "currency", "citation"]


class Claim(BaseModel):
    id: str
    location: str = Field(description="Statement id, or 'synthesis.<section>[.<i>]'.")
    text: str = Field(description="The claim as written (the span and a little context).")
    kind: ClaimKind
    value: float | None = None
    status: ClaimStatus
    matched: str | None = Field(
        default=None, description="'<finding id>#<metric>', a passage id or a forecast id."
    )
    expected: str | None = Field(default=None, description="What the evidence says, if it differs.")
    note: str = ""
    unfit: bool = Field(
        default=False, description="The number matches evidence resting on data marked unfit "
        "(so it is not verified; status is 'unsupported').")


class ClaimCheck(BaseModel):
    verified: int = 0
    unsupported: int = 0
    contradicted: int = 0
    unfit: int = Field(default=0, description="Unsupported claims that rest on unfit data.")
    claims: list[Claim] = Field(default_factory=list)

    @property
    def total(self) -> int:
        return self.verified + self.unsupported + self.contradicted

    @property
    def verified_share(self) -> float | None:
        return None if self.total == 0 else self.verified / self.total


class CannotSee(BaseModel):
    functions_without_data: list[str] = Field(default_factory=list)
    claims_without_numbers: list[str] = Field(
        default_factory=list, description="Statement ids whose claims rest on no number."
    )
    notes: list[str] = Field(default_factory=list)


class SourceItem(BaseModel):
    kind: CitationKind
    ref: str
    title: str
    location: str | None = None


class Sources(BaseModel):
    cited: list[Citation] = Field(default_factory=list)
    consulted: list[SourceItem] = Field(
        default_factory=list, description="Library passages and findings put before the panel."
    )
    unused_count: int = Field(default=0, description="Consulted sources no statement cited.")
    unused: list[SourceItem] = Field(
        default_factory=list, exclude_if=lambda v: not v,
        description="The consulted sources nothing cited, named (titles), not only counted.")


class ModelUse(BaseModel):
    role: Literal["framer", "advisor", "summariser", "synthesiser", "claim_extractor"]
    engine: str = Field(description="'offline' or the provider name.")
    model: str
    reason: str


class PolicyCheck(BaseModel):
    rule: str
    description: str
    passed: bool
    detail: str = ""


class RunFacts(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime
    duration_s: float
    engine: str = Field(description="'offline' or 'model'.")
    models: list[ModelUse] = Field(default_factory=list)
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    rounds: int = 0
    policy: list[PolicyCheck] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    partial: bool = False
    partial_reason: str | None = None
    degraded_reason: str | None = Field(
        default=None, exclude_if=lambda v: v is None,
        description="Set when the run is degraded (more than a third of its turns failed): "
        "what failed. Absent from the JSON otherwise.")
    model_sections: list[str] = Field(
        default_factory=list, exclude_if=lambda v: not v,
        description="Synthesised sections a model wrote (verdict, action_plan, future_paths, "
        "deeper_story, risks); the others were written by rules. Absent when none.")
    diagnosis_as_of: date | None = None
    tables: dict[str, int] = Field(default_factory=dict)
    library_documents: int = 0


class DecisionRecord(BaseModel):
    schema_version: int = RECORD_SCHEMA_VERSION
    run_id: str
    title: str
    intent: Intent
    verdict: str
    binding: str | None = Field(description="Binding constraint name, None for 'none found'.")
    binding_label: str | None = None
    runner_up: str | None = None
    tied: list[TiedHypothesis] = Field(
        default_factory=list, description="Hypotheses tied at the top (binding is then None).")
    tie_line: str = Field(default="", description="'Tie: honesty and messaging at 1.00 — …'.")
    data_quality: DataTrust = Field(default_factory=DataTrust)
    scorecard: list[CapabilityScore] = Field(
        default_factory=list,
        description="The alignment scorecard: five capabilities, each rated from the findings "
        "that measure it (named), or not measurable with the data that would make it so.")
    predictions: list[Forecast] = Field(default_factory=list)
    predictions_omitted: list[OmittedForecast] = Field(
        default_factory=list, description="Forecasts the data could not support, and why.")
    action_plan: list[ActionStep] = Field(default_factory=list)
    future_paths: list[FuturePath] = Field(default_factory=list)
    deeper_story: str = ""
    evidence: list[EvidenceItem] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    panel: list[PanelMember] = Field(default_factory=list)
    rounds: list[RoundRecord] = Field(default_factory=list)
    claim_check: ClaimCheck = Field(default_factory=ClaimCheck)
    cannot_see: CannotSee = Field(default_factory=CannotSee)
    sources: Sources = Field(default_factory=Sources)
    run: RunFacts
    notice: str = Field(description="Plain statement of who or what wrote the record.")

    def advisor(self, advisor_id: str) -> Advisor:
        for member in self.panel:
            if member.advisor.id == advisor_id:
                return member.advisor
        raise KeyError(advisor_id)

    def citation(self, number: int) -> Citation:
        for c in self.citations:
            if c.number == number:
                return c
        raise KeyError(number)
