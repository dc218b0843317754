"""Debate: rounds of advisor turns, run concurrently within a round, closed by a summary.

Round 1 is blind (no advisor sees another's statement). From round 2 on, an advisor sees
the summaries of all earlier rounds and the statements of the previous round only, so
prompts stay bounded however long the debate runs. A conviction change must name the
statement that caused it; one that names nothing (or a statement it could not have seen)
is flagged as conformity. A turn that fails is recorded as failed — never dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from throughline.council.gather import EvidencePack
from throughline.council.personas import Persona
from throughline.council.seams import AdvisorEngine, CallInfo, RoundSpec, TurnRequest
from throughline.errors import ModelError
from throughline.record.model import Advisor, Intent, Move, RoundRecord, Statement

ROUNDS: list[RoundSpec] = [
    RoundSpec(number=1, title="Opening positions",
              purpose="Each advisor's position from its own lens, written blind.", blind=True),
    RoundSpec(number=2, title="Challenge the premise",
              purpose="What the question assumes, against what the data says binds."),
    RoundSpec(number=3, title="Evidence and measurement",
              purpose="Who can show a number, and who cannot."),
    RoundSpec(number=4, title="Assumptions",
              purpose="Each lens names its own untested assumption and tests it against the "
                      "data, then names a peer's it finds dangerous."),
    RoundSpec(number=5, title="The hidden story",
              purpose="A metaphor, what the current story protects and hides, the masquerade, "
                      "a better story and one systemic change."),
]
MAX_ROUNDS = len(ROUNDS)
CONFORMITY_DELTA = 0.05


class TurnOutcome(BaseModel):
    statement: Statement
    call: CallInfo | None = None
    request: TurnRequest


TurnHook = Callable[[TurnOutcome], Awaitable[None] | None]  # called as each turn ends
RoundHook = Callable[[RoundRecord, CallInfo | None], Awaitable[None] | None]


async def _maybe(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result


def first_round_requests(*, run_id: str, seats: list[tuple[Persona, Advisor]], intent: Intent,
                         pack: EvidencePack) -> list[TurnRequest]:
    """The round-1 requests the debate will send (for a budget estimate before the run)."""
    panel = [a for _, a in seats]
    return [TurnRequest(run_id=run_id, round=ROUNDS[0], advisor=a,
                        peers=[x for x in panel if x.id != a.id], intent=intent,
                        binding=pack.diagnosis.ranking.binding,
                        runner_up=pack.diagnosis.ranking.runner_up,
                        evidence=pack.cards_for(p)) for p, a in seats]


async def run_debate(
    engine: AdvisorEngine,
    *,
    run_id: str,
    seats: list[tuple[Persona, Advisor]],
    intent: Intent,
    pack: EvidencePack,
    rounds: int,
    concurrency: int = 4,
    on_turn: TurnHook | None = None,
    on_round: RoundHook | None = None,
    completed: dict[str, Statement] | None = None,
    completed_summaries: dict[int, str] | None = None,
) -> list[RoundRecord]:
    """Run ``rounds`` rounds. ``completed`` statements (by id) and summaries (by round) are
    reused without calling the engine again — that is how a run resumes."""
    completed = completed or {}
    completed_summaries = completed_summaries or {}
    panel = [a for _, a in seats]
    known_ids = {f.id for f in pack.findings} | {p.id for p in pack.passages()}
    records: list[RoundRecord] = []
    history: dict[str, list[Statement]] = {a.id: [] for a in panel}
    sem = asyncio.Semaphore(max(1, concurrency))
    for spec in ROUNDS[:rounds]:
        previous = records[-1].statements if records else []
        visible = [] if spec.blind else [s for s in previous if not s.failed]
        summaries = [r.summary for r in records]

        async def one(persona: Persona, advisor: Advisor, spec: RoundSpec = spec,
                      visible: list[Statement] = visible,
                      summaries: list[str] = summaries) -> TurnOutcome:
            sid = f"r{spec.number}.{advisor.id}"
            own = history[advisor.id]
            last = next((s.conviction for s in reversed(own) if not s.failed), None)
            request = TurnRequest(
                run_id=run_id, round=spec, advisor=advisor,
                peers=[a for a in panel if a.id != advisor.id], intent=intent,
                binding=pack.diagnosis.ranking.binding,
                runner_up=pack.diagnosis.ranking.runner_up,
                evidence=pack.cards_for(persona), summaries=summaries, visible=visible,
                own_history=list(own), conviction=last,
            )
            if sid in completed:
                return TurnOutcome(statement=completed[sid], request=request)
            out = await _turn(sid, request, advisor, last, spec, visible)
            if on_turn is not None:
                await _maybe(on_turn(out))
            return out

        async def _turn(sid: str, request: TurnRequest, advisor: Advisor, last: float | None,
                        spec: RoundSpec, visible: list[Statement]) -> TurnOutcome:
            async with sem:
                try:
                    reply, call = await engine.turn(request)
                except ModelError as exc:
                    st = Statement(id=sid, round=spec.number, advisor_id=advisor.id,
                                   move=Move.SHARE, text="(no statement: the turn failed)",
                                   conviction=last if last is not None else 0.5,
                                   failed=True, failure=str(exc))
                    return TurnOutcome(statement=st, request=request,
                                       call=getattr(exc, "call", None))
            visible_ids = {s.id for s in visible}
            cause = reply.conviction_cause if reply.conviction_cause in visible_ids else None
            changed = last is not None and abs(reply.conviction - last) > CONFORMITY_DELTA
            st = Statement(
                id=sid, round=spec.number, advisor_id=advisor.id, move=reply.move,
                text=reply.text,
                addressed=[a for a in reply.addressed if a in history and a != advisor.id],
                cites=[c for c in reply.cites if c in known_ids],
                conviction=reply.conviction, conviction_cause=cause,
                conformity_flag=bool(changed and cause is None),
                dropped_cites=list(dict.fromkeys(
                    [*reply.dropped_cites, *(c for c in reply.cites if c not in known_ids)])),
            )
            return TurnOutcome(statement=st, call=call, request=request)

        # Turns already in flight finish even if one of them stops the run (a budget hit, a
        # replay mismatch): what was paid for is kept; then the stop propagates.
        results = await asyncio.gather(*(one(p, a) for p, a in seats), return_exceptions=True)
        stops = [r for r in results if isinstance(r, BaseException)]
        outcomes = [r for r in results if isinstance(r, TurnOutcome)]
        if stops:
            raise stops[0]
        statements: list[Statement] = []
        for out in outcomes:  # seat order, whatever order they finished in
            statements.append(out.statement)
            history[out.statement.advisor_id].append(out.statement)
        if spec.number in completed_summaries:
            summary, call = completed_summaries[spec.number], None
        else:
            try:
                summary, call = await engine.summarize(spec, statements, panel, intent)
            except ModelError as exc:
                summary = f"(no summary: the summariser failed: {exc})"
                call = getattr(exc, "call", None)
        record = RoundRecord(number=spec.number, title=spec.title, purpose=spec.purpose,
                             summary=summary, statements=statements)
        records.append(record)
        if on_round is not None and spec.number not in completed_summaries:
            await _maybe(on_round(record, call))
    return records
