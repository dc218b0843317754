"""The framer and synthesiser on models: opt-in per role, logged with their reason, the
verdict's numbers checked before it is accepted, and the rule-based text kept (and said to
be kept) when the model fails."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.council.workspace import Company
from throughline.council.pipeline import Council
from throughline.models.fakes import FakeAdvisor, ScriptedModel
from throughline.models.fakes.scripted import SeenRequest
from throughline.runlog import RunLog
from throughline.settings import Settings

MODEL = "openai-compatible:fake@http://127.0.0.1:9/v1"  # never reached: models are fakes
QUESTION = "Should we hire two more AEs or fix onboarding first?"
RUN_DATE = date(2026, 11, 21)


def settings_with(company: Company, **roles: str) -> Settings:
    s = company.settings.with_model(MODEL)
    return s.model_copy(update={"models": s.models.model_copy(update=roles)})


def ask(settings: Settings, responder: Any, rounds: int = 2) -> tuple[Any, list[Any]]:
    seen: list[SeenRequest] = []

    def respond(request: SeenRequest) -> Any:
        seen.append(request)
        return responder(request)

    council = Council(settings, model_factory=lambda spec: ScriptedModel(
        responder=respond, model_name=spec.name))
    result = council.ask(QUESTION, rounds=rounds, run_date=RUN_DATE)
    with RunLog.open(settings) as log:
        calls = log.calls(result.run_id)
    return result.record, calls


def test_default_model_leaves_framer_and_synthesiser_to_rules(company: Company) -> None:
    record, calls = ask(settings_with(company), FakeAdvisor())
    assert {c.role for c in calls} == {"advisor", "summariser"}
    uses = {m.role: m for m in record.run.models}
    for role in ("framer", "synthesiser", "claim_extractor"):
        assert uses[role].engine == "offline" and uses[role].model == "deterministic"
    assert "THROUGHLINE_MODEL_SYNTHESISER" in uses["synthesiser"].reason
    assert record.intent.framed_by == "offline"


def test_framer_and_synthesiser_on_models_are_logged_with_their_reason(
        company: Company) -> None:
    settings = settings_with(company, framer=MODEL, synthesiser=MODEL)
    baseline, _ = ask(settings_with(company), FakeAdvisor())
    record, calls = ask(settings, FakeAdvisor())
    by_role = {c.role: c for c in calls}
    assert by_role["framer"].stage == "frame" and by_role["synthesiser"].stage == "synthesize"
    uses = {m.role: m for m in record.run.models}
    assert uses["framer"].reason == "settings.models.framer"
    assert uses["synthesiser"].reason == "settings.models.synthesiser"
    assert uses["synthesiser"].model == MODEL
    assert record.intent.framed_by == "model"
    # the fake hands back the rules' drafts: same framing, same verdict, all verified
    assert record.intent.options == baseline.intent.options
    assert record.verdict == " ".join(baseline.verdict.split())
    assert record.claim_check.unsupported == 0 and record.claim_check.contradicted == 0
    assert record.run.calls == len(calls)


def test_a_verdict_number_the_evidence_lacks_is_repaired(company: Company) -> None:
    advisor = FakeAdvisor()
    asked: list[SeenRequest] = []

    def responder(seen: SeenRequest) -> Any:
        if "You write the verdict" not in seen.instructions:
            return advisor(seen)
        asked.append(seen)
        reply = advisor(seen)
        if len(asked) == 1:  # first try: a number nobody measured
            reply["verdict"] = "Hire now: win rate is 97.3% and rising. " + reply["verdict"]
        return reply

    record, calls = ask(settings_with(company, synthesiser=MODEL), responder)
    assert len(asked) == 2
    assert any("97.3" in f for f in asked[1].retry_feedback)  # the repair names the number
    assert "97.3" not in record.verdict
    assert not record.run.failures
    synth = [c for c in calls if c.role == "synthesiser"]
    assert synth and all(c.usable for c in synth)


def test_a_synthesiser_that_stays_wrong_leaves_the_rules_verdict_and_says_so(
        company: Company) -> None:
    advisor = FakeAdvisor()
    baseline, _ = ask(settings_with(company), FakeAdvisor())

    def responder(seen: SeenRequest) -> Any:
        if "You write the verdict" in seen.instructions:
            return {"verdict": "Churn is 41.7% and NRR is 55%; hire.", "cites": []}
        return advisor(seen)

    record, _ = ask(settings_with(company, synthesiser=MODEL), responder)
    assert record.verdict == baseline.verdict
    assert any(f.startswith("synthesiser:") and "rule-based verdict is kept" in f
               for f in record.run.failures)
    assert "41.7" not in record.verdict


def test_a_framer_that_invents_options_is_refused(company: Company) -> None:
    advisor = FakeAdvisor()

    def responder(seen: SeenRequest) -> Any:
        reply = advisor(seen)
        if "You frame a go-to-market question" in seen.instructions:
            reply["options"] = ["raise prices", "open a Berlin office"]
        return reply

    record, _ = ask(settings_with(company, framer=MODEL), responder)
    assert record.intent.framed_by == "offline"
    assert "open a Berlin office" not in record.intent.options
    assert any(f.startswith("framer:") and "not in the question" in f
               for f in record.run.failures)


@pytest.mark.parametrize("roles,expected", [({}, set()),
                                            ({"synthesiser": MODEL}, {"synthesiser"})])
def test_the_estimate_counts_the_roles_set_to_models(company: Company, roles: dict[str, str],
                                                     expected: set[str]) -> None:
    from throughline.models import ModelAdvisorEngine

    settings = settings_with(company, **roles)
    engine = ModelAdvisorEngine(settings.models, model_factory=lambda spec: ScriptedModel())
    planned = engine.plan([], rounds=5)
    assert {p.role for p in planned} == expected


def test_replay_and_resume_of_a_run_with_model_roles_give_the_same_record(
        company: Company) -> None:
    settings = settings_with(company, framer=MODEL, synthesiser=MODEL)
    council = Council(settings, model_factory=lambda spec: ScriptedModel(
        responder=FakeAdvisor(), model_name=spec.name))
    first = council.ask(QUESTION, rounds=2, run_date=RUN_DATE)
    replayed = Council(settings).replay(first.run_id)  # no model factory: recorded replies
    assert replayed.record.model_dump(mode="json") == first.record.model_dump(mode="json")
    assert first.record.intent.framed_by == "model"
    assert {m.role for m in replayed.record.run.models if m.engine != "offline"} == {
        "advisor", "summariser", "framer", "synthesiser"}
