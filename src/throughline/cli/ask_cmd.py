"""`throughline ask "QUESTION"`: convene the council and write a decision record.

A thin face on :func:`throughline.council.convene.ask`: it shows the pipeline's progress
events (stages and turns) on stderr and prints the record's path — or, with ``--json``, a
JSON summary on stdout.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.council.debate import MAX_ROUNDS
from throughline.council.frame import DEFAULT_QUESTION
from throughline.council.convene import AskResult, ask
from throughline.core.seams import Event
from throughline.record.decision import DecisionRecord


def summary(result: AskResult) -> dict[str, object]:
    r = result.record
    cc = r.claim_check
    return {
        "run_id": result.run_id, "path": str(result.path), "title": r.title,
        "binding": r.binding, "runner_up": r.runner_up, "verdict": r.verdict,
        "engine": r.run.engine, "panel": [m.advisor.name for m in r.panel],
        "status": run_status(r), "degraded_reason": r.run.degraded_reason,
        "claims": {"verified": cc.verified, "unsupported": cc.unsupported,
                   "contradicted": cc.contradicted},
        "policy": {p.rule: p.passed for p in r.run.policy},
        "predictions": [{"statement": f.statement, "probability": f.probability,
                         "horizon": f.horizon.isoformat()} for f in r.predictions],
    }


DEGRADED_EXIT = 1
"""``ask`` and ``runs resume`` exit with this when the run is degraded (the record is
written, and says so)."""


def run_status(record: DecisionRecord) -> str:
    return ("partial" if record.run.partial else
            "degraded" if record.run.degraded_reason else "finished")


def exit_if_degraded(result: AskResult) -> None:
    """A degraded run is not a success: say why on stderr and exit non-zero."""
    reason = result.record.run.degraded_reason
    if reason:
        err_console.print("[bold red]degraded run:[/] ", end="")
        err_console.print(reason, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(DEGRADED_EXIT)


def print_summary(result: AskResult) -> None:
    r = result.record
    cc = r.claim_check
    out_console.print(f"[bold]{escape(r.title)}[/] — run {result.run_id} ({r.run.engine} "
                      f"engine, {len(r.panel)} advisors, {r.run.rounds} rounds)")
    out_console.print(f"Claims: {cc.verified} verified, {cc.unsupported} unsupported, "
                      f"{cc.contradicted} contradicted; policy: "
                      + ", ".join(f"{p.rule} {'ok' if p.passed else 'FAILED'}"
                                  for p in r.run.policy))
    out_console.print(f"Record: {result.path}")


def report_result(result: AskResult, json_output: bool) -> None:
    """What ``ask`` and ``runs resume`` print when a run ends: the JSON summary or the
    human one; a degraded run then exits non-zero."""
    if json_output:
        emit_json(summary(result))
    else:
        print_summary(result)
    exit_if_degraded(result)


RecordOut = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Record file; .html, .md or .json (default: "
    "<workspace>/reports/record-<run id>.html).")]
"""The ``--out`` of ``ask`` and ``runs resume``: where the decision record is written."""


def progress_printer(quiet: bool):  # type: ignore[no-untyped-def]
    def show(event: Event) -> None:
        if quiet:
            return
        if event.kind in ("stage_finished", "round_finished", "warning"):
            err_console.print(f"[dim]{escape(event.stage or '')}[/] {escape(event.message)}")
    return show


@app.command("ask")
def ask_command(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question for the council.")] =
    DEFAULT_QUESTION,
    rounds: Annotated[int, typer.Option("--rounds", "-r", min=1, max=MAX_ROUNDS,
                                        help="Debate rounds (1–5).")] = MAX_ROUNDS,
    panel: Annotated[Path | None, typer.Option(
        "--panel", help="YAML panel file: advisors to seat (and new personas).")] = None,
    out: RecordOut = None,
    policy: Annotated[Path | None, typer.Option(
        "--policy", help="Governance policy YAML merged over the default "
        "(default: <workspace>/policy.yaml when present).")] = None,
    date: Annotated[datetime | None, typer.Option(
        "--date", formats=["%Y-%m-%d"],
        help="Run date the action plan counts from (YYYY-MM-DD; default today). "
             "Forecasts count from the data's as-of date, not this one.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Model for every role, e.g. openai:gpt-4o-mini, "
        "anthropic:claude-haiku-4-5, ollama:qwen2.5:7b, openai-compatible:NAME@URL "
        "(default: THROUGHLINE_MODEL, else the offline engine).")] = None,
    replay: Annotated[str | None, typer.Option(
        "--replay", help="Re-run a stored run from its recorded replies (no network); the "
        "record is byte-identical to the original's.")] = None,
) -> None:
    """Convene the advisors on a question and write a decision record."""
    settings = settings_from(ctx).with_model(model)
    result = ask(settings, question, rounds=rounds, panel=panel,
                 out=out.expanduser().resolve() if out else None, policy=policy,
                 run_date=date.date() if date else None, replay=replay,
                 on_event=progress_printer(settings.json_output))
    report_result(result, settings.json_output)
