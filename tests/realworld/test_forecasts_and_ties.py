"""Impossible forecasts (item 9) and ties shown truthfully (item 10), end to end.

Before issue 12: two hypotheses at 1.00 made the CLI say "none found (no hypothesis reached
0.50)", the report "Closest: Honesty (1.00, below the threshold)", the offline engine's own
sentence was CONTRADICTED by the claim check and two policy checks failed; forecasts were
counted from today ("107.0 periods ahead" of data that ended years before) and fitted on
the raw scale ("projected value −97.3%").

The tie and the data-quality list are set on the diagnosis by hand (the data-fitness gate
and the ranking fill them in production); everything after that runs as a user runs it:
`throughline diagnose` and `throughline ask` through the CLI on an ingested sample company.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.council.workspace import Company, build_company
from throughline.council.forecast import horizon_date
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.quality import DataQualityIssue
from throughline.record.decision import DecisionRecord

TIE = ("Tie: honesty and messaging at 1.00 — the data does not separate them; the evidence "
       "that would is a signal only one of them reads:")

ISSUES = [
    DataQualityIssue(
        id="dq.bulk_timestamps.stage_history", check="bulk_timestamps", action="corrected",
        table="stage_history", columns=["CreatedDate"], title="Stage history bulk-loaded",
        statement="62 of 62 stage changes share one timestamp, a data load.",
        remedy="Excluded from slippage, pushes and time in stage.", rows_affected=62,
        rows_total=62, affects=["honesty"]),
    DataQualityIssue(
        id="dq.stale.opportunities", check="stale", action="warning", table="opportunities",
        title="Data ends long before today",
        statement="The newest CRM event is more than a year before today.",
        remedy="Nothing changed; forecasts count from the data's end."),
]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return build_company(tmp_path_factory.mktemp("tie-company"), library=False)


def tied(d: Diagnosis) -> Diagnosis:
    """The company's own diagnosis with honesty and messaging tied at the top at 1.00."""
    scores = [s.model_copy(update={"score": 1.0} if s.name in ("honesty", "messaging")
                           else {"score": min(s.score, 0.3)}) for s in d.ranking.scores]
    scores.sort(key=lambda s: (-s.score, s.name))
    ranking = d.ranking.model_copy(update={
        "scores": scores, "binding": None, "runner_up": None, "margin": 0.0,
        "tied": ["honesty", "messaging"], "order_of_operations": [], "wrong_remedies": [],
        "rationale": "None found: honesty (1.00) and messaging (1.00) are within the 0.10 "
                     "margin, so the data do not single out one constraint; treat both as "
                     "candidates."})
    return d.model_copy(update={"ranking": ranking, "data_quality": ISSUES,
                                "reporting_currency": "USD",
                                "as_of_source": "the latest CRM event"})


def test_diagnose_cli_names_the_tie_and_the_data_quality_first(
        company: Company, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    d = tied(company.diagnosis)
    monkeypatch.setattr("throughline.cli.diagnose_cmd.run_diagnose", lambda *a, **k: d)
    ws = str(company.settings.workspace)
    res = cli("--workspace", ws, "diagnose", "--out", tmp_path / "report.md")
    assert res.code == 0, res.err
    out = " ".join(res.out.split())
    assert f"Binding constraint: {TIE}" in out
    assert "none found" not in out and "no hypothesis reached" not in out
    assert ("Data quality: 2 issue(s) — what we could not trust, and what we did about it: "
            "• Stage history bulk-loaded (corrected) • Data ends long before today (warning)"
            ) in out
    assert f"Data as of {d.as_of.day} " in out and "Amounts are in USD." in out
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert md.index("## What we could not trust") < md.index("## The finding")
    assert TIE in " ".join(md.split()) and "Closest:" not in md
    res = cli("--workspace", ws, "--json", "diagnose", "--out", tmp_path / "report.json")
    summary = json.loads(res.out)
    assert summary["binding"] is None and summary["tie"].startswith(TIE)
    assert summary["tied"] == [{"name": "honesty", "score": 1.0},
                               {"name": "messaging", "score": 1.0}]
    assert [i["title"] for i in summary["data_quality"]] == [i.title for i in ISSUES]


def test_ask_on_a_tie_passes_its_own_claim_check_and_forecasts_from_the_data(
        company: Company, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    d = tied(company.diagnosis)
    monkeypatch.setattr("throughline.council.gather_sources.run_diagnose", lambda *a, **k: d)
    out = tmp_path / "record.json"
    run_date = date(d.as_of.year + 8, 11, 21)  # the record is written years after the data
    res = cli("--workspace", str(company.settings.workspace), "ask",
              "What is holding back our go-to-market?", "--date", run_date.isoformat(),
              "--out", out)
    assert res.code == 0, res.err
    record = DecisionRecord.model_validate_json(out.read_text(encoding="utf-8"))

    assert record.title == "Tie: Honesty and Messaging at 1.00"
    assert record.binding is None and [t.name for t in record.tied] == ["honesty", "messaging"]
    assert record.tie_line.startswith(TIE) and record.verdict.startswith(TIE)
    assert "no single go-to-market constraint binds" not in record.verdict.lower()
    cc = record.claim_check
    assert (cc.unsupported, cc.contradicted) == (0, 0), [
        (c.location, c.text, c.note) for c in cc.claims if c.status != "verified"]
    assert all(p.passed for p in record.run.policy), record.run.policy
    contrarian = next(s for s in record.rounds[0].statements if s.advisor_id == "contrarian")
    # the contrarian argues a side of the tie, and says it is a tie between the two
    assert "break the tie between honesty and messaging toward honesty" in contrarian.text
    assert [i.id for i in record.data_quality.issues] == [i.id for i in ISSUES]
    assert record.data_quality.currency_line == "Amounts are in USD."

    assert record.predictions, "the sample company has enough history for some forecasts"
    for f in record.predictions:
        # the question's horizon (12 months) counted from the data's end, not from run_date
        assert f.anchor == d.as_of and d.as_of < f.horizon <= horizon_date(d.as_of, 12)
        assert f"counted from the data's end ({d.as_of.isoformat()})" in f.method
        assert f.low is not None and f.high is not None and f.projected is not None
        assert f.low <= f.projected <= f.high
        if f.unit == "ratio" and f.metric != "forecast_gap":
            assert 0 <= f.low and f.high <= 1
        if f.unit in ("count", "hours"):
            assert f.low >= 0
        if f.metric == "forecast_gap":
            assert f.low > -1
    for o in record.predictions_omitted:
        assert o.reason  # each omission says why
