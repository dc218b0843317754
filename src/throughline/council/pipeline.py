"""The council pipeline: Frame → Gather → Cast → Debate → Claim-check → Synthesize → Record.

One engine runs every stage; the CLI, a notebook and tests call :func:`ask` (or
:class:`Council`) and subscribe to its progress :class:`~throughline.council.seams.Event`s.
Each stage saves what it produced in the run log (``runs.sqlite``) before the next starts,
so a run can be inspected, resumed and re-rendered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from throughline.council.cast import DEFAULT_PANEL, cast_panel
from throughline.council.claimcheck import build_evidence_index, check_record, record_texts
from throughline.council.debate import MAX_ROUNDS, TurnOutcome, run_debate
from throughline.council.forecast import finding_series, store_series
from throughline.council.frame import DEFAULT_QUESTION, frame_question
from throughline.council.gather import Capability, EvidencePack, gather
from throughline.council.offline.engine import OfflineEngine
from throughline.council.personas import Persona, load_catalog
from throughline.council.seams import AdvisorEngine, CallInfo, Event, EventSink
from throughline.council.synthesize import Synthesis, as_of_note, build_forecasts
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.ranking import HYPOTHESES
from throughline.errors import ThroughlineError, UsageError
from throughline.record.model import (
    Advisor,
    DecisionRecord,
    Intent,
    ModelUse,
    RoundRecord,
    RunFacts,
)
from throughline.settings import Settings

EngineFactory = Callable[[EvidencePack, dict[str, Persona]], AdvisorEngine]

OFFLINE_NOTICE = ("Written by Throughline's offline engine: no language model was used. Every "
                  "statement is assembled from the company's own findings and the research "
                  "library's passages with fixed wording; the advisors are personas, not "
                  "people, and the forecasts are statistical extrapolations, not promises.")
MODEL_NOTICE = ("Generated with AI: the advisors' statements were written by language models "
                "(see Run facts) from the company's findings and the research library. Every "
                "number was checked against the evidence (see Claim check); treat the rest as "
                "argument, not fact.")


class AskResult(BaseModel):
    run_id: str
    record: DecisionRecord
    path: Path | None = None


def _offline_factory(pack: EvidencePack, personas: dict[str, Persona]) -> AdvisorEngine:
    return OfflineEngine(pack, personas)


class Council:
    """Runs the pipeline for one question. Construct, then call :meth:`ask`."""

    def __init__(self, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 on_event: EventSink | None = None, concurrency: int = 4,
                 clock: Callable[[], datetime] | None = None,
                 policy_path: Path | None = None) -> None:
        self.settings = settings
        self.policy_path = policy_path
        self.engine_factory = engine_factory or _offline_factory
        self.on_event = on_event
        self.concurrency = concurrency
        self.clock = clock or (lambda: datetime.now(UTC))

    def _emit(self, kind: str, message: str, stage: str | None = None, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind=kind, stage=stage, message=message, data=data))  # type: ignore[arg-type]

    # -- the run ------------------------------------------------------------------------------

    def ask(self, question: str = DEFAULT_QUESTION, *, rounds: int = MAX_ROUNDS,
            panel: Path | None = None, panel_size: int = DEFAULT_PANEL,
            run_date: date | None = None, diagnosis: Diagnosis | None = None) -> AskResult:
        if not 1 <= rounds <= MAX_ROUNDS:
            raise UsageError(f"--rounds must be between 1 and {MAX_ROUNDS}, not {rounds}",
                             hint="each round has its own purpose; five is the full debate")
        from throughline.runlog import RunLog

        started = self.clock()
        t0 = time.perf_counter()
        run_date = run_date or started.date()
        with RunLog.open(self.settings) as log:
            run_id = log.create_run(question, engine="offline", settings=self._snapshot())
            self._emit("run_started", f"run {run_id}", run_id=run_id)
            try:
                record = self._run(log, run_id, question, rounds=rounds, panel=panel,
                                   panel_size=panel_size, run_date=run_date,
                                   diagnosis=diagnosis, started=started, t0=t0)
            except ThroughlineError as exc:
                log.fail_run(run_id, str(exc))
                raise
            except BaseException as exc:  # record the failure, then let it propagate
                log.fail_run(run_id, f"{type(exc).__name__}: {exc}")
                raise
            log.finish_run(run_id, record)
        self._emit("run_finished", f"record {run_id} written", run_id=run_id)
        return AskResult(run_id=run_id, record=record)

    def _snapshot(self) -> dict[str, Any]:
        return {"workspace": str(self.settings.workspace),
                "backend": "duckdb (workspace)" if self.settings.is_embedded else "ibis backend",
                "concurrency": self.concurrency}

    def _stage(self, log: Any, run_id: str, name: str) -> None:
        log.stage_started(run_id, name)
        self._emit("stage_started", name, stage=name)

    def _done(self, log: Any, run_id: str, name: str, output: Any, message: str) -> None:
        log.stage_finished(run_id, name, output)
        self._emit("stage_finished", message, stage=name)

    def _run(self, log: Any, run_id: str, question: str, *, rounds: int, panel: Path | None,
             panel_size: int, run_date: date, diagnosis: Diagnosis | None, started: datetime,
             t0: float) -> DecisionRecord:
        # Frame
        self._stage(log, run_id, "frame")
        intent = frame_question(question, run_date)
        log.save_frame(run_id, intent)
        self._done(log, run_id, "frame", intent, f"framed as a '{intent.decision_type}' decision")

        # Gather
        self._stage(log, run_id, "gather")
        catalog, user_ids = load_catalog(panel)
        pack, series = self._gather(intent, catalog.advisors, diagnosis)
        self._done(log, run_id, "gather", {
            "binding": pack.diagnosis.ranking.binding,
            "runner_up": pack.diagnosis.ranking.runner_up,
            "findings": [f.id for f in pack.findings],
            "passages": [p.id for p in pack.passages()],
            "library_documents": pack.library_documents,
            "series": {s.key: len(s.points) for s in series},
        }, f"{len(pack.findings)} findings, {len(pack.passages())} passages; binding: "
           f"{pack.diagnosis.ranking.binding or 'none found'}")

        # Cast
        self._stage(log, run_id, "cast")
        seats_raw = cast_panel(catalog, intent, pack, user_ids=user_ids, size=panel_size)
        personas = {s.persona.id: s.persona for s in seats_raw}
        engine = self.engine_factory(pack, personas)
        model_for = getattr(engine, "model_for", None)
        seats: list[tuple[Persona, Advisor]] = []
        for s in seats_raw:
            model, why = (model_for(s.persona.id) if callable(model_for)
                          else ("offline", "no model configured: the offline engine speaks"))
            seats.append((s.persona, s.persona.advisor(model=model, model_reason=why,
                                                       cast_reason=s.reason)))
        self._done(log, run_id, "cast", [a.model_dump(mode="json") for _, a in seats],
                   "panel: " + ", ".join(a.name for _, a in seats))

        # Debate
        self._stage(log, run_id, "debate")
        calls: list[CallInfo] = []

        def on_turn(out: TurnOutcome) -> None:
            st = out.statement
            log.save_statement(run_id, st)
            if out.call is not None:
                calls.append(out.call)
                log.log_call(run_id, out.call, out.request, None if st.failed else {
                    "move": st.move.value, "text": st.text, "addressed": st.addressed,
                    "cites": st.cites, "conviction": st.conviction,
                    "conviction_cause": st.conviction_cause},
                    stage="debate", advisor_id=st.advisor_id, round=st.round,
                    error=st.failure)
            who = next((a.name for _, a in seats if a.id == st.advisor_id), st.advisor_id)
            self._emit("turn", f"round {st.round}: {who} — {st.move.value}"
                       + (" (failed)" if st.failed else ""), stage="debate",
                       statement_id=st.id, failed=st.failed)

        def on_round(rec: RoundRecord, call: CallInfo | None) -> None:
            if call is not None:
                calls.append(call)
                log.log_call(run_id, call, {"round": rec.number, "statements":
                                            [s.id for s in rec.statements]},
                             {"summary": rec.summary}, stage="debate", round=rec.number)
            self._emit("round_finished", f"round {rec.number} ({rec.title}) closed",
                       stage="debate", round=rec.number)

        records = asyncio.run(run_debate(
            engine, run_id=run_id, seats=seats, intent=intent, pack=pack, rounds=rounds,
            concurrency=self.concurrency, on_turn=on_turn, on_round=on_round))
        self._done(log, run_id, "debate", {"rounds": len(records), "statements": sum(
            len(r.statements) for r in records)}, f"{len(records)} rounds debated")

        # Synthesize (the claim check reads the finished sections, so it runs on both)
        forecasts = build_forecasts(pack, series, intent, seats)
        syn = Synthesis(intent=intent, pack=pack, seats=seats, rounds=records,
                        forecasts=forecasts)
        record = self._assemble(run_id, intent, pack, seats, records, forecasts, syn, calls,
                                started, t0, rounds)

        # Claim check
        self._stage(log, run_id, "claim_check")
        index = build_evidence_index(pack.findings, pack.passages(), record.predictions,
                                     record.citations)
        record.claim_check = check_record(record, index)
        cc = record.claim_check
        self._done(log, run_id, "claim_check", {"verified": cc.verified,
                                               "unsupported": cc.unsupported,
                                               "contradicted": cc.contradicted},
                   f"claims: {cc.verified} verified, {cc.unsupported} unsupported, "
                   f"{cc.contradicted} contradicted")

        self._stage(log, run_id, "synthesize")
        record.run.policy = self._policy(record, pack)
        self._done(log, run_id, "synthesize", {
            "predictions": len(record.predictions), "actions": len(record.action_plan),
            "paths": len(record.future_paths), "policy": [p.model_dump() for p in
                                                          record.run.policy]},
            "record synthesised")
        finished = self.clock()
        record.run.finished_at = finished
        record.run.duration_s = round(time.perf_counter() - t0, 3)
        return record

    # -- pieces -------------------------------------------------------------------------------

    def _gather(self, intent: Intent, personas: list[Persona],
                diagnosis: Diagnosis | None) -> tuple[EvidencePack, list[Any]]:
        from throughline.diagnose import run_diagnose
        from throughline.diagnose.engine import ensure_ingested
        from throughline.store.connection import store_session

        if diagnosis is None:
            diagnosis = run_diagnose(self.settings)
        with store_session(self.settings, read_only=True) as store:
            ensure_ingested(store)
            caps = self._capabilities(store)
            series = store_series(store, diagnosis.as_of) + finding_series(diagnosis)
        library_docs, search = 0, None
        lib = None
        if self.settings.library_path.exists():
            from throughline.library import Library

            lib = Library.open(self.settings, embedder=None)
            library_docs = len(lib.list())
            search = lib.search
        try:
            pack = gather(diagnosis, question=intent.question, personas=personas,
                          search=(lambda q, k: search(q, k)) if search else None,
                          capabilities=caps, library_documents=library_docs)
        finally:
            if lib is not None:
                lib.close()
        return pack, series

    @staticmethod
    def _capabilities(store: Any) -> list[Capability]:
        t = store.table("capabilities")
        if t is None:
            return []
        df = store.con.execute(t.select("name", "status").order_by("name"))
        return [Capability(name=str(n), status=str(s).lower())
                for n, s in zip(df["name"], df["status"], strict=True)]

    def _policy(self, record: DecisionRecord, pack: EvidencePack) -> list[Any]:
        from throughline.council.governance import check_policy, load_policy

        policy = load_policy(self.policy_path, workspace=self.settings.workspace)
        return check_policy(policy, record, [(c.name, c.status) for c in pack.capabilities])

    def _assemble(self, run_id: str, intent: Intent, pack: EvidencePack,
                  seats: list[tuple[Persona, Advisor]], records: list[RoundRecord],
                  forecasts: list[Any], syn: Synthesis, calls: list[CallInfo],
                  started: datetime, t0: float, rounds: int) -> DecisionRecord:
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
        models: list[ModelUse] = []
        seen: set[tuple[str, str, str]] = set()
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
                                   reason="framing, synthesis and the claim check are "
                                          "deterministic code, whatever engine the advisors use"))
        failures = [f"{s.id}: {s.failure}" for r in records for s in r.statements if s.failed]
        run = RunFacts(
            run_id=run_id, started_at=started, finished_at=started, duration_s=0.0,
            engine="offline" if offline else "model", models=models, calls=len(calls),
            tokens_in=sum(c.tokens_in for c in calls),
            tokens_out=sum(c.tokens_out for c in calls),
            cost_usd=round(sum(c.cost_usd for c in calls), 6), rounds=rounds,
            failures=failures, diagnosis_as_of=pack.diagnosis.as_of,
            tables=pack.diagnosis.tables, library_documents=pack.library_documents,
        )
        title = (f"{HYPOTHESES[binding].split(' (')[0]} is the binding constraint"
                 if binding else "No single constraint binds")
        record = DecisionRecord(
            run_id=run_id, title=title, intent=intent, verdict=verdict, binding=binding,
            binding_label=HYPOTHESES.get(binding) if binding else None,
            runner_up=pack.diagnosis.ranking.runner_up, predictions=forecasts,
            action_plan=action_plan, future_paths=paths, deeper_story=deeper,
            evidence=evidence, citations=[], risks=risks, panel=syn.panel(), rounds=records,
            cannot_see=cannot, sources=syn.sources(), run=run,
            notice=OFFLINE_NOTICE if offline else MODEL_NOTICE,
        )
        record.citations = list(syn.book.items)
        record.sources.cited = list(syn.book.items)
        return record


def ask(settings: Settings, question: str = DEFAULT_QUESTION, *, rounds: int = MAX_ROUNDS,
        panel: Path | None = None, out: Path | None = None, fmt: str | None = None,
        run_date: date | None = None, on_event: EventSink | None = None,
        engine_factory: EngineFactory | None = None,
        diagnosis: Diagnosis | None = None, policy: Path | None = None) -> AskResult:
    """Convene the council on ``question``, store the run and write the record.

    The record goes to ``out`` (format from its suffix unless ``fmt`` is given), else to
    ``<workspace>/reports/record-<run id>.html``.
    """
    from throughline.record.render import write_record

    council = Council(settings, engine_factory=engine_factory, on_event=on_event,
                      policy_path=policy)
    result = council.ask(question, rounds=rounds, panel=panel, run_date=run_date,
                         diagnosis=diagnosis)
    path = out or settings.reports_dir / f"record-{result.run_id}.html"
    result.path = write_record(result.record, path, fmt)  # type: ignore[arg-type]
    return result
