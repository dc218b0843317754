"""Docs stay honest: the data model doc is generated, CI = README, and every command and
option of the real Typer tree is in the command reference (docs/cli.md), as in
sqlite-utils' ``test_commands_are_documented``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from throughline.cli import app
from throughline.evidence.docs import example_csv, render_markdown
from throughline.evidence.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_doc_is_current() -> None:
    assert (ROOT / "docs/data-model.md").read_text(encoding="utf-8") == render_markdown(), (
        "run: python -m throughline.ingest.mapping_docs")


def test_mapping_doc_is_current() -> None:
    from throughline.ingest.mapping_docs import render_mapping_markdown

    assert (ROOT / "docs/mapping.md").read_text(encoding="utf-8") == render_mapping_markdown(), (
        "run: python -m throughline.ingest.mapping_docs")


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


CLI_DOC = ROOT / "docs/cli.md"
SECTION = re.compile(r"^## `(throughline(?: [\w-]+)*)`$", re.M)


def _commands() -> dict[str, Any]:
    """Every command of the real Typer app, by its full name (``throughline runs show``),
    walking the click tree from the root group down."""
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        found[name] = command
        for sub_name, sub in getattr(command, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, f"{name} {sub_name}")

    walk(typer.main.get_command(app), "throughline")
    return found


def _sections() -> dict[str, str]:
    """docs/cli.md split into its ``## `throughline …``` sections."""
    text = CLI_DOC.read_text(encoding="utf-8")
    heads = list(SECTION.finditer(text))
    return {m.group(1): text[m.end(): heads[i + 1].start() if i + 1 < len(heads) else None]
            for i, m in enumerate(heads)}


def _params(command: Any) -> list[Any]:
    return [p for p in command.params if not getattr(p, "hidden", False)
            and p.name != "help"]


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


COMMANDS = _commands()


def test_the_command_reference_has_one_section_per_command() -> None:
    sections = _sections()
    assert set(COMMANDS) - set(sections) == set(), "commands missing from docs/cli.md"
    assert set(sections) - set(COMMANDS) == set(), "docs/cli.md documents commands that are gone"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_and_argument_is_documented(name: str) -> None:
    command = COMMANDS[name]
    assert (command.help or "").strip(), f"{name} has no help text"
    section = _sections().get(name, "")
    usage = "\n".join(line for line in section.splitlines() if line.startswith("Usage:"))
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `-"))
    for param in _params(command):
        if param.param_type_name == "argument":  # in the usage line
            assert _mentions(usage, param.name.upper()), (
                f"docs/cli.md, {name}: argument {param.name.upper()} not in the usage line")
            continue
        assert (param.help or "").strip(), f"{name} {param.opts[0]} has no help text"
        for flag in [*param.opts, *param.secondary_opts]:  # a row of the option table
            assert _mentions(table, flag), f"docs/cli.md, {name}: no row for {flag}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_documented_options_exist(name: str) -> None:
    """Each row of a section's option table names an option the command has."""
    real = {flag for p in _params(COMMANDS[name]) for flag in [*p.opts, *p.secondary_opts]}
    rows = re.findall(r"^\| `(-[\w-]+)", _sections().get(name, ""), re.M)
    assert set(rows) <= real, f"docs/cli.md, {name}: {set(rows) - real} are not options"


def test_readme_names_every_command_and_links_the_reference() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/cli.md" in readme
    for name in COMMANDS:
        if name.count(" ") == 1:  # the top-level commands
            assert name in readme, f"README does not show {name}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(cli, name: str) -> None:
    assert cli(*name.split()[1:], "--help").code == 0
