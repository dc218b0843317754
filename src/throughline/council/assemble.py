"""The decision record assembled: the synthesis' sections, the run facts (the models each
role used, calls, tokens, cost), the notice that says who wrote it, the framer's and
synthesiser's calls added when they ran on a model, and why a run is degraded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from throughline.core.seams import CallInfo
from throughline.council.gather import EvidencePack
from throughline.council.personas import Persona
from throughline.council.synthesis import Synthesis, as_of_note
from throughline.diagnose.ranking import HYPOTHESES
from throughline.diagnose.scorecard import alignment_scorecard
from throughline.record.decision import (
    Advisor,
    DecisionRecord,
    Intent,
    ModelUse,
    RoundRecord,
    RunFacts,
)

OFFLINE_NOTICE = ("Written by Throughline's offline engine: no language model was used. Every "
                  "statement is assembled from the company's own findings and the research "
                  "library's passages with fixed wording; the advisors are personas, not "
                  "people, and the forecasts are statistical extrapolations, not promises.")
MODEL_NOTICE = ("Generated with AI: the advisors' statements were written by language models "
                "(see Run facts) from the company's findings and the research library. Every "
                "number was checked against the evidence (see Claim check); treat the rest as "
                "argument, not fact.")

DETERMINISTIC_REASON = {
    "framer": "no model set for this role (THROUGHLINE_MODEL_FRAMER): the question is framed "
              "by rules",
    "synthesiser": "no model set for this role (THROUGHLINE_MODEL_SYNTHESISER): the record "
                   "is written by rules from the debate and the evidence",
    "claim_extractor": "the claim check is deterministic code: it audits every text a model "
                       "writes and is never itself a model",
}


def assemble_record(run_id: str, intent: Intent, pack: EvidencePack,
                    seats: list[tuple[Persona, Advisor]], records: list[RoundRecord],
                    forecasts: list[Any], syn: Synthesis, calls: list[CallInfo],
                    started: datetime, rounds: int, prepared: list[ModelUse]
                    ) -> DecisionRecord:
    """The record from the synthesis, with the run facts of the debate's ``calls`` (the
    models ``prepared`` before the run first); times are set when the run finishes."""
    engines = {c.engine for c in calls} or {"offline"}
    offline = engines == {"offline"}
    binding = pack.diagnosis.ranking.binding
    verdict = syn.verdict()
    action_plan = syn.action_plan()
    paths = syn.future_paths()
    evidence = syn.evidence()
    risks = syn.risks()
    deeper = syn.deeper_story()
    cannot = syn.cannot_see()
    note = as_of_note(pack, intent.run_date)
    if note:
        cannot.notes.insert(0, note)
    models: list[ModelUse] = list(prepared)
    seen: set[tuple[str, str, str]] = {(m.role, m.engine, m.model) for m in prepared}
    for c in calls:
        role = c.role if c.role in ("framer", "advisor", "summariser", "synthesiser",
                                    "claim_extractor") else "advisor"
        key = (role, c.engine, c.model)
        if key not in seen:
            seen.add(key)
            models.append(ModelUse(role=role, engine=c.engine, model=c.model,  # type: ignore[arg-type]
                                   reason=c.reason))
    for role in ("framer", "synthesiser", "claim_extractor"):
        models.append(ModelUse(role=role, engine="offline", model="deterministic",  # type: ignore[arg-type]
                               reason=DETERMINISTIC_REASON[role]))
    failures = [f"{s.id}: {s.failure}" for r in records for s in r.statements if s.failed]
    run = RunFacts(
        run_id=run_id, started_at=started, finished_at=started, duration_s=0.0,
        engine="offline" if offline else "model", models=models,
        calls=sum(int(c.parameters.get("requests", 1)) for c in calls),
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6), rounds=rounds,
        failures=failures, diagnosis_as_of=pack.diagnosis.as_of,
        tables=pack.diagnosis.tables, library_documents=pack.library_documents,
    )
    record = DecisionRecord(
        run_id=run_id, title=syn.title(), intent=intent, verdict=verdict, binding=binding,
        binding_label=HYPOTHESES.get(binding) if binding else None,
        runner_up=pack.diagnosis.ranking.runner_up, tied=syn.tied_hypotheses(),
        tie_line=syn.tie_line(), data_quality=syn.data_trust(),
        scorecard=alignment_scorecard(pack.diagnosis.findings), predictions=forecasts,
        predictions_omitted=syn.omitted_forecasts(),
        action_plan=action_plan, future_paths=paths, deeper_story=deeper,
        evidence=evidence, citations=[], risks=risks, panel=syn.panel(), rounds=records,
        cannot_see=cannot, sources=syn.sources(), run=run,
        notice=OFFLINE_NOTICE if offline else MODEL_NOTICE,
    )
    record.citations = list(syn.book.items)
    record.sources.cited = list(syn.book.items)
    return record


def with_role_models(models: list[ModelUse], calls: list[CallInfo]) -> list[ModelUse]:
    """The record's models with the framer's and synthesiser's model in place of the
    deterministic entry, for the roles a model ran."""
    ran = {c.role: c for c in calls}
    out = [m for m in models if not (m.engine == "offline" and m.role in ran)]
    for role, c in ran.items():
        if not any(m.role == role and m.model == c.model for m in out):
            out.append(ModelUse(role=role, engine=c.engine, model=c.model,  # type: ignore[arg-type]
                                reason=c.reason))
    return out


def add_role_calls(record: DecisionRecord, calls: list[CallInfo], failures: list[str]) -> None:
    """Count the framer's and synthesiser's calls (and failures) in the record's run facts."""
    if not (calls or failures):
        return
    record.run.models = with_role_models(record.run.models, calls)
    record.run.failures += failures
    record.run.calls += sum(int(c.parameters.get("requests", 1)) for c in calls)
    record.run.tokens_in += sum(c.tokens_in for c in calls)
    record.run.tokens_out += sum(c.tokens_out for c in calls)
    record.run.cost_usd = round(record.run.cost_usd + sum(c.cost_usd for c in calls), 6)


DEGRADED_SHARE = 1 / 3
"""A run in which more than this share of the advisors' turns failed is degraded."""


def degraded_reason(records: list[RoundRecord]) -> str | None:
    """Why the run is degraded (more than a third of its turns failed), or None."""
    turns = [s for r in records for s in r.statements]
    failed = [s for s in turns if s.failed]
    if not turns or len(failed) <= DEGRADED_SHARE * len(turns) + 1e-9:
        return None
    first = " ".join((failed[0].failure or "").split())
    return (f"{len(failed)} of {len(turns)} advisor turns failed (more than a third), so the "
            f"debate is thin and the verdict rests on fewer voices than the panel; first "
            f"failure, {failed[0].id}: {first[:240]}")
