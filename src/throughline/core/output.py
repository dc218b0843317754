"""Writing documents to disk: the output formats, the file extensions that name them, and
one atomic write.

The diagnosis report (``diagnose.report``) and the decision record (``record.render``)
both render to one of :data:`FORMATS` and write through :func:`write_text`, so a
half-written file never replaces a good one and both documents agree on what ``.md`` or
``.htm`` means.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

OutputFormat = Literal["html", "md", "json"]
FORMATS: tuple[OutputFormat, ...] = ("html", "md", "json")
EXTENSIONS: dict[str, OutputFormat] = {
    ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json",
}


def format_for(path: Path | str, document: str = "document") -> OutputFormat:
    """The format a file name asks for by its suffix (``.html``, ``.md``, ``.json`` …);
    ``ValueError`` naming the ``document`` when the suffix says none."""
    suffix = Path(path).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        raise ValueError(
            f"cannot tell the {document} format from {str(path)!r}; use a .html, .md or "
            ".json file name or name the format"
        ) from None


def unknown_format(fmt: str, document: str = "document") -> ValueError:
    """The error for a format outside :data:`FORMATS`."""
    return ValueError(f"unknown {document} format {fmt!r}; expected one of {', '.join(FORMATS)}")


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (beside it, then renamed over it); creates the
    folder; returns the path. On any failure the old file, if any, is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # plain open: honours umask
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line ends, atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"))


__all__ = ["EXTENSIONS", "FORMATS", "OutputFormat", "format_for", "unknown_format",
           "write_bytes", "write_text"]
