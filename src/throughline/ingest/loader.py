"""`ingest`: files → staged, typed, validated tables → the store, all or nothing.

1. Each file is opened (``readers``) and recognised (``detect``) as one or more mapping
   sources (a ``part.Part`` per file and source).
2. Each part is compiled (``transform``) into one SELECT that types every value and sets
   error bits; it runs once, straight into a table of the staging database (``staging``:
   a DuckDB file in a work folder inside the workspace).
3. Checks: row and error counts from the bits (per-check counts and example rows only when
   some row failed, ``staging``), dates whose format is not ISO are detected (``formats``;
   ambiguous day/month is an error unless the mapping gives a format), keys are unique
   (``dedup``), enforced references resolve against this call's rows and the store's
   (``references``).
4. Any problem → ``ValidationFailed`` naming file, row, column, value and what was
   expected; the store file was never opened for writing. With ``skip_bad_rows`` the bad
   rows go to the ``_quarantine`` table instead (``quarantine``).
5. The staging database is finalised to hold exactly what this call adds (canonical
   tables renamed in place, ``_quarantine``, ``_ingests``) and published (``publish``).
   With no store yet it becomes the store (an atomic link, no copy); otherwise ``apply``
   merges it into the store in one transaction (replace by key, so re-ingesting the same
   data does not duplicate rows).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from throughline.core.errors import InputError, UsageError, ValidationFailed
from throughline.core.redact import redact_text
from throughline.core.settings import Settings
from throughline.ingest.dedup import combine_tables
from throughline.ingest.detect import expand_paths, match_file, read_hints, unrecognised
from throughline.ingest.guard import workspace_lock
from throughline.ingest.mapping import Mapping
from throughline.ingest.mapping_files import resolve_profile
from throughline.ingest.part import Part
from throughline.ingest.publish import finalize, write_store
from throughline.ingest.quarantine import quarantine_examples, quarantine_sql
from throughline.ingest.readers import (
    TEXT_FORMATS,
    check_header,
    check_nested,
    check_quoting,
    encoding_name,
    make_workdir,
    open_file,
)
from throughline.ingest.references import check_references
from throughline.ingest.report import FileReport, LoadReport, TableReport
from throughline.ingest.staging import open_staging, stage_part
from throughline.ingest.sql import ident
from throughline.ingest.transform import unmapped_labels

EventFn = Callable[[str], None]


def ingest(
    paths: list[str | Path],
    settings: Settings,
    *,
    profile: str | None = None,
    skip_bad_rows: bool = False,
    on_event: EventFn | None = None,
    encoding: str | None = None,
    repair_encoding: bool = False,
    skip_unrecognised: bool = False,
) -> LoadReport:
    """Load exports into the evidence store; raises ``InputError`` and changes nothing on bad
    input (unless ``skip_bad_rows``).

    ``encoding`` reads every text file in that encoding (default: decided per file from
    its bytes); ``repair_encoding`` decodes a file mixing UTF-8 and Windows-1252 line by
    line instead of refusing it; ``skip_unrecognised`` skips (and reports) files no profile
    recognises instead of refusing them.
    """
    started = time.perf_counter()
    say = on_event or (lambda _msg: None)
    if encoding is not None and repair_encoding:
        raise UsageError("--encoding and --repair-encoding exclude each other",
                         hint="--encoding reads whole files in one encoding; "
                         "--repair-encoding decides line by line")
    if encoding is not None:
        encoding = encoding_name(encoding)
    mappings = resolve_profile(profile)
    files = expand_paths(paths)
    if not files:
        raise InputError("no files to ingest", hint="pass export files or folders holding them")
    settings.workspace.mkdir(parents=True, exist_ok=True)
    with workspace_lock(settings.workspace, settings.store_path):  # one writer; StoreBusy
        workdir = make_workdir(settings.workspace)
        con = open_staging(settings, workdir)
        try:
            return _run(con, workdir, files, mappings, settings, skip_bad_rows, say,
                        started, profile,
                        _ReadOptions(encoding, repair_encoding, skip_unrecognised))
        finally:
            con.close()
            shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class _ReadOptions:
    encoding: str | None = None
    repair_encoding: bool = False
    skip_unrecognised: bool = False


def _run(
    con: duckdb.DuckDBPyConnection, workdir: Path, files: list[Path],
    mappings: list[Mapping], settings: Settings, skip_bad_rows: bool, say: EventFn,
    started: float, profile: str | None, read: _ReadOptions | None = None,
) -> LoadReport:
    read = read or _ReadOptions()
    ingest_id = uuid.uuid4().hex
    file_reports, parts, lookup_parts = _open_files(con, workdir, files, mappings, settings,
                                                    say, profile, read)
    if not parts:
        skipped = [Path(fr.path).name for fr in file_reports if fr.skipped]
        raise InputError(
            "nothing loaded: " + (f"none of the {len(skipped)} file(s) was recognised ("
                                  + ", ".join(skipped[:10]) + (", …" if len(skipped) > 10
                                                               else "") + ")"
                                  if skipped else "no file feeds a table"),
            expected="at least one export a profile recognises",
            hint="pass --profile salesforce|hubspot|github|canonical or a MAPPING.yaml",
        )
    lookups = _lookup_tables(con, mappings, parts, lookup_parts)
    staged_tables = _check(con, parts, lookups, file_reports, settings, skip_bad_rows, say)

    rejected = sum(p.bad for p in parts)
    quarantined = quarantine_sql(con, parts, ingest_id) if skip_bad_rows and rejected else None
    meta = {
        "profiles": ",".join(sorted({p.mapping.name for p in parts})),
        "files": ";".join(str(f) for f in files),
        "rows": sum(p.rows for p in parts),
        "rejected": rejected,
    }
    say("writing to the store")
    final = finalize(con, parts, staged_tables, ingest_id, meta, quarantined)
    examples = quarantine_examples(con) if quarantined else []
    tables = write_store(con, workdir, settings, final, ingest_id, meta)
    rejected_by_table: dict[str, int] = {}
    for part in parts:
        rejected_by_table[part.source.table or ""] = (
            rejected_by_table.get(part.source.table or "", 0) + part.bad)
    for t in tables:
        t.rejected = rejected_by_table.get(t.table, 0)
    for fr in file_reports:
        fr.rows = sum(p.rows for p in parts if str(p.opened.path) == fr.path)
        fr.rejected = sum(p.bad for p in parts if str(p.opened.path) == fr.path)
    return LoadReport(
        ingest_id=ingest_id,
        store=_safe_url(settings.backend_url),
        profiles=sorted({fr.profile for fr in file_reports if fr.profile}) or [profile or ""],
        files=file_reports,
        tables=tables,
        rejected=rejected,
        quarantine_table="_quarantine" if rejected else None,
        quarantined_examples=examples,
        duration_s=round(time.perf_counter() - started, 3),
    )


def _open_files(
    con: duckdb.DuckDBPyConnection, workdir: Path, files: list[Path], mappings: list[Mapping],
    settings: Settings, say: EventFn, profile: str | None, read: _ReadOptions,
) -> tuple[list[FileReport], list[Part], list[Part]]:
    """Open and recognise every file: its report, the parts feeding tables, the lookups."""
    file_reports: list[FileReport] = []
    parts: list[Part] = []
    lookup_parts: list[Part] = []
    for i, path in enumerate(files):
        say(f"reading {path}")
        hints = read_hints(mappings, path)
        if read.encoding is not None:
            hints["encoding"] = read.encoding
        opened = open_file(con, path, workdir=workdir, view_name=f"f{i}",
                           max_field_bytes=settings.max_field_bytes,
                           repair_encoding=read.repair_encoding, **hints)  # type: ignore[arg-type]
        check_header(opened)
        check_quoting(con, opened)
        encoding = opened.encoding if opened.format in TEXT_FORMATS else None
        match = match_file(opened, mappings)
        if match is None:
            refusal, reason = unrecognised(opened, mappings, explicit=profile is not None)
            if not read.skip_unrecognised:
                raise refusal
            file_reports.append(FileReport(
                path=str(path), format=opened.format, profile=None, skipped=True,
                encoding=encoding, notes=[f"skipped: {reason}"]))
            continue
        report = FileReport(path=str(path), format=opened.format, profile=match.mapping.name,
                            sources=[s.name for s in match.sources],
                            tables=sorted({s.table for s in match.sources if s.table}),
                            encoding=encoding, repaired_lines=opened.repaired_lines[:1000],
                            notes=list(opened.notes))
        if opened.sheet:
            report.notes.append(f"sheet {opened.sheet}")
        file_reports.append(report)
        for source in match.sources:
            for spec in source.columns.values():
                if spec.path is not None:
                    check_nested(con, opened, spec.path)
            part = Part(opened, match.mapping, source)
            if source.table is None:
                lookup_parts.append(part)
            else:
                parts.append(part)
    return file_reports, parts, lookup_parts


def _lookup_tables(con: duckdb.DuckDBPyConnection, mappings: list[Mapping], parts: list[Part],
                   lookup_parts: list[Part]) -> dict[str, str]:
    """A temporary table per source that mappings look values up in (source -> table)."""
    lookups: dict[str, str] = {}
    wanted = {spec.lookup.source for m in mappings for src in m.sources
              for spec in src.columns.values() if spec.lookup}
    lookup_parts += [p for p in parts if p.source.name in wanted]
    for j, part in enumerate(lookup_parts):
        name = f"lk_{j}"
        cols = ", ".join(f"NULLIF(TRIM(CAST({ident(c)} AS VARCHAR)), '') AS {ident('lk__' + c)}"
                         for c in part.opened.columns)
        con.execute(f"CREATE TEMP TABLE {ident(name)} AS SELECT {cols} FROM "
                    f"{part.opened.relation}")
        lookups[part.source.name] = name
    for part in parts:
        for spec in part.source.columns.values():
            if spec.lookup and spec.lookup.source not in lookups:
                src = part.mapping.source(spec.lookup.source)
                raise InputError(
                    f"the mapping looks values up in source '{src.name}', but no file of "
                    "this call matched it",
                    hint="add the file (" + ", ".join(src.files or src.headers) + ")",
                )
    return lookups


def _check(con: duckdb.DuckDBPyConnection, parts: list[Part], lookups: dict[str, str],
           file_reports: list[FileReport], settings: Settings, skip_bad_rows: bool,
           say: EventFn) -> dict[str, str]:
    """Stage every part, then unique keys and references; the staged table per table.

    Raises ``ValidationFailed`` with every problem found, unless ``skip_bad_rows``.
    """
    problems: list[InputError] = []
    total_problems = 0
    for k, part in enumerate(parts):
        part.staged = f"stg_{k}"
        say(f"typing {part.opened.path.name} → {part.source.table}")
        n, errs = stage_part(con, part, lookups, skip_bad_rows)
        total_problems += n
        problems.extend(errs)
        if part.compiled is not None and part.compiled.labelled:  # labels kept as they are
            next(fr for fr in file_reports if fr.path == str(part.opened.path)).notes.extend(
                unmapped_labels(con, part.staged, part.compiled))
    if not problems:
        for part in parts:
            if part.rows == 0 and part.bad == 0:
                problems.append(InputError("the file has a header but no data rows",
                                           file=str(part.opened.path),
                                           expected="at least one row"))
                total_problems += 1

    staged_tables, dup_problems, dup_count = combine_tables(con, parts, skip_bad_rows)
    problems.extend(dup_problems)
    total_problems += dup_count
    if problems and not skip_bad_rows:  # dangling rows would only echo the rows above
        raise ValidationFailed(problems, total_problems)
    ref_problems, ref_count = check_references(con, parts, staged_tables, settings,
                                               skip_bad_rows)
    problems.extend(ref_problems)
    total_problems += ref_count

    if problems and not skip_bad_rows:
        raise ValidationFailed(problems, total_problems)
    return staged_tables


def _safe_url(url: str) -> str:
    return redact_text(url)


__all__ = ["ingest", "LoadReport", "TableReport"]
