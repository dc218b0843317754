"""The debate stage's bookkeeping: each turn and round saved in the run log as it ends (and
its call logged, unless the engine records its own calls), progress events emitted, and —
when a model engine's budget stops the run mid-debate — the rounds as far as they got.
"""

from __future__ import annotations

from collections.abc import Callable

from throughline.core.rounds import ROUNDS
from throughline.core.seams import CallInfo
from throughline.council.debate import TurnOutcome
from throughline.council.personas import Persona
from throughline.record.decision import Advisor, RoundRecord, Statement
from throughline.runlog import RunLog

Emit = Callable[..., None]
"""``emit(kind, message, stage=None, **data)``: the council's progress events."""


class BudgetStop(Exception):
    """Carries a model engine's BudgetExceeded out of the debate's event loop."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class DebateRecorder:
    """The debate's turn and round hooks: what finished is kept (a stopped run records it)
    and saved; ``calls`` collects the calls behind the turns and summaries."""

    def __init__(self, log: RunLog, run_id: str, seats: list[tuple[Persona, Advisor]],
                 emit: Emit, *, logs_calls: bool) -> None:
        self.log = log
        self.run_id = run_id
        self.seats = seats
        self.emit = emit
        self.logs_calls = logs_calls
        self.calls: list[CallInfo] = []
        self.done: dict[str, Statement] = {}
        self.summaries: dict[int, str] = {}

    def on_turn(self, out: TurnOutcome) -> None:
        st = out.statement
        self.done[st.id] = st
        self.log.save_statement(self.run_id, st)
        if out.call is not None:
            self.calls.append(out.call)
            if not self.logs_calls:
                self.log.log_call(self.run_id, out.call, out.request, None if st.failed else {
                    "move": st.move.value, "text": st.text, "addressed": st.addressed,
                    "cites": st.cites, "conviction": st.conviction,
                    "conviction_cause": st.conviction_cause},
                    stage="debate", advisor_id=st.advisor_id, round=st.round,
                    error=st.failure)
        who = next((a.name for _, a in self.seats if a.id == st.advisor_id), st.advisor_id)
        self.emit("turn", f"round {st.round}: {who} — {st.move.value}"
                  + (" (failed)" if st.failed else ""), stage="debate",
                  statement_id=st.id, failed=st.failed)

    def on_round(self, rec: RoundRecord, call: CallInfo | None) -> None:
        self.summaries[rec.number] = rec.summary
        if call is not None:
            self.calls.append(call)
            if not self.logs_calls:
                self.log.log_call(self.run_id, call, {"round": rec.number, "statements":
                                                      [s.id for s in rec.statements]},
                                  {"summary": rec.summary}, stage="debate", round=rec.number)
        self.emit("round_finished", f"round {rec.number} ({rec.title}) closed",
                  stage="debate", round=rec.number)

    def partial_rounds(self, reason: str) -> list[RoundRecord]:
        """The rounds as far as they got when the run stopped (see :func:`partial_rounds`)."""
        return partial_rounds(self.done, self.summaries, [a for _, a in self.seats], reason)


def partial_rounds(done: dict[str, Statement], summaries: dict[int, str],
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

