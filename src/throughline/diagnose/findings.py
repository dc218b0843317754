"""The typed result of a diagnostic: a Finding with metrics, evidence and caveats.

A finding never states a number that is not in its ``metrics`` — the statement is built
from them (see ``Finding.check_statement``) and the claim checker relies on that.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class Severity(str, Enum):
    info = "info"
    watch = "watch"
    problem = "problem"


class FindingKind(str, Enum):
    measured = "measured"
    not_measurable = "not_measurable"


Unit = Literal[
    "ratio", "percent", "count", "days", "currency", "currency_per_day", "score", "months",
    "hours", "probability", "statistic", "per_month",
]


class Metric(BaseModel):
    """One number with its unit and the sample size behind it.

    ``value`` is in the unit's natural scale: ratios and shares as fractions (0.42), not
    percentages; ``percent`` only for values that are already percentages (NPS, stage
    probabilities as the CRM states them).
    """

    name: str
    value: float | None
    unit: Unit
    n: int | None = None
    low: float | None = Field(default=None, description="Lower end of an interval, if any.")
    high: float | None = Field(default=None, description="Upper end of an interval, if any.")
    label: str | None = Field(default=None, description="Human label for reports.")


class Significance(BaseModel):
    test: str
    statistic: float | None = None
    p_value: float | None = None
    interval: tuple[float, float] | None = None
    confidence: float | None = 0.95
    n: int | None = None
    effect_size: float | None = None
    effect_measure: str | None = None


class Evidence(BaseModel):
    table: str
    filter: str | None = None
    row_count: int
    query: str = Field(description="The SQL the engine ran (compiled from the Ibis expression).")


class Finding(BaseModel):
    id: str = Field(description="Stable id: '<diagnostic>.<slug>' (same data → same id).")
    diagnostic: str
    family: str
    kind: FindingKind = FindingKind.measured
    title: str
    severity: Severity = Severity.info
    statement: str
    metrics: dict[str, Metric] = Field(default_factory=dict)
    comparison: str | None = None
    significance: Significance | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    needs: list[str] = Field(
        default_factory=list, description="For not_measurable: the data that would make it so."
    )
    signals: dict[str, float] = Field(
        default_factory=dict,
        description="Named signals (0..1 strength) that the binding-constraint scorer reads, "
        "e.g. {'channel_volatility': 0.8}. Only set for measured findings.",
    )
    quality: list[str] = Field(
        default_factory=list,
        description="Ids of the data-quality issues whose correction this finding rests on.",
    )
    series: list[dict[str, object]] | None = Field(
        default=None, description="Small table for charts (e.g. monthly shares)."
    )

    def metric(self, name: str) -> float | None:
        m = self.metrics.get(name)
        return None if m is None else m.value


def not_measurable(
    *, diagnostic: str, family: str, title: str, missing: list[str], needs: list[str],
    reason: str | None = None,
) -> Finding:
    """A finding that says plainly what cannot be computed and what data would fix it."""
    what = reason or ("missing " + ", ".join(missing) if missing else "too little data")
    return Finding(
        id=f"{diagnostic}.not_measurable",
        diagnostic=diagnostic,
        family=family,
        kind=FindingKind.not_measurable,
        title=title,
        severity=Severity.watch,
        statement=f"Not measurable: {what}. Needs: " + "; ".join(needs) + ".",
        needs=needs,
    )
