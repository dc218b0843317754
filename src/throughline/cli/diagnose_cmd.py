"""`throughline diagnose`: run the diagnostics, name the binding constraint, write a report.

A thin face on the engine: ``run_diagnose`` does the work, this module shows its progress
events (Rich progress on a terminal, one line per diagnostic otherwise), writes the report
and prints a summary — or, with the global ``--json``, a JSON summary on stdout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from throughline import __version__
from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.diagnose.diagnosis import Diagnosis
from throughline.diagnose.run import DiagnoseEvent, run_diagnose
from throughline.diagnose.findings import FindingKind, Severity
from throughline.diagnose.registry import DiagnoseOptions
from throughline.diagnose.report import EXTENSIONS, ReportFormat, trust, write_report
from throughline.diagnose.report import ReportMeta, split_label


class Format(str, Enum):
    html = "html"
    md = "md"
    json = "json"


@app.command("diagnose")
def diagnose_command(
    ctx: typer.Context,
    format: Annotated[Format | None, typer.Option(
        "--format", "-f",
        help="Report format: html (one self-contained file), md or json. Default: from "
        "--out's extension, else html.",
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Report file (default: <workspace>/reports/diagnosis.<ext>).",
    )] = None,
    as_of: Annotated[datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"],
        help="Date the analysis is as of (YYYY-MM-DD). Default: the latest event in the data.",
    )] = None,
    change_date: Annotated[datetime | None, typer.Option(
        "--change-date", formats=["%Y-%m-%d"],
        help="A date to compare before/after, e.g. an AI tooling rollout (YYYY-MM-DD).",
    )] = None,
    currency: Annotated[str, typer.Option(
        "--currency", help="Symbol printed before amounts, e.g. '$' or '€' "
        "(default: none; the report names the currency amounts are in).",
    )] = "",
) -> None:
    """Find the binding go-to-market constraint and write the evidence as a report."""
    settings = settings_from(ctx)
    fmt = _resolve_format(format, out)
    path = (out or settings.reports_dir / f"diagnosis.{fmt}").expanduser().resolve()
    options = DiagnoseOptions(
        as_of=as_of.date() if as_of else None,
        change_date=change_date.date() if change_date else None,
    )
    with _progress(quiet=settings.json_output) as on_event:
        diagnosis = run_diagnose(settings, options, on_event=on_event)
    meta = ReportMeta(generated_at=datetime.now(UTC), version=__version__,
                      currency_symbol=currency)
    write_report(diagnosis, path, fmt, meta)
    if settings.json_output:
        emit_json(json_summary(diagnosis, path, fmt))
    else:
        _print_summary(diagnosis, path)


def json_summary(diagnosis: Diagnosis, path: Path, fmt: str) -> dict[str, Any]:
    r = diagnosis.ranking
    labels = {s.name: s.label for s in r.scores}
    measured = [f for f in diagnosis.findings if f.kind is FindingKind.measured]
    return {
        "binding": r.binding,
        "binding_label": labels.get(r.binding) if r.binding else None,
        "runner_up": r.runner_up,
        "tied": [{"name": n, "score": round(trust.scores_of(r).get(n, 0.0), 4)}
                 for n in r.tied],
        "tie": trust.tie_sentence(r) if r.tied and not r.binding else None,
        "blocked": dict(r.blocked),
        "data_quality": [{"id": i.id, "title": i.title, "action": i.action,
                          "rows_affected": i.rows_affected} for i in diagnosis.data_quality],
        "reporting_currency": diagnosis.reporting_currency,
        "as_of_source": diagnosis.as_of_source,
        "threshold": r.threshold,
        "scores": [{"name": s.name, "label": s.label, "score": round(s.score, 4),
                    "measurable": s.measurable} for s in r.scores],
        "problems": [f.id for f in measured if f.severity is Severity.problem],
        "not_measurable": [f.id for f in diagnosis.findings
                           if f.kind is FindingKind.not_measurable],
        "findings": len(diagnosis.findings),
        "as_of": diagnosis.as_of.isoformat(),
        "report": str(path),
        "format": fmt,
    }


# -- helpers ---------------------------------------------------------------------------


def _resolve_format(format: Format | None, out: Path | None) -> ReportFormat:
    if format is not None:
        return format.value  # type: ignore[return-value]
    if out is not None and out.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[out.suffix.lower()]
    return "html"


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[DiagnoseEvent], None]]:
    """Rich progress on a terminal; plain lines on stderr otherwise; nothing when quiet."""
    if quiet:
        yield lambda _event: None
        return
    if not err_console.is_terminal:
        def plain(event: DiagnoseEvent) -> None:
            if event.kind == "finish":
                state = "not measurable" if event.not_measurable else f"{event.findings} finding(s)"
                err_console.print(
                    f"[{event.index}/{event.total}] {escape(event.diagnostic or '')}: {state} "
                    f"({event.duration_s or 0:.2f}s)", soft_wrap=True, markup=True,
                    highlight=False,
                )

        yield plain
        return

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as progress:
        task = progress.add_task("diagnosing", total=None)

        def live(event: DiagnoseEvent) -> None:
            if event.kind == "begin":
                progress.update(task, total=event.total)
            elif event.kind == "start":
                progress.update(task, description=escape(event.diagnostic or ""))
            elif event.kind == "finish":
                progress.advance(task)
            elif event.kind == "rank":
                progress.update(task, description="ranking hypotheses")

        yield live


def _print_summary(diagnosis: Diagnosis, path: Path) -> None:
    r = diagnosis.ranking
    scores = {s.name: s for s in r.scores}
    con = out_console
    issues = diagnosis.data_quality
    if issues:
        con.print(f"[bold]Data quality:[/] {len(issues)} issue(s) — what we could not trust, "
                  "and what we did about it:", soft_wrap=True)
        for i in issues:
            con.print(f"  • {escape(i.title)} ({trust.ACTION_LABELS.get(i.action, i.action)})",
                      soft_wrap=True)
    else:
        con.print("[bold]Data quality:[/] no issue found by the data-fitness gate.",
                  soft_wrap=True)
    con.print(escape(trust.as_of_line(diagnosis)) + " "
              + escape(trust.currency_line(diagnosis)), soft_wrap=True)
    if r.binding and r.binding in scores:
        b = scores[r.binding]
        short, sub = split_label(b.label)
        con.print(f"[bold]Binding constraint:[/] [bold]{escape(short)}[/]"
                  + (f" — {escape(sub)}" if sub else "")
                  + f"  (score {b.score:.2f}, threshold {r.threshold:.2f})", soft_wrap=True)
    elif r.tied:
        con.print(f"[bold]Binding constraint:[/] {escape(trust.tie_sentence(r))}",
                  soft_wrap=True)
    else:
        top = next((s for s in r.scores if s.measurable), None)
        if top is not None and top.score >= r.threshold:
            why = (f"the highest, {escape(split_label(top.label)[0].lower())} at "
                   f"{top.score:.2f}, is not clear of the runner-up")
        else:
            why = f"no hypothesis reached {r.threshold:.2f}"
        con.print(f"[bold]Binding constraint:[/] none found ({why})", soft_wrap=True)
    for name, reason in sorted(r.blocked.items()):
        con.print(escape(trust.blocked_sentence(name, reason)), soft_wrap=True)
    if r.runner_up and r.runner_up in scores:
        ru = scores[r.runner_up]
        con.print(f"[bold]Runner-up:[/] {escape(split_label(ru.label)[0])} "
                  f"(score {ru.score:.2f})", soft_wrap=True)
    behind = [c.finding_id for c in scores[r.binding].raised_by] if r.binding in scores else []
    problems = sorted(
        (f for f in diagnosis.findings
         if f.kind is FindingKind.measured and f.severity is Severity.problem),
        key=lambda f: behind.index(f.id) if f.id in behind else len(behind),
    )
    if problems:
        con.print("[bold]Top problems:[/]")
        for f in problems[:5]:
            con.print(f"  • {escape(f.title)} — {escape(f.statement)}", soft_wrap=True)
    blind = sum(1 for f in diagnosis.findings if f.kind is FindingKind.not_measurable)
    if blind:
        con.print(f"{blind} diagnostic(s) not measurable with this data "
                  "(see “What the data cannot see”).")
    con.print(f"[bold]Report:[/] {escape(str(path))}", soft_wrap=True)
