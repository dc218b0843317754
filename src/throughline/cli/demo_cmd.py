"""`throughline demo [--out DIR] [--scenario NAME] [--seed N] [--scale N]`."""

from __future__ import annotations

from pathlib import Path

import typer

from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.cli.ingest_cmd import print_load_report
from throughline.council.frame import DEFAULT_QUESTION
from throughline.demo import DEFAULT_SCENARIO, DEFAULT_SEED, run_demo


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    out: Path = typer.Option(Path("throughline-demo"), "--out", help="Folder for everything."),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario",
                                 help="Which planted problem (see `sample --scenario list`)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the sample company."),
    scale: float = typer.Option(1.0, "--scale", help="1 ≈ 2,000 opportunities."),
    question: str = typer.Option(DEFAULT_QUESTION, "--question", "-q",
                                 help="The question the council answers."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="Run the advisors on a model (e.g. "
                                     "ollama:qwen2.5:7b); default: the offline engine."),
) -> None:
    """Run the whole job on a sample company; print the decision record's path. Offline
    and without an API key unless --model is given."""
    settings = settings_from(ctx).with_model(model)
    with err_console.status("demo…") as status:
        result = run_demo(settings, out, scenario=scenario, seed=seed, scale=scale,
                          question=question,
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
        out_console.print(f"Diagnosis report: {result.report_path}")
    if result.record_path:
        out_console.print(f"Claims verified: {result.claims_verified} of {result.claims_total}"
                          f"; run {result.run_id}; {result.seconds} s in all")
        out_console.print(f"Decision record: [bold]{result.record_path}[/]")
