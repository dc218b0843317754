"""`throughline runs list | show ID | export ID` — the run log."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from throughline.cli.app import (
    JSON_OPTION,
    command_group,
    emit_json,
    listing_done,
    out_console,
    settings_from,
    wants_json,
)
from throughline.cli.ask_cmd import RecordOut, progress_printer, report_result
from throughline.core.errors import UsageError
from throughline.core.settings import Settings
from throughline.council.convene import ask
from throughline.record.render import EXTENSIONS, RecordFormat, render_record, write_record
from throughline.runlog import RunDetail, RunLog, RunSummary

runs_app = command_group(
    "runs", "The run log: list past council runs, show one (stages, claim check, model "
    "calls), export its decision record as HTML, Markdown or JSON.")

ID_ARGUMENT = typer.Argument(..., help="Run id, a unique prefix of one (4+ characters), "
                             "or 'latest'.")
WIDE, MEDIUM = 120, 100  # console widths from which `runs list` shows more columns


class ExportFormat(str, Enum):
    html = "html"
    md = "md"
    json = "json"


def _open(settings: Settings, ref: str | None = None) -> RunLog:
    """Open the run log; a workspace without one has no run of that id (exit 2)."""
    if ref is not None and not settings.runlog_path.exists():
        raise UsageError(f"no run with id {ref!r}: {settings.workspace} has no run log yet",
                         hint="start a run with `throughline ask \"QUESTION\"`, or pass "
                         "--workspace")
    return RunLog.open(settings)


@runs_app.command("list")
def list_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs.")] = 20,
    json_output: bool = JSON_OPTION,
) -> None:
    """List the latest runs, newest first."""
    settings = settings_from(ctx)
    runs: list[RunSummary] = []
    if settings.runlog_path.exists():
        with _open(settings) as log:
            runs = log.list_runs(limit)
    if listing_done(ctx, json_output, runs,
                    "No runs yet: ask the council with `throughline ask \"QUESTION\"`."):
        return
    width = out_console.width
    columns = ["id", "created (UTC)", "status", "engine", "binding", "rounds", "claims",
               "calls", "question"]
    hidden = ({"created (UTC)", "calls"} if width < WIDE else set()) | (
        {"rounds"} if width < MEDIUM else set())
    headers = [c for c in columns if c not in hidden]
    rows = []
    for r in runs:
        c = r.claims
        values = {"id": r.id, "created (UTC)": r.created_at.strftime("%Y-%m-%d %H:%M"),
                  "status": r.status, "engine": r.engine,
                  "binding": r.binding_label or r.binding or "-",
                  "rounds": str(r.rounds),
                  "claims": f"{c.verified}/{c.unsupported}/{c.contradicted}",
                  "calls": str(r.calls), "question": " ".join(r.question.split())}
        rows.append([values[h] for h in headers])
    table = Table(show_edge=False, pad_edge=False)
    for i, header in enumerate(headers):
        if header == "question":
            table.add_column(header, overflow="fold", min_width=16)
        else:  # sized to fit: only the question wraps
            table.add_column(header, no_wrap=True, min_width=max(len(header), *(
                len(row[i]) for row in rows)), justify="right" if header in (
                    "claims", "calls", "rounds") else "left")
    for row in rows:
        status = headers.index("status")
        table.add_row(*[_status(v) if i == status else escape(v) for i, v in enumerate(row)])
    out_console.print(table)
    out_console.print(f"{len(runs)} run(s); claims are verified/unsupported/contradicted; "
                      "`throughline runs show ID` for one.", soft_wrap=True)


@runs_app.command("show")
def show_command(ctx: typer.Context, run_id: str = ID_ARGUMENT,
                 json_output: bool = JSON_OPTION) -> None:
    """Show one run: question, frame, verdict, stages with timings, claim check, calls."""
    settings = settings_from(ctx)
    with _open(settings, run_id) as log:
        detail = log.get_run(run_id)
    if wants_json(ctx, json_output):
        emit_json(detail.model_dump(mode="json"))
    else:
        print_detail(detail)


@runs_app.command("export")
def export_command(
    ctx: typer.Context,
    run_id: str = ID_ARGUMENT,
    format: Annotated[ExportFormat | None, typer.Option(
        "--format", "-f", help="html (one self-contained file), md or json. Default: from "
        "--out's extension, else html.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Render a stored run's decision record; the same run always renders to the same bytes."""
    settings = settings_from(ctx)
    fmt: RecordFormat = (
        format.value if format
        else EXTENSIONS.get(out.suffix.lower(), "html") if out else "html")
    with _open(settings, run_id) as log:
        record = log.get_record(run_id)
    if out is None:
        _write_stdout(render_record(record, fmt).encode("utf-8"))
        return
    path = out.expanduser().resolve()
    try:
        write_record(record, path, fmt)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if settings.json_output:
        emit_json({"run_id": record.run_id, "format": fmt, "path": str(path)})
    else:
        out_console.print(f"[bold]Record:[/] {escape(str(path))}", soft_wrap=True)


def _write_stdout(data: bytes) -> None:
    """The exact bytes (no newline translation) when stdout has a binary buffer."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def _status(status: str) -> str:
    colour = {"finished": "green", "partial": "yellow", "degraded": "red",
              "failed": "red"}.get(status)
    return f"[{colour}]{status}[/]" if colour else status


def model_name(engine: str, model: str) -> str:
    """``provider:name`` once: models are stored with their provider already in front."""
    return model if model.startswith(f"{engine}:") else f"{engine}:{model}"


def print_detail(d: RunDetail) -> None:
    """One run for humans. Question, verdict and errors are printed as data, never markup."""
    con = out_console
    con.print(f"[bold]Run {d.id}[/]  {_status(d.status)}  engine {escape(d.engine)}"
              + (f"  replay of {d.replay_of}" if d.replay_of else ""), soft_wrap=True)
    started = d.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    took = f", took {d.duration_s:.1f}s" if d.duration_s is not None else ""
    con.print(f"started {started}{took}; Throughline {escape(d.version)}")
    con.print("[bold]Question:[/] ", end="")
    con.print(d.question, markup=False, highlight=False, soft_wrap=True)
    if d.intent:
        i = d.intent
        con.print(f"[bold]Frame:[/] {i.decision_type} — ", end="")
        con.print(i.choice, markup=False, highlight=False, soft_wrap=True)
        con.print(f"  stakes: {escape(i.stakes)}; run date {i.run_date}, horizon "
                  f"{i.horizon_months} months", soft_wrap=True)
    if d.binding or d.verdict_text:
        binding = d.binding_label or d.binding or "none found"
        con.print(f"[bold]Binding constraint:[/] {escape(binding)}", soft_wrap=True)
    if d.verdict_text:
        con.print("[bold]Verdict:[/] ", end="")
        con.print(d.verdict_text, markup=False, highlight=False, soft_wrap=True)
    if d.error:
        con.print("[bold red]Error:[/] ", end="")
        con.print(d.error, markup=False, highlight=False, soft_wrap=True)
    if d.stages:
        table = Table(title="Stages", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("stage", "status", "seconds", "attempts"):
            table.add_column(column, justify="right" if column in ("seconds", "attempts")
                             else "left", no_wrap=True)
        for s in d.stages:
            table.add_row(s.name, _status(s.status),
                          f"{s.duration_s:.2f}" if s.duration_s is not None else "-",
                          str(s.attempts))
        con.print(table)
    c = d.claims
    con.print(f"[bold]Debate:[/] {d.rounds} round(s), {d.statements} statement(s)"
              + (f", [red]{d.failed_statements} failed[/]" if d.failed_statements else "")
              + f"; {d.forecasts} forecast(s)")
    con.print(f"[bold]Claim check:[/] {c.verified} verified, {c.unsupported} unsupported, "
              f"{c.contradicted} contradicted")
    calls = d.calls_summary
    con.print(f"[bold]Model calls:[/] {calls.calls} ({calls.attempts} attempt(s)"
              + (f", [red]{calls.failed} failed[/]" if calls.failed else "")
              + f"), {calls.tokens_in} tokens in, {calls.tokens_out} out, "
              f"${calls.cost_usd:.4f}")
    for u in calls.by_model:
        con.print(f"  {escape(u.role)}: {escape(model_name(u.engine, u.model))}, "
                  f"{u.calls} attempt(s)"
                  + (f" — {escape(u.reason)}" if u.reason else ""), soft_wrap=True)
    if d.record_sha256:
        con.print(f"[bold]Record:[/] sha256 {d.record_sha256[:16]}…; "
                  f"`throughline runs export {d.id} --format html --out FILE`", soft_wrap=True)


@runs_app.command("resume")
def resume_command(
    ctx: typer.Context,
    run_id: str = ID_ARGUMENT,
    out: RecordOut = None,
) -> None:
    """Finish a stopped run (killed, failed or over budget) without repeating its calls."""
    settings = settings_from(ctx)
    result = ask(settings, resume=run_id, out=out.expanduser().resolve() if out else None,
                 on_event=progress_printer(settings.json_output))
    report_result(result, settings.json_output)
