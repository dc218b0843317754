"""Recognise which mapping source(s) a file belongs to, from its name and headers.

Also what a mapping tells the readers about a file it names (``read_hints``), and why no
profile took a file (``unrecognised``: the refusal, naming the nearest source's missing
columns).
"""

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


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files to ingest, each once; folders are walked (sorted)."""
    files: list[Path] = []
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
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


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


def _expects(source: Source) -> str:
    if source.headers:
        return "columns " + ", ".join(source.headers)
    return "files named " + ", ".join(source.files or ["(none)"])


def _closest(opened: OpenedFile, mapping: Mapping) -> tuple[Source, list[str]] | None:
    """The source of ``mapping`` the file comes nearest to, and its missing columns.

    A source whose file names fit comes first; then the one missing the fewest of its
    required columns.
    """
    ranked = []
    for i, source in enumerate(mapping.sources):
        missing = [h for h in source.headers if opened.resolve(h) is None]
        named = _name_matches(source, opened.path)
        if not source.headers and not named:
            missing = ["(a file named " + " or ".join(source.files or ["?"]) + ")"]
        ranked.append((not named, len(missing), i, source, missing))
    if not ranked:
        return None
    _, _, _, source, missing = min(ranked, key=lambda r: r[:3])
    return source, missing


def unrecognised(opened: OpenedFile, mappings: list[Mapping], *, explicit: bool
                  ) -> tuple[InputError, str]:
    """Why no profile took this file: the missing columns of the nearest source of each
    profile tried (with ``--profile``: of that profile), and what each expects; and the
    reason in a few words (for the report of a skipped file)."""
    path = str(opened.path)
    found = ", ".join(opened.columns[:20]) + (", …" if len(opened.columns) > 20 else "")
    hint = f"the file's columns are: {found}"
    if len(opened.columns) == 1 and any(d in opened.columns[0] for d in "|;\t,"):
        hint += " — one column only: is the delimiter right?"
    if explicit and len(mappings) == 1:
        mapping = mappings[0]
        near = _closest(opened, mapping)
        if near is not None and near[0].headers:
            source, missing = near
            return InputError(
                f"does not match the {mapping.name} profile: required column(s) "
                f"{', '.join(missing)} missing (its {source.name} export needs "
                f"{', '.join(source.headers)})",
                file=path, column=missing[0] if missing else None,
                expected="; ".join(f"{s.name}: {_expects(s)}" for s in mapping.sources),
                hint=hint), (f"not {mapping.name} ({source.name} needs "
                             f"{', '.join(missing)})")
        return InputError(
            f"does not match the {mapping.name} profile",
            file=path, expected="; ".join(f"{s.name}: {_expects(s)}" for s in mapping.sources),
            hint=hint), f"not {mapping.name}"
    for mapping in mappings:  # named like a known export but lacking its columns
        for source in mapping.sources:
            if source.headers and _name_matches(source, opened.path):
                missing = [h for h in source.headers if opened.resolve(h) is None]
                if missing:
                    return InputError(
                        f"looks like {mapping.name} {source.name} by its name, but required "
                        f"column(s) {', '.join(missing)} are missing",
                        file=path, column=missing[0],
                        expected=f"{source.name}: {_expects(source)}", hint=hint), (
                        f"named like {mapping.name} {source.name}, but "
                        f"{', '.join(missing)} missing")
    tried = []
    for mapping in mappings:
        near = _closest(opened, mapping)
        if near is None:
            continue
        source, missing = near
        tried.append(f"{mapping.name} (nearest: {source.name}, which needs "
                     f"{_expects(source)}; missing {', '.join(missing)})"
                     if source.headers else f"{mapping.name} ({_expects(source)})")
    return InputError(
        "not recognised by any profile (cannot tell which kind of export this is); tried "
        + "; ".join(tried), file=path,
        hint=hint + " — pass --profile salesforce|hubspot|github|canonical or a "
        "MAPPING.yaml, or --skip-unrecognised to leave such files out"), (
        "not recognised by any profile")


def read_hints(mappings: list[Mapping], path: Path) -> dict[str, object]:
    """Reader options (sheet, delimiter, encoding, format, records) a user mapping gives."""
    if len(mappings) != 1:
        return {}
    for s in mappings[0].sources:
        if _name_matches(s, path) or len(mappings[0].sources) == 1:
            return {"sheet": s.sheet, "delimiter": s.delimiter, "encoding": s.encoding,
                    "forced_format": s.format if s.format not in ("json",) else None,
                    "records": s.records}
    return {}
