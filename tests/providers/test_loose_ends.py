"""Loose ends of the prompts rework (issue 13): the peer claim kept on the record, the
conviction's meaning, an estimate that sizes prompts with whole statements, a retired
setting that still loads, the fake that reads what the prompt now says, Anthropic's cache
marker at the stable prefix, and a provider's deprecation notice logged once per run."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import httpx2
import pytest

from throughline.council.debate import ROUNDS, run_debate
from throughline.core.seams import CallInfo, TurnReply, TurnRequest
from throughline.providers import ModelAdvisorEngine, ModelsConfig, prompts
from throughline.providers.budget import estimate_tokens
from throughline.providers.fakes import FakeAdvisor, FakeOpenAIServer, ScriptedModel
from throughline.record.decision import Statement

from .helpers import EVIDENCE, INTENT, PANEL, SleepRecorder, engine_with, make_request, run
from .helpers import statement as said


# -- the peer claim on the record -----------------------------------------------------------

def test_the_fake_takes_up_a_peer_claim_and_reads_its_last_conviction_from_the_prompt(
        ) -> None:
    """The conviction line moved from the instructions to the round part of the prompt:
    the fake used to miss it (and answer 0.6 whatever it was told) and never set
    responds_to."""
    model = ScriptedModel(responder=FakeAdvisor(conviction=0.6))
    engine = engine_with(model)
    peer = said("seller", 1, "Win rate held at 23% with stable cycle length. More AEs help.")
    request = make_request(2, PANEL[0], visible=[peer], conviction=0.82,
                           own=[said("auditor", 1, conviction=0.82)])
    reply, _ = run(engine.turn(request))
    assert reply.conviction == 0.82 and reply.conviction_cause is None
    assert reply.responds_to == "r1.seller"
    assert reply.claim == "Win rate held at 23% with stable cycle length."
    assert "seller" in reply.addressed  # the peer taken up is addressed
    assert reply.peer_note is None


class _Replying:
    """An engine whose round-2 replies take up the first peer statement shown (the last
    advisor names a statement it was never shown), quoting it with loose whitespace."""

    name = "scripted"

    def __init__(self, last: str) -> None:
        self.last = last

    async def turn(self, request: TurnRequest) -> tuple[TurnReply, CallInfo]:
        me = request.advisor.id
        reply = TurnReply(move="SHARE", text=f"{me} says 23% is the number.", conviction=0.5)
        peer = next((s for s in request.visible if s.advisor_id != me), None)
        if peer is not None:
            ref = "r9.nobody" if me == self.last else peer.id
            reply = reply.model_copy(update={"responds_to": ref,
                                             "claim": "  " + peer.text.replace(" ", "   ")})
        return reply, CallInfo(role="advisor", engine="scripted", model="s", reason="test")

    async def summarize(self, round_: Any, statements: Any, panel: Any, intent: Any
                        ) -> tuple[str, CallInfo]:
        return "minutes", CallInfo(role="summariser", engine="scripted", model="s",
                                   reason="test")


class _Pack:
    class diagnosis:  # noqa: N801  (the attribute path run_debate reads)
        class ranking:  # noqa: N801
            binding = None
            runner_up = None

    findings: list[Any] = []

    def passages(self) -> list[Any]:
        return []

    def cards_for(self, persona: Any) -> list[Any]:
        return list(EVIDENCE)


def test_responds_to_and_claim_are_kept_on_the_statement() -> None:
    """The reply's peer claim reaches the record's Statement (it used to be dropped), only
    for a statement the advisor was shown, and the JSON leaves it out when there is none."""
    from throughline.council.personas import load_catalog

    catalog, _ = load_catalog(None)
    seats = [(p, p.advisor()) for p in catalog.advisors[:3]]
    ids = [a.id for _, a in seats]
    records = run(run_debate(_Replying(last=ids[2]), run_id="r", seats=seats, intent=INTENT,
                             pack=_Pack(), rounds=2))  # type: ignore[arg-type]
    r2 = {s.advisor_id: s for s in records[1].statements}
    first = records[0].statements
    assert r2[ids[0]].responds_to == f"r1.{ids[1]}"
    assert r2[ids[0]].claim == first[1].text  # quoted, whitespace made plain
    assert r2[ids[1]].responds_to == f"r1.{ids[0]}"
    assert r2[ids[2]].responds_to is None and r2[ids[2]].claim is None  # r9 never shown
    assert all(s.responds_to is None for s in first)  # round 1 is blind
    assert r2[ids[0]].model_dump(mode="json")["responds_to"] == f"r1.{ids[1]}"
    assert "responds_to" not in r2[ids[2]].model_dump(mode="json")
    assert "claim" not in first[0].model_dump(mode="json")


def test_peers_and_the_summariser_see_which_claim_a_statement_took_up() -> None:
    s = said("seller", 2, "Churn is the story.", responds_to="r1.auditor",
             claim="NRR fell to 92%")
    block = prompts.statement_block(s, 1500, {"seller": "Sam Seller"})
    assert 'responds_to="r1.auditor"' in block and 'claim="NRR fell to 92%"' in block


def test_conviction_is_belief_in_the_advisors_own_answer() -> None:
    text = Statement.model_fields["conviction"].description or ""
    assert "own answer to the user's question" in text
    assert "verdict's side" not in text
    assert "answer it argues for" in (TurnReply.model_fields["conviction"].description or "")


# -- the estimate and the retired setting ---------------------------------------------------

def test_the_estimate_sizes_summaries_and_later_rounds_with_whole_statements() -> None:
    """Peers and the summariser see statements in full (up to 1,500 characters): the plan
    used to assume 700 characters a statement and 1.5x round 1 for every later round."""
    engine = engine_with(ScriptedModel(responder=FakeAdvisor()))
    limits = engine.limits
    first = [make_request(1, a) for a in PANEL]
    planned = engine.plan(first, rounds=5)
    turns = [p for p in planned if p.role == "advisor"]
    summaries = [p for p in planned if p.role == "summariser"]
    assert len(turns) == 15 and len(summaries) == 5
    full = [said(a.id, 3, "x" * limits.statement_chars) for a in PANEL]
    real = prompts.summary_prompt(ROUNDS[2], full, PANEL, INTENT, limits)
    real_tokens = estimate_tokens(real.instructions) + estimate_tokens(real.user)
    assert summaries[2].prompt_tokens >= real_tokens * 0.97
    # a later round carries every peer's previous statement in full, and the own one
    r1 = turns[0].prompt_tokens
    r5 = turns[4].prompt_tokens
    assert r5 - r1 >= estimate_tokens("x" * limits.statement_chars * len(PANEL))


def test_max_peer_chars_is_retired_and_old_settings_still_load() -> None:
    """It clipped nothing any more; a stored run or settings file naming it still loads."""
    config = ModelsConfig.model_validate({"default": "ollama:qwen2.5:7b", "max_peer_chars": 700})
    assert "max_peer_chars" not in ModelsConfig.model_fields
    assert "max_peer_chars" not in config.model_dump()
    assert not hasattr(prompts.PromptLimits(), "peer_chars")


# -- Anthropic's cache marker ---------------------------------------------------------------

def test_anthropic_requests_mark_the_stable_prefix_for_caching() -> None:
    """Anthropic caches only up to an explicit cache_control marker: it sits at the end of
    the part every round of an advisor shares (Prompt.prefix), so rounds 2-5 reuse it."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        bodies.append(body)
        tool = body["tools"][0]["name"]
        return httpx2.Response(200, json={
            "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "tool_use", "id": "toolu_1", "name": tool,
                         "input": {"move": "SHARE", "text": "Retention binds [F-nrr].",
                                   "addressed": [], "cites": ["F-nrr"], "conviction": 0.7,
                                   "conviction_cause": None}}],
            "stop_reason": "tool_use", "stop_sequence": None,
            "usage": {"input_tokens": 900, "output_tokens": 60,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}})

    sleeper = SleepRecorder()
    engine = ModelAdvisorEngine(
        ModelsConfig(default="anthropic:claude-haiku-4-5"), env={"ANTHROPIC_API_KEY": "k-1"},
        transport=lambda spec: httpx2.MockTransport(handler), sleep=sleeper,
        clock=sleeper.clock, rng=random.Random(0))
    request = make_request(2, visible=[said("seller", 1, "Win rate is 23%.")], conviction=0.7)
    prompt = prompts.turn_prompt(request, engine.limits)

    async def go() -> Any:
        async with engine:
            return await engine.turn(request)

    run(go())
    user = next(m for m in bodies[0]["messages"] if m["role"] == "user")
    blocks = [b for b in user["content"] if b.get("type") == "text"]
    assert blocks[0]["text"] == prompt.user[: prompt.prefix]
    assert blocks[0]["cache_control"]["type"] == "ephemeral"
    assert "".join(b["text"] for b in blocks) == prompt.user  # nothing lost or reordered
    assert all("cache_control" not in b for b in blocks[1:])


def test_other_providers_get_the_plain_prompt() -> None:
    from throughline.providers.agents import user_content
    from throughline.core.model_spec import parse_model

    prompt = prompts.Prompt("i", "stable part, then the round", prefix=12)
    assert user_content(parse_model("openai:gpt-4o-mini"), prompt) == prompt.user
    assert user_content(parse_model("ollama:qwen2.5:7b"), prompt) == prompt.user
    assert len(user_content(parse_model("anthropic:claude-haiku-4-5"), prompt)) == 3
    no_prefix = prompts.Prompt("i", "all of it", prefix=0)
    assert user_content(parse_model("anthropic:claude-haiku-4-5"), no_prefix) == "all of it"


# -- deprecation notices --------------------------------------------------------------------

def test_a_deprecated_model_is_logged_once_per_run_not_warned_per_request(
        caplog: pytest.LogCaptureFixture) -> None:
    """Pydantic AI emits a DeprecatedModelWarning on every request to a model its provider
    deprecated (under this suite's `error` filter, the first request raised it). The engine
    logs it once per run, on the models logger, and the requests go through quietly —
    also after a stage closes the clients and the model is built again."""
    caplog.set_level(logging.WARNING, logger="throughline.providers")
    with FakeOpenAIServer() as server:
        sleeper = SleepRecorder()
        engine = ModelAdvisorEngine(
            ModelsConfig(default="openai:gpt-5.1", openai_base_url=server.base_url),
            env={"OPENAI_API_KEY": "k-1"}, sleep=sleeper, clock=sleeper.clock,
            rng=random.Random(0))

        async def stage() -> None:
            try:
                for advisor in PANEL:
                    await engine.turn(make_request(1, advisor))
            finally:
                await engine.aclose()

        run(stage())
        run(stage())  # the next stage: a fresh client, the same run
    lines = [r.getMessage() for r in caplog.records if "deprecated" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("openai:gpt-5.1 is deprecated by its provider")
    assert lines[0].endswith("(logged once per run)")
    assert len(server.requests) == 6
