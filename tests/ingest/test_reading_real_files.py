"""Unit tests of the readers' decisions, against hand-computed values: the encoding of a
file (from all its bytes, across chunk boundaries), the line and byte named for a mixed
file, line-by-line repair, header and quote checks, nested JSON types and XLSX cells."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from throughline.core.errors import InputError, UsageError
from throughline.ingest import readers
from throughline.ingest.readers import delimited, encodings, xlsx
from throughline.ingest.readers import OpenedFile, check_header, decide_encoding, open_file


def _file(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(params=[encodings.SCAN_BYTES, 7], ids=["16MB-chunks", "7-byte-chunks"])
def chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every encoding test runs with the real chunk size and with chunks so small that
    characters and lines straddle their boundaries."""
    monkeypatch.setattr(encodings, "SCAN_BYTES", request.param)
    return int(request.param)


def test_utf8_and_bom(tmp_path: Path, chunks: int) -> None:
    text = "name\nTelefónica – Perú\nZürich ✓\n"
    assert decide_encoding(_file(tmp_path, text.encode()), tmp_path).encoding == "utf-8"
    bom = _file(tmp_path, b"\xef\xbb\xbf" + text.encode(), "b.csv")
    decided = decide_encoding(bom, tmp_path)
    assert (decided.encoding, decided.source, decided.notes) == ("utf-8-sig", bom, [])


def test_cp1252_when_its_punctuation_bytes_are_there(tmp_path: Path, chunks: int) -> None:
    # 0x96 (–) and 0x93/0x94 (“ ”) are C1 controls in Latin-1: cp1252 is the plausible one
    text = "name\nTelefónica – “Norte”\nCompañía\n"
    decided = decide_encoding(_file(tmp_path, text.encode("cp1252")), tmp_path)
    assert decided.encoding == "cp1252"
    assert decided.source.read_text(encoding="utf-8") == text
    assert decided.notes == ["decoded as cp1252"]


def test_cp1252_when_latin1_reads_the_same(tmp_path: Path, chunks: int) -> None:
    """No byte in 0x80-0x9F: both read the same text; reported as cp1252 (Excel's)."""
    text = "name\nGestión directa\nCompañía\n"
    decided = decide_encoding(_file(tmp_path, text.encode("latin-1")), tmp_path)
    assert decided.encoding == "cp1252"
    assert decided.source.read_text(encoding="utf-8") == text


def test_latin1_when_cp1252_cannot_read_a_byte(tmp_path: Path, chunks: int) -> None:
    """0x81 is undefined in cp1252: only Latin-1 reads the file (one control character)."""
    data = b"name\nSoci\xe9t\xe9 \x81\n"
    decided = decide_encoding(_file(tmp_path, data), tmp_path)
    assert decided.encoding == "latin-1"
    assert decided.source.read_text(encoding="utf-8") == "name\nSociété \x81\n"
    assert decided.notes == ["decoded as latin-1 (1 byte(s) read as control characters)"]


def test_cp1252_punctuation_outweighs_one_undefined_byte(tmp_path: Path, chunks: int
                                                         ) -> None:
    """Three curly quotes (cp1252 punctuation) and one 0x81: cp1252 scores 2, Latin-1 4;
    the undefined byte is read as Latin-1 (a control character) and counted."""
    data = b"name\n\x93Norte\x94 \x92s\n\x81\n"
    decided = decide_encoding(_file(tmp_path, data), tmp_path)
    assert decided.encoding == "cp1252"
    assert decided.source.read_text(encoding="utf-8") == "name\n“Norte” ’s\n\x81\n"
    assert decided.notes == ["decoded as cp1252 (1 byte(s) read as control characters)"]


def test_mixed_file_names_first_bad_line_and_byte(tmp_path: Path, chunks: int) -> None:
    data = ("id,name\n1,Telefónica\n2,ok\n".encode() + b"3,Caf\xe9 Central\n4,Cr\xe8me\n")
    with pytest.raises(InputError) as err:
        decide_encoding(_file(tmp_path, data), tmp_path)
    e = err.value
    assert e.line == 4  # header 1, Telefónica 2, ok 3, Café 4
    assert "byte 0xE9 at byte 6 of the line" in e.message
    assert r"b'3,Caf\xe9 Central'" in e.message
    assert "--repair-encoding" in (e.hint or "")


def test_repair_decodes_only_bad_lines_as_cp1252(tmp_path: Path, chunks: int) -> None:
    data = ("id,name\n1,Telefónica\n".encode() + b"2,Caf\xe9 \x93x\x94\n"
            + "3,Zürich\n".encode() + b"4,Cr\xe8me\n5,\x81\n")
    decided = decide_encoding(_file(tmp_path, data), tmp_path, repair=True)
    assert decided.encoding == "utf-8+cp1252"
    assert decided.repaired_lines == [3, 5, 6]
    assert decided.source.read_text(encoding="utf-8") == (
        "id,name\n1,Telefónica\n2,Café “x”\n3,Zürich\n4,Crème\n5,\x81\n")


def test_binary_refused_with_or_without_nul(tmp_path: Path, chunks: int) -> None:
    with pytest.raises(InputError, match="binary file.*NUL"):
        decide_encoding(_file(tmp_path, b"id,name\n1,a\x00b\n"), tmp_path)
    controls = bytes(range(1, 256)) * 20  # every byte but NUL: 12% C0 controls
    with pytest.raises(InputError, match="binary file.*control bytes"):
        decide_encoding(_file(tmp_path, controls, "c.csv"), tmp_path)
    with pytest.raises(InputError, match="binary file"):  # a NUL makes it binary even
        decide_encoding(_file(tmp_path, b"a\nb\x00\n", "d.csv"), tmp_path, encoding="latin-1")


def test_mostly_high_bytes_is_not_guessed(tmp_path: Path) -> None:
    """Greek in cp1253 (or any text that is mostly outside ASCII and not UTF-8) is not
    decoded as cp1252 mojibake: the user is asked for the encoding."""
    data = "όνομα\nΕταιρεία Αθηνών\n".encode("cp1253")
    with pytest.raises(InputError, match="cannot tell the text encoding"):
        decide_encoding(_file(tmp_path, data), tmp_path)
    decided = decide_encoding(_file(tmp_path, data), tmp_path, encoding="cp1253")
    assert decided.source.read_text(encoding="utf-8") == "όνομα\nΕταιρεία Αθηνών\n"


def test_explicit_encoding_errors_name_the_line(tmp_path: Path, chunks: int) -> None:
    data = "id\n1\n2\n3,Café\n".encode("cp1252")
    with pytest.raises(InputError) as err:
        decide_encoding(_file(tmp_path, data), tmp_path, encoding="utf-8")
    assert err.value.line == 4 and "byte 0xE9" in err.value.message
    with pytest.raises(UsageError, match="unknown text encoding"):
        decide_encoding(_file(tmp_path, data), tmp_path, encoding="no-such-codec")
    assert readers.encoding_name("latin1") == "latin-1"
    assert readers.encoding_name("Windows-1252") == "cp1252"


def test_charset_guesses_outside_the_set_are_never_made(tmp_path: Path) -> None:
    """The old sniffer called this Spanish cp1252 file cp1250 / cp775; now only utf-8,
    utf-8-sig, cp1252 or latin-1 can come out without --encoding."""
    samples = ["Telefónica;Gestión directa;Compañía\n", "Ñandú;Peña;Logroño\n",
               "Société Générale;Crème brûlée\n", "Zürich;Köln;Straße\n"]
    for i, text in enumerate(samples):
        decided = decide_encoding(_file(tmp_path, text.encode("cp1252"), f"{i}.csv"), tmp_path)
        assert decided.encoding in encodings.AUTO_ENCODINGS
        assert decided.source.read_text(encoding="utf-8") == text


def _opened(header: list[str], fmt: str = "csv", sheet: str | None = None) -> OpenedFile:
    return OpenedFile(path=Path("Opportunity." + fmt), format=fmt, relation="x",
                      columns=header, header=header, sheet=sheet)


def test_duplicate_header_positions() -> None:
    check_header(_opened(["Id", "Amount", "Name"]))
    with pytest.raises(InputError) as err:
        check_header(_opened(["Id", "Amount", "Name", "Amount"]))
    assert "'Amount' twice (columns 2 and 4)" in err.value.message
    with pytest.raises(InputError) as err:  # the same once case and spaces are ignored
        check_header(_opened(["Id", "Close Date", "close_date"]))
    assert "'Close Date' and 'close_date' twice (columns 2 and 3)" in err.value.message
    with pytest.raises(InputError) as err:
        check_header(_opened([""] * 26 + ["Amount", "Amount"], "xlsx", "Data"))
    assert "cells AA1 and AB1 of sheet 'Data'" in err.value.message
    check_header(_opened(["", "", "Id"]))  # blank names are not duplicates


def test_duplicate_header_is_seen_though_duckdb_renames_it(tmp_path: Path) -> None:
    path = _file(tmp_path, b"Id,Amount,Amount\n1,2,3\n")
    opened = open_file(duckdb.connect(), path, workdir=tmp_path, view_name="v")
    assert opened.columns == ["Id", "Amount", "Amount_1"]
    assert opened.header == ["Id", "Amount", "Amount"]
    with pytest.raises(InputError, match="columns 2 and 3"):
        check_header(opened)


@pytest.mark.parametrize(("line", "at"), [
    (b'1,"Acme, Inc",3', None),
    (b'1,Acme 27" monitor,3', None),      # a quote inside a value
    (b'1,"He said ""hi""",3', None),      # doubled quotes inside a quoted value
    (b'1,"Acme, Inc,3', 2),               # never closed
    (b'"1","Acme 9,"Prospecting","3"', 4),  # closed by the next field's quote: not the end
    (b'1, "spaced",2', None),
])
def test_unclosed_quote_in_a_line(line: bytes, at: int | None) -> None:
    assert delimited._unclosed_quote(line, ",") == at


def test_sniffer_fallback_with_a_late_quoted_value_reads_it_quoted(tmp_path: Path) -> None:
    """The sniffer saw no quote in its sample; a quoted value with a comma comes later."""
    text = "id,name\n" + "".join(f"{i},n{i}\n" for i in range(30000)) + '30000,"Acme, Inc"\n'
    path = _file(tmp_path, text.encode())
    con = duckdb.connect()
    opened = open_file(con, path, workdir=tmp_path, view_name="v")
    readers.check_quoting(con, opened)
    assert opened.quote == '"'
    assert con.execute(f"SELECT name FROM {opened.relation} WHERE id = '30000'"
                       ).fetchall() == [("Acme, Inc",)]


def test_nested_json_types(tmp_path: Path) -> None:
    con = duckdb.connect()
    recs = [{"number": 1, "author": {"login": "a"}, "reviews": [{"submittedAt": "x"}]},
            {"number": 2, "author": {"login": "b"}, "reviews": [{"submittedAt": "y"}, 7]},
            {"number": 3, "author": None, "reviews": []}]
    path = _file(tmp_path, json.dumps(recs).encode(), "prs.json")
    opened = open_file(con, path, workdir=tmp_path, view_name="v")
    readers.check_nested(con, opened, "author.login")  # null is fine
    with pytest.raises(InputError) as err:
        readers.check_nested(con, opened, "reviews[].submittedAt")
    e = err.value
    assert (e.row, e.column, e.value) == (2, "reviews", '[{"submittedAt":"y"}, 7]')
    assert "a list holding a number, not a list of objects" in e.message


def test_xlsx_cells_found_by_reference(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["ignored"])
    data = wb.create_sheet("Data")
    data.append(["Id", "Amount"])
    data.append(["a", 1])
    data.append(["b", "=B2*2"])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(InputError) as err:
        xlsx.check_xlsx_cells(tmp_path / "w.xlsx", "Data", ["Id", "Amount"])
    assert "sheet 'Data', cell B3 (column 'Amount'): formula =B2*2" in err.value.message
    xlsx.check_xlsx_cells(tmp_path / "w.xlsx", "Summary", ["ignored"])  # other sheet: ok
