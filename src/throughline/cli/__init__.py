"""The `throughline` command: a thin face on the library.

Each command lives in its own module and registers on ``app``; errors from the library
(``throughline.core.errors``) are translated here into messages and exit codes 0/1/2.
"""

from __future__ import annotations

import sys

from throughline.cli.app import app, run
from throughline.cli import demo_cmd, ingest_cmd, sample_cmd  # noqa: F401  (registration)
from throughline.cli import diagnose_cmd, library_cmd  # noqa: F401  (registration)
from throughline.cli import ask_cmd, runs_cmd  # noqa: F401  (registration)
from throughline.cli.libwarnings import library_warnings_logged


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    with library_warnings_logged():  # no raw library warning on the terminal
        return run(argv if argv is not None else sys.argv[1:])


__all__ = ["app", "main"]
