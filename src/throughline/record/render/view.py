"""The record as the renderers see it: every label looked up, every number formatted.

HTML and Markdown both render this view, so they say the same things in the same order.
The view adds no number of its own: probabilities, convictions and counts are the
record's, formatted (``0.64`` → ``64%``); ids are resolved to names (advisor ids to
advisor names, statement ids to "The Auditor, round 2", evidence ids to citation
numbers). Strings stay plain ``str`` here; escaping is the renderer's job.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.scorecard import CapabilityScore
from throughline.diagnose.report import formatting as fmt
from throughline.diagnose.report.trust import IssueLine, issue_line
from throughline.diagnose.report.view import split_label
from throughline.record.decision import (
    Citation,
    DecisionRecord,
    Forecast,
    FuturePath,
    PanelMember,
    RoundRecord,
    Statement,
)

DASH = fmt.DASH

DECISION_TYPES = {
    "diagnose": "Diagnose", "invest": "Invest", "prioritise": "Prioritise", "pivot": "Pivot",
    "hire": "Hire", "price": "Price", "other": "Other",
}
STANCES = {
    "act_on_constraint": "Act on the constraint",
    "keep_going": "Keep going as planned",
    "other": "Another course",
}
MOVES = {
    "WARN": "warns of a risk",
    "SHARE": "shares evidence or experience",
    "REFRAME": "reframes the question",
    "FACTCHECK": "checks a claim against the evidence",
    "CHALLENGE": "challenges a peer",
}
ROLES = {
    "framer": "Framing the question",
    "advisor": "Advisors",
    "summariser": "Round summaries",
    "synthesiser": "Synthesis",
    "claim_extractor": "Claim extraction",
}
STATUS = {"ok": "seated", "partly_failed": "some turns failed", "failed": "failed"}


# -- small pieces -----------------------------------------------------------------------


@dataclass(frozen=True)
class CiteRef:
    """A pointer to the citation list ([n]) or, when the id is not there, the raw id."""

    number: int | None
    ref: str
    title: str = ""

    @property
    def label(self) -> str:
        return f"[{self.number}]" if self.number is not None else self.ref

    @property
    def anchor(self) -> str:
        return f"cite-{self.number}" if self.number is not None else ""


@dataclass(frozen=True)
class SourceLink:
    """Who or what backs a milestone, a cause or a claim: a label and an in-page anchor."""

    label: str
    anchor: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Bar:
    """A horizontal share bar: the width is the record's own fraction, clamped to 0..1."""

    fraction: float

    @property
    def pct(self) -> str:
        f = self.fraction if math.isfinite(self.fraction) else 0.0
        return f"{max(0.0, min(1.0, f)) * 100:.1f}"


# -- section views ----------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastView:
    id: str
    anchor: str
    statement: str
    probability: str
    bar: Bar
    horizon: str
    resolution: str
    owner: str
    owner_anchor: str
    method: str
    measure: str
    cites: list[CiteRef]


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


@dataclass(frozen=True)
class StepView:
    due: str
    when: str
    who: str
    what: str
    opening_words: str | None
    condition: str | None
    cites: list[CiteRef]


@dataclass(frozen=True)
class MilestoneView:
    month: int
    text: str
    backing: str
    kind: str
    source: SourceLink


@dataclass(frozen=True)
class PathView:
    id: str
    anchor: str
    letter: str
    title: str
    stance: str
    stance_key: str
    milestones: list[MilestoneView]


@dataclass(frozen=True)
class EvidenceView:
    number: int
    text: str
    cites: list[CiteRef]
    attribution: str | None


@dataclass(frozen=True)
class RiskView:
    text: str
    raised_by: str | None
    raised_anchor: str
    cites: list[CiteRef]


@dataclass(frozen=True)
class HistoryPoint:
    round: int
    conviction: str
    cause: SourceLink | None
    conformity: bool


@dataclass(frozen=True)
class RoundMark:
    """One round of an advisor's conviction history: a value, a failed turn, or nothing."""

    round: int
    conviction: str | None
    conformity: bool = False
    failed: bool = False

    @property
    def label(self) -> str:
        if self.failed:
            return f"R{self.round} failed turn"
        return f"R{self.round} {self.conviction}" + (" (conformity)" if self.conformity else "")


@dataclass(frozen=True)
class Spark:
    """Geometry of a conviction sparkline (drawing only; every label is a record value)."""

    width: int
    height: int
    top: float
    bottom: float
    mid: float
    xs: list[float]
    segments: list[tuple[float, float, float, float, bool]]  # x1, y1, x2, y2, across a gap
    dots: list[tuple[float, float, bool, bool]]  # x, y, is_last, conformity
    rounds: list[int]
    labels: list[tuple[float, str, str]]  # x, text, kind: "value" | "flag" | "failed"
    value_y: float
    round_y: float
    summary: str


@dataclass(frozen=True)
class MemberView:
    id: str
    anchor: str
    name: str
    role: str
    lens: str
    background: str
    weighs: list[str]
    always_seated: bool
    model: str
    model_reason: str
    cast_reason: str
    final: str
    bar: Bar | None
    status: str
    status_label: str
    failed_turns: int
    history: list[HistoryPoint]
    timeline: list[RoundMark]
    spark: Spark


@dataclass(frozen=True)
class StatementView:
    id: str
    anchor: str
    advisor: str
    advisor_anchor: str
    role: str
    move: str
    move_help: str
    text: str
    paragraphs: list[str]
    addressed: list[str]
    cites: list[CiteRef]
    conviction: str
    previous: str | None
    cause: SourceLink | None
    conformity: bool
    failed: bool
    failure: str | None
    dropped_cites: list[str] = field(default_factory=list)
    takes_up: SourceLink | None = None
    claim: str | None = None


@dataclass(frozen=True)
class RoundView:
    number: int
    anchor: str
    title: str
    purpose: str
    summary: str
    statements: list[StatementView]
    failed: int


@dataclass(frozen=True)
class ClaimView:
    id: str
    status: str
    kind: str
    text: str
    location: SourceLink
    matched: str | None
    expected: str | None
    note: str
    unfit: bool = False

    @property
    def matched_parts(self) -> list[str]:
        """'finding.id#metric' → ['finding.id', '#metric'] so a line can break between."""
        if not self.matched:
            return []
        head, sep, tail = self.matched.partition("#")
        return [head, sep + tail] if sep else [head]


@dataclass(frozen=True)
class ClaimCheckView:
    verified: int
    unsupported: int
    contradicted: int
    total: int
    share: str
    unfit: int
    bars: list[tuple[str, Bar]]
    claims: list[ClaimView]

    @property
    def problems(self) -> list[ClaimView]:
        return [c for c in self.claims if c.status != "verified"]

    @property
    def verified_claims(self) -> list[ClaimView]:
        return [c for c in self.claims if c.status == "verified"]


@dataclass(frozen=True)
class CitationView:
    number: int
    anchor: str
    kind: str
    ref: str
    title: str
    excerpt: str
    location: str | None


@dataclass(frozen=True)
class ModelView:
    role: str
    engine: str
    model: str
    reason: str


@dataclass(frozen=True)
class PolicyView:
    rule: str
    description: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class RunView:
    run_id: str
    engine: str
    started: str
    finished: str
    duration: str
    calls: str
    tokens_in: str
    tokens_out: str
    cost: str
    rounds: str
    models: list[ModelView]
    policy: list[PolicyView]
    policy_passed: int
    failures: list[str]
    partial: bool
    partial_reason: str | None
    degraded_reason: str | None
    written_by_model: list[str]
    written_by_rules: list[str]
    diagnosis_as_of: str
    tables: list[tuple[str, str]]
    library_documents: str


@dataclass(frozen=True)
class RecordView:
    title: str
    run_id: str
    question: str
    run_date: str
    decision_type: str
    choice: str
    options: list[str]
    stakes: str
    constraints: list[str]
    horizon: str
    must_contain: list[str]
    framed_by: str
    verdict: str
    verdict_paragraphs: list[str]
    binding_found: bool
    binding_short: str
    binding_subtitle: str
    runner_up: str | None
    runner_up_subtitle: str
    forecasts: list[ForecastView]
    omitted_forecasts: list[str]
    steps: list[StepView]
    paths: list[PathView]
    deeper_story: str
    story_paragraphs: list[str]
    evidence: list[EvidenceView]
    risks: list[RiskView]
    panel: list[MemberView]
    rounds: list[RoundView]
    claim_check: ClaimCheckView
    functions_without_data: list[str]
    claims_without_numbers: list[SourceLink]
    cannot_see_notes: list[str]
    cited: list[CitationView]
    consulted: list[CitationView]
    unused_count: int
    unused: list[CitationView]
    run: RunView
    notice: str
    counts: dict[str, int] = field(default_factory=dict)
    trust: TrustView | None = None
    scorecard: list[CapabilityView] = field(default_factory=list)
    tie_line: str = ""
    tied: list[tuple[str, str]] = field(default_factory=list)  # (short label, score)


# -- formatting -------------------------------------------------------------------------


SYNTHESISED = ("verdict", "action_plan", "future_paths", "deeper_story", "risks")
SECTIONS = {"verdict": "verdict", "action_plan": "action plan", "future_paths": "future paths",
            "deeper_story": "deeper story", "risks": "risks"}


def sections_line(by_model: list[str], by_rules: list[str]) -> str:
    """'Written by rules: verdict, …' / 'Written by a model: verdict; by rules: …'."""
    if not by_model:
        return "Written by rules from the debate and the evidence: " + ", ".join(by_rules) + "."
    line = "Written by a model: " + ", ".join(by_model)
    if by_rules:
        line += "; by rules (the model's version failed the claim check or was not asked " \
                "for): " + ", ".join(by_rules)
    return line + "."


def pct(fraction: float | None) -> str:
    """Probabilities and convictions as whole percentages: 0.64 → '64%'."""
    return fmt.percent(fraction, digits=0)


def day(d: date | None) -> str:
    return fmt.long_date(d)


def moment(dt: datetime | None) -> str:
    """'13 Apr 2026, 09:14 UTC' (aware times in UTC; naive times as written)."""
    if dt is None:
        return DASH
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
        return f"{fmt.long_date(dt)}, {dt:%H:%M} UTC"
    return f"{fmt.long_date(dt)}, {dt:%H:%M}"


def duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return DASH
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def usd(value: float) -> str:
    if not math.isfinite(value):
        return DASH
    if value == 0:
        return "$0.00"
    if abs(value) < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"


def anchor(prefix: str, ident: str) -> str:
    return prefix + "-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-") or "x")


def paragraphs(text: str) -> list[str]:
    """Split on blank lines; single newlines inside a paragraph become spaces."""
    parts = [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in parts if p] or [""]


def if_clause(condition: str | None) -> str | None:
    """A branch condition reads 'If …' whatever the synthesiser wrote."""
    if condition is None:
        return None
    c = condition.strip()
    if not c:
        return None
    return c if re.match(r"(?i)^if\b", c) else "If " + c


# -- the builder ------------------------------------------------------------------------


class _Index:
    """Lookups the sections share: advisors, statements, citations, forecasts."""

    def __init__(self, record: DecisionRecord) -> None:
        self.advisors = {m.advisor.id: m.advisor for m in record.panel}
        self.statements: dict[str, Statement] = {}
        for r in record.rounds:
            for s in r.statements:
                self.statements.setdefault(s.id, s)
        self.by_number: dict[int, Citation] = {}
        for c in record.citations + record.sources.cited:
            self.by_number.setdefault(c.number, c)
        self.by_ref: dict[str, int] = {}
        for c in record.citations + record.sources.cited:
            self.by_ref.setdefault(c.ref, c.number)
        self.forecasts: dict[str, Forecast] = {f.id: f for f in record.predictions}

    def name(self, advisor_id: str | None) -> str:
        if advisor_id is None:
            return DASH
        a = self.advisors.get(advisor_id)
        return a.name if a is not None else advisor_id

    def advisor_anchor(self, advisor_id: str | None) -> str:
        return anchor("adv", advisor_id) if advisor_id in self.advisors else ""

    def cite_numbers(self, numbers: list[int]) -> list[CiteRef]:
        out = []
        for n in numbers:
            c = self.by_number.get(n)
            out.append(CiteRef(n, c.ref if c else str(n), c.title if c else ""))
        return out

    def cite_ids(self, ids: list[str]) -> list[CiteRef]:
        out = []
        for ref in ids:
            n = self.by_ref.get(ref)
            c = self.by_number.get(n) if n is not None else None
            out.append(CiteRef(n, ref, c.title if c else ""))
        return out

    def statement_link(self, statement_id: str | None) -> SourceLink | None:
        if not statement_id:
            return None
        s = self.statements.get(statement_id)
        if s is None:
            return SourceLink(statement_id)
        return SourceLink(f"{self.name(s.advisor_id)}, round {s.round}",
                          anchor("st", s.id))

    def location_link(self, location: str) -> SourceLink:
        """A claim location: a statement id, or 'synthesis.<section>[.<i>]'."""
        if location in self.statements:
            link = self.statement_link(location)
            assert link is not None
            return link
        if location.startswith("synthesis."):
            parts = location.split(".")[1:]
            section = parts[0] if parts else ""
            label = "Synthesis · " + fmt.humanize(section) if section else "Synthesis"
            if len(parts) > 1 and parts[1].isdigit():
                label += f" #{int(parts[1]) + 1}"
            return SourceLink(label, _SYNTHESIS_ANCHORS.get(section, ""))
        return SourceLink(location)


_CLAIM_ORDER = {"contradicted": 0, "unsupported": 1, "verified": 2}

_SYNTHESIS_ANCHORS = {
    "verdict": "verdict", "predictions": "predictions", "action_plan": "action-plan",
    "future_paths": "future-paths", "deeper_story": "deeper-story", "evidence": "evidence",
    "risks": "risks",
}


def build_view(record: DecisionRecord) -> RecordView:
    ix = _Index(record)
    intent = record.intent
    if record.binding:
        short, subtitle = split_label(record.binding_label or _hypothesis(record.binding))
    elif record.tied:
        names = [split_label(t.label or _hypothesis(t.name))[0] for t in record.tied]
        short = "Tie: " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1
                           else "".join(names))
        shown = [fmt.score(t.score) for t in record.tied]
        subtitle = ((f"all at {shown[0]}" if len(shown) > 2 else f"both at {shown[0]}")
                    if len(set(shown)) == 1 else ", ".join(shown))
        subtitle += " — the data does not separate them"
    else:
        short, subtitle = "No binding constraint found", ""
    runner, runner_subtitle = (split_label(_hypothesis(record.runner_up)) if record.runner_up
                               else (None, ""))

    rounds = [_round(r, ix) for r in record.rounds]
    statements_by_advisor: dict[str, list[Statement]] = {}
    for r in record.rounds:
        for s in r.statements:
            statements_by_advisor.setdefault(s.advisor_id, []).append(s)
    round_numbers = [r.number for r in record.rounds] or sorted(
        {p.round for m in record.panel for p in m.history})

    cc = record.claim_check
    total = cc.total
    claim_check = ClaimCheckView(
        verified=cc.verified, unsupported=cc.unsupported, contradicted=cc.contradicted,
        total=total, unfit=cc.unfit,
        share=pct(cc.verified_share) if cc.verified_share is not None else DASH,
        bars=[(k, Bar(n / total if total else 0.0)) for k, n in
              (("verified", cc.verified), ("unsupported", cc.unsupported),
               ("contradicted", cc.contradicted))],
        claims=[ClaimView(
            id=c.id, status=c.status, kind=c.kind, text=c.text,
            location=ix.location_link(c.location), matched=c.matched, expected=c.expected,
            note=c.note, unfit=c.unfit)
            for c in sorted(cc.claims, key=lambda c: _CLAIM_ORDER[c.status])],
    )

    run = record.run
    return RecordView(
        title=record.title,
        run_id=record.run_id,
        question=intent.question,
        run_date=day(intent.run_date),
        decision_type=DECISION_TYPES.get(intent.decision_type, intent.decision_type),
        choice=intent.choice,
        options=list(intent.options),
        stakes=intent.stakes,
        constraints=list(intent.constraints),
        horizon=f"{intent.horizon_months} month{'s' if intent.horizon_months != 1 else ''}",
        must_contain=list(intent.must_contain),
        framed_by=intent.framed_by,
        verdict=record.verdict,
        verdict_paragraphs=paragraphs(record.verdict),
        binding_found=record.binding is not None,
        binding_short=short,
        binding_subtitle=subtitle,
        runner_up=runner,
        runner_up_subtitle=runner_subtitle,
        forecasts=[_forecast(f, ix) for f in record.predictions],
        omitted_forecasts=[_omitted(o.name, o.months, o.reason)
                           for o in record.predictions_omitted],
        steps=[StepView(due=day(s.due), when=s.when, who=s.who, what=s.what,
                        opening_words=s.opening_words, condition=if_clause(s.condition),
                        cites=ix.cite_numbers(s.citations)) for s in record.action_plan],
        paths=[_path(i, p, ix) for i, p in enumerate(record.future_paths)],
        deeper_story=record.deeper_story,
        story_paragraphs=paragraphs(record.deeper_story) if record.deeper_story.strip() else [],
        evidence=[EvidenceView(i, e.text, ix.cite_numbers(e.citations), e.attribution)
                  for i, e in enumerate(record.evidence, start=1)],
        risks=[RiskView(r.text, ix.name(r.raised_by) if r.raised_by else None,
                        ix.advisor_anchor(r.raised_by), ix.cite_numbers(r.citations))
               for r in record.risks],
        panel=[_member(m, ix, statements_by_advisor.get(m.advisor.id, []), round_numbers)
               for m in record.panel],
        rounds=rounds,
        claim_check=claim_check,
        functions_without_data=list(record.cannot_see.functions_without_data),
        claims_without_numbers=[ix.statement_link(s) or SourceLink(s)
                                for s in record.cannot_see.claims_without_numbers],
        cannot_see_notes=list(record.cannot_see.notes),
        cited=[_citation(c) for c in record.sources.cited or record.citations],
        consulted=[CitationView(0, "", s.kind, s.ref, s.title, "", s.location)
                   for s in record.sources.consulted],
        unused_count=record.sources.unused_count,
        unused=[CitationView(0, "", s.kind, s.ref, s.title, "", s.location)
                for s in record.sources.unused],
        run=RunView(
            run_id=run.run_id,
            engine=run.engine,
            started=moment(run.started_at),
            finished=moment(run.finished_at),
            duration=duration(run.duration_s),
            calls=fmt.integer(run.calls),
            tokens_in=fmt.integer(run.tokens_in),
            tokens_out=fmt.integer(run.tokens_out),
            cost=usd(run.cost_usd),
            rounds=str(run.rounds),
            models=[ModelView(ROLES.get(m.role, m.role), m.engine, m.model, m.reason)
                    for m in run.models],
            policy=[PolicyView(p.rule, p.description, p.passed, p.detail) for p in run.policy],
            policy_passed=sum(1 for p in run.policy if p.passed),
            failures=list(run.failures),
            partial=run.partial,
            partial_reason=run.partial_reason,
            degraded_reason=run.degraded_reason,
            written_by_model=[SECTIONS.get(x, x) for x in SYNTHESISED if x in run.model_sections],
            written_by_rules=[SECTIONS[x] for x in SYNTHESISED if x not in run.model_sections],
            diagnosis_as_of=day(run.diagnosis_as_of),
            tables=[(name, fmt.integer(n)) for name, n in run.tables.items()],
            library_documents=fmt.integer(run.library_documents),
        ),
        notice=record.notice,
        counts={
            "statements": sum(len(r.statements) for r in record.rounds),
            "failed_turns": sum(1 for r in record.rounds for s in r.statements if s.failed),
            "advisors": len(record.panel),
        },
        trust=TrustView(
            issues=[issue_line(i) for i in record.data_quality.issues],
            as_of_line=record.data_quality.as_of_line,
            currency_line=record.data_quality.currency_line,
            blocked=list(record.data_quality.blocked),
        ),
        scorecard=[capability_view(c) for c in record.scorecard],
        tie_line=record.tie_line if record.tie_line not in record.verdict else "",
        tied=[(split_label(t.label or _hypothesis(t.name))[0], fmt.score(t.score))
              for t in record.tied],
    )


def _omitted(name: str, months: int | None, reason: str) -> str:
    """'Win rate: 4 monthly points, fewer than the 6 a trend needs.' (a horizon that was too
    long says its months in the reason itself)."""
    return f"{name[:1].upper() + name[1:]}: {reason.rstrip('.')}."


def _hypothesis(name: str) -> str:
    """A hypothesis name as the diagnosis labels it: 'distribution' → 'Distribution (…)'."""
    if name in HYPOTHESES:
        return HYPOTHESES[name]
    return fmt.humanize(name) if re.fullmatch(r"[a-z_]+", name) else name


def _forecast(f: Forecast, ix: _Index) -> ForecastView:
    measure = ""
    if f.metric:
        unit = f.unit or ""
        parts = [fmt.humanize(f.metric)]
        if f.current is not None:
            parts.append(f"now {fmt.value(f.current, unit)}")
        if f.threshold is not None:
            parts.append(f"threshold {fmt.value(f.threshold, unit)}")
        measure = " · ".join(parts)
    return ForecastView(
        id=f.id, anchor=anchor("fc", f.id), statement=f.statement,
        probability=pct(f.probability), bar=Bar(f.probability), horizon=day(f.horizon),
        resolution=f.resolution, owner=ix.name(f.owner), owner_anchor=ix.advisor_anchor(f.owner),
        method=f.method, measure=measure,
        cites=ix.cite_ids([f.finding_id]) if f.finding_id else [],
    )


def _path(i: int, p: FuturePath, ix: _Index) -> PathView:
    milestones = []
    for m in p.milestones:
        if m.backing_kind == "quote":
            link = ix.statement_link(m.backing_ref) or SourceLink(m.backing_ref)
        elif m.backing_kind == "forecast":
            f = ix.forecasts.get(m.backing_ref)
            link = (SourceLink(f"Forecast · {pct(f.probability)} by {day(f.horizon)}",
                               anchor("fc", f.id)) if f else SourceLink(m.backing_ref))
        else:
            n = ix.by_ref.get(m.backing_ref)
            link = (SourceLink(f"Finding [{n}]", f"cite-{n}", m.backing_ref) if n is not None
                    else SourceLink(f"Finding {m.backing_ref}"))
        milestones.append(MilestoneView(m.month, m.text, m.backing, m.backing_kind, link))
    return PathView(id=p.id, anchor=anchor("path", p.id), letter=_letter(i), title=p.title,
                    stance=STANCES.get(p.stance, p.stance), stance_key=p.stance,
                    milestones=milestones)


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def _member(m: PanelMember, ix: _Index, statements: list[Statement],
            round_numbers: list[int]) -> MemberView:
    a = m.advisor
    history = [HistoryPoint(p.round, pct(p.conviction), ix.statement_link(p.cause),
                            p.conformity_flag) for p in m.history]
    failed_rounds = sorted({s.round for s in statements if s.failed})
    return MemberView(
        id=a.id, anchor=anchor("adv", a.id), name=a.name, role=a.role, lens=a.lens,
        background=a.background, weighs=list(a.weighs), always_seated=a.always_seated,
        model=a.model, model_reason=a.model_reason, cast_reason=a.cast_reason,
        final=pct(m.final_conviction) if m.final_conviction is not None else DASH,
        bar=Bar(m.final_conviction) if m.final_conviction is not None else None,
        status=m.status, status_label=STATUS.get(m.status, m.status),
        failed_turns=m.failed_turns, history=history,
        timeline=_timeline(m, failed_rounds),
        spark=_spark(m, round_numbers, failed_rounds),
    )


def _timeline(m: PanelMember, failed_rounds: list[int]) -> list[RoundMark]:
    marks = {p.round: RoundMark(p.round, pct(p.conviction), p.conformity_flag)
             for p in m.history}
    for r in failed_rounds:
        marks.setdefault(r, RoundMark(r, None, failed=True))
    return [marks[r] for r in sorted(marks)]


SPARK_W, SPARK_PLOT, SPARK_PAD = 250, 40, 14


def _spark(m: PanelMember, round_numbers: list[int], failed_rounds: list[int]) -> Spark:
    rounds = sorted(set(round_numbers) | {p.round for p in m.history} | set(failed_rounds))
    w, pad = SPARK_W, SPARK_PAD
    top, bottom = 6, 6 + SPARK_PLOT
    value_y, round_y = bottom + 16, bottom + 29
    h = round(round_y + 4)
    if not rounds:
        rounds = [1]
    span = max(1, len(rounds) - 1)
    x_of = {r: round(pad + (w - 2 * pad) * i / span, 1) for i, r in enumerate(rounds)}

    def y(c: float) -> float:
        c = max(0.0, min(1.0, c))
        return round(bottom - (bottom - top) * c, 1)

    points = sorted(m.history, key=lambda p: p.round)
    coords = [(x_of[p.round], y(p.conviction)) for p in points]
    position = {r: i for i, r in enumerate(rounds)}
    segments = [
        (a[0], a[1], b[0], b[1], position[q.round] - position[p.round] > 1)
        for (a, p), (b, q) in zip(zip(coords, points, strict=True),
                                  zip(coords[1:], points[1:], strict=True), strict=False)
    ]
    dots = [(x, yy, i == len(coords) - 1, p.conformity_flag)
            for i, ((x, yy), p) in enumerate(zip(coords, points, strict=True))]
    timeline = _timeline(m, failed_rounds)
    labels = [(x_of[t.round], "✕" if t.failed else (t.conviction or DASH),
               "failed" if t.failed else ("flag" if t.conformity else "value"))
              for t in timeline]
    return Spark(width=w, height=h, top=top, bottom=bottom, mid=y(0.5),
                 xs=[x_of[r] for r in rounds], segments=segments, dots=dots,
                 rounds=rounds, labels=labels,
                 value_y=value_y, round_y=round_y,
                 summary=", ".join(t.label for t in timeline) or "no turns")


def _round(r: RoundRecord, ix: _Index) -> RoundView:
    return RoundView(number=r.number, anchor=f"round-{r.number}", title=r.title,
                     purpose=r.purpose, summary=r.summary,
                     statements=[_statement(s, ix) for s in r.statements],
                     failed=sum(1 for s in r.statements if s.failed))


def _previous_conviction(s: Statement, ix: _Index) -> str | None:
    """The advisor's conviction at its last successful turn before this one, if it differs."""
    best: Statement | None = None
    for other in ix.statements.values():
        if (other.advisor_id == s.advisor_id and not other.failed and other.round < s.round
                and (best is None or other.round > best.round)):
            best = other
    if best is None or s.failed:
        return None
    before, now = pct(best.conviction), pct(s.conviction)
    return before if before != now else None


def _statement(s: Statement, ix: _Index) -> StatementView:
    a = ix.advisors.get(s.advisor_id)
    return StatementView(
        id=s.id, anchor=anchor("st", s.id), advisor=ix.name(s.advisor_id),
        advisor_anchor=ix.advisor_anchor(s.advisor_id), role=a.role if a else "",
        move=s.move.value, move_help=MOVES.get(s.move.value, ""), text=s.text,
        paragraphs=paragraphs(s.text), addressed=[ix.name(x) for x in s.addressed],
        cites=ix.cite_ids(s.cites), conviction=pct(s.conviction), previous=_previous_conviction(s, ix),
        cause=ix.statement_link(s.conviction_cause), conformity=s.conformity_flag,
        failed=s.failed, failure=s.failure, dropped_cites=list(s.dropped_cites),
        takes_up=ix.statement_link(s.responds_to),
        claim=s.claim.strip().strip("“”\"").strip() if s.claim else s.claim,  # quoted once
    )


def _citation(c: Citation) -> CitationView:
    return CitationView(c.number, f"cite-{c.number}", c.kind, c.ref, c.title, c.excerpt,
                        c.location)
