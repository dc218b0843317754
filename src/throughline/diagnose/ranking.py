"""Types of the binding-constraint ranking (the scorer lives in ``constraint.py``; the
hypotheses and their labels, ``HYPOTHESES``, in the signal table ``signals.py``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from throughline.diagnose.signals import HYPOTHESES

__all__ = ["HYPOTHESES", "ConstraintRanking", "Contribution", "HypothesisScore"]


class Contribution(BaseModel):
    finding_id: str
    signal: str
    value: float = Field(description="Signal strength 0..1 as the finding reported it.")
    weight: float = Field(description="How much this signal counts for the hypothesis.")
    note: str = ""


class HypothesisScore(BaseModel):
    name: str
    label: str
    score: float = Field(description="0..1; comparable across hypotheses.")
    raised_by: list[Contribution] = Field(default_factory=list)
    lowered_by: list[Contribution] = Field(default_factory=list)
    measurable: bool = True


class ConstraintRanking(BaseModel):
    scores: list[HypothesisScore] = Field(description="Highest score first; ties by name.")
    binding: str | None = Field(description="Hypothesis name, or None for 'none found'.")
    runner_up: str | None = None
    threshold: float = Field(description="Score a hypothesis must reach to be named binding.")
    margin: float = Field(default=0.0, description="Binding score minus runner-up score.")
    rationale: str
    tied: list[str] = Field(
        default_factory=list,
        description="When the top hypotheses are within the tie margin of each other: all of "
        "them (highest first); ``binding`` is then None and every face reports a tie.",
    )
    blocked: dict[str, str] = Field(
        default_factory=dict,
        description="Hypotheses that may not be named binding because the data-fitness gate "
        "marked their evidence unfit: name -> the data-quality issue's statement.",
    )
    order_of_operations: list[str] = Field(default_factory=list)
    wrong_remedies: list[str] = Field(default_factory=list)
