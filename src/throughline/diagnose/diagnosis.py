"""The whole result of `diagnose`: findings, the ranking and what the data cannot see."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from throughline.diagnose.findings import Finding
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import ConstraintRanking


class LegibilityRow(BaseModel):
    function: str
    metrics: list[str] = Field(description="Metrics the data lets us compute for it.")
    missing: list[str] = Field(default_factory=list, description="What it would need.")

    @property
    def vacuum(self) -> bool:
        return not self.metrics


class Diagnosis(BaseModel):
    as_of: date
    backend: str
    tables: dict[str, int] = Field(description="Canonical tables present and their row counts.")
    findings: list[Finding]
    ranking: ConstraintRanking
    legibility: list[LegibilityRow] = Field(default_factory=list)
    cannot_see: list[str] = Field(
        default_factory=list, description="Plain statements of what the data cannot show."
    )
    data_quality: list[DataQualityIssue] = Field(
        default_factory=list,
        description="What we could not trust, and what we did about it (listed first).",
    )
    reporting_currency: str | None = Field(
        default=None, description="The one currency every amount in the findings is in."
    )
    as_of_source: str | None = Field(
        default=None, description="How the as-of date was chosen (user, or latest CRM event).",
    )
    duration_s: float | None = None

    def finding(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)
