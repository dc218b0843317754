"""Library warnings go to the logging system, never raw onto the terminal.

Python prints a warning as ``path/to/module.py:1603: UserWarning: …`` followed by the
source line that raised it: noise to a user, and often about something Throughline already
handles (a setting a provider ignores, a model's deprecation). While a command runs,
:func:`library_warnings_logged` replaces how warnings are *shown* — not which are shown:
the interpreter's filters still decide (``-W error`` and a test suite's ``error`` filter
keep raising) — with one ``WARNING`` record on the ``throughline.library`` logger that
names the package that warned, its category and its message.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

log = logging.getLogger("throughline.library")


def _package(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        if rest:
            return rest[0].removesuffix(".py")
    return Path(filename).stem


def _show(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    text = " ".join(str(message).split())
    log.warning("%s (%s from %s)", text, category.__name__, _package(filename))


@contextlib.contextmanager
def library_warnings_logged() -> Iterator[None]:
    """Within the block, a warning that passes the filters is logged instead of printed."""
    with warnings.catch_warnings():  # restores showwarning (and the filters) on exit
        warnings.showwarning = _show
        yield


__all__ = ["library_warnings_logged"]
