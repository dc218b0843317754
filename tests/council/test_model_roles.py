"""The framer and synthesiser on models: opt-in per role, logged with their reason, the
verdict's numbers checked before it is accepted, and the rule-based text kept (and said to
be kept) when the model fails."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.council.workspace import Company
from throughline.council.convene import Council
from throughline.providers.fakes import FakeAdvisor, ScriptedModel
from throughline.providers.fakes.responders import SECTION_MARK
from throughline.providers.fakes.scripted import SeenRequest
from throughline.runlog import RunLog
from throughline.core.settings import Settings
from throughline.core.synthesis_sections import MARK
from throughline.core.text import md_inline
from throughline.council.personas import load_catalog
from throughline.providers.advisor_engine import ModelAdvisorEngine
from throughline.record.render import render_record

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


SECTIONS = ["verdict", "action_plan", "future_paths", "deeper_story", "risks"]


def section_of(seen: SeenRequest) -> str | None:
    """Which synthesised section a request asks for (None: not a synthesiser call)."""
    if SECTION_MARK not in seen.instructions:
        return None
    for name, title in (("verdict", "verdict"), ("action_plan", "action plan"),
                        ("future_paths", "future paths"), ("deeper_story", "deeper story"),
                        ("risks", "risks")):
        if f"Section: the {title}." in seen.prompt:
            return name
    raise AssertionError("a synthesiser call that names no section")


class Writer(FakeAdvisor):
    """The fake, with one section rewritten by ``edit(draft, attempt)`` (attempt 1, 2)."""

    def __init__(self, section: str, edit: Any) -> None:
        super().__init__()
        self.target = section
        self.edit = edit
        self.asked: list[SeenRequest] = []

    def __call__(self, seen: SeenRequest) -> Any:
        reply = super().__call__(seen)
        if section_of(seen) != self.target:
            return reply
        self.asked.append(seen)
        return self.edit(reply, len(self.asked))


def test_the_synthesiser_writes_every_section_and_the_record_says_so(company: Company) -> None:
    assert SECTION_MARK == MARK  # the fakes recognise the synthesiser by its first words
    settings = settings_with(company, synthesiser=MODEL)
    record, calls = ask(settings, FakeAdvisor())
    synth = [c for c in calls if c.role == "synthesiser"]
    assert sorted(c.parameters["section"] for c in synth) == sorted(SECTIONS)
    assert all(c.stage == "synthesize" and c.usable for c in synth)
    assert record.run.model_sections == SECTIONS
    assert not record.run.failures
    baseline, _ = ask(settings_with(company), FakeAdvisor())
    assert baseline.run.model_sections == []
    # the fake hands back the rules' drafts (with opening words where the rules had none)
    assert record.verdict == baseline.verdict
    assert [s.what for s in record.action_plan] == [s.what for s in baseline.action_plan]
    assert all(s.opening_words for s in record.action_plan)
    assert [r.text for r in record.risks] == [r.text for r in baseline.risks]
    assert record.claim_check.unsupported == 0 and record.claim_check.contradicted == 0


def test_a_verdict_number_the_evidence_lacks_is_repaired(company: Company) -> None:
    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        if attempt == 1:  # first try: a number nobody measured
            reply["verdict"] = "Hire now: win rate is 97.3% and rising. " + reply["verdict"]
        return reply

    writer = Writer("verdict", edit)
    record, calls = ask(settings_with(company, synthesiser=MODEL), writer)
    assert len(writer.asked) == 2
    assert any("97.3" in f for f in writer.asked[1].retry_feedback)  # the repair names it
    assert "97.3" not in record.verdict and "verdict" in record.run.model_sections
    assert not record.run.failures
    synth = [c for c in calls if c.role == "synthesiser"]
    assert synth and all(c.usable for c in synth)


def test_a_synthesiser_that_stays_wrong_leaves_the_rules_verdict_and_says_so(
        company: Company) -> None:
    baseline, _ = ask(settings_with(company), FakeAdvisor())

    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        return {"verdict": "Churn is 41.7% and NRR is 55%; hire."}

    record, _ = ask(settings_with(company, synthesiser=MODEL), Writer("verdict", edit))
    assert record.verdict == baseline.verdict
    assert any(f.startswith("synthesiser (verdict):") and "rule-based verdict is kept" in f
               for f in record.run.failures)
    assert "41.7" not in record.verdict
    assert record.run.model_sections == [s for s in SECTIONS if s != "verdict"]


def test_the_action_plan_is_the_models_with_opening_words_and_checked_numbers(
        company: Company) -> None:
    """The model's plan replaces the rules' — dates from its days, its opening words — and
    a step without opening words, or with a number no evidence holds, goes back once."""
    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        first = reply["steps"][0]
        steps = [
            {"days": 3, "who": "VP Sales", "what": "Put the forecast gap in front of the "
             "sales team and agree what a committed deal is.",
             "opening_words": "" if attempt == 1 else "I want us to agree, today, what "
             "'committed' means.", "condition": None, "cites": first["cites"]},
            {"days": 21, "who": "RevOps", "what": "Publish the weekly win rate of 61.5% by "
             "channel." if attempt == 1 else "Publish the weekly win rate by channel.",
             "opening_words": "Which channel do we trust least, and why?", "condition": None,
             "cites": []},
        ]
        return {"steps": steps}

    writer = Writer("action_plan", edit)
    record, _ = ask(settings_with(company, synthesiser=MODEL), writer)
    feedback = " ".join(writer.asked[1].retry_feedback)
    assert "step 1 has no opening_words" in feedback
    assert len(writer.asked) == 2 and "action_plan" in record.run.model_sections
    assert [s.who for s in record.action_plan] == ["VP Sales", "RevOps"]
    assert record.action_plan[0].opening_words == "I want us to agree, today, what " \
        "'committed' means."
    assert [(s.due - RUN_DATE).days for s in record.action_plan] == [3, 21]
    assert record.action_plan[0].when == "This week"
    assert record.action_plan[0].citations  # its cites became numbered citations
    cited = {c.number for c in record.citations}
    assert set(record.action_plan[0].citations) <= cited


def test_future_paths_must_quote_what_was_said_and_not_repeat_the_plan(
        company: Company) -> None:
    """A quote milestone must copy the words of the statement it names; a milestone that
    restates a plan step is refused; still wrong after the repair, the rules' paths stay."""
    seen_ids: list[str] = []

    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        path = reply["paths"][0]
        plan_step = writer.asked[-1].prompt.split("milestones must not repeat its steps):")[1]
        step = plan_step.split("- ", 1)[1].split(": ", 1)[1].split("\n")[0]
        path["milestones"] = [
            {"month": 3, "text": "The panel's reading is borne out.", "backing_kind": "quote",
             "backing_ref": seen_ids[0], "quote": "the forecast is fine and always was"},
            {"month": 6, "text": step, "backing_kind": "finding",
             "backing_ref": "constraint.ranking", "quote": None},
        ]
        return reply

    advisor = FakeAdvisor()

    def respond(seen: SeenRequest) -> Any:
        out = writer(seen)
        if section_of(seen) is None and isinstance(out, dict) and "move" in out:
            rnd = out["text"].split("round ")[1].split(" ")[0]
            who = out["text"].split(" ")[0]
            seen_ids.append(f"r{rnd}.{who}")
        return out

    writer = Writer("future_paths", edit)
    baseline, _ = ask(settings_with(company), advisor)
    record, _ = ask(settings_with(company, synthesiser=MODEL), respond)
    feedback = " ".join(writer.asked[1].retry_feedback)
    assert "does not contain the words 'the forecast is fine and always was'" in feedback
    assert "repeats a step of the action plan" in feedback
    assert "future_paths" not in record.run.model_sections
    assert any(f.startswith("synthesiser (future paths):") for f in record.run.failures)
    assert [p.title for p in record.future_paths] == [p.title for p in baseline.future_paths]


def test_the_deeper_story_credits_only_what_advisors_said(company: Company) -> None:
    """A story that gives an advisor an image from its catalog it never used in the rounds
    that ran is refused; one built on words actually said is accepted as written."""
    catalog, _ = load_catalog(None)
    by_id = {p.id: p for p in catalog.advisors}
    told: dict[str, Any] = {}

    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        prompt = writer.asked[-1].prompt
        ids = re.findall(r'<data kind="statement" id="([^"]*)" advisor="([^"]*)" '
                         r'name="([^"]*)"[^>]*>\n(.*?)\n</data>', prompt, re.DOTALL)
        sid, aid, name, text = ids[-1]
        told.update(sid=sid, name=name, text=text)
        if attempt == 1:
            image = by_id[aid].metaphor
            return {"story": f"{name} saw {image} in the pipeline.", "quotes": [
                {"statement_id": sid, "words": image}]}
        words = text.split(" and ")[0]
        return {"story": f'{name} put it plainly: "{words}". The rest followed from it.',
                "quotes": [{"statement_id": sid, "words": words}]}

    writer = Writer("deeper_story", edit)
    record, _ = ask(settings_with(company, synthesiser=MODEL), writer)
    feedback = " ".join(writer.asked[1].retry_feedback)
    assert "never wrote" in feedback and "nobody said in the rounds that ran" in feedback
    assert "deeper_story" in record.run.model_sections
    assert record.deeper_story.startswith(f"{told['name']} put it plainly:")
    quoted = re.search(r'"([^"]+)"', record.deeper_story)
    assert quoted is not None and quoted.group(1) in told["text"]


def test_the_first_risk_asks_what_would_make_the_verdict_wrong(company: Company) -> None:
    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        risks = reply["risks"]
        if attempt == 1:
            risks[0]["text"] = "The main risk is that we are wrong."
        return {"risks": risks}

    writer = Writer("risks", edit)
    record, _ = ask(settings_with(company, synthesiser=MODEL), writer)
    assert "the first risk must open with the question" in " ".join(
        writer.asked[1].retry_feedback)
    assert "risks" in record.run.model_sections
    assert record.risks[0].text.startswith("What would have to be true for this verdict to "
                                           "be wrong?")


def test_a_section_whose_call_fails_falls_back_alone(company: Company) -> None:
    """Faults on one section's call leave that section to the rules; the others stand."""
    baseline, _ = ask(settings_with(company), FakeAdvisor())

    def edit(reply: dict[str, Any], attempt: int) -> Any:
        return "{not json"  # malformed every time: retried, then failed for good

    record, _ = ask(settings_with(company, synthesiser=MODEL), Writer("risks", edit))
    assert [r.text for r in record.risks] == [r.text for r in baseline.risks]
    assert record.run.model_sections == [s for s in SECTIONS if s != "risks"]
    assert any(f.startswith("synthesiser (risks):") and "rule-based risks are kept" in f
               for f in record.run.failures)


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
    settings = settings_with(company, **roles)
    engine = ModelAdvisorEngine(settings.models, model_factory=lambda spec: ScriptedModel())
    planned = engine.plan([], rounds=5)
    assert {p.role for p in planned} == expected
    # the synthesiser writes five sections, one call each
    assert sum(p.count for p in planned if p.role == "synthesiser") == 5 * len(expected)


def test_replay_and_resume_of_a_run_with_model_roles_give_the_same_record(
        company: Company) -> None:
    settings = settings_with(company, framer=MODEL, synthesiser=MODEL)

    def edit(reply: dict[str, Any], attempt: int) -> dict[str, Any]:
        reply["risks"][0]["text"] += " The panel's own doubts are the place to look."
        return reply

    council = Council(settings, model_factory=lambda spec: ScriptedModel(
        responder=Writer("risks", edit), model_name=spec.name))
    first = council.ask(QUESTION, rounds=2, run_date=RUN_DATE)
    replayed = Council(settings).replay(first.run_id)  # no model factory: recorded replies
    assert replayed.record.model_dump(mode="json") == first.record.model_dump(mode="json")
    assert first.record.intent.framed_by == "model"
    assert first.record.risks[0].text.endswith("The panel's own doubts are the place to look.")
    assert replayed.record.run.model_sections == SECTIONS
    assert {m.role for m in replayed.record.run.models if m.engine != "offline"} == {
        "advisor", "summariser", "framer", "synthesiser"}


def test_a_statement_shows_the_peer_claim_it_takes_up(company: Company) -> None:
    """From round 2 a model statement names the peer statement it takes up and quotes it;
    the record keeps both and every format shows them on the statement."""
    record, _ = ask(settings_with(company), FakeAdvisor())
    r2 = record.rounds[1].statements
    assert r2 and all(s.responds_to and s.responds_to.startswith("r1.") for s in r2)
    first = {s.id: s for s in record.rounds[0].statements}
    s = r2[0]
    assert s.claim and s.claim in first[s.responds_to].text
    taken = first[s.responds_to]
    name = record.advisor(taken.advisor_id).name
    md = render_record(record, "md")
    assert f"takes up {md_inline(name)}, round 1: “{md_inline(s.claim)}”" in md
    html = render_record(record, "html")
    assert "Takes up <a href=" in html and f"{name}, round 1</a>: “" in html
