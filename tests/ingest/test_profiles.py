"""Every profile and the mapping path, driven through the CLI as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import sha256
from tests.ingest.fixtures import (
    OPP_HEADER, OPP_ROWS, query, write_gh, write_hubspot, write_rest, write_salesforce,
)


def test_salesforce_detected_and_mapped(cli, tmp_path: Path) -> None:
    src = write_salesforce(tmp_path / "sf")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", src)
    assert r.code == 0, r.err
    assert "salesforce" in r.out
    rows = query(ws, "SELECT opportunity_id, amount, is_won, channel, motion, created_date "
                     "FROM opportunities ORDER BY 1")
    assert rows[0][:5] == ("006A", 12000.0, True, "website", "inbound")
    assert str(rows[0][5]) == "2025-01-14"
    assert rows[1][3:5] == ("partner", "partner")
    assert rows[2][1] == 2400.0 and rows[2][3] == "unknown"  # "2,400" and blank source
    assert query(ws, "SELECT count(*) FROM stage_history")[0][0] == 4
    assert query(ws, "SELECT size_band FROM accounts WHERE account_id='001B'")[0][0] == "1001-5000"


def test_reingest_does_not_duplicate(cli, tmp_path: Path) -> None:
    src = write_salesforce(tmp_path / "sf")
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", src).code == 0
    r = cli("--workspace", ws, "--json", "ingest", src)
    assert r.code == 0
    report = json.loads(r.out)
    opp = next(t for t in report["tables"] if t["table"] == "opportunities")
    assert (opp["inserted"], opp["replaced"], opp["total_after"]) == (0, 3, 3)
    assert query(ws, "SELECT count(*) FROM opportunities")[0][0] == 3


def test_json_load_report(cli, tmp_path: Path) -> None:
    src = write_salesforce(tmp_path / "sf")
    r = cli("--workspace", tmp_path / "ws", "--json", "ingest", src)
    report = json.loads(r.out)
    assert report["profiles"] == ["salesforce"]
    assert {t["table"]: t["rows_read"] for t in report["tables"]} == {
        "accounts": 2, "opportunities": 3, "stage_history": 4}
    assert report["rejected"] == 0 and report["duration_s"] >= 0


def test_hubspot_stage_ids_and_labels(cli, tmp_path: Path) -> None:
    path = write_hubspot(tmp_path / "hs")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path)
    assert r.code == 0, r.err
    assert "hubspot" in r.out
    rows = query(ws, "SELECT opportunity_id, is_won, is_closed, channel, motion "
                     "FROM opportunities ORDER BY 1")
    assert rows == [("101", True, True, "website", "inbound"),
                    ("102", False, True, "referral", "referral"),
                    ("103", False, False, "unknown", "unknown")]


def test_github_gh_cli_json(cli, tmp_path: Path) -> None:
    path = write_gh(tmp_path / "gh")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path)
    assert r.code == 0, r.err
    rows = query(ws, "SELECT pr_id, repo, author, state, first_review_at, merged_at "
                     "FROM pull_requests ORDER BY number")
    assert rows[0][:4] == ("acme/app#1", "acme/app", "dev1", "merged")
    assert str(rows[0][4]) == "2025-02-01 12:00:00"  # earliest review, not the approval
    assert rows[1][4] is None and rows[1][5] is None


def test_github_rest_api_json(cli, tmp_path: Path) -> None:
    path = write_rest(tmp_path / "gh")
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", path, "--profile", "github").code == 0
    assert query(ws, "SELECT pr_id, author FROM pull_requests") == [("acme/api#7", "dev9")]


def test_canonical_csv_parquet_jsonl(cli, tmp_path: Path) -> None:
    folder = tmp_path / "canon"
    folder.mkdir()
    (folder / "capabilities.csv").write_text(
        "capability_id,name,status\ncap_sso,Single sign-on,GA\ncap_ai,AI summaries,roadmap\n")
    pq.write_table(pa.table({"account_id": ["a1", "a1"], "subscription_id": ["s1", "s2"],
                             "mrr": [100.0, 50.0], "start_date": ["2025-01-01", "2025-03-01"],
                             "end_date": [None, "2025-06-01"]}), folder / "subscriptions.parquet")
    (folder / "nps_responses.jsonl").write_text(
        '{"response_id": "n1", "account_id": "a1", "responded_at": "2025-02-02", "score": 9}\n'
        '{"response_id": "n2", "account_id": "a1", "responded_at": "2025-03-02", "score": 4}\n')
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT sum(mrr) FROM subscriptions")[0][0] == 150.0
    assert query(ws, "SELECT avg(score) FROM nps_responses")[0][0] == 6.5
    assert query(ws, "SELECT count(*) FROM capabilities")[0][0] == 2


def test_tsv_bom_latin1_quoted_newlines_load(cli, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    body = "\n".join([OPP_HEADER, *OPP_ROWS]) + "\n"
    (folder / "Opportunity.tsv").write_text(body.replace(",", "\t").replace('"2\t400"', "2400"))
    acc = 'Id,Name,Industry\n001A,"Société Générale\nParis",Banque\n001B,Zürich AG,Versicherung\n'
    (folder / "Account.csv").write_bytes(acc.encode("latin-1"))  # a Windows export
    hist = "Id,OpportunityId,StageName,CreatedDate\n008A,006A,Won,2025-01-02\n"
    (folder / "OpportunityHistory.csv").write_bytes(b"\xef\xbb\xbf" + hist.encode())  # BOM
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder, "--profile", "salesforce")
    assert r.code == 0, r.err
    names = [r[0] for r in query(ws, "SELECT name FROM accounts ORDER BY account_id")]
    assert names == ["Société Générale\nParis", "Zürich AG"]
    assert query(ws, "SELECT count(*) FROM opportunities")[0][0] == 3
    assert query(ws, "SELECT history_id FROM stage_history") == [("008A",)]
    assert "decoded as" in r.out


def test_xlsx_sheet_chosen_by_mapping(cli, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws0 = wb.active
    ws0.title = "Notes"
    ws0.append(["just notes"])
    deals = wb.create_sheet("Deals")
    deals.append(["Deal", "Stage", "Value", "Opened"])
    deals.append(["D1", "Won", 1000, "2025-01-05"])
    deals.append(["D2", "Lost", 500.5, "2025-02-06"])
    path = tmp_path / "deals.xlsx"
    wb.save(path)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "name: sheet-test\nsources:\n  - name: deals\n    table: opportunities\n"
        "    files: ['deals.xlsx']\n    sheet: Deals\n    columns:\n"
        "      opportunity_id: Deal\n      stage: Stage\n      amount: Value\n"
        "      created_date: Opened\n"
        "      is_won: {from: Stage, map: {won: true}, default: false}\n"
        "      is_closed: {constant: true}\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path, "--profile", mapping)
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, amount, is_won FROM opportunities ORDER BY 1") == [
        ("D1", 1000.0, True), ("D2", 500.5, False)]


def test_messaging_markdown(cli, tmp_path: Path) -> None:
    folder = tmp_path / "messaging"
    folder.mkdir()
    (folder / "website.md").write_text("---\nkind: website\ntitle: Home\n"
                                       "updated_at: 2025-05-01\n---\n# Ship faster\nBody.\n")
    (folder / "deck.md").write_text("# Our deck\nSlides.\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT artifact_id, kind, title FROM messaging_artifacts ORDER BY 1") == [
        ("deck", "deck", "Our deck"), ("website", "website", "Home")]


def test_skip_bad_rows_quarantines(cli, tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    folder.mkdir()
    rows = [OPP_HEADER, *OPP_ROWS,
            "006D,001A,Bad,Proposal,-5,60,Pipeline,2025-06-30,2025-03-05,,false,false",
            "006E,001A,Bad,Proposal,10,60,Pipeline,2025-06-30,not a date,,false,false"]
    (folder / "Opportunity.csv").write_text("\n".join(rows) + "\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "--json", "ingest", folder, "--skip-bad-rows")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["rejected"] == 2 and report["quarantine_table"] == "_quarantine"
    assert query(ws, "SELECT count(*) FROM opportunities")[0][0] == 3
    q = query(ws, "SELECT row, column_name, value, reason FROM _quarantine ORDER BY row")
    assert q[0][:3] == (4, "Amount", "-5") and "negative" in q[0][3]
    assert q[1][:3] == (5, "CreatedDate", "not a date")


def test_maven_crm_mapping(cli, tmp_path: Path, shared_dir: Path) -> None:
    ws = tmp_path / "ws"
    mapping = Path(__file__).resolve().parents[2] / "examples/mappings/maven-crm.yaml"
    r = cli("--workspace", ws, "ingest", shared_dir / "datasets/maven-crm", "--profile", mapping)
    assert r.code == 0, r.err
    assert query(ws, "SELECT count(*), count(*) FILTER (is_won), count(*) FILTER (is_closed) "
                     "FROM opportunities") == [(8800, 4238, 6711)]
    assert query(ws, "SELECT count(*) FROM accounts WHERE industry = 'technolgy'")[0][0] == 0
    assert query(ws, "SELECT count(DISTINCT feature_id) FROM opportunity_features")[0][0] == 7
    # every product in the pipeline resolves to a product row after the GTXPro fix
    assert query(ws, "SELECT count(*) FROM opportunity_features f LEFT JOIN features p "
                     "USING (feature_id) WHERE p.feature_id IS NULL")[0][0] == 0
    before = sha256(ws / "evidence.duckdb")
    assert cli("--workspace", ws, "ingest", shared_dir / "datasets/maven-crm",
               "--profile", mapping).code == 0
    assert query(ws, "SELECT count(*) FROM opportunities")[0][0] == 8800
    assert before != "absent"
