"""The council pipeline: Frame → Gather → Cast → Debate → Synthesize → Claim-check → Record.

One engine runs every stage; the CLI, a notebook and tests call :func:`ask` (or
:class:`Council`) and subscribe to its progress :class:`~throughline.core.seams.Event`s.
Each stage saves what it produced in the run log (``runs.sqlite``) before the next starts,
so a run can be inspected, resumed and re-rendered. :meth:`Council._run` reads as the list
of stages; the pieces live beside it: ``run_state`` (what a run carries), ``run_engines``
(the model engine and the framer's and synthesiser's calls), ``gather_sources`` (the
workspace's evidence), ``debate_log`` (turns saved as they end, a budget stop) and
``assemble`` (the record and its run facts).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from throughline.core.debate import Advisor, Intent
from throughline.core.errors import ThroughlineError, UsageError
from throughline.core.rounds import MAX_ROUNDS
from throughline.core.seams import (
    AdvisorEngine,
    CallInfo,
    Closeable,
    Event,
    EventSink,
    RecordsCalls,
    SeatsModels,
)
from throughline.core.settings import Settings
from throughline.council.assemble import (
    MODEL_NOTICE,
    OFFLINE_NOTICE,
    add_role_calls,
    assemble_record,
    degraded_reason,
)
from throughline.council.cast import DEFAULT_PANEL, cast_panel
from throughline.council.claimcheck import build_evidence_index, check_record
from throughline.council.debate import first_round_requests, run_debate
from throughline.council.debate_log import BudgetStop, DebateRecorder
from throughline.council.forecast import Series
from throughline.council.frame import DEFAULT_QUESTION, align_options, frame_question
from throughline.council.gather import EvidencePack
from throughline.council.gather_sources import gather_workspace
from throughline.council.governance import check_policy, load_policy
from throughline.council.offline.panel import OfflineEngine
from throughline.council.personas import Catalog, Persona, load_catalog
from throughline.council.run_engines import (
    model_engine,
    model_sections,
    role_call,
    role_on_model,
)
from throughline.council.run_state import Mode, RunSpec, RunState
from throughline.council.synthesis import Synthesis, plan_forecasts
from throughline.diagnose.diagnosis import Diagnosis
from throughline.providers.advisor_engine import ModelAdvisorEngine
from throughline.providers.errors import BudgetExceeded
from throughline.providers.roles import frame_with_model
from throughline.record.decision import DecisionRecord, ModelUse, RoundRecord, RunFacts
from throughline.record.render import write_record
from throughline.runlog import RunLog

__all__ = ["MODEL_NOTICE", "OFFLINE_NOTICE", "AskResult", "Council", "EngineFactory",
           "RunSpec", "ask"]

EngineFactory = Callable[[EvidencePack, dict[str, Persona]], AdvisorEngine]


class AskResult(BaseModel):
    run_id: str
    record: DecisionRecord
    path: Path | None = None


@dataclass
class Cast:
    """The cast stage's output: the seated panel, its engine and the models it prepared."""

    personas: dict[str, Persona]
    seats: list[tuple[Persona, Advisor]]
    engine: AdvisorEngine
    prepared: list[ModelUse]


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
        self._model_engines: dict[str, ModelAdvisorEngine] = {}  # one per run: one budget
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
        with RunLog.open(self.settings) as log:
            run_id = log.create_run(question, engine=spec.engine, settings=self._snapshot(spec))
            return self._run_logged(log, run_id, spec, mode="live", calls_of=run_id,
                                    diagnosis=diagnosis, started=started)

    def resume(self, ref: str) -> AskResult:
        """Finish a run that stopped (killed, failed or over budget) without repeating the
        model calls it completed: those replies come from the run log."""
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

    def _run_logged(self, log: RunLog, run_id: str, spec: RunSpec, *, mode: Mode,
                    calls_of: str, diagnosis: Diagnosis | None, started: datetime,
                    record_id: str | None = None, times: RunFacts | None = None) -> AskResult:
        self._emit("run_started", f"run {run_id}" + (f" ({mode})" if mode != "live" else ""),
                   run_id=run_id)
        run = RunState(log=log, run_id=run_id, spec=spec, mode=mode, calls_of=calls_of,
                       record_id=record_id or run_id, diagnosis=diagnosis, started=started,
                       t0=time.perf_counter())
        try:
            record = self._run(run)
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

    def _run(self, run: RunState) -> DecisionRecord:
        """The stages, in order; each saves its output in the run log."""
        intent = self._frame(run)
        pack, series, catalog, user_ids = self._gather(run, intent)
        cast = self._cast(run, intent, pack, catalog, user_ids)
        records, calls, partial = self._debate(run, cast, intent, pack)
        record = self._synthesise(run, cast, intent, pack, series, records, calls, partial)
        self._claim_check(run, record, pack)
        self._record(run, record, pack)
        return record

    def _stage(self, log: RunLog, run_id: str, name: str) -> None:
        self._stage_now = name  # model calls are logged under the stage that made them
        log.stage_started(run_id, name)
        self._emit("stage_started", name, stage=name)

    def _done(self, log: RunLog, run_id: str, name: str, output: Any, message: str) -> None:
        log.stage_finished(run_id, name, output)
        self._emit("stage_finished", message, stage=name)

    # -- the stages ---------------------------------------------------------------------------

    def _frame(self, run: RunState) -> Intent:
        """The question framed by rules, or by the framer's model when one is set (a
        stored run asks again too: the recorded reply answers, so the record counts the
        call as the original did); a stored run keeps its stored framing."""
        self._stage(run.log, run.run_id, "frame")
        saved = run.log.get_frame(run.calls_of) if run.stored else None
        intent = frame_question(run.spec.question, run.spec.run_date)
        if self._role_on_model(run.spec, "framer"):
            intent = role_call(self._model_engine(run),
                               lambda engine, draft=intent: frame_with_model(engine, draft),
                               "framer", intent, run.role_calls, run.role_failures,
                               "the rule-based framing is used", self._emit)
        intent = saved or align_options(intent)
        run.log.save_frame(run.run_id, intent)
        self._done(run.log, run.run_id, "frame", intent,
                   f"framed as a '{intent.decision_type}' decision")
        return intent

    def _gather(self, run: RunState, intent: Intent
                ) -> tuple[EvidencePack, list[Series], Catalog, list[str]]:
        """The evidence pack and the forecast series, with the panel's catalog. A stored
        run reads the evidence the original gathered (before the stage restarts:
        restarting it clears a resumed run's output)."""
        log, run_id, spec = run.log, run.run_id, run.spec
        saved = log.stage_output(run.calls_of, "gather") if run.stored else None
        self._stage(log, run_id, "gather")
        catalog, user_ids = load_catalog(Path(spec.panel) if spec.panel else None)
        if saved is not None and "pack" in saved:
            pack = EvidencePack.model_validate(saved["pack"])
            series = [Series.model_validate(x) for x in saved["series"]]
        else:
            pack, series = gather_workspace(self.settings, intent, catalog.advisors,
                                            run.diagnosis)
        self._done(log, run_id, "gather", {
            "binding": pack.diagnosis.ranking.binding,
            "runner_up": pack.diagnosis.ranking.runner_up,
            "findings": len(pack.findings), "passages": len(pack.passages()),
            "library_documents": pack.library_documents,
            "pack": pack.model_dump(mode="json"),
            "series": [x.model_dump(mode="json") for x in series],
        }, f"{len(pack.findings)} findings, {len(pack.passages())} passages; binding: "
           f"{pack.diagnosis.ranking.binding or 'none found'}")
        return pack, series, catalog, user_ids

    def _cast(self, run: RunState, intent: Intent, pack: EvidencePack, catalog: Catalog,
              user_ids: list[str]) -> Cast:
        """The panel seated, and its engine; an engine that seats models fills in each
        advisor's model, builds them and estimates the run before it starts."""
        log, run_id, spec = run.log, run.run_id, run.spec
        self._stage(log, run_id, "cast")
        seats_raw = cast_panel(catalog, intent, pack, user_ids=user_ids, size=spec.panel_size)
        personas = {s.persona.id: s.persona for s in seats_raw}
        engine = self._engine(run, pack, personas)
        seats: list[tuple[Persona, Advisor]] = [
            (s.persona, s.persona.advisor(
                model="offline", cast_reason=s.reason,
                model_reason="no model configured: the offline engine speaks from the evidence"))
            for s in seats_raw]
        prepared: list[ModelUse] = []
        estimate_note = None
        if isinstance(engine, SeatsModels):
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
        return Cast(personas=personas, seats=seats, engine=engine, prepared=prepared)

    def _debate(self, run: RunState, cast: Cast, intent: Intent, pack: EvidencePack
                ) -> tuple[list[RoundRecord], list[CallInfo], str | None]:
        """The rounds, each turn saved as it ends; a budget stop keeps the rounds as far
        as they got. Returns the rounds, the calls behind them and why the run stopped."""
        log, run_id = run.log, run.run_id
        self._stage(log, run_id, "debate")
        engine = cast.engine
        logs_calls = isinstance(engine, RecordsCalls) and engine.store is not None
        hooks = DebateRecorder(log, run_id, cast.seats, self._emit, logs_calls=logs_calls)
        partial: str | None = None
        try:
            records = asyncio.run(self._debate_loop(
                engine, run_id=run_id, seats=cast.seats, intent=intent, pack=pack,
                rounds=run.spec.rounds, on_turn=hooks.on_turn, on_round=hooks.on_round))
        except BudgetStop as stop:
            partial = str(stop.cause)
            self._emit("warning", f"stopped: {partial}", stage="debate")
            records = hooks.partial_rounds(partial)
        self._done(log, run_id, "debate", {"rounds": len(records), "statements": sum(
            len(r.statements) for r in records), "partial": partial},
            f"{len(records)} rounds debated" + (" (stopped early)" if partial else ""))
        return records, hooks.calls, partial

    async def _debate_loop(self, engine: AdvisorEngine, **kwargs: Any) -> list[RoundRecord]:
        """The debate inside one event loop; a model engine's HTTP clients close after it."""
        try:
            return await run_debate(engine, concurrency=self.concurrency, **kwargs)
        except BudgetExceeded as exc:
            raise BudgetStop(exc) from exc
        finally:
            if isinstance(engine, Closeable):
                await engine.aclose()

    def _synthesise(self, run: RunState, cast: Cast, intent: Intent, pack: EvidencePack,
                    series: list[Series], records: list[RoundRecord], calls: list[CallInfo],
                    partial: str | None) -> DecisionRecord:
        """The record written from the debate: forecasts, the synthesised sections (by the
        synthesiser's model when one is set, each section checked and falling back to the
        rules), the run facts, and whether the run stopped early or is degraded."""
        plan = plan_forecasts(pack, series, intent, cast.seats)
        forecasts = plan.made
        syn = Synthesis(intent=intent, pack=pack, seats=cast.seats, rounds=records,
                        forecasts=forecasts, omitted=plan.omitted)
        record = assemble_record(run.record_id, intent, pack, cast.seats, records, forecasts,
                                 syn, calls, run.started, run.spec.rounds, cast.prepared)
        if self._role_on_model(run.spec, "synthesiser"):
            self._stage_now = "synthesize"  # the record is written before it is checked
            made, failed = model_sections(self._model_engine(run), record, syn, pack,
                                          cast.seats)
            run.role_calls += made
            run.role_failures += failed
            for line in failed:
                self._emit("warning", line, stage="synthesize")
        add_role_calls(record, run.role_calls, run.role_failures)
        if partial:
            record.run.partial = True
            record.run.partial_reason = partial
        record.run.degraded_reason = degraded_reason(records)
        if record.run.degraded_reason:
            self._emit("warning", f"degraded: {record.run.degraded_reason}", stage="debate")
        return record

    def _claim_check(self, run: RunState, record: DecisionRecord, pack: EvidencePack) -> None:
        """Every number of the finished record checked against the evidence."""
        self._stage(run.log, run.run_id, "claim_check")
        index = build_evidence_index(pack.findings, pack.passages(), record.predictions,
                                     record.citations, pack.data_quality)
        record.claim_check = check_record(record, index)
        cc = record.claim_check
        self._done(run.log, run.run_id, "claim_check", {"verified": cc.verified,
                                                       "unsupported": cc.unsupported,
                                                       "contradicted": cc.contradicted},
                   f"claims: {cc.verified} verified, {cc.unsupported} unsupported, "
                   f"{cc.contradicted} contradicted")

    def _record(self, run: RunState, record: DecisionRecord, pack: EvidencePack) -> None:
        """The record closed (logged as the 'synthesize' stage): the policy checked, the
        times set."""
        self._stage(run.log, run.run_id, "synthesize")
        path = Path(run.spec.policy) if run.spec.policy else None
        policy = load_policy(path, workspace=self.settings.workspace)
        record.run.policy = check_policy(policy, record,
                                         [(c.name, c.status) for c in pack.capabilities])
        self._done(run.log, run.run_id, "synthesize", {
            "predictions": len(record.predictions), "actions": len(record.action_plan),
            "paths": len(record.future_paths), "policy": [p.model_dump() for p in
                                                          record.run.policy]},
            "record synthesised")
        record.run.finished_at = self.clock()
        record.run.duration_s = round(time.perf_counter() - run.t0, 3)

    # -- engines ------------------------------------------------------------------------------

    def _role_on_model(self, spec: RunSpec, role: str) -> bool:
        """Whether this run puts ``role`` (framer, synthesiser) on a model (never with an
        ``engine_factory``)."""
        return self.engine_factory is None and role_on_model(spec, role)

    def _engine(self, run: RunState, pack: EvidencePack, personas: dict[str, Persona]
                ) -> AdvisorEngine:
        """The run's advisor engine: the factory's, the offline engine, or the run's
        model engine."""
        if self.engine_factory is not None:
            return self.engine_factory(pack, personas)
        if run.spec.engine == "offline":
            return OfflineEngine(pack, personas)
        return self._model_engine(run)

    def _model_engine(self, run: RunState) -> ModelAdvisorEngine:
        """The run's model engine, made once per run: it serves every stage that calls a
        model (one budget, one call log); each stage closes its HTTP clients when its
        event loop ends."""
        if run.run_id not in self._model_engines:
            self._model_engines[run.run_id] = model_engine(
                self.settings, run.spec, mode=run.mode, log=run.log, run_id=run.run_id,
                calls_of=run.calls_of, stage=lambda: self._stage_now,
                model_factory=self.model_factory)
        return self._model_engines[run.run_id]


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
