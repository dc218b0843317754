"""The council pipeline: Frame → Gather → Cast → Debate → Claim-check → Synthesize → Record.

One engine runs every stage; the CLI, a notebook and tests call :func:`ask` (or
:class:`Council`) and subscribe to its progress :class:`~throughline.core.seams.Event`s.
Each stage saves what it produced in the run log (``runs.sqlite``) before the next starts,
so a run can be inspected, resumed and re-rendered.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from throughline.council.cast import DEFAULT_PANEL, cast_panel
from throughline.council.claimcheck import build_evidence_index, check_record
from throughline.council.debate import (
    MAX_ROUNDS,
    ROUNDS,
    TurnOutcome,
    first_round_requests,
    run_debate,
)
from throughline.council.forecast import Series, finding_series, store_series
from throughline.council.frame import DEFAULT_QUESTION, align_options, frame_question
from throughline.council.gather import (
    Capability,
    EvidencePack,
    gather,
)
from throughline.council.offline.panel import OfflineEngine
from throughline.council.personas import Persona, load_catalog
from throughline.core.seams import AdvisorEngine, CallInfo, Event, EventSink
from throughline.council.synthesize import Synthesis, as_of_note, plan_forecasts
from throughline.diagnose.scorecard import alignment_scorecard
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.ranking import HYPOTHESES
from throughline.core.errors import ModelError, ThroughlineError, UsageError
from throughline.record.decision import (
    Advisor,
    DecisionRecord,
    Intent,
    ModelUse,
    RoundRecord,
    RunFacts,
    Statement,
)
from throughline.core.settings import Settings

EngineFactory = Callable[[EvidencePack, dict[str, Persona]], AdvisorEngine]
Mode = Literal["live", "resume", "replay"]


class RunSpec(BaseModel):
    """What a run was asked to do; stored with the run so it can be resumed or replayed."""

    question: str
    rounds: int = MAX_ROUNDS
    panel: str | None = None
    panel_size: int = DEFAULT_PANEL
    run_date: date
    policy: str | None = None
    engine: Literal["offline", "model"] = "offline"
    models: dict[str, Any] = Field(default_factory=dict)

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


class Council:
    """Runs the pipeline for one question. Construct, then call :meth:`ask` (or
    :meth:`resume` / :meth:`replay` for a stored run)."""

    def __init__(self, settings: Settings, *, engine_factory: EngineFactory | None = None,
                 on_event: EventSink | None = None, concurrency: int | None = None,
                 clock: Callable[[], datetime] | None = None,
                 policy_path: Path | None = None,
                 model_factory: Callable[[Any], Any] | None = None) -> None:
        """``engine_factory`` replaces the advisor engine outright (tests, the offline
        engine); ``model_factory`` keeps the model engine and its run-log store and only
        makes the models (``ModelSpec`` → Pydantic AI model: fakes, benchmarks)."""
        self.settings = settings
        self.engine_factory = engine_factory
        self.model_factory = model_factory
        self._stage_now = "frame"
        self._model_engines: dict[str, Any] = {}  # one per run: its budget spans the stages
        self.on_event = on_event
        self.concurrency = concurrency or settings.council_concurrency
        self.clock = clock or (lambda: datetime.now(UTC))
        self.policy_path = policy_path

    def _emit(self, kind: str, message: str, stage: str | None = None, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind=kind, stage=stage, message=message, data=data))  # type: ignore[arg-type]

    # -- entry points -------------------------------------------------------------------------

    def ask(self, question: str = DEFAULT_QUESTION, *, rounds: int = MAX_ROUNDS,
            panel: Path | None = None, panel_size: int = DEFAULT_PANEL,
            run_date: date | None = None, diagnosis: Diagnosis | None = None) -> AskResult:
        if not 1 <= rounds <= MAX_ROUNDS:
            raise UsageError(f"--rounds must be between 1 and {MAX_ROUNDS}, not {rounds}",
                             hint="each round has its own purpose; five is the full debate")
        started = self.clock()
        spec = RunSpec(
            question=question, rounds=rounds, panel=str(panel) if panel else None,
            panel_size=panel_size, run_date=run_date or started.date(),
            policy=str(self.policy_path) if self.policy_path else None,
            engine="model" if self.engine_factory is None and self.settings.uses_models
            else "offline",
            models=self.settings.models.model_dump(mode="json"),
        )
        from throughline.runlog import RunLog

        with RunLog.open(self.settings) as log:
            run_id = log.create_run(question, engine=spec.engine, settings=self._snapshot(spec))
            return self._run_logged(log, run_id, spec, mode="live", calls_of=run_id,
                                    diagnosis=diagnosis, started=started)

    def resume(self, ref: str) -> AskResult:
        """Finish a run that stopped (killed, failed or over budget) without repeating the
        model calls it completed: those replies come from the run log."""
        from throughline.runlog import RunLog

        with RunLog.open(self.settings) as log:
            run_id = log.resolve(ref)
            detail = log.get_run(run_id)
            if detail.status == "finished":
                raise UsageError(f"run {run_id} already finished; nothing to resume",
                                 hint=f"export it with `throughline runs export {run_id}`")
            spec = RunSpec.model_validate(detail.settings["run"])
            log.reopen_run(run_id)
            return self._run_logged(log, run_id, spec, mode="resume", calls_of=run_id,
                                    diagnosis=None, started=detail.created_at)

    def replay(self, ref: str) -> AskResult:
        """Re-run a stored run from its recorded replies (no network) into a new run that
        points at it; the record is byte-identical to the original's."""
        from throughline.runlog import RunLog

        with RunLog.open(self.settings) as log:
            original = log.resolve(ref)
            detail = log.get_run(original)
            if detail.status not in ("finished", "partial", "degraded"):
                raise UsageError(f"run {original} has no record to replay ({detail.status})",
                                 hint="resume it first with `throughline runs resume ID`")
            spec = RunSpec.model_validate(detail.settings["run"])
            first = log.get_record(original)
            run_id = log.create_run(spec.question, engine=spec.engine,
                                    settings=self._snapshot(spec), replay_of=original)
            result = self._run_logged(log, run_id, spec, mode="replay", calls_of=original,
                                      diagnosis=None, started=first.run.started_at,
                                      record_id=original, times=first.run)
            return result

    # -- the run ------------------------------------------------------------------------------

    def _snapshot(self, spec: RunSpec) -> dict[str, Any]:
        return {"workspace": str(self.settings.workspace),
                "backend": "duckdb (workspace)" if self.settings.is_embedded else "ibis backend",
                "concurrency": self.concurrency, "run": spec.model_dump(mode="json")}

    def _run_logged(self, log: Any, run_id: str, spec: RunSpec, *, mode: Mode, calls_of: str,
                    diagnosis: Diagnosis | None, started: datetime,
                    record_id: str | None = None, times: RunFacts | None = None) -> AskResult:
        self._emit("run_started", f"run {run_id}" + (f" ({mode})" if mode != "live" else ""),
                   run_id=run_id)
        t0 = time.perf_counter()
        try:
            record = self._run(log, run_id, spec, mode=mode, calls_of=calls_of,
                               diagnosis=diagnosis, started=started, t0=t0,
                               record_id=record_id or run_id)
        except BaseException as exc:  # record the failure, then let it propagate
            log.fail_run(run_id, str(exc) if isinstance(exc, ThroughlineError)
                         else f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._model_engines.pop(run_id, None)
        if times is not None:  # a replay keeps the original's times: byte-identical record
            record.run.started_at = times.started_at
            record.run.finished_at = times.finished_at
            record.run.duration_s = times.duration_s
        log.finish_run(run_id, record)
        self._emit("run_finished", f"record {record.run_id} written", run_id=run_id)
        return AskResult(run_id=run_id, record=record)

    def _stage(self, log: Any, run_id: str, name: str) -> None:
        self._stage_now = name  # model calls are logged under the stage that made them
        log.stage_started(run_id, name)
        self._emit("stage_started", name, stage=name)

    def _done(self, log: Any, run_id: str, name: str, output: Any, message: str) -> None:
        log.stage_finished(run_id, name, output)
        self._emit("stage_finished", message, stage=name)

    def _run(self, log: Any, run_id: str, spec: RunSpec, *, mode: Mode, calls_of: str,
             diagnosis: Diagnosis | None, started: datetime, t0: float,
             record_id: str) -> DecisionRecord:
        stored = mode in ("resume", "replay")
        # Frame
        self._stage(log, run_id, "frame")
        role_calls: list[CallInfo] = []  # framer and synthesiser calls, when they use models
        role_failures: list[str] = []
        saved_intent = log.get_frame(calls_of) if stored else None
        intent = frame_question(spec.question, spec.run_date)
        if self._role_on_model(spec, "framer"):
            # a stored run asks again too: the recorded reply answers (no network), so the
            # record counts the framer's call as the original did
            from throughline.providers.roles import frame_with_model

            intent = self._role_call(
                self._engine(None, {}, spec, mode=mode, log=log, run_id=run_id,
                             calls_of=calls_of),
                lambda engine, draft=intent: frame_with_model(engine, draft),
                "framer", intent, role_calls, role_failures, "the rule-based framing is used")
        intent = saved_intent or align_options(intent)
        log.save_frame(run_id, intent)
        self._done(log, run_id, "frame", intent, f"framed as a '{intent.decision_type}' decision")

        # Gather (a resumed or replayed run reads the evidence the original run gathered;
        # read before the stage restarts: restarting it clears a resumed run's output)
        saved = log.stage_output(calls_of, "gather") if stored else None
        self._stage(log, run_id, "gather")
        catalog, user_ids = load_catalog(Path(spec.panel) if spec.panel else None)
        if saved is not None and "pack" in saved:
            pack = EvidencePack.model_validate(saved["pack"])
            series = [Series.model_validate(x) for x in saved["series"]]
        else:
            pack, series = self._gather(intent, catalog.advisors, diagnosis)
        self._done(log, run_id, "gather", {
            "binding": pack.diagnosis.ranking.binding,
            "runner_up": pack.diagnosis.ranking.runner_up,
            "findings": len(pack.findings), "passages": len(pack.passages()),
            "library_documents": pack.library_documents,
            "pack": pack.model_dump(mode="json"),
            "series": [x.model_dump(mode="json") for x in series],
        }, f"{len(pack.findings)} findings, {len(pack.passages())} passages; binding: "
           f"{pack.diagnosis.ranking.binding or 'none found'}")

        # Cast
        self._stage(log, run_id, "cast")
        seats_raw = cast_panel(catalog, intent, pack, user_ids=user_ids, size=spec.panel_size)
        personas = {s.persona.id: s.persona for s in seats_raw}
        engine = self._engine(pack, personas, spec, mode=mode, log=log, run_id=run_id,
                              calls_of=calls_of)
        seats: list[tuple[Persona, Advisor]] = [
            (s.persona, s.persona.advisor(
                model="offline", cast_reason=s.reason,
                model_reason="no model configured: the offline engine speaks from the evidence"))
            for s in seats_raw]
        prepared: list[ModelUse] = []
        estimate_note = None
        if hasattr(engine, "advisors_with_models"):
            advisors = engine.advisors_with_models([a for _, a in seats])
            seats = [(p, a) for (p, _), a in zip(seats, advisors, strict=True)]
            prepared = engine.prepare([a for _, a in seats])
            planned = engine.plan(first_round_requests(run_id=run_id, seats=seats,
                                                       intent=intent, pack=pack,
                                                       rounds=spec.rounds), spec.rounds)
            estimate_note = engine.estimate(planned).note
            self._emit("warning", f"estimate before the run: {estimate_note}", stage="cast")
        self._done(log, run_id, "cast", {"panel": [a.model_dump(mode="json") for _, a in seats],
                                         "estimate": estimate_note},
                   "panel: " + ", ".join(a.name for _, a in seats))

        # Debate
        self._stage(log, run_id, "debate")
        calls: list[CallInfo] = []
        done: dict[str, Statement] = {}
        summaries: dict[int, str] = {}
        logs_calls = getattr(engine, "store", None) is not None

        def on_turn(out: TurnOutcome) -> None:
            st = out.statement
            done[st.id] = st
            log.save_statement(run_id, st)
            if out.call is not None:
                calls.append(out.call)
                if not logs_calls:
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
            summaries[rec.number] = rec.summary
            if call is not None:
                calls.append(call)
                if not logs_calls:
                    log.log_call(run_id, call, {"round": rec.number, "statements":
                                                [s.id for s in rec.statements]},
                                 {"summary": rec.summary}, stage="debate", round=rec.number)
            self._emit("round_finished", f"round {rec.number} ({rec.title}) closed",
                       stage="debate", round=rec.number)

        partial: str | None = None
        try:
            records = asyncio.run(self._debate(engine, run_id=run_id, seats=seats,
                                               intent=intent, pack=pack, rounds=spec.rounds,
                                               on_turn=on_turn, on_round=on_round))
        except BudgetStop as stop:
            partial = str(stop.cause)
            self._emit("warning", f"stopped: {partial}", stage="debate")
            records = _partial_rounds(done, summaries, [a for _, a in seats], partial)
        self._done(log, run_id, "debate", {"rounds": len(records), "statements": sum(
            len(r.statements) for r in records), "partial": partial},
            f"{len(records)} rounds debated" + (" (stopped early)" if partial else ""))

        # Synthesize (the claim check reads the finished sections, so it runs on both)
        plan = plan_forecasts(pack, series, intent, seats)
        forecasts = plan.made
        syn = Synthesis(intent=intent, pack=pack, seats=seats, rounds=records,
                        forecasts=forecasts, omitted=plan.omitted)
        record = self._assemble(record_id, intent, pack, seats, records, forecasts, syn, calls,
                                started, spec.rounds, prepared)
        if self._role_on_model(spec, "synthesiser"):
            # the model writes every synthesised section; each is claim-checked as the
            # record's check will read it, and falls back to the rule-based one
            from throughline.council.synthesis_model import (
                SynthesisInputs,
                apply_sections,
                ordered_calls,
                synthesise_sections,
            )

            self._stage_now = "synthesize"  # the record is written before it is checked
            index = build_evidence_index(pack.findings, pack.passages(), record.predictions,
                                         record.citations, pack.data_quality)
            inputs = SynthesisInputs.build(record, syn, pack, seats, index)
            engine_s = self._engine(pack, personas, spec, mode=mode, log=log, run_id=run_id,
                                    calls_of=calls_of)

            async def sections() -> Any:
                try:
                    return await synthesise_sections(engine_s, inputs)
                finally:
                    await engine_s.aclose()

            outcome = asyncio.run(sections())
            role_calls += ordered_calls(outcome)
            failed = apply_sections(record, inputs, outcome)
            role_failures += failed
            for line in failed:
                self._emit("warning", line, stage="synthesize")
        if role_calls or role_failures:
            calls.extend(role_calls)
            record.run.models = _with_role_models(record.run.models, role_calls)
            record.run.failures += role_failures
            record.run.calls += sum(int(c.parameters.get("requests", 1))
                                    for c in role_calls)
            record.run.tokens_in += sum(c.tokens_in for c in role_calls)
            record.run.tokens_out += sum(c.tokens_out for c in role_calls)
            record.run.cost_usd = round(record.run.cost_usd
                                        + sum(c.cost_usd for c in role_calls), 6)
        if partial:
            record.run.partial = True
            record.run.partial_reason = partial
        record.run.degraded_reason = degraded_reason(records)
        if record.run.degraded_reason:
            self._emit("warning", f"degraded: {record.run.degraded_reason}", stage="debate")

        # Claim check
        self._stage(log, run_id, "claim_check")
        index = build_evidence_index(pack.findings, pack.passages(), record.predictions,
                                     record.citations, pack.data_quality)
        record.claim_check = check_record(record, index)
        cc = record.claim_check
        self._done(log, run_id, "claim_check", {"verified": cc.verified,
                                               "unsupported": cc.unsupported,
                                               "contradicted": cc.contradicted},
                   f"claims: {cc.verified} verified, {cc.unsupported} unsupported, "
                   f"{cc.contradicted} contradicted")

        self._stage(log, run_id, "synthesize")
        record.run.policy = self._policy(record, pack, spec)
        self._done(log, run_id, "synthesize", {
            "predictions": len(record.predictions), "actions": len(record.action_plan),
            "paths": len(record.future_paths), "policy": [p.model_dump() for p in
                                                          record.run.policy]},
            "record synthesised")
        record.run.finished_at = self.clock()
        record.run.duration_s = round(time.perf_counter() - t0, 3)
        return record

    async def _debate(self, engine: AdvisorEngine, **kwargs: Any) -> list[RoundRecord]:
        """The debate inside one event loop; a model engine's HTTP clients close after it."""
        from throughline.providers.errors import BudgetExceeded

        try:
            return await run_debate(engine, concurrency=self.concurrency, **kwargs)
        except BudgetExceeded as exc:
            raise BudgetStop(exc) from exc
        finally:
            close = getattr(engine, "aclose", None)
            if close is not None:
                await close()

    def _role_on_model(self, spec: RunSpec, role: str) -> bool:
        """Whether this run puts ``role`` (framer, synthesiser) on a model: a model run
        with a model set for that role itself (``throughline.providers.roles``)."""
        if spec.engine != "model" or self.engine_factory is not None:
            return False
        from throughline.providers import ModelsConfig
        from throughline.providers.roles import uses_model

        return uses_model(ModelsConfig.model_validate(spec.models), role)  # type: ignore[arg-type]

    def _role_call(self, engine: Any, make: Callable[[Any], Any], role: str, fallback: Any,
                   calls: list[CallInfo], failures: list[str], kept: str) -> Any:
        """One framer or synthesiser call in its own event loop; on a failure for good
        (faults, an invalid reply after the repair, the budget) the deterministic
        ``fallback`` stands and the record says so."""
        from throughline.providers.errors import BudgetExceeded

        async def go() -> Any:
            try:
                return await make(engine)
            finally:
                await engine.aclose()

        try:
            value, call = asyncio.run(go())
        except (ModelError, BudgetExceeded) as exc:
            call = getattr(exc, "call", None)
            if call is not None:
                calls.append(call)
            failures.append(f"{role}: {exc} ({kept})")
            self._emit("warning", f"{role} failed: {exc}; {kept}", stage=None)
            return fallback
        calls.append(call)
        return value

    def _engine(self, pack: EvidencePack | None, personas: dict[str, Persona], spec: RunSpec,
                *, mode: Mode, log: Any, run_id: str, calls_of: str) -> AdvisorEngine:
        """The run's advisor engine. A model engine is made once per run and serves every
        stage that calls a model (one budget, one call log); each stage closes its HTTP
        clients when its event loop ends."""
        if self.engine_factory is not None:
            return self.engine_factory(pack, personas)
        if spec.engine == "offline":
            assert pack is not None
            return OfflineEngine(pack, personas)
        if run_id not in self._model_engines:
            self._model_engines[run_id] = self._model_engine(spec, mode=mode, log=log,
                                                             run_id=run_id, calls_of=calls_of)
        return self._model_engines[run_id]  # type: ignore[no-any-return]

    def _model_engine(self, spec: RunSpec, *, mode: Mode, log: Any, run_id: str,
                      calls_of: str) -> Any:
        from throughline.providers import LookupStore, ModelAdvisorEngine, ModelsConfig
        from throughline.providers.replay import RecordedCall

        def lookup(key: str) -> str | None:
            if mode == "live":
                return None
            found = log.find_call(calls_of, key)
            return None if found is None or found.reply is None else json.dumps(found.reply)

        def record(c: RecordedCall) -> None:
            log.log_call_json(run_id, c.info, c.request_json,
                              None if c.reply_json is None else json.loads(c.reply_json),
                              stage=self._stage_now, advisor_id=c.advisor_id, round=c.round,
                              error=c.error, key=c.key)

        def failed(key: str) -> list[RecordedCall]:  # replay: a call that failed fails again
            if mode != "replay":
                return []
            return [RecordedCall(key=c.request_key, model=c.model, role=c.role,
                                 request_json="", reply_json=None, error=c.error or "",
                                 info=CallInfo(role=c.role, engine=c.engine, model=c.model,
                                               reason=c.reason, parameters=c.parameters,
                                               tokens_in=c.tokens_in, tokens_out=c.tokens_out,
                                               latency_s=c.latency_s, outcome=c.outcome,
                                               cost_usd=c.cost_usd))
                    for c in log.calls(calls_of) if c.request_key == key and not c.usable]

        config = (ModelsConfig.model_validate(spec.models) if mode != "live"
                  else self.settings.models)
        limits = ("max_tokens_per_run", "max_cost_usd_per_run")
        if mode == "resume":  # a budget raised since (env, settings) lets a stopped run finish
            config = config.model_copy(update={k: getattr(self.settings.models, k)
                                               for k in limits
                                               if getattr(self.settings.models, k) is not None})
        elif mode == "replay" and log.get_run(calls_of).status != "partial":
            # the recorded replies cost nothing; a run finished after a raised budget must
            # not stop at the budget it started with
            config = config.model_copy(update={k: None for k in limits})
        return ModelAdvisorEngine(config, store=LookupStore(lookup, record, failed),
                                  mode=mode, model_factory=self.model_factory)

    # -- pieces -------------------------------------------------------------------------------

    def _gather(self, intent: Intent, personas: list[Persona],
                diagnosis: Diagnosis | None) -> tuple[EvidencePack, list[Any]]:
        from throughline.diagnose import run_diagnose
        from throughline.diagnose.run import ensure_ingested
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
                          capabilities=caps, library_documents=library_docs,
                          intent=intent)
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

    def _policy(self, record: DecisionRecord, pack: EvidencePack, spec: RunSpec) -> list[Any]:
        from throughline.council.governance import check_policy, load_policy

        path = Path(spec.policy) if spec.policy else None
        policy = load_policy(path, workspace=self.settings.workspace)
        return check_policy(policy, record, [(c.name, c.status) for c in pack.capabilities])

    def _assemble(self, run_id: str, intent: Intent, pack: EvidencePack,
                  seats: list[tuple[Persona, Advisor]], records: list[RoundRecord],
                  forecasts: list[Any], syn: Synthesis, calls: list[CallInfo],
                  started: datetime, rounds: int, prepared: list[ModelUse]) -> DecisionRecord:
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


class BudgetStop(Exception):
    """Carries a model engine's BudgetExceeded out of the debate's event loop."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


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


def _partial_rounds(done: dict[str, Statement], summaries: dict[int, str],
                    panel: list[Advisor], reason: str) -> list[RoundRecord]:
    """The rounds as far as they got when the run stopped: finished turns in seat order."""
    order = {a.id: i for i, a in enumerate(panel)}
    rounds: list[RoundRecord] = []
    for spec in ROUNDS:
        got = sorted((s for s in done.values() if s.round == spec.number),
                     key=lambda s: order.get(s.advisor_id, 99))
        if not got:
            break
        summary = summaries.get(spec.number,
                                f"(this round did not close: the run stopped — {reason})")
        rounds.append(RoundRecord(number=spec.number, title=spec.title, purpose=spec.purpose,
                                  summary=summary, statements=got))
    return rounds


def ask(settings: Settings, question: str = DEFAULT_QUESTION, *, rounds: int = MAX_ROUNDS,
        panel: Path | None = None, out: Path | None = None, fmt: str | None = None,
        run_date: date | None = None, on_event: EventSink | None = None,
        engine_factory: EngineFactory | None = None,
        diagnosis: Diagnosis | None = None, policy: Path | None = None,
        replay: str | None = None, resume: str | None = None) -> AskResult:
    """Convene the council on ``question``, store the run and write the record.

    The record goes to ``out`` (format from its suffix unless ``fmt`` is given), else to
    ``<workspace>/reports/record-<run id>.html``. ``replay`` re-runs a stored run from its
    recorded replies; ``resume`` finishes a stopped one.
    """
    from throughline.record.render import write_record

    council = Council(settings, engine_factory=engine_factory, on_event=on_event,
                      policy_path=policy)
    if replay is not None:
        result = council.replay(replay)
    elif resume is not None:
        result = council.resume(resume)
    else:
        result = council.ask(question, rounds=rounds, panel=panel, run_date=run_date,
                             diagnosis=diagnosis)
    path = out or settings.reports_dir / f"record-{result.run_id}.html"
    result.path = write_record(result.record, path, fmt)  # type: ignore[arg-type]
    return result


DETERMINISTIC_REASON = {
    "framer": "no model set for this role (THROUGHLINE_MODEL_FRAMER): the question is framed "
              "by rules",
    "synthesiser": "no model set for this role (THROUGHLINE_MODEL_SYNTHESISER): the record "
                   "is written by rules from the debate and the evidence",
    "claim_extractor": "the claim check is deterministic code: it audits every text a model "
                       "writes and is never itself a model",
}


def _with_role_models(models: list[ModelUse], calls: list[CallInfo]) -> list[ModelUse]:
    """The record's models with the framer's and synthesiser's model in place of the
    deterministic entry, for the roles a model ran."""
    ran = {c.role: c for c in calls}
    out = [m for m in models if not (m.engine == "offline" and m.role in ran)]
    for role, c in ran.items():
        if not any(m.role == role and m.model == c.model for m in out):
            out.append(ModelUse(role=role, engine=c.engine, model=c.model,  # type: ignore[arg-type]
                                reason=c.reason))
    return out
