"""`throughline demo [--out DIR] [--scenario NAME] [--seed N] [--scale N] [--fresh]`."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from throughline.cli.app import (
    app,
    command_started,
    emit_json,
    err_console,
    out_console,
    settings_from,
)
from throughline.council.frame import DEFAULT_QUESTION
from throughline.demo import DEFAULT_SCENARIO, DEFAULT_SEED, DemoResult, run_demo
from throughline.core.settings import workspace_dir

NEXT_QUESTION = "Should we fix forecast discipline before we hire more sellers?"


def next_commands(result: DemoResult, explicit_workspace: bool) -> list[str]:
    """The three commands to try next, on the same workspace."""
    prefix = "throughline"
    if explicit_workspace:
        prefix += f" --workspace {shlex.quote(str(result.workspace))}"
    return [
        f'{prefix} ask "{NEXT_QUESTION}"',
        f"{prefix} diagnose --format md --out diagnosis.md",
        f"{prefix} runs list",
    ]


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    out: Path = typer.Option(Path("throughline-demo"), "--out",
                             help="Folder for the sample exports, the report and the record."),
    scenario: str = typer.Option(DEFAULT_SCENARIO, "--scenario",
                                 help="Which planted problem (see `sample --scenario list`)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the sample company."),
    scale: float = typer.Option(1.0, "--scale", help="1 ≈ 2,000 opportunities."),
    question: str = typer.Option(DEFAULT_QUESTION, "--question", "-q",
                                 help="The question the council answers."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="Run the advisors on a model (e.g. "
                                     "ollama:qwen2.5:7b); default: the offline engine."),
    fresh: bool = typer.Option(False, "--fresh",
                               help="Replace the workspace's store and library even if they "
                               "hold other data (the run log is always kept)."),
) -> None:
    """Run the whole job on a sample company in the workspace; print where the report and
    the decision record are, and what to try next. Offline and without an API key unless
    --model is given."""
    settings = settings_from(ctx).with_model(model)
    with err_console.status("demo…") as status:
        result = run_demo(settings, out, scenario=scenario, seed=seed, scale=scale,
                          question=question, fresh=fresh, started=command_started(),
                          on_event=None if settings.json_output else status.update)
    explicit = settings.workspace != workspace_dir(None) or ctx.find_root().params.get(
        "workspace") is not None
    if settings.json_output:
        payload = result.model_dump(mode="json")
        payload["next"] = next_commands(result, explicit)
        emit_json(payload)
        return
    load = result.load
    deals = next((t.total_after for t in load.tables if t.table == "opportunities"), None)
    rows = sum(t.inserted + t.replaced for t in load.tables)
    def p(text: str) -> None:
        out_console.print(text, soft_wrap=True)

    p(f"Sample company: [bold]{result.scenario}[/] (seed {result.seed})"
      + (f", {deals:,} deals" if isinstance(deals, int) else "") + f" → {result.exports}")
    p(f"Workspace: {result.workspace} ({rows:,} rows from {len(load.files)} files"
      + (f"; replaced {result.replaced}" if result.replaced else "") + ")")
    if result.tied:
        p(f"Binding constraint: [bold]tie[/] between {' and '.join(result.tied)}")
    else:
        p(f"Binding constraint: [bold]{result.binding or 'none found'}[/]"
          f" (runner-up: {result.runner_up or '-'})")
    p(f"Diagnosis report: {result.report_path}")
    p(f"Decision record: [bold]{result.record_path}[/] (run {result.run_id}; "
      f"{result.claims_verified} of {result.claims_total} claims verified)")
    p(f"Done in {result.seconds:.1f} s.")
    p("\nNext:")
    for line in next_commands(result, explicit):
        out_console.print(f"  {line}", soft_wrap=True, markup=False)
