"""What the record says before the debate: what we could not trust in the data (the
diagnosis's data-quality lines, in the report's words) and the alignment scorecard.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.diagnose.report import IssueLine, issue_line
from throughline.diagnose.scorecard import CapabilityScore
from throughline.record.decision import DecisionRecord


@dataclass(frozen=True)
class TrustView:
    """What we could not trust, and what we did about it (near the top of the record)."""

    issues: list[IssueLine]
    as_of_line: str
    currency_line: str
    blocked: list[str]

    @property
    def shown(self) -> bool:
        return bool(self.issues or self.as_of_line or self.currency_line or self.blocked)


@dataclass(frozen=True)
class CapabilityView:
    """One row of the alignment scorecard."""

    title: str
    rating: str  # strong / mixed / weak / not measurable
    rating_key: str
    driver: str  # the statement of the finding that sets the rating, or what is missing
    rests_on: str  # 'rests on 3 findings' or the data that would make it measurable


RATING_LABELS = {"strong": "Strong", "mixed": "Mixed", "weak": "Weak",
                 "not_measurable": "Not measurable"}


def capability_view(c: CapabilityScore) -> CapabilityView:
    if c.rating == "not_measurable":
        needs = "; ".join(c.needs) or "the exports its diagnostics read"
        return CapabilityView(title=c.title, rating=RATING_LABELS[c.rating],
                              rating_key=c.rating, driver="No finding measures it yet.",
                              rests_on=f"Needs: {needs}.")
    n = len(c.findings)
    driver = c.driver_statement or "No problem signal in the findings it rests on."
    shown = ", ".join(c.findings[:3]) + (f" and {n - 3} more" if n > 3 else "")
    score = f" {c.score:.2f}" if c.score is not None else ""
    return CapabilityView(title=c.title, rating=RATING_LABELS[c.rating] + score,
                          rating_key=c.rating, driver=driver,
                          rests_on=f"Rests on {n} finding{'s' if n != 1 else ''}: {shown}.")


def trust_view(record: DecisionRecord) -> TrustView:
    dq = record.data_quality
    return TrustView(issues=[issue_line(i) for i in dq.issues], as_of_line=dq.as_of_line,
                     currency_line=dq.currency_line, blocked=list(dq.blocked))
