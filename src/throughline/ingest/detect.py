"""Recognise which mapping source(s) a file belongs to, from its name and headers."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from throughline.core.errors import InputError, UsageError
from throughline.ingest.mapping import Mapping, Source
from throughline.ingest.readers import EXTENSIONS, OpenedFile

IGNORED_NAMES = {"readme.md", "readme.txt", "truth.json", "license", "license.md"}


@dataclass
class Match:
    mapping: Mapping
    sources: list[Source]
    score: int


def expand_paths(paths: list[str | Path]) -> tuple[list[Path], set[Path]]:
    """Files to ingest; folders are walked (sorted). Returns (files, files found by walking)."""
    files: list[Path] = []
    walked: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"no such file or folder: {raw}")
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in EXTENSIONS
                        and not any(part.startswith(".") for part in f.relative_to(p).parts)
                        and f.name.lower() not in IGNORED_NAMES):
                    files.append(f)
                    walked.add(f)
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, walked


def _name_matches(source: Source, path: Path) -> bool:
    if not source.files:
        return False
    name = path.name.lower()
    rel = f"{path.parent.name}/{path.name}".lower()
    return any(fnmatch.fnmatch(name, g.lower()) or fnmatch.fnmatch(rel, g.lower())
               for g in source.files)


def _headers_match(source: Source, opened: OpenedFile) -> bool:
    return all(opened.resolve(h) is not None for h in source.headers)


def source_matches(source: Source, opened: OpenedFile) -> int:
    """0 when the source does not fit; otherwise a score (more evidence = higher)."""
    if source.headers:
        if not _headers_match(source, opened):
            return 0
        return 10 * len(source.headers) + (1 if _name_matches(source, opened.path) else 0)
    return 1 if _name_matches(source, opened.path) else 0


def match_file(opened: OpenedFile, mappings: list[Mapping]) -> Match | None:
    """Best mapping for a file, and within it the sources the file feeds.

    A file may feed several tables of one mapping (a pipeline export can fill opportunities
    and opportunity_features) and serve as a lookup; per table the best-scoring source wins.
    """
    best: Match | None = None
    tie: list[str] = []
    for mapping in mappings:
        hits = sorted(
            ((source_matches(s, opened), i, s) for i, s in enumerate(mapping.sources)),
            key=lambda h: (-h[0], h[1]),
        )
        per_table: dict[str, Source] = {}
        lookups: list[Source] = []
        top = hits[0][0] if hits else 0
        for score, _, source in hits:
            # the best fit always; other sources only when the file's name is theirs too
            if score <= 0 or (score < top and not _name_matches(source, opened.path)):
                continue
            if source.table is None:
                lookups.append(source)
            else:
                per_table.setdefault(source.table, source)
        if not per_table and not lookups:
            continue
        m = Match(mapping, list(per_table.values()) + lookups, top)
        if best is None or m.score > best.score:
            best, tie = m, []
        elif m.score == best.score:
            tie.append(mapping.name)
    if best is not None and tie:
        raise InputError(
            f"the columns fit several profiles ({best.mapping.name}, {', '.join(tie)})",
            file=str(opened.path), hint="choose one with --profile",
        )
    return best
