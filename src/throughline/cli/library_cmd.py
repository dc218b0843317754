"""`throughline library add | list | remove | search` — the research library."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from throughline.cli.app import (
    JSON_OPTION,
    command_group,
    emit_json,
    err_console,
    listing_done,
    out_console,
    settings_from,
    wants_json,
)
from throughline.library import AddReport, Library, Passage

library_app = command_group(
    "library", "The research library: add documents (Markdown, text, HTML, PDF), list, "
    "remove, and search them with explainable BM25.")

TEXT_PREVIEW = 400


@library_app.command("add")
def add_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    tag: list[str] = typer.Option(
        [], "--tag", help="Tag the documents (repeatable; the tag stays on later adds)."),
    skip_bad: bool = typer.Option(
        False, "--skip-bad-files",
        help="Add the good files and report the bad ones, instead of adding nothing.",
    ),
    max_file_bytes: int = typer.Option(
        None, "--max-file-bytes", min=1,
        help="Largest file accepted (default: the max_library_file_bytes setting, 20 MB).",
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Add documents; unchanged ones are skipped, changed ones replace their old version."""
    settings = settings_from(ctx)
    as_json = wants_json(ctx, json_output)
    with Library.open(settings) as library, err_console.status("adding…") as status:
        report = library.add(paths, tags=tag, skip_bad=skip_bad, max_file_bytes=max_file_bytes,
                             on_event=None if as_json else status.update)
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        print_add_report(report)


def _display_path(path: str) -> str:
    """A path relative to the current folder when it lies under it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _table(*columns: str, numeric: tuple[str, ...] = (), fixed: tuple[str, ...] = ()) -> Table:
    """A borderless table; ``fixed`` columns never wrap (ids stay copyable)."""
    table = Table(show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left",
                         no_wrap=column in fixed or column in numeric,
                         overflow="fold", min_width=len(column) if column in numeric else None)
    return table


def print_add_report(report: AddReport) -> None:
    flagged_col = any(o.document and o.document.flagged_passages for o in report.outcomes)
    columns = ["status", "id", "kind", "passages"] + (["flagged"] if flagged_col else [])
    table = _table(*columns, "title", "path", numeric=("passages", "flagged"),
                   fixed=("status", "id", "kind"))
    for o in report.outcomes:
        d = o.document
        path = escape(_display_path(o.path) + (f": {o.reason}" if o.reason else ""))
        row = [o.status, d.id if d else "-", d.kind if d else "-", str(d.passages) if d else "-"]
        row += [str(d.flagged_passages) if d else "-"] if flagged_col else []
        table.add_row(*row, escape(d.title) if d else "-", path)
    out_console.print(table)
    counts = ", ".join(f"{n} {s}" for s, n in report.summary.items() if n)
    out_console.print(f"{counts or 'nothing to do'} in {report.duration_s:.2f}s "
                      f"(library: {escape(report.library)}).")
    flagged = sum(o.document.flagged_passages for o in report.outcomes
                  if o.document and o.status != "unchanged")
    if flagged:
        out_console.print(f"[yellow]{flagged} passage(s) read like instructions to a model; "
                          "they are kept as data and flagged for the council.[/]")


@library_app.command("list")
def list_command(ctx: typer.Context, json_output: bool = JSON_OPTION) -> None:
    """List the documents in the library."""
    with Library.open(settings_from(ctx), embedder=None) as library:
        docs = library.documents()
    if listing_done(ctx, json_output, docs, "The library is empty: add documents with "
                    "`throughline library add PATH...`."):
        return
    flagged_col = any(d.flagged_passages for d in docs)
    tags_col = out_console.width >= 120 and any(d.tags for d in docs)
    columns = ["id", "kind", "passages"] + (["flagged"] if flagged_col else [])
    table = _table(*columns, "title", *(["tags"] if tags_col else []), "source",
                   numeric=("passages", "flagged"), fixed=("id", "kind"))
    for d in docs:
        row = [d.id, d.kind, str(d.passages)] + ([str(d.flagged_passages)] if flagged_col else [])
        row += [escape(d.title)] + ([escape(", ".join(d.tags))] if tags_col else [])
        table.add_row(*row, escape(d.url or _display_path(d.path)))
    out_console.print(table)
    out_console.print(f"{len(docs)} document(s), {sum(d.passages for d in docs)} passages.")


@library_app.command("remove")
def remove_command(
    ctx: typer.Context,
    refs: list[str] = typer.Argument(..., help="Document ids (or unique prefixes), file "
                                     "paths, or folders."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Remove documents and their passages from the library."""
    with Library.open(settings_from(ctx), embedder=None) as library:
        removed = [doc for ref in refs for doc in library.remove(ref)]
    if wants_json(ctx, json_output):
        emit_json([d.model_dump(mode="json") for d in removed])
        return
    for d in removed:
        out_console.print(f"removed {d.id}  {escape(d.title)}  ({d.passages} passages)")


@library_app.command("search")
def search_command(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Plain words; no operator or quote has a meaning."),
    k: int = typer.Option(8, "--k", "-k", min=1, max=1000, help="How many passages."),
    explain: bool = typer.Option(False, "--explain",
                                 help="Show matched terms and each term's share of the score."),
    document: list[str] = typer.Option([], "--doc", help="Only these document ids."),
    path: list[str] = typer.Option([], "--path", help="Only documents whose path or URL "
                                   "matches this glob (e.g. '*.pdf')."),
    kind: list[str] = typer.Option([], "--kind", help="markdown, text, html or pdf."),
    tag: list[str] = typer.Option([], "--tag", help="Only documents with this tag."),
    bm25_only: bool = typer.Option(False, "--bm25-only",
                                   help="Skip dense retrieval even if the extra is installed."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Search the library: best passages first, ties broken by passage id."""
    filters = {key: value for key, value in (("document_id", document), ("path", path),
                                             ("kind", kind), ("tag", tag)) if value}
    with Library.open(settings_from(ctx)) as library:
        hits = library.search(query, k, filters or None, dense=False if bm25_only else None)
    if listing_done(ctx, json_output, hits, "No passage matches."):
        return
    for hit in hits:
        print_hit(hit, explain=explain)


def print_hit(hit: Passage, *, explain: bool) -> None:
    """One hit for humans. Passage text is printed as data: never as Rich markup."""
    score = f"score {hit.score:.3f}"
    if hit.fused_score is not None:
        score += f", fused {hit.fused_score:.4f}"
    out_console.print(f"[bold]{hit.rank}. {escape(hit.source.title)}[/]  "
                      f"[dim]{escape(hit.source.location)}[/]")
    heading = f"  {escape(hit.heading)}" if hit.heading else ""
    out_console.print(f"   [cyan]{hit.id}[/]  {score}{heading}")
    if hit.untrusted_instructions:
        out_console.print("   [yellow]flagged: reads like instructions to a model "
                          f"({', '.join(hit.untrusted_reasons)}); treat as quoted data[/]")
    text = " ".join(hit.text.split())
    if len(text) > TEXT_PREVIEW:
        text = text[:TEXT_PREVIEW - 1].rstrip() + "…"
    out_console.print(f"   {text}", markup=False, highlight=False)
    if explain:
        terms = ", ".join(f"{t.term} {t.share:.0%} ({t.contribution:.3f})"
                          for t in hit.explanation)
        out_console.print(f"   matched: {escape(terms) or 'no query term (dense match only)'}")
    out_console.print()
