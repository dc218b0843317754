"""The calls a council run will make, sized before it starts (for the budget's estimate).

Each round's prompt is sized as it will be at its largest: the round's own brief, every
peer's previous statement in full at the longest reply accepted (``max_statement_chars``),
the advisor's own last statement, and the summaries of the rounds before at
``max_summary_chars`` (within the history budget). A summary prompt holds the round's
statements in full, each at that length. Each turn and summary may use its model's output
cap (:mod:`throughline.providers.limits`). The framer and the synthesiser are planned when
a model is set for them (:mod:`throughline.providers.roles`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from throughline.core.rounds import ROUNDS
from throughline.core.seams import RoundSpec, TurnRequest
from throughline.core.synthesis_sections import SECTIONS, planned_prompt_chars
from throughline.providers import prompts
from throughline.providers.budget import PlannedCall, estimate_tokens
from throughline.providers.roles import uses_model
from throughline.record.decision import Move, Statement

if TYPE_CHECKING:
    from throughline.providers.advisor_engine import ModelAdvisorEngine

__all__ = ["plan_calls", "planned_roles"]


def plan_calls(engine: ModelAdvisorEngine, first_round: Sequence[TurnRequest], rounds: int,
               extra: Sequence[PlannedCall] = ()) -> list[PlannedCall]:
    """Planned calls for a council run, from the round-1 requests (built before the run)."""
    limits = engine.limits
    calls: list[PlannedCall] = []
    for req in first_round:
        spec = engine.select("advisor", req.advisor).spec
        model, out_tokens = str(spec), engine.output_tokens(spec)
        for number in range(1, rounds + 1):
            worst = _worst_case_request(req, ROUNDS[number - 1], first_round, limits)
            size = estimate_tokens(prompts.turn_prompt(worst, limits).user) + \
                estimate_tokens(prompts.turn_instructions(worst, limits))
            calls.append(PlannedCall("advisor", model, size, out_tokens))
    if first_round:
        spec = engine.select("summariser").spec
        panel = [r.advisor for r in first_round]
        said = [_placeholder(f"r0.{a.id}", a.id, limits.statement_chars) for a in panel]
        for number in range(1, rounds + 1):
            summary = prompts.summary_prompt(ROUNDS[number - 1], said, panel,
                                             first_round[0].intent, limits)
            calls.append(PlannedCall("summariser", str(spec),
                                     estimate_tokens(summary.instructions)
                                     + estimate_tokens(summary.user),
                                     engine.output_tokens(spec)))
    calls.extend(planned_roles(engine, rounds, len(first_round)))
    calls.extend(extra)
    return calls


def planned_roles(engine: ModelAdvisorEngine, rounds: int, panel: int = 6) -> list[PlannedCall]:
    """The framer's and synthesiser's calls, for the roles set to a model. The
    synthesiser writes each synthesised section in its own call, every one reading the
    same head: the evidence, the forecasts and every statement of the debate in full
    (:mod:`throughline.core.synthesis_sections`)."""
    out: list[PlannedCall] = []
    if uses_model(engine.config, "framer"):
        spec = engine.select("framer").spec
        out.append(PlannedCall("framer", str(spec), estimate_tokens(" " * 2_500),
                               engine.output_tokens(spec)))
    if uses_model(engine.config, "synthesiser"):
        spec = engine.select("synthesiser").spec
        size = planned_prompt_chars(rounds=rounds, panel=panel,
                                    statement_chars=engine.limits.statement_chars)
        out.append(PlannedCall("synthesiser", str(spec), estimate_tokens(" " * size),
                               engine.output_tokens(spec), len(SECTIONS)))
    return out


def _placeholder(sid: str, advisor_id: str, chars: int) -> Statement:
    """A statement of ``chars`` characters, for sizing prompts before a run."""
    text = ("lorem ipsum dolor sit amet " * (chars // 27 + 1))[:chars]
    return Statement(id=sid, round=0, advisor_id=advisor_id, move=Move.SHARE, text=text,
                     conviction=0.5)


def _worst_case_request(req: TurnRequest, round_: RoundSpec, panel: Sequence[TurnRequest],
                        limits: prompts.PromptLimits) -> TurnRequest:
    """``req`` as round ``round_`` will see it at its largest (see the module docstring)."""
    if round_.number == 1:
        return req.model_copy(update={"round": round_})
    prev = round_.number - 1
    me = req.advisor.id
    visible = [_placeholder(f"r{prev}.{r.advisor.id}", r.advisor.id, limits.statement_chars)
               for r in panel if r.advisor.id != me]
    own = _placeholder(f"r{prev}.{me}", me, limits.statement_chars)
    summary = ("minutes of the round " * (limits.summary_chars // 21 + 1))[:limits.summary_chars]
    return req.model_copy(update={
        "round": round_, "visible": visible, "own_history": [own], "conviction": 0.5,
        "summaries": [summary] * max(0, round_.number - 2)})
