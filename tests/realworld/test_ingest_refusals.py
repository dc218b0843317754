"""Ingest reads real exports truthfully or refuses them, naming where (issue 12, items 4,
14 and the reader-level part of 15).

Each fixture is written here byte for byte as the real export has it: Salesforce Data
Loader CSVs with API field names, Excel's "Save as CSV" on a Spanish Windows machine
(Windows-1252, CRLF), an Excel workbook with an uncalculated formula and an error cell, a
`gh pr list --json` dump. Refusals must leave the store byte-for-byte unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import sha256
from tests.ingest.fixtures import query, write_salesforce

HEADER = ("Id,AccountId,Name,StageName,Amount,Probability,CloseDate,CreatedDate,IsClosed,"
          "IsWon,LeadSource,CurrencyIsoCode,OwnerId")
SPANISH = [
    "0065e00000AbCdEAA1,0015e00000XyZ01AAA,Telefónica – Renovación 2024,Closed Won,"
    "48000,100,2024-03-28,2024-01-09T14:03:11.000+0000,true,true,Gestión directa,EUR,"
    "0055e000001AbcDAAS",
    "0065e00000AbCdFAA1,0015e00000XyZ02AAA,Compañía Minera “Norte”,Prospecting,"
    "12500,10,2024-09-30,2024-05-14T08:45:00.000+0000,false,false,Socios,EUR,"
    "0055e000001AbcDAAS",
    "0065e00000AbCdGAA1,0015e00000XyZ03AAA,Logística Peña,Closed Lost,7300,0,"
    "2024-06-12,2024-02-20T10:00:00.000+0000,true,false,Web,EUR,0055e000001AbcEAAS",
]


def _row(id_: str, name: str, source: str = "Web") -> str:
    return (f"{id_},0015e00000XyZ09AAA,{name},Prospecting,1000,10,2024-09-30,"
            f"2024-05-14T08:45:00.000+0000,false,false,{source},USD,0055e000001AbcDAAS")


@pytest.fixture(scope="module")
def base_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that already holds a store (refusals must leave it unchanged)."""
    from throughline.cli import main

    root = tmp_path_factory.mktemp("base")
    assert main(["--workspace", str(root / "ws"), "ingest",
                 str(write_salesforce(root / "sf"))]) == 0
    return root / "ws"


@pytest.fixture
def ws(base_ws: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(base_ws, target)
    return target


def _refused(cli, ws: Path, *args: object) -> tuple[str, dict[str, object]]:
    """Run a refused ingest (text and --json); the store must not change. Returns the
    one-line message and the JSON error."""
    store = ws / "evidence.duckdb"
    before = sha256(store)
    r = cli("--workspace", ws, "ingest", *args)
    assert r.code == 2, (r.out, r.err)
    assert sha256(store) == before
    assert not [p for p in ws.iterdir() if p.name.startswith("throughline-ingest-")]
    j = cli("--workspace", ws, "--json", "ingest", *args)
    assert j.code == 2 and sha256(store) == before
    return " ".join(r.err.split()), json.loads(j.out)


def _loaded(cli, ws: Path, *args: object) -> dict[str, object]:
    r = cli("--workspace", ws, "--json", "ingest", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)


# ---------------------------------------------------------------- encodings (item 4)

def test_spanish_windows_export_is_read_as_cp1252(cli, tmp_path: Path) -> None:
    """Excel's "CSV" on a Spanish Windows: Windows-1252 bytes, CRLF. Read as cp1252 (not
    cp775 / cp1250 / any other guess), reported, and stored as the user sees it."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Opportunity.csv").write_bytes(
        ("\r\n".join([HEADER, *SPANISH]) + "\r\n").encode("cp1252"))
    ws = tmp_path / "ws"
    report = _loaded(cli, ws, folder)
    (f,) = report["files"]
    assert f["encoding"] == "cp1252" and f["rows"] == 3
    assert sorted(query(ws, "SELECT name, lead_source FROM opportunities")) == [
        ("Compañía Minera “Norte”", "Socios"),
        ("Logística Peña", "Web"),
        ("Telefónica – Renovación 2024", "Gestión directa"),
    ]
    text = cli("--workspace", tmp_path / "ws2", "ingest", folder)
    assert "cp1252" in text.out and "decoded as cp1252" in text.out


def test_accents_only_late_in_a_large_file_decide_from_the_whole_file(
        cli, tmp_path: Path) -> None:
    """The first 300 KB are ASCII; one accented cp1252 row comes after. The decision is
    made on the whole file, not on a sample of its start."""
    rows = [_row(f"0065e{i:08d}AAA", f"Deal {i}") for i in range(3000)]
    rows.append(_row("0065e99999999AAA", "Telefónica Perú"))
    data = ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")
    assert len(data) > 300_000 and data.index(b"\xf3") > 256 * 1024
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Opportunity.csv").write_bytes(data)
    ws = tmp_path / "ws"
    assert _loaded(cli, ws, folder)["files"][0]["encoding"] == "cp1252"
    assert query(ws, "SELECT name FROM opportunities WHERE opportunity_id = "
                     "'0065e99999999AAA'") == [("Telefónica Perú",)]


def test_two_regional_windows_exports_with_one_name_keep_their_own_text(
        cli, tmp_path: Path) -> None:
    """latam/Opportunity.csv and iberia/Opportunity.csv, both cp1252: each is decoded into
    its own UTF-8 copy (one copy per name would load the second file twice)."""
    for region, rows in (("latam", SPANISH[:2]), ("iberia", SPANISH[2:])):
        (tmp_path / "in" / region).mkdir(parents=True)
        (tmp_path / "in" / region / "Opportunity.csv").write_bytes(
            ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252"))
    ws = tmp_path / "ws"
    report = _loaded(cli, ws, tmp_path / "in")
    assert [f["encoding"] for f in report["files"]] == ["cp1252", "cp1252"]
    assert sorted(r[0] for r in query(ws, "SELECT name FROM opportunities")) == [
        "Compañía Minera “Norte”", "Logística Peña", "Telefónica – Renovación 2024"]


def _mixed(folder: Path) -> Path:
    """A UTF-8 export with one row pasted in from a Latin-1 file ("Café" as 43 61 66 E9)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join([HEADER, _row("0065e00000000001", "Telefónica España"),
                      _row("0065e00000000002", "Café Central", "Socios"),
                      _row("0065e00000000003", "Zürich Versicherung")]) + "\n"
    data = text.encode("utf-8").replace("Café".encode("utf-8"), "Café".encode("latin-1"))
    path = folder / "Opportunity.csv"
    path.write_bytes(data)
    return path


def test_utf8_file_with_one_latin1_row_is_refused_naming_the_line(cli, ws: Path,
                                                                   tmp_path: Path) -> None:
    path = _mixed(tmp_path / "in")
    message, payload = _refused(cli, ws, path)
    assert payload["file"] == str(path) and payload["line"] == 3
    assert f"{path}, line 3:" in message
    assert "UTF-8 except this line" in message
    assert r"Caf\xe9 Central" in message and "0xE9" in message  # the bytes, shown safely
    assert "--repair-encoding" in message and "--encoding cp1252" in message


def test_repair_encoding_decodes_line_by_line_and_reports_the_lines(cli, tmp_path: Path
                                                                    ) -> None:
    path = _mixed(tmp_path / "in")
    ws = tmp_path / "ws"
    report = _loaded(cli, ws, "--repair-encoding", path)
    (f,) = report["files"]
    assert f["encoding"] == "utf-8+cp1252" and f["repaired_lines"] == [3]
    assert sorted(r[0] for r in query(ws, "SELECT name FROM opportunities")) == [
        "Café Central", "Telefónica España", "Zürich Versicherung"]
    text = cli("--workspace", tmp_path / "ws2", "ingest", "--repair-encoding", path)
    assert text.code == 0 and "1 line(s) were not UTF-8" in " ".join(text.out.split())


def test_explicit_encoding_reads_the_whole_file_as_given(cli, tmp_path: Path) -> None:
    path = _mixed(tmp_path / "in")
    ws = tmp_path / "ws"
    assert _loaded(cli, ws, "--encoding", "cp1252", path)["files"][0]["encoding"] == "cp1252"
    # the user's choice, whole file: the Latin-1 row is right, the UTF-8 rows are not
    assert ("Café Central",) in query(ws, "SELECT name FROM opportunities")
    assert ("TelefÃ³nica EspaÃ±a",) in query(ws, "SELECT name FROM opportunities")


def test_explicit_utf8_on_a_cp1252_file_names_the_first_bad_line(cli, ws: Path,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Opportunity.csv").write_bytes(
        ("\r\n".join([HEADER, *SPANISH]) + "\r\n").encode("cp1252"))
    message, payload = _refused(cli, ws, "--encoding", "utf-8", folder)
    assert payload["line"] == 2 and "not valid utf-8 text" in message
    assert r"Telef\xf3nica" in message


def test_unknown_encoding_and_conflicting_flags_are_usage_errors(cli, ws: Path,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text("\n".join([HEADER, *SPANISH]) + "\n")
    message, _ = _refused(cli, ws, "--encoding", "cp775x", folder)
    assert "unknown text encoding 'cp775x'" in message
    message, _ = _refused(cli, ws, "--encoding", "cp1252", "--repair-encoding", folder)
    assert "exclude each other" in message


def test_utf8_sample_exports_load_as_utf8_without_notes(cli, tmp_path: Path) -> None:
    """`throughline sample` writes UTF-8: every text file says utf-8, with no note."""
    out = tmp_path / "sample"
    assert cli("sample", "--scenario", "healthy", "--scale", "0.1", "--out", out).code == 0
    report = _loaded(cli, tmp_path / "ws", out)
    text_files = [f for f in report["files"] if f["format"] != "xlsx"]
    assert text_files and {f["encoding"] for f in text_files} == {"utf-8"}
    assert not [f for f in report["files"] if f["notes"] or f["skipped"]]


# ---------------------------------------------------------------- refusals (item 14)

def test_explicit_profile_with_a_file_missing_stagename_is_refused(cli, ws: Path,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    header = HEADER.replace("StageName,", "")
    row = ",".join(v for i, v in enumerate(SPANISH[2].split(",")) if i != 3)
    (folder / "Opportunities_Q3.csv").write_text(header + "\n" + row + "\n")
    message, payload = _refused(cli, ws, "--profile", "salesforce", folder)
    assert payload["file"] == str(folder / "Opportunities_Q3.csv")
    assert payload["column"] == "StageName"
    assert "does not match the salesforce profile" in message
    assert "required column(s) StageName missing" in message
    assert "Loaded 0 rows" not in message


def test_random_bytes_named_csv_are_refused_as_binary(cli, ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    noise = bytes(b for b in os.urandom(40_000) if b)[:20_000]  # no NUL byte at all
    (folder / "Opportunity.csv").write_bytes(noise)
    message, payload = _refused(cli, ws, "--profile", "salesforce", folder)
    assert payload["file"] == str(folder / "Opportunity.csv")
    assert "binary file" in message
    (folder / "Opportunity.csv").write_bytes(b"Id,Name\n" + b"\x00" * 64)
    message, _ = _refused(cli, ws, folder)
    assert "binary file" in message and "NUL" in message


def test_unrecognised_file_is_refused_listing_the_profiles_tried(cli, ws: Path,
                                                                 tmp_path: Path) -> None:
    folder = write_salesforce(tmp_path / "in")
    (folder / "marketing_spend.csv").write_text("month,channel,spend\n2024-01,paid,1200\n")
    message, payload = _refused(cli, ws, folder)
    assert payload["file"] == str(folder / "marketing_spend.csv")
    assert "not recognised by any profile" in message
    for tried in ("salesforce (nearest: account, which needs columns Id, Name, Industry",
                  "hubspot (nearest: deals, which needs columns Record ID, Deal Stage, "
                  "Create Date", "github (nearest: gh_cli, which needs columns number, "
                  "createdAt", "canonical (", "messaging ("):
        assert tried in message, tried
    assert "--skip-unrecognised" in message


def test_skip_unrecognised_loads_the_rest_and_lists_what_it_skipped(cli, tmp_path: Path
                                                                    ) -> None:
    folder = write_salesforce(tmp_path / "in")
    (folder / "marketing_spend.csv").write_text("month,channel,spend\n2024-01,paid,1200\n")
    ws = tmp_path / "ws"
    report = _loaded(cli, ws, "--skip-unrecognised", folder)
    skipped = [f for f in report["files"] if f["skipped"]]
    assert [Path(f["path"]).name for f in skipped] == ["marketing_spend.csv"]
    assert skipped[0]["notes"] == ["skipped: not recognised by any profile"]
    assert query(ws, "SELECT count(*) FROM opportunities") == [(3,)]
    text = cli("--workspace", tmp_path / "ws2", "ingest", "--skip-unrecognised", folder)
    assert "1 file(s) skipped" in text.out and "marketing_spend.csv" in text.out


def test_a_call_that_loads_nothing_is_refused(cli, ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "marketing_spend.csv").write_text("month,channel,spend\n2024-01,paid,1200\n")
    message, payload = _refused(cli, ws, "--skip-unrecognised", folder)
    assert message.startswith("error: nothing loaded")
    assert "marketing_spend.csv" in message and payload["exit_code"] == 2


# ---------------------------------------------------------------- silent value changes (15)

def _workbook(path: Path, edit) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Data"
    sheet.append(HEADER.split(","))
    for i in range(6):
        sheet.append(_row(f"0065e0000000{i:04d}", f"Deal {i}").split(","))
    edit(sheet)
    wb.save(path)
    return path


def test_xlsx_formula_without_cached_value_is_refused_naming_sheet_and_cell(
        cli, ws: Path, tmp_path: Path) -> None:
    """openpyxl (like many generators) saves formulas without computing them: a reader sees
    an empty cell where Excel shows a number."""
    path = _workbook(tmp_path / "Opportunity.xlsx",
                     lambda s: s.__setitem__("E7", "=E5*2"))
    message, payload = _refused(cli, ws, path)
    assert f"{path}: sheet 'Data', cell E7 (column 'Amount'): formula =E5*2 with no " \
           "cached value" in message
    assert payload["value"] == "=E5*2"


def test_xlsx_error_cell_is_refused_naming_sheet_and_cell(cli, ws: Path, tmp_path: Path
                                                          ) -> None:
    def edit(s) -> None:
        s["F4"] = "#DIV/0!"  # an error cell (t="e"), as Excel saves =1/0
        s["E7"] = "=E5*2"

    path = _workbook(tmp_path / "Opportunity.xlsx", edit)
    message, payload = _refused(cli, ws, path)
    assert "sheet 'Data', cell F4 (column 'Probability'): error value #DIV/0!" in message
    assert payload["value"] == "#DIV/0!"


def test_xlsx_formula_with_its_cached_value_loads_that_value(cli, tmp_path: Path) -> None:
    """A workbook Excel saved (formula and its computed value) loads the value."""
    import zipfile

    path = _workbook(tmp_path / "Opportunity.xlsx", lambda s: s.__setitem__("E7", "=E5*2"))
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"<f>E5*2</f><v />" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<f>E5*2</f><v />",
                                                      b"<f>E5*2</f><v>2000</v>")
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    ws = tmp_path / "ws"
    _loaded(cli, ws, path)
    assert query(ws, "SELECT amount FROM opportunities WHERE opportunity_id = "
                     "'0065e00000000005'") == [(2000.0,)]


def test_duplicated_header_is_refused_naming_both_positions(cli, ws: Path,
                                                            tmp_path: Path) -> None:
    """A report exported with the Amount column added twice (say converted and original):
    reading it would keep the first and drop the second without a word."""
    folder = tmp_path / "in"
    folder.mkdir()
    header = HEADER.replace("Amount,", "Amount,Amount,")
    row = SPANISH[0].replace(",48000,", ",48000,52000,")
    (folder / "Opportunity.csv").write_text(header + "\n" + row + "\n")
    message, payload = _refused(cli, ws, folder)
    assert payload["file"] == str(folder / "Opportunity.csv")
    assert payload["column"] == "Amount"
    assert "the header names 'Amount' twice (columns 5 and 6)" in message


def test_unterminated_quote_is_refused_at_the_line_where_the_field_starts(
        cli, ws: Path, tmp_path: Path) -> None:
    """Data Loader quotes every field; one Name lost its closing quote on line 4. DuckDB's
    sniffer would fall back to "no quoting" and load every value with its quotes."""
    def quoted(line: str) -> str:
        return ",".join(f'"{v}"' for v in line.split(","))

    lines = [quoted(HEADER)] + [quoted(_row(f"0065e0000000{i:04d}", f"Deal {i}"))
                                for i in range(6)]
    lines[3] = lines[3].replace('"Deal 2"', '"Deal 2')
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text("\n".join(lines) + "\n")
    message, payload = _refused(cli, ws, folder)
    assert payload["line"] == 4
    assert "unterminated quote" in message and "'\"Deal 2," in message
    assert "missing" not in message


def test_unterminated_quote_after_a_multiline_value_counts_file_lines(
        cli, ws: Path, tmp_path: Path) -> None:
    """A Description spanning three lines comes first; the line named is the editor's."""
    rows = [HEADER + ",Description",
            _row("0065e00000000001", "Acme") + ',"Renewal,\nsigned by CFO\nin March"',
            _row("0065e00000000002", "Beta") + ",plain",
            _row("0065e00000000003", '"Gamma Corp') + ",plain",
            _row("0065e00000000004", "Delta") + ",plain"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text("\n".join(rows) + "\n")
    _, payload = _refused(cli, ws, folder)
    assert payload["line"] == 6  # header 1, Acme 2-4, Beta 5, Gamma 6


def test_quote_inside_an_unquoted_value_is_kept(cli, tmp_path: Path) -> None:
    """An inch mark inside a value is not a quoted field: it loads as written."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text(
        HEADER + "\n" + _row("0065e00000000001", 'Acme 27" monitors') + "\n")
    ws = tmp_path / "ws"
    _loaded(cli, ws, folder)
    assert query(ws, "SELECT name FROM opportunities") == [('Acme 27" monitors',)]


def test_gh_pr_list_author_as_a_string_is_refused_naming_the_record(
        cli, ws: Path, tmp_path: Path) -> None:
    """`gh pr list --json number,title,author,…`: author is {"login": …}; one record was
    hand-edited to a bare string. Reading author.login would give NULL there silently."""
    prs = [{"number": n, "title": f"PR {n}", "author": {"login": f"dev{n}", "is_bot": False},
            "state": "MERGED", "createdAt": "2025-02-01T09:00:00Z",
            "mergedAt": "2025-02-02T09:00:00Z", "closedAt": "2025-02-02T09:00:00Z",
            "additions": 10, "deletions": 2, "url": f"https://github.com/acme/app/pull/{n}",
            "reviews": []} for n in (101, 102, 103)]
    prs[1]["author"] = "dev102"
    path = tmp_path / "prs.json"
    path.write_text(json.dumps(prs, indent=2))
    message, payload = _refused(cli, ws, path)
    assert (payload["file"], payload["row"], payload["column"], payload["value"]) == (
        str(path), 2, "author", '"dev102"')
    assert "record 2, field 'author': a string, not an object holding 'login'" in message
    assert "as in the other records" in message


def test_gh_labels_not_a_list_is_refused(cli, ws: Path, tmp_path: Path) -> None:
    """A mapping reading `labels[].name`: one record holds a string instead of a list."""
    prs = [{"number": n, "createdAt": "2025-02-01T09:00:00Z",
            "url": f"https://github.com/acme/app/pull/{n}",
            "labels": [{"id": "LA_1", "name": "bug", "color": "d73a4a"}]} for n in (1, 2, 3)]
    prs[2]["labels"] = "bug"
    (tmp_path / "prs.json").write_text(json.dumps(prs))
    (tmp_path / "m.yaml").write_text(
        "name: gh-labels\nsources:\n  - name: prs\n    table: pull_requests\n"
        "    files: ['*.json']\n    columns:\n      pr_id: {from: url}\n"
        "      created_at: createdAt\n      number: number\n"
        "      title: {path: 'labels[].name', aggregate: first}\n")
    message, payload = _refused(cli, ws, tmp_path / "prs.json", "--profile",
                                tmp_path / "m.yaml")
    assert (payload["row"], payload["column"]) == (3, "labels")
    assert "a string, not a list of objects holding 'name'" in message


def test_ingest_help_documents_the_new_flags(cli) -> None:
    r = cli("ingest", "--help")
    text = " ".join(r.out.split())
    for flag in ("--encoding", "--repair-encoding", "--skip-unrecognised"):
        assert flag in text
    assert "Windows-1252" in text
