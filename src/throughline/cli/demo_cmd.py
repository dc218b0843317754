"""`throughline demo [--out DIR] [--scenario NAME] [--seed N] [--scale N]`."""

from __future__ import annotations

from pathlib import Path

import typer

from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.cli.ingest_cmd import print_load_report
from throughline.demo import DEFAULT_SCENARIO, DEFAULT_SEED, run_demo


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    out: Path = typer.Option(Path("throughline-demo"), "--out", help="Folder for everything."),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario",
                                 help="Which planted problem (see `sample --scenario list`)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the sample company."),
    scale: float = typer.Option(1.0, "--scale", help="1 ≈ 2,000 opportunities."),
) -> None:
    """Run the whole job offline on a sample company and print the report's path."""
    settings = settings_from(ctx)
    with err_console.status("demo…") as status:
        result = run_demo(settings, out, scenario=scenario, seed=seed, scale=scale,
                          on_event=None if settings.json_output else status.update)
    if settings.json_output:
        emit_json(result.model_dump(mode="json"))
        return
    out_console.print(f"Sample company: [bold]{result.scenario}[/] (seed {result.seed}) "
                      f"→ {result.exports}")
    print_load_report(result.load)
    if result.report_path:
        out_console.print(f"Binding constraint: [bold]{result.binding or 'none found'}[/]"
                          f" (runner-up: {result.runner_up or '-'})")
        out_console.print(f"Report: {result.report_path}")
