"""The `throughline` command: a thin face on the library.

Each command lives in its own module and registers on ``app``: ``demo_cmd``, ``ingest_cmd``,
``sample_cmd``, ``diagnose_cmd``, ``ask_cmd`` (and the run summary ``runs resume`` shares),
``library_cmd`` (``library add | list | remove | search``), ``runs_cmd`` (``runs list | show
| export | resume``). ``app`` holds the Typer application, the global options, the shared
``--json`` option and the error edge: errors from the library (``throughline.core.errors``)
become messages and exit codes 0/1/2. ``libwarnings`` routes library warnings to logging.
Every command and option is documented in ``docs/cli.md`` (``tests/test_docs.py`` checks).
"""

from __future__ import annotations

import sys

from throughline.cli.app import app
from throughline.cli.app import run as _run
from throughline.cli import demo_cmd, ingest_cmd, sample_cmd  # noqa: F401  (registration)
from throughline.cli import diagnose_cmd, library_cmd  # noqa: F401  (registration)
from throughline.cli import ask_cmd, runs_cmd  # noqa: F401  (registration)
from throughline.cli.libwarnings import library_warnings_logged as _library_warnings_logged


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    with _library_warnings_logged():  # no raw library warning on the terminal
        return _run(argv if argv is not None else sys.argv[1:])


__all__ = ["app", "main"]
