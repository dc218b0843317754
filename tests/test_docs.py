"""Docs stay honest: the data model doc is generated, commands are documented, CI = README."""

from __future__ import annotations

import re
from pathlib import Path

from throughline.evidence.docs import example_csv, render_markdown
from throughline.evidence.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_doc_is_current() -> None:
    assert (ROOT / "docs/data-model.md").read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m throughline.evidence.docs")


def test_mapping_doc_is_current() -> None:
    from throughline.ingest.mapping_docs import render_mapping_markdown

    assert (ROOT / "docs/mapping.md").read_text(encoding="utf-8") == render_mapping_markdown(), (
        "run: python -m throughline.evidence.docs")


def test_one_example_file_per_table() -> None:
    for name, table in SCHEMA.items():
        path = ROOT / "examples/canonical" / f"{name}.csv"
        assert path.read_text(encoding="utf-8") == example_csv(table)


def test_examples_ingest_with_canonical_profile(cli, tmp_path: Path) -> None:
    r = cli("--workspace", tmp_path / "ws", "ingest", ROOT / "examples/canonical",
            "--profile", "canonical")
    assert r.code == 0, r.err
    for name in SCHEMA:
        assert name in r.out


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    assert test_cmd in ci
    assert any("throughline demo" in b for b in blocks)


def test_every_command_has_help(cli) -> None:
    r = cli("--help")
    assert r.code == 0
    commands = re.findall(r"│ (\w[\w-]*)\s{2,}", r.out)
    assert {"ingest", "demo", "diagnose"} <= set(commands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in commands:
        assert f"throughline {command}" in readme, f"README does not document {command}"
        assert cli(command, "--help").code == 0
