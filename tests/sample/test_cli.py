"""`throughline sample` on the command line."""

from __future__ import annotations

import json


def test_sample_list(cli) -> None:
    res = cli("sample", "--scenario", "list")
    assert res.code == 0
    for name in ("healthy", "measurement-vacuum", "inventory"):
        assert name in res.out


def test_sample_writes_files_and_reports_json(cli, tmp_path) -> None:
    res = cli("--json", "sample", "--scenario", "inventory", "--seed", "4", "--scale", "0.1",
              "--out", tmp_path)
    assert res.code == 0, res.err
    payload = json.loads(res.out)
    assert payload["truth"]["constraint"] == "inventory"
    assert payload["files"]["crm/Opportunity.csv"] > 0
    assert (tmp_path / "truth.json").exists()


def test_sample_table_output(cli, tmp_path) -> None:
    res = cli("sample", "--scenario", "healthy", "--scale", "0.1", "--out", tmp_path)
    assert res.code == 0, res.err
    assert "crm/Opportunity.csv" in res.out


def test_sample_usage_errors(cli, tmp_path) -> None:
    assert cli("sample", "--scenario", "nonsense", "--out", tmp_path).code == 2
    assert cli("sample", "--scenario", "healthy").code == 2
