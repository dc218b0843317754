"""`throughline diagnose`: exit codes, the three formats, the JSON summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.diagnose.engine.diagnose_fakes import count_diagnostic, fake_rank
from throughline.cli import main
from throughline.diagnose.diagnosis import Diagnosis


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the registry and the ranker with fakes (the real ones land separately)."""
    from throughline.diagnose import run as engine

    monkeypatch.setattr(engine, "registered_diagnostics", lambda: [
        count_diagnostic("pipeline.count", signal="honesty"),
        count_diagnostic("channels.accounts", "accounts", family="channels",
                         signal="distribution"),
        count_diagnostic("promises.ledger", "commitments", family="promises"),
    ])
    monkeypatch.setattr(engine, "rank", fake_rank)


def test_empty_workspace_exits_2(workspace: Path, capsys: pytest.CaptureFixture[str],
                                 fakes: None) -> None:
    code = main(["--workspace", str(workspace), "diagnose"])
    assert code == 2
    err = capsys.readouterr().err
    assert "nothing ingested yet" in err and "throughline ingest PATH" in err
    assert not (workspace / "reports").exists()


def test_empty_workspace_json_error(workspace: Path, capsys: pytest.CaptureFixture[str],
                                    fakes: None) -> None:
    assert main(["--workspace", str(workspace), "--json", "diagnose"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["exit_code"] == 2 and "nothing ingested" in payload["error"]


def test_writes_the_three_formats(filled_workspace: Path, fakes: None,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(filled_workspace)
    assert main(["--workspace", ws, "diagnose"]) == 0
    out = capsys.readouterr().out
    html = filled_workspace / "reports" / "diagnosis.html"
    assert html.exists() and "<!DOCTYPE html>" in html.read_text(encoding="utf-8")
    assert "Binding constraint:" in out and str(html) in out
    assert "Runner-up:" in out

    assert main(["--workspace", ws, "diagnose", "--format", "md"]) == 0
    md = (filled_workspace / "reports" / "diagnosis.md").read_text(encoding="utf-8")
    assert md.startswith("# Go-to-market diagnosis")

    target = filled_workspace / "elsewhere" / "d.json"
    assert main(["--workspace", ws, "diagnose", "--out", str(target),
                 "--as-of", "2025-05-31", "--change-date", "2025-03-01"]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["as_of"] == "2025-05-31"
    assert doc["tables"] == {"accounts": 2, "opportunities": 12, "pull_requests": 1}
    assert [f["id"] for f in doc["findings"]] == [
        "channels.accounts.rows", "pipeline.count.rows", "promises.ledger.not_measurable"]
    assert "pipeline.count.rows" in md and doc["ranking"]["binding"] in md.lower()


def test_json_summary(filled_workspace: Path, fakes: None,
                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--workspace", str(filled_workspace), "--json", "diagnose", "-f", "md"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["binding"] in {"honesty", "distribution"}
    assert summary["runner_up"] in {"honesty", "distribution"}
    assert summary["report"].endswith("diagnosis.md") and Path(summary["report"]).exists()
    assert {s["name"] for s in summary["scores"]} >= {"honesty", "distribution"}
    assert summary["not_measurable"] == ["promises.ledger.not_measurable"]


def test_bad_date_is_usage_error(filled_workspace: Path, fakes: None) -> None:
    assert main(["--workspace", str(filled_workspace), "diagnose", "--as-of",
                 "31/05/2025"]) == 2


def test_crash_exits_1_naming_the_diagnostic(filled_workspace: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from throughline.diagnose import run as engine

    def boom(ctx: object) -> list[object]:
        raise RuntimeError("kaboom")

    from tests.diagnose.engine.diagnose_fakes import make_diagnostic

    monkeypatch.setattr(engine, "registered_diagnostics",
                        lambda: [make_diagnostic("honesty.boom", boom)])  # type: ignore[arg-type]
    monkeypatch.setattr(engine, "rank", fake_rank)
    assert main(["--workspace", str(filled_workspace), "diagnose"]) == 1
    err = capsys.readouterr().err
    assert "honesty.boom" in err and "kaboom" in err


def test_real_registry_and_ranker_on_small_store(filled_workspace: Path) -> None:
    """Integration: the built-in families and the real ranker run on a thin store."""
    out = filled_workspace / "real.json"
    assert main(["--workspace", str(filled_workspace), "diagnose", "--out", str(out)]) == 0
    d = Diagnosis.model_validate(
        {k: v for k, v in json.loads(out.read_text()).items() if k != "report"})
    assert d.findings
