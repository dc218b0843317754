"""One writer per workspace, and nothing left behind by a writer that died.

An ingest holds an exclusive advisory lock on ``<workspace>/.ingest.lock`` from before it
stages until after it has published. A second ingest started meanwhile stops at once with
:class:`~throughline.core.errors.StoreBusy` (exit 2) instead of a driver traceback. Whoever holds
the lock is the only writer, so any staging folder or half-written store copy found when
the lock is taken was left by a writer that was killed: it is removed then.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from throughline.core.errors import StoreBusy

try:  # POSIX; on other systems ingests are not serialised (documented in the README)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_FILE = ".ingest.lock"
STAGING_PREFIX = "throughline-ingest-"
ASIDE_SUFFIX = ".next"  # the store copy an apply writes before it swaps it in
BUSY = "another ingest is writing to this workspace; try again when it finishes"


@contextmanager
def workspace_lock(workspace: Path, store_path: Path) -> Iterator[None]:
    """Hold the workspace's writer lock; clean what a killed writer left behind."""
    workspace.mkdir(parents=True, exist_ok=True)
    fd = os.open(workspace / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(BUSY, hint=f"the lock is {workspace / LOCK_FILE}") from None
        remove_leftovers(workspace, store_path)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove_leftovers(workspace: Path, store_path: Path) -> list[Path]:
    """Remove staging folders and store copies of writers that died (lock held: none live)."""
    gone: list[Path] = []
    for path in sorted(workspace.glob(STAGING_PREFIX + "*")):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
    for suffix in (ASIDE_SUFFIX, ASIDE_SUFFIX + ".wal"):
        aside = Path(str(store_path) + suffix)
        if aside.exists():
            aside.unlink()
            gone.append(aside)
    for path in gone:
        log.info("removed %s, left by an ingest that did not finish", path)
    return gone
