"""The council end to end on the offline engine: stages, events, the record, the run log."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.council.workspace import Company
from throughline.council.debate import ROUNDS
from throughline.council.personas import builtin_catalog
from throughline.council.convene import OFFLINE_NOTICE, Council, ask
from throughline.core.seams import Event
from throughline.core.errors import InputError, UsageError
from throughline.record.decision import DecisionRecord, Move
from throughline.runlog import RunLog

RUN_DATE = date(2026, 11, 21)
QUESTION = ("Our engineering ships faster with AI and sales is flat. Invest in GTM tooling or "
            "in product clarity?")


@pytest.fixture(scope="module")
def asked(company: Company, tmp_path_factory: pytest.TempPathFactory):
    events: list[Event] = []
    out = tmp_path_factory.mktemp("record") / "record.json"
    result = ask(company.settings, QUESTION, out=out, run_date=RUN_DATE,
                 diagnosis=company.diagnosis, on_event=events.append)
    return result, events


def test_every_stage_runs_in_order_and_reports_events(asked) -> None:
    result, events = asked
    stages = [e.stage for e in events if e.kind == "stage_finished"]
    assert stages == ["frame", "gather", "cast", "debate", "claim_check", "synthesize"]
    assert events[0].kind == "run_started" and events[-1].kind == "run_finished"
    turns = [e for e in events if e.kind == "turn"]
    assert len(turns) == len(result.record.panel) * len(ROUNDS)


def test_offline_record_is_fully_verified_and_says_who_wrote_it(asked) -> None:
    record: DecisionRecord = asked[0].record
    cc = record.claim_check
    assert cc.total > 50
    assert (cc.verified, cc.unsupported, cc.contradicted) == (cc.total, 0, 0), [
        (c.location, c.text) for c in cc.claims if c.status != "verified"]
    assert record.notice == OFFLINE_NOTICE and "offline engine" in record.notice
    assert record.run.engine == "offline"
    assert all(p.passed for p in record.run.policy), record.run.policy
    assert {p.rule for p in record.run.policy} >= {"numeric_claims_traced", "budget",
                                                   "no_unverified_capability_promises"}


def test_record_has_every_section(asked) -> None:
    r: DecisionRecord = asked[0].record
    assert r.intent.decision_type == "invest"
    assert r.intent.options == ["GTM tooling", "product clarity"]
    assert r.binding == "honesty"
    # the verdict answers the question asked: it names both options first, then the
    # binding constraint the diagnosis found
    first = r.verdict.split(". ")[0]
    assert "GTM tooling" in first and "product clarity" in first
    assert "Honesty is the binding constraint" in r.verdict
    assert 1 <= len(r.predictions) <= 6
    for f in r.predictions:
        # forecasts count from the data's end (the as-of date), never from the run date
        assert 0 < f.probability < 1 and f.resolution and f.owner
        assert f.anchor == r.run.diagnosis_as_of and f.horizon > f.anchor
    assert r.action_plan[0].due > RUN_DATE
    assert any(s.opening_words for s in r.action_plan)
    assert any(s.condition and s.condition.startswith("If ") for s in r.action_plan)
    assert 2 <= len(r.future_paths) <= 3
    for path in r.future_paths:
        assert path.milestones and all(m.backing for m in path.milestones)
    # a question with options: a path per option and one that repairs the constraint first
    assert "act_on_constraint" in {p.stance for p in r.future_paths}
    titles = " ".join(p.title for p in r.future_paths)
    assert "GTM tooling" in titles or "product clarity" in titles
    assert r.deeper_story and r.evidence and r.risks
    assert r.citations and [c.number for c in r.citations] == list(
        range(1, len(r.citations) + 1))
    for item in r.evidence:
        assert item.citations or item.attribution
    assert r.sources.cited and r.sources.consulted
    assert r.sources.unused_count == sum(
        1 for c in r.sources.consulted
        if c.ref not in {x.ref for x in r.citations}
        and not any(c.ref in s.cites for rd in r.rounds for s in rd.statements))


def test_panel_seats_auditor_and_contrarian_with_reasons(asked) -> None:
    r: DecisionRecord = asked[0].record
    ids = [m.advisor.id for m in r.panel]
    assert 4 <= len(ids) <= 7 and "auditor" in ids and "contrarian" in ids
    for m in r.panel:
        assert m.advisor.cast_reason and m.advisor.model == "offline"
        assert [h.round for h in m.history] == [1, 2, 3, 4, 5]


def test_rounds_have_purposes_moves_and_named_causes(asked) -> None:
    r: DecisionRecord = asked[0].record
    assert [rd.number for rd in r.rounds] == [1, 2, 3, 4, 5]
    ids = {s.id for rd in r.rounds for s in rd.statements}
    for rd in r.rounds:
        assert rd.summary and not re.search(r"\d", rd.summary)
        for s in rd.statements:
            assert isinstance(s.move, Move) and s.text
            if rd.number == 1:
                assert s.conviction_cause is None  # blind: nothing to be moved by
            if s.conviction_cause is not None:
                assert s.conviction_cause in ids and s.conviction_cause.startswith(
                    f"r{rd.number - 1}.")
            assert not s.conformity_flag
    auditor = [s for rd in r.rounds for s in rd.statements if s.advisor_id == "auditor"]
    assert all(s.move == Move.FACTCHECK for s in auditor[:4])
    contrarian = next(s for s in r.rounds[0].statements if s.advisor_id == "contrarian")
    # the Contrarian argues the runner-up by name; round 4 tests each lens's own assumption
    assert r.runner_up and r.runner_up.split("_")[0] in contrarian.text.lower()
    catalog = {p.id: p for p in builtin_catalog().advisors}
    assert all(catalog[s.advisor_id].assumption.text in s.text
               for s in r.rounds[3].statements)
    assert any("masquerading as" in s.text for s in r.rounds[4].statements)


def test_statements_differ_between_advisors(asked) -> None:
    r: DecisionRecord = asked[0].record
    for rd in r.rounds:
        texts = [s.text for s in rd.statements]
        assert len(set(texts)) == len(texts), f"round {rd.number} repeats a statement"


def test_run_log_holds_stages_statements_calls_and_exports_identically(
        asked, company: Company, cli, tmp_path: Path) -> None:
    result = asked[0]
    with RunLog.open(company.settings) as log:
        detail = log.get_run(result.run_id)
        assert [s.name for s in detail.stages if s.status == "finished"] >= [
            "frame", "gather", "cast", "debate"]
        assert log.get_frame(result.run_id) == result.record.intent
        assert len(log.statements(result.run_id)) == sum(
            len(rd.statements) for rd in result.record.rounds)
        calls = log.calls(result.run_id)
        assert calls and {c.engine for c in calls} == {"offline"}
        assert log.get_record(result.run_id) == result.record
    ws = str(company.settings.workspace)
    for fmt in ("html", "md", "json"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert cli("--workspace", ws, "runs", "export", result.run_id, "--format", fmt,
                   "--out", str(a)).code == 0
        assert cli("--workspace", ws, "runs", "export", result.run_id, "--format", fmt,
                   "--out", str(b)).code == 0
        assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 1000
    assert json.loads((tmp_path / "a.json").read_text())["run_id"] == result.run_id


def test_same_evidence_gives_the_same_record(company: Company) -> None:
    council = Council(company.settings)
    one = council.ask(QUESTION, run_date=RUN_DATE, diagnosis=company.diagnosis).record
    two = council.ask(QUESTION, run_date=RUN_DATE, diagnosis=company.diagnosis).record

    def body(r: DecisionRecord) -> dict:
        d = r.model_dump(mode="json", exclude={"run_id", "run"})
        return d

    assert body(one) == body(two)


def test_untrusted_question_stays_text_in_html(company: Company, tmp_path: Path) -> None:
    evil = 'Is <script>alert(1)</script> our <img src=x onerror=alert(2)> constraint?'
    result = ask(company.settings, evil, out=tmp_path / "r.html", run_date=RUN_DATE,
                 rounds=1, diagnosis=company.diagnosis)
    html = (tmp_path / "r.html").read_text()
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert result.record.intent.question == evil


def test_cli_ask_prints_the_record_path(company: Company, cli, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    res = cli("--workspace", str(company.settings.workspace), "ask", "What should we do first?",
              "--rounds", "2", "--out", str(out), "--date", "2026-11-21")
    assert res.code == 0, res.err
    assert str(out) in res.out and out.read_text().startswith("#")
    res = cli("--workspace", str(company.settings.workspace), "--json", "ask",
              "--rounds", "1", "--out", str(tmp_path / "r.json"))
    data = json.loads(res.out)
    assert data["engine"] == "offline" and data["claims"]["unsupported"] == 0


def test_bad_rounds_and_panel_files_are_usage_errors(company: Company, cli,
                                                     tmp_path: Path) -> None:
    ws = str(company.settings.workspace)
    assert cli("--workspace", ws, "ask", "Q?", "--rounds", "9").code == 2
    with pytest.raises(UsageError):
        Council(company.settings).ask("Q?", rounds=0)
    bad = tmp_path / "panel.yaml"
    bad.write_text("advisors:\n  - id: x\n    name: X\n")
    res = cli("--workspace", ws, "ask", "Q?", "--panel", str(bad))
    assert res.code == 2 and "panel.yaml" in res.err and "advisor 'x'" in res.err
    with pytest.raises(InputError):
        Council(company.settings).ask("Q?", panel=tmp_path / "missing.yaml")


def test_user_panel_file_seats_its_advisors(company: Company, tmp_path: Path) -> None:
    panel = tmp_path / "panel.yaml"
    panel.write_text("""
advisors:
  - id: cro
    name: Dana Whitfield
    role: Chief revenue officer
    lens: Whether the number this quarter is real.
    background: Ran sales at three SaaS companies.
    weighs: {families: [pipeline, honesty]}
    champions: [honesty]
    assumption:
      text: that the pipeline covers the plan
      finding: pipeline.velocity.overall
      metric: win_rate
      op: ">="
      value: 0.2
      meaning: the win rate is at least one in five
    metaphor: a scoreboard that counts shots, not goals
    protects: the board forecast
    hides: the deals that will slip
""")
    record = Council(company.settings).ask("What first?", panel=panel, run_date=RUN_DATE,
                                           diagnosis=company.diagnosis).record
    seated = {m.advisor.id: m.advisor for m in record.panel}
    assert "cro" in seated and seated["cro"].cast_reason == "named in the panel file"
    assert record.claim_check.unsupported == 0


def test_no_data_is_a_clear_error(tmp_path: Path, cli) -> None:
    res = cli("--workspace", str(tmp_path / "empty"), "ask", "What first?")
    assert res.code == 2 and "ingest" in res.err.lower()
