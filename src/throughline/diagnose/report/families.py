"""The report's diagnostic families: their headings and questions, in the order the
report shows them, each with its findings (measurable first, problems first).
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.diagnose.findings import Severity
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report.finding_view import FindingView, anchor


@dataclass(frozen=True)
class FamilyInfo:
    id: str
    heading: str
    question: str


FAMILIES: tuple[FamilyInfo, ...] = (
    FamilyInfo("post_sale", "Post-sale truth",
               "Which channels, segments and motions bring customers who stay and grow?"),
    FamilyInfo("icp", "Stated vs revealed ICP",
               "Do the customers we win look like the customers who retain, expand and "
               "refer?"),
    FamilyInfo("honesty", "Honesty of the pipeline",
               "Do stages, probabilities and forecasts mean what they claim?"),
    FamilyInfo("pipeline", "Pipeline mechanics",
               "Win rate, cycle length, deal size and velocity, by channel and feature "
               "cohort."),
    FamilyInfo("push_pull", "Push vs pull",
               "Is new pipeline pulled in by customers or pushed out by activity?"),
    FamilyInfo("channels", "Channel stability",
               "How volatile and how concentrated is the mix of pipeline sources?"),
    FamilyInfo("attribution", "Attribution coverage",
               "How much pipeline and revenue arrives with no known source?"),
    FamilyInfo("handoff", "Handoff velocity & inventory",
               "How fast do decisions become shipped, sellable features, and what ships "
               "without a sales play?"),
    FamilyInfo("legibility", "Engineering legibility",
               "How fast does engineering deliver, and what can each function measure "
               "about its own work?"),
    FamilyInfo("feedback", "Feedback loops",
               "Does win/loss and field feedback reach an owner and change anything?"),
    FamilyInfo("promises", "Promise ledger",
               "What was promised in deals, and can the product keep those promises?"),
    FamilyInfo("messaging", "Messaging coherence",
               "Do the website, deck, sequences and proposals make the same claims?"),
)

_SEVERITY_ORDER = {Severity.problem: 0, Severity.watch: 1, Severity.info: 2}


@dataclass
class FamilyView:
    id: str
    heading: str
    question: str
    anchor: str
    findings: list[FindingView]
    counts: dict[str, int]
    assessed: bool


def severity_counts(findings: list[FindingView]) -> dict[str, int]:
    """Measurable findings by severity, then those not measurable."""
    return {
        "problem": sum(1 for f in findings if f.measurable and f.severity == "problem"),
        "watch": sum(1 for f in findings if f.measurable and f.severity == "watch"),
        "info": sum(1 for f in findings if f.measurable and f.severity == "info"),
        "not_measurable": sum(1 for f in findings if not f.measurable),
    }


def families(findings: list[FindingView]) -> list[FamilyView]:
    """Every known family (assessed or not), then any other family a finding names."""
    known = {fam.id for fam in FAMILIES}
    extra = sorted({f.family for f in findings} - known)
    infos = list(FAMILIES) + [FamilyInfo(x, fmt.humanize(x), "") for x in extra]
    out = []
    for info in infos:
        members = sorted(
            (f for f in findings if f.family == info.id),
            key=lambda f: (not f.measurable, _SEVERITY_ORDER[Severity(f.severity)]),
        )
        out.append(FamilyView(
            id=info.id, heading=info.heading, question=info.question,
            anchor=anchor("fam", info.id), findings=members,
            counts=severity_counts(members),
            assessed=any(f.measurable for f in members),
        ))
    return out
