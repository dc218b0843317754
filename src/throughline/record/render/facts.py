"""The record's closing sections: the sources (cited, consulted, unused) and the facts of
the run (timings, calls, cost, models by role, policy checks, which sections a model
wrote).
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core import format as fmt
from throughline.record.decision import Citation, DecisionRecord
from throughline.record.render.formatting import day, duration, moment, usd

ROLES = {
    "framer": "Framing the question",
    "advisor": "Advisors",
    "summariser": "Round summaries",
    "synthesiser": "Synthesis",
    "claim_extractor": "Claim extraction",
}
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


def run_view(record: DecisionRecord) -> RunView:
    run = record.run
    return RunView(
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
    )


def cited_views(record: DecisionRecord) -> list[CitationView]:
    return [_citation(c) for c in record.sources.cited or record.citations]


def consulted_views(record: DecisionRecord) -> list[CitationView]:
    return [CitationView(0, "", s.kind, s.ref, s.title, "", s.location)
            for s in record.sources.consulted]


def unused_views(record: DecisionRecord) -> list[CitationView]:
    return [CitationView(0, "", s.kind, s.ref, s.title, "", s.location)
            for s in record.sources.unused]


def _citation(c: Citation) -> CitationView:
    return CitationView(c.number, f"cite-{c.number}", c.kind, c.ref, c.title, c.excerpt,
                        c.location)
