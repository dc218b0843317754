"""The Typer application, its global options and the error edge."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

import psutil
from pydantic import BaseModel

from throughline.core.redact import redact, redact_text
from throughline.core.errors import ThroughlineError
from throughline.core.settings import Settings, load_settings

_first_call = True
_started = time.perf_counter()


def command_started() -> float:
    """``time.perf_counter()`` when the running command began: for the first command of a
    process, when the process started (interpreter start-up and imports included), so the
    time a command reports is the wall time its user saw; else when ``run`` began."""
    return _started

app = typer.Typer(
    name="throughline",
    help="Find the binding go-to-market constraint in your own exports, then convene a "
    "panel of advisors that writes an evidence-checked decision record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

JSON_HELP = "Machine-readable output on stdout."
JSON_OPTION = typer.Option(False, "--json", help=JSON_HELP)
"""A sub-command's own ``--json`` (the same as the global one, given after the command)."""


def command_group(name: str, help: str) -> typer.Typer:
    """A group of sub-commands, ``throughline NAME …``, registered on ``app``."""
    group = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


@app.callback()
def _global(
    ctx: typer.Context,
    workspace: str = typer.Option(
        None, "--workspace", help="Workspace folder (default ./.throughline, env THROUGHLINE_HOME)."
    ),
    json_output: bool = typer.Option(False, "--json", help=JSON_HELP),
    backend: str = typer.Option(
        None, "--backend",
        help="Ibis connection URL (e.g. postgres://user@host/db); default: DuckDB file in "
        "the workspace.",
    ),
) -> None:
    ctx.obj = load_settings(workspace=workspace, backend=backend, json_output=json_output)


def settings_from(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    if not isinstance(obj, Settings):  # pragma: no cover - callback always runs first
        obj = load_settings()
    return obj


def wants_json(ctx: typer.Context, local: bool) -> bool:
    """JSON output: asked for after the command (``local``) or globally."""
    return local or settings_from(ctx).json_output


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str, sort_keys=False) + "\n")


def listing_done(ctx: typer.Context, local: bool, items: Sequence[BaseModel],
                     empty: str) -> bool:
    """For a command that lists things: with ``--json`` the items as a JSON list, else with
    nothing to list the ``empty`` line. True when that was the whole output."""
    if wants_json(ctx, local):
        emit_json([item.model_dump(mode="json") for item in items])
        return True
    if not items:
        out_console.print(empty)
        return True
    return False


class _RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Log records reach the terminal (stderr, WARNING and up) with secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


@contextmanager
def _terminal_logging() -> Iterator[None]:
    """While a command runs, warnings and errors logged by any library are printed once,
    as ``warning: …``, through the one redaction (instead of Python's bare last resort)."""
    root = logging.getLogger()
    handler = _RedactingHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


def run(argv: list[str]) -> int:
    """Run the CLI and translate errors into exit codes (0 ok, 1 failure, 2 bad input)."""
    global _first_call, _started
    _started = time.perf_counter()
    if _first_call:
        _started -= max(0.0, time.time() - psutil.Process().create_time())
    _first_call = False
    want_json = "--json" in argv
    try:
        with _terminal_logging():
            app(args=argv, prog_name="throughline")
        return 0
    except SystemExit as exc:  # Typer's standalone mode: help, usage errors (2), Exit
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except ThroughlineError as exc:
        if want_json:
            emit_json(redact(exc.to_dict(), by_name=False))
        err_console.print(f"[bold red]error:[/] {escape(redact_text(str(exc)))}",
                          soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
