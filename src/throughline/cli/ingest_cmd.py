"""`throughline ingest PATH... [--profile NAME|MAPPING.yaml] [--skip-bad-rows] [--encoding NAME]
[--repair-encoding] [--skip-unrecognised]`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from throughline.cli.app import app, emit_json, err_console, out_console, settings_from
from throughline.ingest import LoadReport, ingest


def print_load_report(report: LoadReport) -> None:
    files = Table(title="Files", title_justify="left", show_edge=False)
    for col in ("file", "profile", "encoding", "tables", "rows", "rejected"):
        files.add_column(col, justify="right" if col in ("rows", "rejected") else "left")
    for f in report.files:
        files.add_row(Path(f.path).name, f.profile or "-", f.encoding or "-",
                      ", ".join(f.tables) or "-", f"{f.rows:,}", f"{f.rejected:,}")
    out_console.print(files)
    noted = [f for f in report.files if f.notes and not f.skipped]
    if noted:  # below the table, so a narrow terminal does not cut them
        out_console.print("Notes:")
        for f in noted:
            for note in f.notes:
                out_console.print(f"  {Path(f.path).name}: {note}", markup=False)
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
    skipped = [f for f in report.files if f.skipped]
    if skipped:
        out_console.print(f"[yellow]{len(skipped)} file(s) skipped (--skip-unrecognised):[/]")
        for f in skipped:
            out_console.print(f"  {f.path} — {'; '.join(f.notes)}", markup=False)
    repaired = [f for f in report.files if f.repaired_lines]
    for f in repaired:
        out_console.print(f"[yellow]{Path(f.path).name}: {len(f.repaired_lines):,} line(s) "
                          "were not UTF-8 and were decoded as cp1252 (--repair-encoding):[/] "
                          + ", ".join(map(str, f.repaired_lines[:20]))
                          + (", …" if len(f.repaired_lines) > 20 else ""))
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
    encoding: str = typer.Option(
        None, "--encoding",
        help="Read every text file in this encoding (e.g. cp1252, latin-1, utf-8). "
        "Default: decided per file from all its bytes — UTF-8 (BOM honoured), else "
        "Windows-1252 or Latin-1, whichever reads as plausible text; the load report "
        "shows the choice.",
    ),
    repair_encoding: bool = typer.Option(
        False, "--repair-encoding",
        help="A file that is UTF-8 except some lines is refused by default; with this, "
        "each line is decoded as UTF-8 where valid, else as Windows-1252, and the "
        "repaired lines are listed in the report.",
    ),
    skip_unrecognised: bool = typer.Option(
        False, "--skip-unrecognised",
        help="Skip files no profile recognises (listed in the report) instead of "
        "refusing them; the call still fails if nothing is loaded.",
    ),
) -> None:
    """Load exports into the workspace's evidence store, all or nothing.

    Every file must be read truthfully or the call changes nothing (exit 2): binary
    files, files mixing encodings, unterminated quotes, repeated header names, XLSX
    error cells or formulas without a saved value, and files a profile does not
    recognise are refused with the file, line or cell, and what was expected.
    """
    settings = settings_from(ctx)
    quiet = settings.json_output
    with err_console.status("ingesting…") as status:
        report = ingest(
            list(paths), settings, profile=profile, skip_bad_rows=skip_bad_rows,
            on_event=None if quiet else (lambda msg: status.update(msg)),
            encoding=encoding, repair_encoding=repair_encoding,
            skip_unrecognised=skip_unrecognised,
        )
    if quiet:
        emit_json(report.model_dump(mode="json"))
    else:
        print_load_report(report)
