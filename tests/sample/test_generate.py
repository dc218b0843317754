"""The generator's contract: scenarios, determinism, file names, headers and formats."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

from throughline.core.errors import UsageError
from throughline.evidence import SCHEMA
from throughline.sample import SCENARIOS, generate, list_scenarios

ACCOUNT_HEADER = ["Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry",
                  "AnnualRevenue", "Type", "CreatedDate", "Segment__c"]
OPPORTUNITY_HEADER = ["Id", "AccountId", "Name", "StageName", "Amount", "Probability",
                      "ForecastCategoryName", "CloseDate", "CreatedDate", "LeadSource",
                      "IsClosed", "IsWon", "Type", "OwnerId", "NextStep", "Loss_Reason__c",
                      "Primary_Persona__c", "Segment__c"]
HISTORY_HEADER = ["Id", "OpportunityId", "StageName", "Amount", "CloseDate", "Probability",
                  "ForecastCategory", "CreatedDate"]
CANONICAL = {
    "billing/subscriptions.csv": "subscriptions", "product/nps_responses.csv": "nps_responses",
    "product/time_to_value.csv": "time_to_value", "product/features.csv": "features",
    "product/opportunity_features.csv": "opportunity_features",
    "product/capabilities.csv": "capabilities", "field/feedback.csv": "feedback",
    "field/commitments.csv": "commitments", "field/activities.csv": "activities",
    "field/forecasts.csv": "forecasts", "icp/stated_icp.csv": "stated_icp",
}
SF_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$")
GH_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SF_ID = re.compile(r"^[0-9A-Za-z]{18}$")


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    first = generate("honesty", 5, 0.2, tmp_path / "a")
    generate("honesty", 5, 0.2, tmp_path / "b")
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert a == b
    assert len(a) == len(first.files)


def test_another_seed_gives_another_company(tmp_path: Path) -> None:
    generate("healthy", 5, 0.2, tmp_path / "a")
    generate("healthy", 6, 0.2, tmp_path / "b")
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert a["crm/Opportunity.csv"] != b["crm/Opportunity.csv"]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_scenario_generates_and_names_its_constraint(company, scenario: str) -> None:
    root = company(scenario, 11)
    truth = json.loads((root / "truth.json").read_text())
    assert truth["scenario"] == scenario
    assert truth["seed"] == 11 and truth["scale"] == 1.0
    assert truth["constraint"] == SCENARIOS[scenario].constraint
    if scenario == "healthy":
        assert truth["constraint"] is None and truth["planted"] == {}
    else:
        assert truth["planted"] and truth["expected_primary_evidence"]
    for rel, rows in truth["files"].items():
        assert (root / rel).exists(), rel
        assert rows > 0, rel
    assert (root / "README.md").read_text().startswith("# Sample company")


def test_scale_one_is_about_two_thousand_opportunities(company) -> None:
    truth = json.loads((company("healthy", 11) / "truth.json").read_text())
    opps = truth["files"]["crm/Opportunity.csv"]
    assert 1_200 <= opps <= 3_000
    assert 4.5 <= truth["files"]["crm/OpportunityHistory.csv"] / opps <= 8


def test_a_small_scale_run_is_small(tmp_path: Path) -> None:
    result = generate("architecture", 2, 0.1, tmp_path)
    assert 100 <= result.files["crm/Opportunity.csv"] <= 320


def test_unknown_scenario_names_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        generate("optimism", 1, 1.0, tmp_path)
    for name in SCENARIOS:
        assert name in str(err.value)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_bad_scale_is_a_usage_error(tmp_path: Path, scale: float) -> None:
    with pytest.raises(UsageError):
        generate("healthy", 1, scale, tmp_path / "x")


def test_list_scenarios_has_one_line_each() -> None:
    rows = list_scenarios()
    assert [r["name"] for r in rows] == list(SCENARIOS)
    assert all(r["summary"] and "\n" not in str(r["summary"]) for r in rows)


def test_salesforce_headers_and_conventions(company) -> None:
    root = company("healthy", 11)
    assert header(root / "crm/Account.csv") == ACCOUNT_HEADER
    assert header(root / "crm/Opportunity.csv") == OPPORTUNITY_HEADER
    assert header(root / "crm/OpportunityHistory.csv") == HISTORY_HEADER
    with (root / "crm/Opportunity.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    stages = {"Prospecting": "10", "Qualification": "20", "Discovery": "40", "Proposal": "60",
              "Negotiation": "80", "Closed Won": "100", "Closed Lost": "0"}
    for row in rows:
        assert SF_ID.match(row["Id"]) and row["Id"].startswith("006")
        assert row["AccountId"].startswith("001") and row["OwnerId"].startswith("005")
        assert SF_TIMESTAMP.match(row["CreatedDate"])
        assert re.match(r"^\d{4}-\d\d-\d\d$", row["CloseDate"])
        assert row["IsClosed"] in ("true", "false") and row["IsWon"] in ("true", "false")
        assert stages[row["StageName"]] == row["Probability"]
        assert row["Segment__c"] in ("smb", "mid_market", "enterprise")
        assert float(row["Amount"]) > 0
    assert {r["ForecastCategoryName"] for r in rows} <= {"Pipeline", "Best Case", "Commit",
                                                         "Closed", "Omitted"}
    assert len({r["Id"] for r in rows}) == len(rows)


def test_canonical_files_use_the_schema_columns(company) -> None:
    root = company("healthy", 11)
    for rel, table in CANONICAL.items():
        # ``currency`` is optional (blank means the reporting currency); only
        # ``--quirks currencies`` writes it (tests/sample/test_quirks.py)
        expected = [c for c in SCHEMA[table].column_names if c != "currency"]
        assert header(root / rel) == expected, rel


def test_pull_requests_look_like_gh_pr_list(company) -> None:
    prs = json.loads((company("measurement-vacuum", 11) / "engineering/pull_requests.json")
                     .read_text())
    assert 1_000 <= len(prs) <= 50_000
    keys = {"number", "title", "author", "state", "createdAt", "mergedAt", "closedAt",
            "additions", "deletions", "url", "reviews"}
    for pr in prs:
        assert set(pr) == keys
        assert pr["state"] in ("MERGED", "CLOSED", "OPEN")
        assert GH_TIMESTAMP.match(pr["createdAt"])
        assert (pr["mergedAt"] is not None) == (pr["state"] == "MERGED")
        assert (pr["closedAt"] is None) == (pr["state"] == "OPEN")
        assert re.match(rf"^https://github\.com/[^/]+/[^/]+/pull/{pr['number']}$", pr["url"])
        assert isinstance(pr["author"]["login"], str)
        for review in pr["reviews"]:
            assert review["author"]["login"] != pr["author"]["login"]
            assert GH_TIMESTAMP.match(review["submittedAt"])
            assert review["submittedAt"] >= pr["createdAt"]
            assert review["state"] in ("APPROVED", "COMMENTED", "CHANGES_REQUESTED")
    merged = [p for p in prs if p["state"] == "MERGED"]
    assert sum(bool(p["reviews"]) for p in merged) == len(merged)
    urls = [p["url"] for p in prs]
    assert len(set(urls)) == len(urls)


def test_messaging_artifacts_have_front_matter(company) -> None:
    root = company("healthy", 11)
    for kind in ("website", "deck", "email_sequence", "proposal"):
        text = (root / f"messaging/{kind}.md").read_text()
        match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
        assert match, kind
        meta = yaml.safe_load(match.group(1))
        assert meta["kind"] == kind and meta["title"]
        assert re.match(r"^\d{4}-\d\d-\d\d$", str(meta["updated_at"]))
        assert len(text[match.end():].strip()) > 200


def test_rerun_into_the_same_folder_removes_files_it_no_longer_writes(tmp_path: Path) -> None:
    generate("healthy", 3, 0.1, tmp_path)
    assert (tmp_path / "field/activities.csv").exists()
    result = generate("measurement-vacuum", 3, 0.1, tmp_path)
    assert not (tmp_path / "field/activities.csv").exists()
    assert "field/activities.csv" not in result.files
