"""`throughline ingest PATH... [--profile NAME|MAPPING.yaml] [--skip-bad-rows]`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.ingest import LoadReport, ingest


def print_load_report(report: LoadReport) -> None:
    files = Table(title="Files", title_justify="left", show_edge=False)
    for col in ("file", "profile", "tables", "rows", "rejected", "notes"):
        files.add_column(col, justify="right" if col in ("rows", "rejected") else "left")
    for f in report.files:
        files.add_row(Path(f.path).name, f.profile or "-", ", ".join(f.tables) or "-",
                      f"{f.rows:,}", f"{f.rejected:,}", "; ".join(f.notes))
    out_console.print(files)
    tables = Table(title="Tables", title_justify="left", show_edge=False)
    for col in ("table", "read", "new", "replaced", "rejected", "rows in store"):
        tables.add_column(col, justify="left" if col == "table" else "right")
    for t in report.tables:
        tables.add_row(t.table, f"{t.rows_read:,}", f"{t.inserted:,}", f"{t.replaced:,}",
                       f"{t.rejected:,}", f"{t.total_after:,}")
    out_console.print(tables)
    line = (f"Loaded {sum(t.rows_read for t in report.tables):,} rows into "
            f"{len(report.tables)} tables in {report.duration_s:.2f}s "
            f"(profile: {', '.join(report.profiles)}; store: {report.store}).")
    out_console.print(line)
    if report.rejected:
        out_console.print(f"[yellow]{report.rejected:,} rows rejected and kept in "
                          f"{report.quarantine_table}:[/]")
        for q in report.quarantined_examples:
            out_console.print(f"  {Path(q.file).name} row {q.row} {q.column}: "
                              f"{q.value!r} — {q.reason}", markup=False)


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Export files or folders holding them."),
    profile: str = typer.Option(
        None, "--profile",
        help="salesforce, hubspot, github, canonical, messaging, or a MAPPING.yaml; "
        "default: detect from each file's headers.",
    ),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows",
        help="Load the good rows and keep the rejected ones, with reasons, in _quarantine.",
    ),
) -> None:
    """Load exports into the workspace's evidence store, all or nothing."""
    settings = settings_from(ctx)
    quiet = settings.json_output
    with err_console.status("ingesting…") as status:
        report = ingest(
            list(paths), settings, profile=profile, skip_bad_rows=skip_bad_rows,
            on_event=None if quiet else (lambda msg: status.update(msg)),
        )
    if quiet:
        emit_json(report.model_dump(mode="json"))
    else:
        print_load_report(report)
