"""The starter library: short notes, in the project's own words, for the demo.

Each ``.md`` file beside this module is one note with front matter (title, author,
date, tags). :func:`add_starter` adds them all to a library under stable
``throughline:starter/<file>`` source keys, so their document and passage ids are the
same on every machine.
"""

from __future__ import annotations

import time
from importlib import resources
from typing import TYPE_CHECKING

from throughline.library.documents import load_bytes
from throughline.library.records import AddReport

if TYPE_CHECKING:
    from throughline.library.library import Event, Library

SOURCE_PREFIX = "throughline:starter/"
TAG = "starter"


def starter_paths() -> list[str]:
    """File names of the starter notes, sorted."""
    folder = resources.files(__name__)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".md"))


def add_starter(library: Library, *, on_event: Event | None = None) -> AddReport:
    """Add (or refresh) the starter notes; unchanged notes are no-ops."""
    started = time.perf_counter()
    folder = resources.files(__name__)
    docs = []
    for name in starter_paths():
        data = folder.joinpath(name).read_bytes()
        key = SOURCE_PREFIX + name
        docs.append(load_bytes(data, kind="markdown", source_key=key, path=key, name=name))
    outcomes = library.add_documents(docs, tags=[TAG], on_event=on_event)
    return AddReport(outcomes=outcomes, duration_s=time.perf_counter() - started,
                     library=str(library.path))


__all__ = ["SOURCE_PREFIX", "TAG", "add_starter", "starter_paths"]
