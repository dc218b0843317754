"""The public API: render_record / write_record, formats and suffixes, JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.record.fixture import make_record
from throughline.core import output
from throughline.diagnose import report
from throughline.record.decision import DecisionRecord
from throughline.record.render import (
    EXTENSIONS,
    FORMATS,
    format_for,
    render_record,
    write_record,
)


@pytest.fixture(scope="module")
def record() -> DecisionRecord:
    return make_record()


def test_formats_are_html_md_json() -> None:
    assert FORMATS == ("html", "md", "json")
    assert set(EXTENSIONS.values()) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_returns_text_ending_in_one_newline(record: DecisionRecord, fmt: str) -> None:
    text = render_record(record, fmt)  # type: ignore[arg-type]
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text


def test_unknown_format_is_refused(record: DecisionRecord) -> None:
    with pytest.raises(ValueError, match="unknown record format"):
        render_record(record, "pdf")  # type: ignore[arg-type]


def test_json_round_trips_to_the_same_record(record: DecisionRecord) -> None:
    text = render_record(record, "json")
    assert DecisionRecord.model_validate_json(text) == record
    # declaration order, not sorted: the schema version and run id lead
    assert list(json.loads(text))[:3] == ["schema_version", "run_id", "title"]


def test_json_never_carries_a_raw_angle_bracket() -> None:
    record = make_record()
    record.intent.question = "Is <b>this</b> & that > the rest?"
    text = render_record(record, "json")
    assert "<" not in text and ">" not in text
    assert json.loads(text)["intent"]["question"] == record.intent.question


@pytest.mark.parametrize(("name", "fmt"), [("r.html", "html"), ("r.HTM", "html"),
                                           ("r.md", "md"), ("r.markdown", "md"),
                                           ("r.json", "json")])
def test_format_from_suffix(name: str, fmt: str) -> None:
    assert format_for(name) == fmt


def test_write_record_picks_the_format_from_the_suffix(tmp_path: Path,
                                                       record: DecisionRecord) -> None:
    for fmt in FORMATS:
        path = write_record(record, tmp_path / "out" / f"record.{fmt}")
        assert path == tmp_path / "out" / f"record.{fmt}"
        assert path.read_text(encoding="utf-8") == render_record(record, fmt)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "record.html", "record.json", "record.md"]  # no temporary file left behind


def test_write_record_explicit_format_wins_over_suffix(tmp_path: Path,
                                                       record: DecisionRecord) -> None:
    path = write_record(record, tmp_path / "record.txt", "md")
    assert path.read_text(encoding="utf-8") == render_record(record, "md")


def test_write_record_refuses_an_unknown_suffix(tmp_path: Path, record: DecisionRecord) -> None:
    with pytest.raises(ValueError, match="cannot tell the record format"):
        write_record(record, tmp_path / "record.txt")
    assert not list(tmp_path.iterdir())


def test_failed_render_keeps_the_previous_file(tmp_path: Path, record: DecisionRecord) -> None:
    path = write_record(record, tmp_path / "record.md")
    before = path.read_bytes()
    with pytest.raises(ValueError):
        write_record(record, path, "pdf")  # type: ignore[arg-type]
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]


def test_report_and_record_share_one_writer_and_one_format_table() -> None:
    assert EXTENSIONS is report.EXTENSIONS is output.EXTENSIONS
    assert FORMATS is report.FORMATS is output.FORMATS


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path, record: DecisionRecord,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_record(record, tmp_path / "record.md")
    before = path.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_record(record, path, "html")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]  # no temporary file left
