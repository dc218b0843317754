"""Gather: the evidence pack the panel argues from.

It holds the diagnosis (findings + binding constraint), the ranking restated as one more
finding (``constraint.ranking``, so scores quoted in the debate are checkable like any
metric), the data-fitness gate's issues restated as findings (``dq.*``, family
``data_quality``: every advisor sees them first, and numbers quoted from them are
checkable), the research-library passages retrieved for the question and for each lens (with
their explanation), the capability list (for the governance check) and the monthly series
the forecasts are fitted on.

It is chosen per option of the question (:class:`OptionEvidence`, in
:mod:`throughline.council.option_evidence`): the declared mapping (``council.levers.LEVERS``)
names the findings and metrics each option moves, plus a library search per option.
Options' findings go in front of every advisor's cards. Where the inputs come from in a
workspace (store, library) is :mod:`throughline.council.gather_sources`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, Field, PrivateAttr

from throughline.council.frame import frame_question
from throughline.council.levers import subject_frame
from throughline.council.option_evidence import (
    MIN_PEER_N,
    OPTION_PASSAGES,
    OptionEvidence,
    OptionMeasure,
    SearchFn,
    frame_evidence,
    option_evidence,
    option_measure,
)
from throughline.council.personas import Persona
from throughline.core.seams import EvidenceCard
from throughline.diagnose.constraint import MARGIN
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.findings import Finding, FindingKind, Metric, Severity
from throughline.diagnose.quality import DataQualityIssue
from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.report.trust import unfit_findings
from throughline.library.records import Passage
from throughline.record.decision import Intent

__all__ = [
    "COVERAGE_ID", "DATA_QUALITY_FAMILY", "MIN_PEER_N", "OPTION_PASSAGES", "RANKING_ID",
    "Capability", "EvidencePack", "OptionEvidence", "OptionMeasure", "SearchFn",
    "binding_evidence_ids", "coverage_finding", "excerpt", "finding_card", "frame_evidence",
    "gather", "option_evidence", "option_measure", "passage_card", "quality_finding",
    "ranking_finding",
]

RANKING_ID = "constraint.ranking"
COVERAGE_ID = "evidence.coverage"
DATA_QUALITY_FAMILY = "data_quality"
QUESTION_PASSAGES = 6
LENS_PASSAGES = 3
OPTION_CARDS = 4  # per option, the findings put in front of every advisor
EXCERPT_CHARS = 600


class Capability(BaseModel):
    name: str
    status: str


class EvidencePack(BaseModel):
    diagnosis: Diagnosis
    findings: list[Finding] = Field(description="Diagnosis findings plus constraint.ranking.")
    question_passages: list[Passage] = Field(default_factory=list)
    lens_passages: dict[str, list[Passage]] = Field(default_factory=dict)
    capabilities: list[Capability] = Field(default_factory=list)
    library_documents: int = 0
    library_note: str | None = None
    options: list[OptionEvidence] = Field(
        default_factory=list, description="Per option of the question: what bears on it.")
    subject: OptionEvidence | None = Field(
        default=None, description="An open question's subject (what its words name, "
                                  "'win rate' …): what bears on it. None with options.")
    _cards: dict[tuple[str, tuple[str, ...]], list[EvidenceCard]] = PrivateAttr(
        default_factory=dict)

    @property
    def data_quality(self) -> list[DataQualityIssue]:
        return self.diagnosis.data_quality

    @property
    def unfit(self) -> dict[str, str]:
        """Finding id → the unfit data it rests on (its numbers verify no claim)."""
        return unfit_findings(self.diagnosis, self.findings)

    # -- lookups ---------------------------------------------------------------------

    def finding(self, finding_id: str) -> Finding | None:
        for f in self.findings:
            if f.id == finding_id:
                return f
        return None

    def passages(self) -> list[Passage]:
        """Every passage in the pack once, question passages first, by first appearance."""
        seen: dict[str, Passage] = {}
        for p in self.question_passages:
            seen.setdefault(p.id, p)
        for o in self.options:
            for p in o.passages:
                seen.setdefault(p.id, p)
        for key in sorted(self.lens_passages):
            for p in self.lens_passages[key]:
                seen.setdefault(p.id, p)
        return list(seen.values())

    def option_finding_ids(self) -> list[str]:
        """The findings that bear on the options, in option order, each once."""
        out: list[str] = []
        for o in self.options:
            for fid in o.finding_ids[:OPTION_CARDS]:
                if fid not in out:
                    out.append(fid)
        return out

    def passage(self, passage_id: str) -> Passage | None:
        for p in self.passages():
            if p.id == passage_id:
                return p
        return None

    def lens_findings(self, families: Iterable[str], *, measured: bool = True) -> list[Finding]:
        fam = set(families)
        out = [f for f in self.findings if f.family in fam
               and (f.kind == FindingKind.measured) == measured]
        return sorted(out, key=_strength_key)

    def cards_for(self, persona: Persona) -> list[EvidenceCard]:
        """The lens-filtered evidence an advisor sees: its families' findings (measured and
        not), the ranking, the binding constraint's evidence, and its passages.

        The same cards every round, so they are made once per persona and pack (the list
        is a copy; the cards themselves are shared and must not be changed)."""
        key = (persona.id, tuple(sorted(persona.weighs.families)))
        if key not in self._cards:
            self._cards[key] = self._make_cards(persona)
        return list(self._cards[key])

    def _make_cards(self, persona: Persona) -> list[EvidenceCard]:
        fams = set(persona.weighs.families)
        binding = self.diagnosis.ranking.binding
        binding_ids = set(binding_evidence_ids(self.diagnosis, binding)) if binding else set()
        chosen = [f for f in self.findings
                  if (f.family in fams or f.id in (RANKING_ID, COVERAGE_ID)
                      or f.id in binding_ids) and f.family != DATA_QUALITY_FAMILY]
        trust = [f for f in self.findings if f.family == DATA_QUALITY_FAMILY]
        option_ids = self.option_finding_ids()
        asked = [f for fid in option_ids if (f := self.finding(fid)) is not None]
        rest = [f for f in sorted(chosen, key=_strength_key) if f.id not in option_ids]
        cards = [finding_card(f) for f in trust + asked + rest]
        passages = list(self.question_passages[:3])
        for o in self.options:
            passages += o.passages[:1]
        passages += self.lens_passages.get(persona.id, [])
        seen: set[str] = set()
        for p in passages:
            if p.id not in seen:
                seen.add(p.id)
                cards.append(passage_card(p))
        return cards


def _strength_key(f: Finding) -> tuple[int, float, str]:
    sev = {Severity.problem: 0, Severity.watch: 1, Severity.info: 2}[f.severity]
    strength = max(f.signals.values(), default=0.0)
    return (sev, -strength, f.id)


CARD_METRICS = 12  # a card shows at most this many metrics (the statement names the rest)


def _short_float(v: float | None) -> float | None:
    return None if v is None else float(f"{v:.6g}")


def finding_card(f: Finding) -> EvidenceCard:
    """A finding as an advisor sees it: its statement and up to ``CARD_METRICS`` metrics,
    values to six significant digits (the claim check still reads the full finding)."""
    metrics = {k: {"value": _short_float(m.value), "unit": m.unit, "n": m.n}
               for k, m in list(f.metrics.items())[:CARD_METRICS]}
    return EvidenceCard(
        id=f.id, kind="finding", title=f.title, text=f.statement, family=f.family,
        severity=f.severity.value, metrics=metrics,
    )


def passage_card(p: Passage) -> EvidenceCard:
    title = p.source.title + (f" — {p.heading}" if p.heading else "")
    return EvidenceCard(
        id=p.id, kind="passage", title=title, text=excerpt(p.text),
        location=p.source.location, untrusted_instructions=p.untrusted_instructions,
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def binding_evidence_ids(diagnosis: Diagnosis, hypothesis: str | None) -> list[str]:
    """Findings that raised a hypothesis, strongest first (value × weight), ties by id."""
    if hypothesis is None:
        return []
    for score in diagnosis.ranking.scores:
        if score.name == hypothesis:
            ranked = sorted(score.raised_by, key=lambda c: (-c.value * c.weight, c.finding_id))
            out: list[str] = []
            for c in ranked:
                if c.value > 0 and c.finding_id not in out:
                    out.append(c.finding_id)
            return out
    return []


def ranking_finding(diagnosis: Diagnosis) -> Finding:
    """The ranking as a finding: its scores, threshold and margin become checkable metrics."""
    r = diagnosis.ranking
    metrics: dict[str, Metric] = {
        f"score_{s.name}": Metric(name=f"score_{s.name}", value=round(s.score, 4),
                                  unit="score", label=f"{HYPOTHESES.get(s.name, s.name)} score")
        for s in r.scores
    }
    metrics["threshold"] = Metric(name="threshold", value=r.threshold, unit="score",
                                  label="Score needed to be named binding")
    metrics["margin"] = Metric(name="margin", value=round(r.margin, 4), unit="score",
                               label="Binding score minus runner-up score")
    # the scorer's tie margin (the rationale quotes it: 'within the 0.10 margin')
    metrics["tie_margin"] = Metric(
        name="tie_margin", value=float(MARGIN), unit="score",
        label="Tie margin: top scores closer than this are a tie, and none is named")
    if r.tied:
        metrics["tied"] = Metric(name="tied", value=len(r.tied), unit="count",
                                 label="Hypotheses tied at the top")
    # why a hypothesis was not judged (the gate's statements, which the rationale quotes):
    # their numbers are the gate's, so a claim quoting them traces here
    blocked = [f"Not named binding: {name.replace('_', ' ')} — {why}"
               for name, why in sorted(r.blocked.items())]
    return Finding(
        id=RANKING_ID, diagnostic="constraint", family="constraint",
        title="Binding-constraint ranking", severity=Severity.info,
        statement=r.rationale, metrics=metrics, caveats=blocked,
    )


def quality_finding(issue: DataQualityIssue) -> Finding:
    """A data-quality issue as a finding the panel can read and cite (``dq.*``): its
    statement, what was done, and its counts as metrics."""
    metrics: dict[str, Metric] = {}
    if issue.rows_affected is not None:
        metrics["rows_affected"] = Metric(name="rows_affected", value=issue.rows_affected,
                                          unit="count", label="Rows affected")
    if issue.rows_total is not None:
        metrics["rows_total"] = Metric(name="rows_total", value=issue.rows_total,
                                       unit="count", label="Rows in the table")
    for key, v in issue.details.items():
        if isinstance(v, int | float) and not isinstance(v, bool) and key not in metrics:
            metrics[key] = Metric(name=key, value=float(v), unit="count", label=str(key))
    done = {"corrected": "Corrected", "unfit": "Not measurable",
            "warning": "Warning"}.get(issue.action, issue.action)
    return Finding(
        id=issue.id, diagnostic=f"data_quality.{issue.check}", family=DATA_QUALITY_FAMILY,
        title=issue.title,
        severity=Severity.problem if issue.action == "unfit" else Severity.watch,
        statement=issue.statement, metrics=metrics,
        caveats=[f"What we saw: {issue.statement}", f"{done}: {issue.remedy}"],
        comparison=", ".join(issue.affects) or None,
    )


def coverage_finding(diagnosis: Diagnosis) -> Finding:
    """How much of the evidence rests on numbers: counts the Auditor can quote."""
    measured = sum(1 for f in diagnosis.findings if f.kind == FindingKind.measured)
    total = len(diagnosis.findings)
    missing = total - measured
    dark = [row.function for row in diagnosis.legibility if row.vacuum]
    metrics = {
        "findings": Metric(name="findings", value=total, unit="count", label="Findings"),
        "measured": Metric(name="measured", value=measured, unit="count",
                           label="Findings resting on measured numbers"),
        "not_measurable": Metric(name="not_measurable", value=missing, unit="count",
                                 label="Findings that could not be computed"),
        "dark_functions": Metric(name="dark_functions", value=len(dark), unit="count",
                                 label="Functions with no metric the data can compute"),
    }
    issues = diagnosis.data_quality
    unfit = sum(1 for i in issues if i.action == "unfit")
    if issues:
        metrics["data_quality_issues"] = Metric(
            name="data_quality_issues", value=len(issues), unit="count",
            label="Data-quality issues the fitness gate raised")
        metrics["unfit_issues"] = Metric(
            name="unfit_issues", value=unfit, unit="count",
            label="Data-quality issues that made evidence unfit")
    statement = (f"{measured:,} of {total:,} findings rest on measured numbers and "
                 f"{missing:,} could not be computed from the data given; "
                 + (f"{len(dark):,} function(s) have no metric at all: " + ", ".join(dark)
                    if dark else "every function has at least one metric") + ".")
    if issues:
        statement += (f" The data-fitness gate raised {len(issues):,} data-quality issue(s), "
                      f"{unfit:,} of which made evidence unfit.")
    return Finding(id=COVERAGE_ID, diagnostic="evidence", family="constraint",
                   title="What the evidence rests on", severity=Severity.info,
                   statement=statement, metrics=metrics)


def gather(
    diagnosis: Diagnosis,
    *,
    question: str,
    personas: list[Persona],
    search: SearchFn | None,
    capabilities: list[Capability],
    library_documents: int,
    intent: Intent | None = None,
) -> EvidencePack:
    """Assemble the pack. ``search(query, k)`` is the library (None when there is none);
    ``intent`` (the framed question) chooses the evidence per option — without it the
    question is framed here by rules."""
    if intent is None:
        intent = frame_question(question, diagnosis.as_of or date.today())
    findings = ([quality_finding(i) for i in diagnosis.data_quality]
                + list(diagnosis.findings)
                + [ranking_finding(diagnosis), coverage_finding(diagnosis)])
    q_passages: list[Passage] = []
    lens: dict[str, list[Passage]] = {}
    note = None
    library = search if (search is not None and library_documents > 0) else None
    unfit = unfit_findings(diagnosis, findings)
    options = option_evidence(intent, findings, library, unfit)
    subject = None
    if not intent.option_frames:
        frame = subject_frame(intent.question)
        if frame is not None:
            subject = frame_evidence(frame, findings, None, unfit)
    if search is None or library_documents == 0:
        note = ("The research library is empty: the panel argued from the company's own "
                "data only. Add documents with `throughline library add`.")
    else:
        q_passages = search(question, QUESTION_PASSAGES)
        for p in personas:
            query = p.weighs.query or p.lens
            lens[p.id] = search(query, LENS_PASSAGES)
    return EvidencePack(
        diagnosis=diagnosis, findings=findings, question_passages=q_passages,
        lens_passages=lens, capabilities=capabilities, library_documents=library_documents,
        library_note=note, options=options, subject=subject,
    )
