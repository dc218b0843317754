"""Structured statements: validation against the request, one repair with the errors fed
back, and a failed turn (never a dropped one) when the repair does not help."""

from __future__ import annotations

import pytest

from throughline.core.seams import CallInfo, RoundSpec, TurnReply
from throughline.core.errors import ModelError
from throughline.providers import CallFailed
from throughline.record.decision import Move

from .helpers import (
    INTENT,
    PANEL,
    config,
    engine_with,
    make_request,
    run,
    scripted,
    statement,
    valid,
)


def turn(model, request=None, **kw) -> tuple[TurnReply, CallInfo]:
    return run(engine_with(model, **kw).turn(request or make_request()))


def test_valid_reply_is_accepted_with_call_info() -> None:
    model = scripted(valid())
    reply, info = turn(model)
    assert reply == TurnReply(
        move=Move.SHARE,
        text="Retention is the binding constraint [F-nrr].",
        cites=["F-nrr"],
        conviction=0.7,
    )
    assert info.role == "advisor" and info.model == "openai:gpt-4o-mini"
    assert info.reason == "role default (settings.models.default)"
    assert info.outcome == "ok"
    assert info.tokens_in > 0 and info.tokens_out > 0
    assert info.parameters["repairs"] == 0 and info.parameters["blind"] is True
    assert info.parameters["temperature"] == 0.3 and info.parameters["max_tokens"] == 700
    assert info.cost_usd > 0  # gpt-4o-mini has a price
    assert len(model.seen) == 1


def test_unknown_cite_is_dropped_and_flagged_not_repaired() -> None:
    """One loose citation used to cost a repair, and a second one the whole turn."""
    model = scripted(valid(cites=["F-made-up", "F-nrr", "F-made-up", "P-ret-3"]))
    reply, info = turn(model)
    assert reply.cites == ["F-nrr", "P-ret-3"] and reply.dropped_cites == ["F-made-up"]
    assert info.outcome == "ok" and info.parameters["repairs"] == 0
    assert info.parameters["dropped_cites"] == ["F-made-up"] and len(model.seen) == 1


def test_unknown_cites_in_a_repaired_reply_are_dropped_too() -> None:
    model = scripted(valid(cites=["X-1"], addressed=["nobody"]), valid(cites=["X-2", "F-win"]))
    reply, info = turn(model)
    assert info.outcome == "ok_after_repair"
    assert reply.cites == ["F-win"] and reply.dropped_cites == ["X-2"]  # the last reply's
    assert "nobody" in " ".join(model.seen[1].retry_feedback)


def test_a_reply_citing_only_unknown_ids_keeps_its_text() -> None:
    reply, info = turn(scripted(valid(cites=["X-1", "X-2"])))
    assert reply.cites == [] and reply.dropped_cites == ["X-1", "X-2"]
    assert reply.text.startswith("Retention") and info.outcome == "ok"


def test_schema_violation_is_repaired() -> None:
    model = scripted(valid(conviction=3, move="SHOUT"), valid())
    reply, info = turn(model)
    assert reply.conviction == 0.7 and info.outcome == "ok_after_repair"
    assert "less than or equal to 1" in " ".join(model.seen[1].retry_feedback)


def test_still_invalid_after_one_repair_fails_the_turn_with_its_call_info() -> None:
    model = scripted(valid(conviction=3), valid(addressed=["nobody"]), valid())
    with pytest.raises(CallFailed) as err:
        turn(model)
    failure = err.value
    assert isinstance(failure, ModelError)  # the pipeline marks the turn failed, never drops it
    assert "still invalid after one repair" in str(failure)
    assert "nobody" in str(failure) and "advisor auditor, round 1" in str(failure)
    assert failure.call.outcome == "failed:invalid"
    assert failure.call.parameters["requests"] == 2 and failure.call.tokens_in > 0
    assert len(model.queue) == 1  # exactly one repair: the third reply was never asked for


def test_the_failure_names_the_last_problem_not_the_first() -> None:
    model = scripted(valid(addressed=["X-1"]), valid(conviction=5))
    with pytest.raises(CallFailed) as err:
        turn(model)
    assert "less than or equal to 1" in str(err.value) and "X-1" not in str(err.value)


def test_peer_named_instead_of_id_is_normalised_without_a_repair() -> None:
    request = make_request(2, visible=[statement("seller", 1)], conviction=0.7)
    reply, info = turn(scripted(valid(addressed=["Sam Seller", "seller"])), request)
    assert reply.addressed == ["seller"] and info.outcome == "ok"


def test_changed_conviction_needs_the_statement_that_caused_it() -> None:
    request = make_request(
        2, visible=[statement("seller", 1), statement("builder", 1)], conviction=0.4
    )
    ok, info = turn(scripted(valid(conviction=0.7, conviction_cause="r1.builder")), request)
    assert ok.conviction_cause == "r1.builder" and info.outcome == "ok"

    model = scripted(valid(conviction=0.7), valid(conviction=0.7, conviction_cause="r1.seller"))
    repaired, info = turn(model, request)
    assert repaired.conviction_cause == "r1.seller" and info.outcome == "ok_after_repair"
    feedback = " ".join(model.seen[1].retry_feedback)
    assert "moved from 0.40 to 0.70" in feedback and "r1.seller, r1.builder" in feedback


def test_small_conviction_moves_need_no_cause() -> None:
    request = make_request(2, visible=[statement("seller", 1)], conviction=0.68)
    reply, info = turn(scripted(valid(conviction=0.7)), request)
    assert reply.conviction_cause is None and info.outcome == "ok"


def test_cause_still_missing_after_repair_is_flagged_not_failed_by_default() -> None:
    request = make_request(2, visible=[statement("seller", 1)], conviction=0.4)
    model = scripted(valid(conviction=0.9), valid(conviction=0.9, conviction_cause="r9.ghost"))
    reply, info = turn(model, request)
    assert reply.conviction == 0.9 and reply.conviction_cause is None  # pipeline flags conformity
    assert info.outcome == "cause_missing"


def test_cause_policy_fail_fails_the_turn() -> None:
    request = make_request(2, visible=[statement("seller", 1)], conviction=0.4)
    model = scripted(valid(conviction=0.9), valid(conviction=0.9))
    with pytest.raises(CallFailed, match="conviction_cause is empty"):
        turn(model, request, cfg=config(missing_cause="fail"))


def test_text_longer_than_the_limit_is_repaired() -> None:
    model = scripted(valid(text="x" * 400), valid())
    _, info = turn(model, cfg=config(max_statement_chars=300))
    assert info.outcome == "ok_after_repair"
    assert "keep it under 300" in " ".join(model.seen[1].retry_feedback)


def test_summary_is_plain_text_bounded_and_repaired_once() -> None:
    model = scripted("y" * 500, "Round 1: the auditor and the seller disagree on [F-nrr].")
    engine = engine_with(model, cfg=config(max_summary_chars=200))
    text, info = run(
        engine.summarize(
            RoundSpec(number=1, title="Open", purpose="p"),
            [statement("auditor", 1), statement("seller", 1)],
            PANEL,
            INTENT,
        )
    )
    assert text.startswith("Round 1:") and info.role == "summariser"
    assert info.outcome == "ok_after_repair" and info.parameters["output_mode"] == "text"
    assert model.seen[0].output_tool is None


def test_ask_serves_other_roles_with_the_same_repair_rule() -> None:
    from pydantic import BaseModel

    class Framing(BaseModel):
        choice: str
        options: list[str]

    model = scripted(
        {"choice": "", "options": []},
        {"choice": "Hire or fix retention", "options": ["hire", "fix"]},
    )
    engine = engine_with(model, cfg=config(framer="ollama:qwen2.5:7b"))
    framing, info = run(
        engine.ask(
            "framer",
            Framing,
            "Frame the question as a decision.",
            '<data kind="question">q</data>',
            validate=lambda f: [] if f.choice else ["choice is empty"],
        )
    )
    assert framing.options == ["hire", "fix"]
    assert (info.role, info.model, info.reason) == (
        "framer",
        "ollama:qwen2.5:7b",
        "settings.models.framer",
    )
    assert info.outcome == "ok_after_repair" and info.cost_usd == 0.0
