"""`throughline sample --scenario NAME --seed N [--scale N] [--quirks LIST] --out DIR`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from throughline.cli.app import app, emit_json, out_console, settings_from
from throughline.core.errors import UsageError
from throughline.sample import generate, list_scenarios
from throughline.sample.quirks import list_quirks, parse_quirks


@app.command("sample")
def sample_command(
    ctx: typer.Context,
    scenario: str = typer.Option(
        None, "--scenario", help="Problem to plant (healthy, distribution, positioning, "
        "messaging, honesty, architecture, measurement-vacuum, inventory) or 'list'."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed gives the same "
                             "bytes."),
    scale: float = typer.Option(1.0, "--scale", help="Size: 1 ≈ 2,000 opportunities, "
                                "500 ≈ 1,000,000."),
    out: Path = typer.Option(None, "--out", help="Folder to write the exports into."),
    quirks: str = typer.Option(
        None, "--quirks", help="Real-world export habits to write in, comma-separated "
        "(e.g. currencies,cp1252), 'all' (every quirk that keeps the planted evidence) or "
        "'list'. What is planted stays the same."),
) -> None:
    """Write a realistic company's exports with one planted go-to-market problem."""
    settings = settings_from(ctx)
    if quirks is not None and quirks.strip() == "list":
        catalogue = list_quirks()
        if settings.json_output:
            emit_json(catalogue)
            return
        qtable = Table(show_edge=False, title="Quirks ('all' = every quirk marked yes)",
                       title_justify="left")
        qtable.add_column("quirk", style="bold")
        qtable.add_column("in all")
        qtable.add_column("writes")
        for row in catalogue:
            qtable.add_row(str(row["name"]), "yes" if row["in_all"] else "no",
                           str(row["summary"]))
        out_console.print(qtable)
        return
    if scenario is None:
        raise UsageError("--scenario is required", hint="see throughline sample --scenario list")
    if scenario == "list":
        rows = list_scenarios()
        if settings.json_output:
            emit_json(rows)
            return
        table = Table(show_edge=False, title="Scenarios", title_justify="left")
        table.add_column("scenario", style="bold")
        table.add_column("plants")
        for row in rows:
            table.add_row(str(row["name"]), str(row["summary"]))
        out_console.print(table)
        return
    if out is None:
        raise UsageError("--out is required", hint="e.g. throughline sample --scenario "
                         f"{scenario} --seed {seed} --out ./sample-company")
    names = parse_quirks(quirks)
    result = generate(scenario, seed, scale, out, quirks=names)
    if settings.json_output:
        emit_json(result.to_dict())
        return
    constraint = result.truth.get("constraint") or "none (healthy)"
    with_quirks = f" · quirks {','.join(names)}" if names else ""
    table = Table(show_edge=False, title=f"{scenario} · seed {seed} · scale {scale:g}"
                  f"{with_quirks} → {result.out}  (planted: {constraint})",
                  title_justify="left")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, count in result.files.items():
        table.add_row(name, f"{count:,}")
    out_console.print(table)
