"""Debate: rounds of advisor turns, run concurrently within a round, each closed by a summary.

Round 1 is blind (no advisor sees another's statement) and unanchored (the prompt shows the
evidence, not the diagnosis' verdict). From round 2 on, an advisor sees the previous
round's statements in full and the summaries of the rounds before that, so prompts stay
bounded however long the debate runs. A conviction change must name the statement that
caused it; one that names nothing (or a statement it could not have seen) is flagged as
conformity. A turn that fails is recorded as failed — never dropped.

**The critical path.** A round's summary runs beside the next round: round N + 1 needs the
statements of round N (which it shows in full), not their summary, so the summary of round
N is only awaited before round N + 2 starts. A run therefore waits for about rounds + 1
model calls in sequence (one wave of turns per round, plus the last summary), not
2 × rounds. What each round sees does not depend on timing (round N + 2 always sees the
summaries of rounds 1…N), so prompts, request keys and records are the same however the
calls interleave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from throughline.council.gather import EvidencePack
from throughline.council.personas import Persona
from throughline.core.rounds import MAX_ROUNDS, ROUNDS
from throughline.core.seams import AdvisorEngine, CallInfo, RoundSpec, TurnRequest
from throughline.core.errors import ModelError
from throughline.record.decision import Advisor, Intent, Move, RoundRecord, Statement

__all__ = [
    "CONFORMITY_DELTA", "MAX_ROUNDS", "ROUNDS", "RoundHook", "TurnHook", "TurnOutcome",
    "first_round_requests", "run_debate",
]

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
                         pack: EvidencePack, rounds: int | None = None) -> list[TurnRequest]:
    """The round-1 requests the debate will send (for a budget estimate before the run)."""
    panel = [a for _, a in seats]
    return [TurnRequest(run_id=run_id, round=ROUNDS[0], advisor=a,
                        peers=[x for x in panel if x.id != a.id], intent=intent,
                        binding=pack.diagnosis.ranking.binding,
                        runner_up=pack.diagnosis.ranking.runner_up,
                        evidence=pack.cards_for(p), persona=p.brief(),
                        total_rounds=rounds) for p, a in seats]


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
    reused without calling the engine again — that is how a run resumes.

    Each round's summary is a task that runs beside the next round (see the module
    docstring); ``on_round`` is called for each round, in round order, as its summary is
    ready. If a round stops the run (a budget hit, a replay mismatch), the summaries already
    in flight finish first — what was paid for is kept — then the stop propagates."""
    completed = completed or {}
    completed_summaries = completed_summaries or {}
    panel = [a for _, a in seats]
    known_ids = {f.id for f in pack.findings} | {p.id for p in pack.passages()}
    history: dict[str, list[Statement]] = {a.id: [] for a in panel}
    briefs = {p.id: p.brief() for p, _ in seats}
    sem = asyncio.Semaphore(max(1, concurrency))
    closing: list[asyncio.Task[RoundRecord]] = []  # one per round, in round order
    previous: list[Statement] = []

    async def summarise(spec: RoundSpec, statements: list[Statement]
                        ) -> tuple[str, CallInfo | None]:
        if spec.number in completed_summaries:
            return completed_summaries[spec.number], None
        try:
            return await engine.summarize(spec, statements, panel, intent)
        except ModelError as exc:
            return (f"(no summary: the summariser failed: {exc})",
                    getattr(exc, "call", None))

    async def close(spec: RoundSpec, statements: list[Statement],
                    before: asyncio.Task[RoundRecord] | None) -> RoundRecord:
        summary, call = await summarise(spec, statements)
        if before is not None:  # rounds close in order, whatever order the calls end in
            await before
        record = RoundRecord(number=spec.number, title=spec.title, purpose=spec.purpose,
                             summary=summary, statements=statements)
        if on_round is not None and spec.number not in completed_summaries:
            await _maybe(on_round(record, call))
        return record

    async def settle() -> None:
        """Let the summaries in flight finish (their hooks record what was paid for)."""
        await asyncio.gather(*closing, return_exceptions=True)

    try:
        for spec in ROUNDS[:rounds]:
            # this round sees the previous round's statements in full and the summaries
            # of the rounds before it (the previous round's summary is still being written)
            if len(closing) >= 2:
                await closing[-2]
            summaries = [t.result().summary for t in closing[:-1]]
            visible = [] if spec.blind else [s for s in previous if not s.failed]

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
                    own_history=list(own), conviction=last, persona=briefs[persona.id],
                    total_rounds=rounds,
                )
                if sid in completed:
                    return TurnOutcome(statement=completed[sid], request=request)
                out = await _turn(sid, request, advisor, last, spec, visible)
                if on_turn is not None:
                    await _maybe(on_turn(out))
                return out

            async def _turn(sid: str, request: TurnRequest, advisor: Advisor,
                            last: float | None, spec: RoundSpec,
                            visible: list[Statement]) -> TurnOutcome:
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
                # the peer claim it takes up: only a statement it was shown, quoted as written
                takes_up = next((s for s in visible if s.id == reply.responds_to
                                 and s.advisor_id != advisor.id), None)
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
                    responds_to=takes_up.id if takes_up is not None else None,
                    claim=(" ".join(reply.claim.split()) or None)
                    if takes_up is not None and reply.claim else None,
                )
                return TurnOutcome(statement=st, call=call, request=request)

            # Turns already in flight finish even if one of them stops the run (a budget hit,
            # a replay mismatch): what was paid for is kept; then the stop propagates.
            results = await asyncio.gather(*(one(p, a) for p, a in seats),
                                           return_exceptions=True)
            stops = [r for r in results if isinstance(r, BaseException)]
            outcomes = [r for r in results if isinstance(r, TurnOutcome)]
            if stops:
                raise stops[0]
            statements: list[Statement] = []
            for out in outcomes:  # seat order, whatever order they finished in
                statements.append(out.statement)
                history[out.statement.advisor_id].append(out.statement)
            previous = statements
            closing.append(asyncio.ensure_future(
                close(spec, statements, closing[-1] if closing else None)))
        return [await task for task in closing]
    finally:
        await settle()
