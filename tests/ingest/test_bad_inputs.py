"""The bad-input corpus: each malformed file exits 2, names the problem, changes nothing.

Every case is ingested into a workspace that already holds a valid store; the store file
must be byte-for-byte the same afterwards (sha256).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import sha256
from tests.ingest.fixtures import HIST_HEADER, OPP_HEADER, OPP_ROWS, write_salesforce

Builder = Callable[[Path], list[str]]  # writes files into a folder, returns CLI args


def _opp(rows: list[str], header: str = OPP_HEADER, name: str = "Opportunity.csv") -> Builder:
    def build(d: Path) -> list[str]:
        (d / name).write_text("\n".join([header, *rows]) + "\n")
        return [str(d / name)]
    return build


def _bytes(name: str, data: bytes, *extra: str) -> Builder:
    def build(d: Path) -> list[str]:
        (d / name).write_bytes(data)
        return [str(d / name), *extra]
    return build


def _text(name: str, text: str, *extra: str) -> Builder:
    return _bytes(name, text.encode("utf-8"), *extra)


def _row(**changes: str) -> str:
    cols = OPP_HEADER.split(",")
    base = dict(zip(cols, "006Z,001A,Zed,Proposal,100,60,Pipeline,2025-06-30,"
                          "2025-03-05T12:00:00.000+0000,Web,false,false".split(",")))
    base.update(changes)
    return ",".join(base[c] for c in cols)


def _xlsx_two_sheets(d: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(OPP_HEADER.split(","))
    wb.active.append(_row().split(","))
    other = wb.create_sheet("Other")
    other.append(OPP_HEADER.split(","))
    other.append(_row(Id="006Y").split(","))
    wb.save(d / "Opportunity.xlsx")
    return [str(d / "Opportunity.xlsx")]


def _truncated_parquet(d: Path) -> list[str]:
    pq.write_table(pa.table({"capability_id": ["c1"], "name": ["n"], "status": ["ga"]}),
                   d / "capabilities.parquet")
    data = (d / "capabilities.parquet").read_bytes()
    (d / "capabilities.parquet").write_bytes(data[: len(data) // 2])
    return [str(d / "capabilities.parquet")]


def _mapping(text: str) -> Builder:
    def build(d: Path) -> list[str]:
        (d / "Opportunity.csv").write_text("\n".join([OPP_HEADER, _row()]) + "\n")
        (d / "m.yaml").write_text(text)
        return [str(d / "Opportunity.csv"), "--profile", str(d / "m.yaml")]
    return build


def _big_field(d: Path) -> list[str]:
    (d / "Opportunity.csv").write_text(
        "\n".join([OPP_HEADER, _row(Name="x" * 10_500_000)]) + "\n")
    return [str(d / "Opportunity.csv")]


def _semicolon(d: Path) -> list[str]:
    """A semicolon export read with a mapping that says comma."""
    (d / "Opportunity.csv").write_text("\n".join([OPP_HEADER.replace(",", ";"),
                                                   _row().replace(",", ";")]) + "\n")
    (d / "m.yaml").write_text(
        "name: x\nsources:\n  - name: a\n    table: opportunities\n    files: ['*.csv']\n"
        "    delimiter: ','\n    columns:\n      opportunity_id: Id\n      stage: StageName\n"
        "      is_won: IsWon\n      is_closed: IsClosed\n")
    return [str(d / "Opportunity.csv"), "--profile", str(d / "m.yaml")]


CASES: dict[str, tuple[Builder, str]] = {
    "wrong_delimiter": (lambda d: _semicolon(d), "delimiter"),
    "bom_missing_required_column": (
        _bytes("Opportunity.csv", b"\xef\xbb\xbf" + "\n".join(
            [OPP_HEADER.replace("StageName,", ""), "006Z,001A,Zed,100,60,Pipeline,2025-06-30,"
             "2025-03-05,Web,false,false"]).encode()), "StageName"),
    "missing_required_column": (_opp(["006Z,001A"], header="Id,AccountId,IsWon,IsClosed"),
                                "missing"),
    "header_only": (_opp([]), "no data rows"),
    "empty_file": (_bytes("Opportunity.csv", b""), "empty"),
    "binary_file": (_bytes("Opportunity.csv", bytes(range(256)) * 64), "binary"),
    "latin1_negative_amount": (
        _bytes("Opportunity.csv", "\n".join([OPP_HEADER, _row(Name="Société", Amount="-3")])
               .encode("latin-1")), "negative"),
    "bad_date": (_opp([_row(CreatedDate="yesterday")]), "not a valid date"),
    "ambiguous_dates": (_opp([_row(CloseDate="03/04/2025"), _row(Id="006Y",
                                                               CloseDate="05/06/2025")]),
                        "ambiguous"),
    "impossible_date": (_opp([_row(CloseDate="2025-02-30")]), "not a valid date"),
    "negative_amount": (_opp([_row(Amount="-100")]), "negative"),
    "duplicate_ids": (_opp([_row(), _row()]), "duplicate key"),
    "dangling_history": (_text("OpportunityHistory.csv", "\n".join(
        [HIST_HEADER, "008Z,006NOPE,Prospecting,1,2025-01-01,10,Pipeline,2025-01-01"])),
        "missing opportunities"),
    "unterminated_quote": (_opp([_row(Name='"Acme, Inc"'), _row(Id="006Y", Name='"never closed'),
                                 _row(Id="006X")]), "cannot read"),
    "ragged_row": (_opp([_row(), _row(Id="006Y") + ",extra,fields", _row(Id="006X")]),
                   "line 3"),
    "ten_mb_field": (_big_field, "line"),
    "mixed_types_in_column": (_opp([_row(), _row(Id="006Y", Amount="n/a"),
                                    _row(Id="006X", Amount="300")]), "not a valid decimal"),
    "boolean_garbage": (_opp([_row(IsWon="maybe")]), "not a valid boolean"),
    "probability_out_of_range": (_opp([_row(Probability="150")]), "out of range"),
    "xlsx_several_sheets": (_xlsx_two_sheets, "sheets"),
    "json_not_a_list": (_text("prs.json", json.dumps({"number": 1, "createdAt": "x"})),
                        "not a list"),
    "json_list_of_numbers": (_text("prs.json", "[1, 2, 3]"), "does not hold objects"),
    "json_syntax_error": (_text("prs.json", '[{"number": 1, "createdAt": '), "cannot read"),
    "truncated_parquet": (_truncated_parquet, "Parquet"),
    "old_excel": (_bytes("deals.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100), ".xls"),
    "unrecognised_columns": (_text("mystery.csv", "foo,bar\n1,2\n"), "which kind of export"),
    "nps_score_out_of_range": (_text("nps_responses.csv", "response_id,account_id,"
                                     "responded_at,score\nr1,a1,2025-01-01,11\n"),
                               "out of range"),
    "capability_status_unknown": (_text("capabilities.csv", "capability_id,name,status\n"
                                        "c1,SSO,someday\n"), "one of ga"),
    "mapping_unknown_table": (_mapping("name: x\nsources:\n  - name: a\n    table: deals\n"
                                       "    files: ['*.csv']\n"), "unknown table"),
    "mapping_missing_source_column": (
        _mapping("name: x\nsources:\n  - name: a\n    table: opportunities\n"
                 "    files: ['*.csv']\n    columns:\n      opportunity_id: DealId\n"
                 "      stage: StageName\n      is_won: IsWon\n      is_closed: IsClosed\n"),
        "DealId"),
    "mapping_not_yaml": (_mapping("name: [unclosed\n"), "YAML"),
}


@pytest.fixture(scope="module")
def base_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from throughline.cli import main

    root = tmp_path_factory.mktemp("base")
    ws = root / "ws"
    assert main(["--workspace", str(ws), "ingest", str(write_salesforce(root / "sf"))]) == 0
    return ws


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_and_changes_nothing(
    case: str, cli, tmp_path: Path, base_workspace: Path
) -> None:
    build, expected = CASES[case]
    ws = tmp_path / "ws"
    shutil.copytree(base_workspace, ws)
    store = ws / "evidence.duckdb"
    before = sha256(store)
    folder = tmp_path / "in"
    folder.mkdir()
    args = build(folder)
    r = cli("--workspace", ws, "ingest", *args)
    assert r.code == 2, (r.out, r.err)
    message = " ".join(r.err.split())
    assert expected.lower() in message.lower(), message[:2000]
    assert sha256(store) == before
    assert not (ws / "evidence.duckdb.wal").exists()
    assert not [p for p in ws.iterdir() if p.name.startswith("throughline-ingest-")]


def test_failed_first_ingest_creates_no_store(cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    args = CASES["negative_amount"][0](folder)
    ws = tmp_path / "ws"
    assert cli("--workspace", ws, "ingest", *args).code == 2
    assert not (ws / "evidence.duckdb").exists()


def test_all_or_nothing_across_files(cli, tmp_path: Path) -> None:
    """A good file and a bad file in one call: neither goes in."""
    folder = write_salesforce(tmp_path / "sf")
    (folder / "OpportunityHistory.csv").write_text(
        HIST_HEADER + "\n008Z,006A,Won,-1,2025-01-01,10,Pipeline,2025-01-01\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 2 and "negative" in r.err
    assert not (ws / "evidence.duckdb").exists()


def test_error_json_names_file_row_column(cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    args = CASES["bad_date"][0](folder)
    r = cli("--workspace", tmp_path / "ws", "--json", "ingest", *args)
    payload = json.loads(r.out)
    assert payload["exit_code"] == 2
    assert payload["file"].endswith("Opportunity.csv")
    assert (payload["row"], payload["column"], payload["value"]) == (1, "CreatedDate",
                                                                      "yesterday")
