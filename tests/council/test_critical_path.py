"""The debate's critical path: a round's summary runs beside the next round.

A scripted engine records the order in which calls start and end. Its summary of round N
returns only once a turn of round N + 1 has started, so a debate that awaited the summary
before starting the next round (today's 2 × rounds critical path) never gets there: the
guard timeout turns that deadlock into a failure. No assertion reads a clock.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from throughline.council.debate import ROUNDS, run_debate
from throughline.council.personas import builtin_catalog
from throughline.core.seams import CallInfo, RoundSpec, TurnReply, TurnRequest
from throughline.record.decision import Advisor, Intent, Move, RoundRecord, Statement

GUARD_S = 5.0  # only breaks a deadlock; never reached by a debate that overlaps


class _Ranking:
    binding = "honesty"
    runner_up = "architecture"


class _Diagnosis:
    ranking = _Ranking()


class TinyPack:
    """What run_debate reads from an evidence pack, and nothing else."""

    diagnosis = _Diagnosis()
    findings: list[Any] = []

    def passages(self) -> list[Any]:
        return []

    def cards_for(self, persona: Any) -> list[Any]:
        return []


def info(role: str) -> CallInfo:
    return CallInfo(role=role, engine="scripted", model="scripted", reason="test")


class Scripted:
    """Turns answer at once; the summary of round N waits for round N + 1 to begin."""

    name = "scripted"

    def __init__(self, rounds: int, *, stop_in: int | None = None) -> None:
        self.rounds = rounds
        self.stop_in = stop_in
        self.trace: list[tuple[str, int]] = []
        self.requests: list[TurnRequest] = []
        self.begun: dict[int, asyncio.Event] = {}

    def _begun(self, n: int) -> asyncio.Event:
        return self.begun.setdefault(n, asyncio.Event())

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        n = request.round.number
        self.trace.append(("turn", n))
        self.requests.append(request)
        self._begun(n).set()
        await asyncio.sleep(0)
        if n == self.stop_in and request.advisor.id == "auditor":
            raise Stop("budget spent")
        return (TurnReply(move=Move.SHARE, text=f"{request.advisor.name}, round {n}.",
                          conviction=0.6), info("advisor"))

    async def summarize(self, round_: RoundSpec, statements: list[Statement],
                        panel: list[Advisor], intent: Intent) -> tuple[str, CallInfo]:
        n = round_.number
        self.trace.append(("summary_start", n))
        if n < self.rounds:
            await asyncio.wait_for(self._begun(n + 1).wait(), GUARD_S)
        self.trace.append(("summary_end", n))
        return f"minutes of round {n}", info("summariser")


class Stop(Exception):
    """Stands for a budget stop: not a ModelError, so it ends the debate."""


SEATS = [(p, p.advisor()) for p in (builtin_catalog().get(i)
                                     for i in ("auditor", "contrarian", "revops"))]
INTENT = Intent(question="Hire SDRs or build partners?", choice="SDRs or partners",
                stakes="a year of salaries", decision_type="hire", run_date=date(2026, 11, 21))


def debate(engine: Scripted, rounds: int, closed: list[int]) -> list[RoundRecord]:
    def on_round(record: RoundRecord, call: CallInfo | None) -> None:
        closed.append(record.number)

    return asyncio.run(run_debate(engine, run_id="t", seats=SEATS, intent=INTENT,
                                  pack=TinyPack(), rounds=rounds,  # type: ignore[arg-type]
                                  on_round=on_round))


def first(trace: list[tuple[str, int]], kind: str, n: int) -> int:
    return trace.index((kind, n))


def test_the_next_round_starts_before_the_summary_of_the_last_one_ends() -> None:
    engine, closed = Scripted(5), []
    records = debate(engine, 5, closed)
    t = engine.trace
    for n in range(1, 5):
        # round n + 1 is under way while round n's summary is still being written...
        assert first(t, "turn", n + 1) < first(t, "summary_end", n)
        assert first(t, "summary_start", n) < first(t, "turn", n + 1)
    for n in range(1, 4):
        # ...and round n + 2 waits for it, so what each round sees never depends on timing
        assert first(t, "summary_end", n) < first(t, "turn", n + 2)
    # after the last wave of turns only one call remains: the last summary
    last_turn = max(i for i, (kind, _) in enumerate(t) if kind == "turn")
    assert [e for e in t[last_turn + 1:] if e[0] == "summary_start"] == [("summary_start", 5)]
    assert [r.summary for r in records] == [f"minutes of round {n}" for n in range(1, 6)]
    assert closed == [1, 2, 3, 4, 5]  # rounds close in order


def test_each_round_sees_the_previous_statements_in_full_and_older_summaries() -> None:
    engine = Scripted(5)
    records = debate(engine, 5, [])
    for req in engine.requests:
        n = req.round.number
        assert req.summaries == [f"minutes of round {k}" for k in range(1, n - 1)]
        if n == 1:
            assert req.visible == []
        else:
            assert [s.text for s in req.visible] == [s.text for s in records[n - 2].statements]
        assert req.persona is not None and req.persona.biography  # the persona travels
        assert req.total_rounds == 5


def test_a_stop_lets_the_summary_in_flight_finish_before_it_propagates() -> None:
    engine, closed = Scripted(5, stop_in=3), []
    with pytest.raises(Stop):
        debate(engine, 5, closed)
    assert ("summary_end", 2) in engine.trace and closed == [1, 2]  # paid for, kept
    assert ("turn", 4) not in engine.trace


def test_the_round_briefs_are_the_debates_rounds() -> None:
    assert [r.number for r in ROUNDS] == [1, 2, 3, 4, 5] and ROUNDS[0].blind
    assert all(r.brief for r in ROUNDS)
