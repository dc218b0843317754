"""Budgets: the pre-run estimate, unknown prices said out loud, and a clean stop."""

from __future__ import annotations

import asyncio

import pytest

from throughline.core.errors import ConfigError, ModelError
from throughline.providers import (
    PRICES_AS_OF,
    Budget,
    BudgetExceeded,
    ModelPrice,
    PlannedCall,
    PriceTable,
    estimate_run,
    estimate_tokens,
)
from throughline.providers.fakes import FakeAdvisor, ScriptedModel

from .helpers import PANEL, config, engine_with, make_request, run, scripted, valid


def test_estimate_is_calls_times_prompt_size_times_price() -> None:
    calls = [
        PlannedCall("advisor", "openai:gpt-4o-mini", 2_000, 500, count=30),
        PlannedCall("summariser", "openai:gpt-4o-mini", 1_500, 300, count=5),
    ]
    est = estimate_run(calls)
    assert (est.calls, est.tokens_in, est.tokens_out) == (35, 67_500, 16_500)
    expected = (67_500 * 0.15 + 16_500 * 0.60) / 1_000_000
    assert est.cost_usd == pytest.approx(expected)
    assert est.by_role == {"advisor": 30, "summariser": 5}
    assert f"prices as of {PRICES_AS_OF.isoformat()}" in est.note


def test_unknown_price_means_no_cost_estimate_and_says_so() -> None:
    est = estimate_run(
        [PlannedCall("advisor", "openai-compatible:m@https://gpu.example.com/v1", 100, 10)]
    )
    assert est.cost_usd is None
    assert (
        "cost not estimated: no price known for openai-compatible:m@https://gpu.example.com/v1"
        in est.note
    )
    mixed = estimate_run(
        [
            PlannedCall("advisor", "openai:gpt-4o", 1000, 100),
            PlannedCall("summariser", "openai:some-new-model", 1000, 100),
        ]
    )
    assert (
        mixed.cost_usd is not None
        and "not counted, no price known: openai:some-new-model" in mixed.note
    )


def test_local_models_cost_nothing_and_overrides_win() -> None:
    assert PriceTable().cost("ollama:qwen2.5:7b", 10_000, 10_000) == 0.0
    table = PriceTable.with_overrides(
        {"openai:gpt-4o-mini": ModelPrice(input_per_mtok=1, output_per_mtok=2)}
    )
    assert table.cost("openai:gpt-4o-mini", 1_000_000, 1_000_000) == 3.0


def test_engine_plans_from_the_round_one_requests() -> None:
    engine = engine_with(scripted())
    first = [make_request(1, a) for a in PANEL]
    calls = engine.plan(first, rounds=5)
    est = engine.estimate(calls)
    assert est.calls == 3 * 5 + 5 and est.by_role == {"advisor": 15, "summariser": 5}
    assert est.tokens_in > 0 and est.cost_usd is not None
    assert estimate_tokens("abcd" * 10) == 10 and estimate_tokens("abcde") == 2


def test_budget_reserves_before_and_settles_after() -> None:
    budget = Budget(max_tokens=1_000, max_output_tokens=100)
    r1 = budget.reserve("ollama:x", 300)
    r2 = budget.reserve("ollama:x", 300)  # 800 reserved
    with pytest.raises(BudgetExceeded, match="over its budget of 1,000"):
        budget.reserve("ollama:x", 300)
    budget.settle(r1, 250, 40)
    budget.settle(r2, 250, 40)
    assert budget.tokens_used == 580
    with pytest.raises(BudgetExceeded):  # once reached, the run is over
        budget.reserve("ollama:x", 1)


def test_budget_exceeded_stops_the_run_and_is_not_a_turn_failure() -> None:
    model = ScriptedModel(responder=FakeAdvisor())
    engine = engine_with(model, cfg=config(max_tokens_per_run=2_500, max_output_tokens=200))

    async def rounds() -> tuple[int, BudgetExceeded]:
        done = 0
        for number in range(1, 10):
            for advisor in PANEL:
                try:
                    await engine.turn(make_request(number, advisor))
                except BudgetExceeded as stop:
                    return done, stop
                done += 1
        raise AssertionError("the budget never stopped the run")

    done, stop = run(rounds())
    assert done >= 1 and len(model.seen) == done  # the call that would pass it was never sent
    assert not isinstance(stop, ModelError)  # `except ModelError` (turn failed) won't swallow it
    assert stop.limit == "max_tokens" and stop.tokens_used <= 2_500
    assert stop.call is not None and stop.call.outcome == "budget_exceeded"
    assert "THROUGHLINE_MAX_TOKENS_PER_RUN" in str(stop)
    assert engine.budget.tokens_used <= 2_500


def test_concurrent_turns_cannot_jointly_overshoot() -> None:
    model = ScriptedModel(responder=FakeAdvisor())
    engine = engine_with(model, cfg=config(max_tokens_per_run=4_000, max_output_tokens=300))

    async def burst() -> list[object]:
        return await asyncio.gather(
            *(engine.turn(make_request(1, a)) for a in PANEL * 4), return_exceptions=True
        )

    results = run(burst())
    stopped = [r for r in results if isinstance(r, BudgetExceeded)]
    assert stopped and engine.budget.tokens_used <= 4_000


def test_cost_limit_with_an_unpriced_model_is_refused_before_the_run() -> None:
    cfg = config(default="openai-compatible:m@https://gpu.example.com/v1", max_cost_usd_per_run=1.0)
    engine = engine_with(scripted(valid()), cfg=cfg)
    with pytest.raises(ConfigError, match="no price known for openai-compatible:m@https://gpu"):
        engine.prepare(PANEL)


def test_cost_limit_stops_the_run() -> None:
    cfg = config(default="openai:gpt-4o", max_cost_usd_per_run=0.01, max_output_tokens=500)
    model = ScriptedModel(responder=FakeAdvisor())
    engine = engine_with(model, cfg=cfg)
    engine.prepare(PANEL)

    async def go() -> None:
        for _ in range(50):
            await engine.turn(make_request(1, PANEL[0]))

    with pytest.raises(BudgetExceeded) as err:
        run(go())
    assert err.value.limit == "max_cost_usd" and engine.budget.cost_used <= 0.01
