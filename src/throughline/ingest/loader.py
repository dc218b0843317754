"""`ingest`: files → staged, typed, validated tables → the store, all or nothing.

1. Each file is opened (``readers``) and recognised (``detect``) as one or more mapping
   sources.
2. Each (file, source) is compiled (``transform``) into one SELECT that types every value
   and sets error bits; it runs once, straight into a table of the staging database (a
   DuckDB file in a work folder inside the workspace).
3. Checks: row and error counts from the bits (per-check counts and example rows only when
   some row failed), dates whose format is not ISO are detected (ambiguous day/month is an
   error unless the mapping gives a format), keys are unique, enforced references resolve
   (against this call's rows and the store's).
4. Any problem → ``ValidationFailed`` naming file, row, column, value and what was
   expected; the store file was never opened for writing. With ``skip_bad_rows`` the bad
   rows go to the ``_quarantine`` table instead.
5. The staging database is finalised to hold exactly what this call adds (canonical
   tables renamed in place, ``_quarantine``, ``_ingests``). With no store yet it becomes
   the store (an atomic link, no copy); otherwise ``apply`` merges it into the store in one
   transaction (replace by key, so re-ingesting the same data does not duplicate rows).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from throughline.core.errors import InputError, UsageError, ValidationFailed
from throughline.evidence import SCHEMA
from throughline.ingest.apply import (
    INGESTS,
    INGESTS_DDL,
    QUARANTINE,
    QUARANTINE_DDL,
    apply_embedded,
    apply_ibis,
    publish_new_store,
)
from throughline.ingest.detect import expand_paths, match_file
from throughline.ingest.mapping import Mapping, Source, resolve_profile
from throughline.core.redact import redact_text
from throughline.ingest.guard import workspace_lock
from throughline.ingest.readers import (
    TEXT_FORMATS,
    OpenedFile,
    check_header,
    check_nested,
    check_quoting,
    csv_read_error,
    encoding_name,
    ident,
    make_workdir,
    open_file,
    sql_str,
)
from throughline.ingest.report import FileReport, LoadReport, QuarantinedRow, TableReport
from throughline.ingest.transform import (
    Compiled,
    compile_source,
    detect_number_formats,
    unmapped_labels,
)
from throughline.core.settings import Settings

MAX_EXAMPLES = 5
DATE_SAMPLE_ROWS = 2048  # first rows looked at for dates that are not ISO
HASH_SORT_ROWS = 32_000_000  # key uniqueness by sorting hashes in memory up to 256 MB
DATE_CANDIDATES = [
    "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%m/%d/%y",
    "%d/%m/%y", "%d %b %Y", "%b %d, %Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d", "%Y-%m-%d",
]
TIME_SUFFIXES = ["", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p"]

EventFn = Callable[[str], None]


@dataclass
class Part:
    """One file feeding one table through one mapping source."""

    opened: OpenedFile
    mapping: Mapping
    source: Source
    staged: str = ""
    compiled: Compiled | None = None
    rows: int = 0
    bad: int = 0
    date_formats: dict[str, list[str]] = field(default_factory=dict)


STAGE_FILE = "stage.duckdb"


def _staging(settings: Settings, workdir: Path) -> duckdb.DuckDBPyConnection:
    """The staging database: a DuckDB file in the work folder.

    Typed rows are written once, compressed, into this file. When the store does not exist
    yet, the validated file itself becomes the store (see ``apply.publish_new_store``);
    otherwise its tables are merged into the store in one transaction.

    Checkpoints here do not vacuum: a bulk load leaves some row groups part-full at the
    reader's batch boundaries, and merging them at checkpoint rewrites (re-compresses) the
    data and leaves the old blocks as free space in the file. The merge into an existing
    store vacuums as usual (see ``apply.apply_embedded``).

    FSST string compression is off (for the merge into an existing store too, which runs on
    this connection): choosing and building its symbol tables was about a sixth of a large
    load's CPU, nearly all of it spent on unique ids, the only strings it shrinks.
    Repeated strings still get dictionary compression. The price is disk: at sample scale
    500 the store is about 590 MB instead of 310 MB (the CSVs are 1.8 GB).
    """
    con = duckdb.connect(str(workdir / STAGE_FILE),
                         config={"memory_limit": settings.duckdb_memory_limit,
                                 "temp_directory": str(workdir / "spill"),
                                 "preserve_insertion_order": True,
                                 "max_vacuum_tasks": 0})
    if settings.duckdb_threads:
        con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET disabled_compression_methods = 'fsst'")  # ignored as a connect() config
    return con


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
    files, walked = expand_paths(paths)
    if not files:
        raise InputError("no files to ingest", hint="pass export files or folders holding them")
    settings.workspace.mkdir(parents=True, exist_ok=True)
    with workspace_lock(settings.workspace, settings.store_path):  # one writer; StoreBusy
        workdir = make_workdir(settings.workspace)
        con = _staging(settings, workdir)
        try:
            return _run(con, workdir, files, walked, mappings, settings, skip_bad_rows, say,
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
    con: duckdb.DuckDBPyConnection, workdir: Path, files: list[Path], walked: set[Path],
    mappings: list[Mapping], settings: Settings, skip_bad_rows: bool, say: EventFn,
    started: float, profile: str | None, read: _ReadOptions | None = None,
) -> LoadReport:
    read = read or _ReadOptions()
    ingest_id = uuid.uuid4().hex
    file_reports: list[FileReport] = []
    parts: list[Part] = []
    lookups: dict[str, str] = {}
    lookup_parts: list[Part] = []
    for i, path in enumerate(files):
        say(f"reading {path}")
        hints = _read_hints(mappings, path)
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
            refusal, reason = _unrecognised(opened, mappings, explicit=profile is not None)
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

    problems: list[InputError] = []
    total_problems = 0
    for k, part in enumerate(parts):
        part.staged = f"stg_{k}"
        say(f"typing {part.opened.path.name} → {part.source.table}")
        n, errs = _stage(con, part, lookups, skip_bad_rows)
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

    staged_tables, dup_problems, dup_count = _combine(con, parts, skip_bad_rows)
    problems.extend(dup_problems)
    total_problems += dup_count
    if problems and not skip_bad_rows:  # dangling rows would only echo the rows above
        raise ValidationFailed(problems, total_problems)
    ref_problems, ref_count = _check_references(con, parts, staged_tables, settings,
                                                skip_bad_rows)
    problems.extend(ref_problems)
    total_problems += ref_count

    if problems and not skip_bad_rows:
        raise ValidationFailed(problems, total_problems)

    rejected = sum(p.bad for p in parts)
    quarantine_sql = _quarantine_sql(con, parts, ingest_id) if skip_bad_rows and rejected else None
    meta = {
        "profiles": ",".join(sorted({p.mapping.name for p in parts})),
        "files": ";".join(str(f) for f in files),
        "rows": sum(p.rows for p in parts),
        "rejected": rejected,
    }
    say("writing to the store")
    final = _finalize(con, parts, staged_tables, ingest_id, meta, quarantine_sql)
    examples = _quarantine_examples(con) if quarantine_sql else []
    if settings.is_embedded:
        store_path = Path(settings.backend_url[len("duckdb://"):])
        tables = None
        if not store_path.exists():
            tables = [TableReport(table=t, rows_read=n, inserted=n, total_after=n)
                      for t, n in final.items()]
            con.execute("CHECKPOINT")
            con.close()
            if not publish_new_store(workdir / STAGE_FILE, store_path):
                tables = None  # the store appeared meanwhile: merge into it instead
                con = _staging(settings, workdir)
        if tables is None:
            try:
                tables = apply_embedded(con, store_path, sorted(final), ingest_id)
            finally:
                con.close()
    else:
        from throughline.store import open_store

        store = open_store(settings, read_only=False)
        try:
            tables = apply_ibis(con, store.con, {t: t for t in final}, ingest_id, meta)
        finally:
            store.close()
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


def _expects(source: Source) -> str:
    if source.headers:
        return "columns " + ", ".join(source.headers)
    return "files named " + ", ".join(source.files or ["(none)"])


def _closest(opened: OpenedFile, mapping: Mapping) -> tuple[Source, list[str]] | None:
    """The source of ``mapping`` the file comes nearest to, and its missing columns.

    A source whose file names fit comes first; then the one missing the fewest of its
    required columns.
    """
    from throughline.ingest.detect import _name_matches

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


def _unrecognised(opened: OpenedFile, mappings: list[Mapping], *, explicit: bool
                  ) -> tuple[InputError, str]:
    """Why no profile took this file: the missing columns of the nearest source of each
    profile tried (with ``--profile``: of that profile), and what each expects; and the
    reason in a few words (for the report of a skipped file)."""
    from throughline.ingest.detect import _name_matches

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


def _safe_url(url: str) -> str:
    return redact_text(url)


def _read_hints(mappings: list[Mapping], path: Path) -> dict[str, object]:
    """Reader options (sheet, delimiter, encoding, format, records) a user mapping gives."""
    if len(mappings) != 1:
        return {}
    from throughline.ingest.detect import _name_matches

    for s in mappings[0].sources:
        if _name_matches(s, path) or len(mappings[0].sources) == 1:
            return {"sheet": s.sheet, "delimiter": s.delimiter, "encoding": s.encoding,
                    "forced_format": s.format if s.format not in ("json",) else None,
                    "records": s.records}
    return {}


# ---------------------------------------------------------------- staging and checks

def _stage(
    con: duckdb.DuckDBPyConnection, part: Part, lookups: dict[str, str], skip: bool
) -> tuple[int, list[InputError]]:
    table = SCHEMA[part.source.table or ""]
    compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
    # dates that are not ISO already fail in the first rows: find their format before the
    # full scan rather than after it (the same decision, made on the same whole column)
    early = _sample_date_failures(con, part, compiled)
    if early and _detect_date_formats(con, part, compiled, early):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
    counts = _run_stage(con, part, compiled, skip)
    failing = {c.column for c, n in zip(compiled.checks, counts)
               if n and c.kind == "type" and c.column in compiled.date_columns}
    if failing and _detect_date_formats(con, part, compiled, failing):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
        counts = _run_stage(con, part, compiled, skip)
    numbers = {c.column for c, n in zip(compiled.checks, counts)  # "1.200,50 €", "€1.200"
               if n and c.kind == "type" and c.column in compiled.number_columns}
    if numbers and detect_number_formats(con, part.opened, compiled, numbers,
                                         part.date_formats):
        compiled = compile_source(part.opened, part.source, table, lookups, part.date_formats)
        counts = _run_stage(con, part, compiled, skip)
    part.compiled = compiled
    if part.bad == 0:
        return 0, []
    if skip:
        part.rows -= part.bad
        return part.bad, []
    return part.bad, _examples(con, part, compiled, counts)


def _run_stage(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
               with_rows: bool) -> list[int]:
    """Type and check the file into its staging table (one scan); per-check failure counts.

    Sets ``part.rows`` and ``part.bad``; the per-check counts are only computed (from the
    staged error bits, not the file) when some row failed.
    """
    extra: dict[str, str] = {}
    if with_rows:  # --skip-bad-rows keeps row numbers and raw text for the quarantine
        extra["_row"] = "row_number() OVER ()"
        for c in {c.column: c for c in compiled.checks}.values():
            extra["_raw_" + c.column] = f"CAST({c.raw_sql} AS VARCHAR)"
    try:
        con.execute(f"CREATE OR REPLACE TABLE {ident(part.staged)} AS "
                    f"{compiled.build(extra=extra)}")
    except duckdb.Error as exc:
        from throughline.ingest.readers import duckdb_error

        if part.opened.format in ("csv", "tsv"):
            raise csv_read_error(part.opened, exc) from exc
        raise duckdb_error(part.opened.path, exc, part.opened.format.upper()) from exc
    mask_filter = " OR ".join(f"_err{m} <> 0" for m in range(compiled.masks))
    rows, bad = con.execute(f"SELECT count(*), count(*) FILTER ({mask_filter}) "
                            f"FROM {ident(part.staged)}").fetchone()
    part.rows, part.bad = int(rows), int(bad)
    if not compiled.checks or not part.bad:
        return [0] * len(compiled.checks)
    sums = ", ".join(f"count(*) FILTER ((_err{c.mask} >> {c.bit}) & 1 = 1)"
                     for c in compiled.checks)
    return [int(x) for x in con.execute(f"SELECT {sums} FROM {ident(part.staged)}").fetchone()]


def _sample_date_failures(con: duckdb.DuckDBPyConnection, part: Part,
                          compiled: Compiled) -> set[str]:
    """Date columns (with no format yet) whose type check fails in the file's first rows."""
    checks = [c for c in compiled.checks
              if c.kind == "type" and c.column in compiled.date_columns
              and not part.source.columns[c.column].formats
              and c.column not in part.date_formats]
    if not checks:
        return set()
    head = f"(SELECT * FROM {part.opened.relation} LIMIT {DATE_SAMPLE_ROWS})"
    sums = ", ".join(f"count(*) FILTER ((_err{c.mask} >> {c.bit}) & 1 = 1)" for c in checks)
    try:
        row = con.execute(f"SELECT {sums} FROM ({compiled.build(relation=head)})").fetchone()
    except duckdb.Error:
        return set()  # the full scan reports what is wrong with the file
    return {c.column for c, n in zip(checks, row) if n}


def _detect_date_formats(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
                         columns: set[str]) -> bool:
    """Find the format of these date columns if not ISO; True when typing must be redone."""
    changed = False
    for check in compiled.checks:
        if check.kind != "type" or check.column not in columns:
            continue
        spec = part.source.columns[check.column]
        if spec.formats or check.column in part.date_formats:
            continue
        v = check.raw_sql
        cands = [d + t for d in DATE_CANDIDATES for t in TIME_SUFFIXES]
        try:
            total, iso, complete, hits = _date_counts(con, part, v, cands)
        except duckdb.Error as exc:
            from throughline.ingest.readers import duckdb_error

            raise duckdb_error(part.opened.path, exc, part.opened.format.upper()) from exc
        if total == 0 or (total if complete else max(hits)) <= iso:
            continue  # ISO reads the most values: the rest are plain bad values
        if not complete:
            best = max(range(len(cands)), key=lambda i: (hits[i], -i))
            part.date_formats[check.column] = [cands[best]]
            changed = True
            continue
        ambiguous = _ambiguous(con, part, v, complete)
        if ambiguous:
            fa, fb, example = ambiguous
            raise InputError(
                f"ambiguous dates: {example!r} reads as {fa} and as {fb}",
                file=str(part.opened.path), column=check.source_column,
                hint=f"say which in a mapping: `{check.column}: {{from: {check.source_column}, "
                f"format: \"{fa}\"}}`",
            )
        part.date_formats[check.column] = [complete[0]]
        changed = True
    return changed


def _date_counts(con: duckdb.DuckDBPyConnection, part: Part, v: str, cands: list[str]
                 ) -> tuple[int, int, list[str], list[int]]:
    """Non-blank values, ISO-readable ones, and the candidate formats reading every value.

    A format that fails on one of the first values cannot read every value, so the whole
    column is counted only for the formats that read all of the first ones. When none of
    those reads every value, every candidate is counted (``hits``, for the best partial
    fit); otherwise ``hits`` is empty: the complete formats read the most values.
    """
    values = f"(SELECT {v} AS v FROM {part.opened.relation}) WHERE v IS NOT NULL"

    def counts(formats: list[str], source: str) -> list[int]:
        parsed = "".join(f", count(try_strptime(v, {sql_str(f)}))" for f in formats)
        return [int(x) for x in con.execute(
            f"SELECT count(v), count(TRY_CAST(v AS TIMESTAMPTZ)){parsed} FROM {source}"
        ).fetchone()]

    head = counts(cands, f"(SELECT v FROM {values} LIMIT {DATE_SAMPLE_ROWS})")
    survivors = [f for f, h in zip(cands, head[2:]) if h == head[0]]
    if survivors and len(survivors) < len(cands):
        row = counts(survivors, values)
        complete = [f for f, h in zip(survivors, row[2:]) if h == row[0]]
        if complete:
            return row[0], row[1], complete, []
    row = counts(cands, values)
    return row[0], row[1], [f for f, h in zip(cands, row[2:]) if h == row[0]], row[2:]


def _ambiguous(con: duckdb.DuckDBPyConnection, part: Part, v: str,
               complete: list[str]) -> tuple[str, str, str] | None:
    for i, fa in enumerate(complete):
        for fb in complete[i + 1:]:
            row = con.execute(
                f"SELECT any_value(v) FROM (SELECT {v} AS v FROM {part.opened.relation}) "
                f"WHERE v IS NOT NULL AND try_strptime(v, {sql_str(fa)}) "
                f"<> try_strptime(v, {sql_str(fb)})").fetchone()
            if row and row[0] is not None:
                return fa, fb, str(row[0])
    return None


def _examples(con: duckdb.DuckDBPyConnection, part: Part, compiled: Compiled,
              counts: list[int]) -> list[InputError]:
    """Re-scan the file with row numbers, only to name the first failing rows."""
    failing = [(c, n) for c, n in zip(compiled.checks, counts) if n]
    extra = {"_row": "row_number() OVER ()"}
    extra.update({f"r{i}": c.raw_sql for i, (c, _) in enumerate(failing)})
    inner = compiled.build(extra=extra)
    out: list[InputError] = []
    for i, (check, n) in enumerate(failing):
        rows = con.execute(
            f"SELECT _row, r{i} FROM ({inner}) WHERE (_err{check.mask} >> {check.bit}) & 1 = 1 "
            f"ORDER BY _row LIMIT {MAX_EXAMPLES}").fetchall()
        for row_no, raw in rows:
            what = {
                "type": "not a valid " + _type_name(part, check.column),
                "required": "required value is blank",
                "non_negative": "negative value",
                "range": "value out of range",
                "allowed": "value not allowed",
            }[check.kind]
            out.append(InputError(
                what + (f" ({n} rows in all)" if n > 1 and not out else ""),
                file=str(part.opened.path), row=int(row_no), column=check.source_column,
                value=None if raw is None else str(raw), expected=check.expected,
            ))
    return out


def _type_name(part: Part, column: str) -> str:
    return SCHEMA[part.source.table or ""].column(column).type.value


def _locate(con: duckdb.DuckDBPyConnection, parts: list[Part], table: str,
            columns: tuple[str, ...], values: tuple[object, ...]) -> tuple[str, list[int]]:
    """File and row numbers (1 = first data row) of rows with these typed values."""
    for p in parts:
        if p.source.table != table or p.compiled is None:
            continue
        inner = p.compiled.build(extra={"_row": "row_number() OVER ()"})
        cond = " AND ".join(f"{ident(c)} = ?" for c in columns)
        rows = [int(r[0]) for r in con.execute(
            f"SELECT _row FROM ({inner}) WHERE {cond} ORDER BY _row LIMIT 3", list(values)
        ).fetchall()]
        if rows:
            return str(p.opened.path), rows
    return "", []


def _combine(con: duckdb.DuckDBPyConnection, parts: list[Part], skip: bool
             ) -> tuple[dict[str, str], list[InputError], int]:
    """One staged table per canonical table; keys must be unique within the call.

    A table fed by one clean file keeps that file's staging table (no copy); otherwise the
    good rows of its files are gathered, with their file and row, into ``tbl_<table>``.
    """
    by_table: dict[str, list[Part]] = {}
    for p in parts:
        by_table.setdefault(p.source.table or "", []).append(p)
    staged: dict[str, str] = {}
    problems: list[InputError] = []
    count = 0
    for table, tparts in sorted(by_table.items()):
        t = SCHEMA[table]
        if len(tparts) == 1 and not skip and tparts[0].bad == 0:
            name = tparts[0].staged
        else:
            cols = ", ".join(ident(c) for c in t.column_names)
            selects = []
            for k, p in enumerate(tparts):
                assert p.compiled is not None
                ok = " AND ".join(f"_err{m} = 0" for m in range(p.compiled.masks))
                rowcol = "_row" if skip else "NULL::BIGINT AS _row"
                selects.append(f"SELECT {cols}, {k} AS _part, {rowcol} FROM "
                               f"{ident(p.staged)} WHERE {ok}")
            name = f"tbl_{table}"
            con.execute(f"CREATE TABLE {ident(name)} AS {' UNION ALL '.join(selects)}")
        keys = ", ".join(ident(k) for k in t.key)
        # candidates by a 64-bit hash of the key, then exactly
        candidates = (f"SELECT h FROM (SELECT hash({keys}) AS h FROM {ident(name)}) "
                      f"GROUP BY h HAVING count(*) > 1")
        if not _may_repeat(con, name, keys, candidates):
            staged[table] = name
            continue
        among = f"(SELECT * FROM {ident(name)} WHERE hash({keys}) IN ({candidates}))"
        dups = con.execute(
            f"SELECT {keys}, count(*) AS n FROM {among} GROUP BY {keys} HAVING count(*) > 1 "
            f"ORDER BY n DESC, {keys} LIMIT {MAX_EXAMPLES}").fetchall()
        if dups:
            ndup = int(con.execute(
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {among} "
                f"GROUP BY {keys} HAVING count(*) > 1)").fetchone()[0])
            if skip:
                _drop_duplicates(con, name, t.key, tparts)
            else:
                count += ndup
                for d in dups:
                    key_text = ", ".join(f"{k}={v}" for k, v in zip(t.key, d[:-1]))
                    file, rows = _locate(con, tparts, table, t.key, tuple(d[:-1]))
                    problems.append(InputError(
                        f"duplicate key {key_text} appears {d[-1]} times"
                        + (f" (rows {', '.join(map(str, rows))})" if rows else "")
                        + f"; {ndup} extra rows in all",
                        file=file or None, row=rows[0] if rows else None,
                        column=", ".join(t.key), expected="each key once",
                    ))
        staged[table] = name
    return staged, problems, count


def _may_repeat(con: duckdb.DuckDBPyConnection, name: str, keys: str, candidates: str
                ) -> bool:
    """Whether two rows of ``name`` share a key hash (False proves the keys unique).

    Sorting the hashes (8 bytes a row, vectorised in numpy) costs a fraction of DuckDB's
    aggregate over millions of distinct groups; past HASH_SORT_ROWS the aggregate keeps the
    memory bounded.
    """
    rows = int(con.execute(f"SELECT count(*) FROM {ident(name)}").fetchone()[0])
    if rows <= HASH_SORT_ROWS:
        import numpy as np

        hashes = np.sort(con.execute(f"SELECT hash({keys}) AS h FROM {ident(name)}")
                         .fetchnumpy()["h"])
        return bool(np.any(hashes[1:] == hashes[:-1]))
    return int(con.execute(f"SELECT count(*) FROM ({candidates})").fetchone()[0]) > 0


def _drop_duplicates(con: duckdb.DuckDBPyConnection, name: str, key: tuple[str, ...],
                     tparts: list[Part]) -> None:
    keys = ", ".join(ident(k) for k in key)
    con.execute(
        f"CREATE TEMP TABLE {ident(name + '_dups')} AS SELECT * FROM (SELECT *, row_number() "
        f"OVER (PARTITION BY {keys} ORDER BY _part, _row) AS _k FROM {ident(name)}) WHERE _k > 1")
    con.execute(
        f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT * EXCLUDE (_k) FROM (SELECT *, "
        f"row_number() OVER (PARTITION BY {keys} ORDER BY _part, _row) AS _k FROM "
        f"{ident(name)}) WHERE _k = 1")
    for k, p in enumerate(tparts):
        n = con.execute(f"SELECT count(*) FROM {ident(name + '_dups')} WHERE _part = {k}"
                        ).fetchone()[0]
        p.bad += int(n)
        p.rows -= int(n)


def _check_references(con: duckdb.DuckDBPyConnection, parts: list[Part], staged: dict[str, str],
                      settings: Settings, skip: bool) -> tuple[list[InputError], int]:
    problems: list[InputError] = []
    count = 0
    store_tables = _attach_read_only(con, settings)
    try:
        for table, name in sorted(staged.items()):
            for ref in SCHEMA[table].references:
                if not ref.enforced:
                    continue
                parents = []
                if ref.table in staged:
                    parents.append(f"SELECT {', '.join(ident(c) for c in ref.target_columns)} "
                                   f"FROM {ident(staged[ref.table])}")
                if store_tables and ref.table in store_tables:
                    parents.append(f"SELECT {', '.join(ident(c) for c in ref.target_columns)} "
                                   f"FROM ro.main.{ident(ref.table)}")
                cond = " AND ".join(f"c.{ident(a)} = p.{ident(b)}"
                                    for a, b in zip(ref.columns, ref.target_columns))
                parent_sql = " UNION ALL ".join(parents) if parents else (
                    "SELECT " + ", ".join(f"NULL::VARCHAR AS {ident(c)}"
                                          for c in ref.target_columns) + " WHERE false")
                dangling = (f"FROM {ident(name)} c WHERE NOT EXISTS (SELECT 1 FROM "
                            f"({parent_sql}) p WHERE {cond})")
                n = int(con.execute(f"SELECT count(*) {dangling}").fetchone()[0])
                if n == 0:
                    continue
                if skip:
                    con.execute(f"CREATE TEMP TABLE {ident(name + '_dangling')} AS "
                                f"SELECT * {dangling}")
                    con.execute(f"DELETE FROM {ident(name)} c WHERE NOT EXISTS (SELECT 1 FROM "
                                f"({parent_sql}) p WHERE {cond})")
                    for k, p in enumerate(x for x in parts if x.source.table == table):
                        m = int(con.execute(f"SELECT count(*) FROM {ident(name + '_dangling')} "
                                            f"WHERE _part = {k}").fetchone()[0])
                        p.bad += m
                        p.rows -= m
                    continue
                count += n
                cols = ", ".join(f"c.{ident(a)}" for a in ref.columns)
                examples = con.execute(f"SELECT DISTINCT {cols} {dangling} ORDER BY 1 "
                                       f"LIMIT {MAX_EXAMPLES}").fetchall()
                for ex in examples:
                    file, rows = _locate(con, parts, table, ref.columns, tuple(ex))
                    problems.append(InputError(
                        f"{n} {table} row(s) point to a missing {ref.table} row",
                        file=file or None, row=rows[0] if rows else None,
                        column=", ".join(ref.columns),
                        value=", ".join(str(v) for v in ex),
                        expected=f"an existing {ref.table}.{', '.join(ref.target_columns)} "
                        "(in this call or already ingested)",
                    ))
    finally:
        if store_tables is not None:
            con.execute("DETACH ro")
    return problems, count


def _attach_read_only(con: duckdb.DuckDBPyConnection, settings: Settings) -> set[str] | None:
    """The store's canonical tables, attached read-only as ``ro`` for reference checks.

    None for a warehouse backend: references to rows already there are not re-checked (the
    rows of this call still are).
    """
    if not settings.is_embedded:
        return None
    path = Path(settings.backend_url[len("duckdb://"):])
    if not path.exists():
        con.execute("ATTACH ':memory:' AS ro")
        return set()
    con.execute(f"ATTACH {sql_str(str(path))} AS ro (READ_ONLY)")
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'ro'").fetchall()}


def _quarantine_sql(con: duckdb.DuckDBPyConnection, parts: list[Part], ingest_id: str) -> str:
    """Rows rejected with their reasons, as a SELECT over the staging tables."""
    selects = []
    for p in parts:
        assert p.compiled is not None
        for c in p.compiled.checks:
            reason = {"type": "expected " + c.expected, "required": "required value is blank",
                      "non_negative": "negative value", "range": "expected " + c.expected,
                      "allowed": "expected " + c.expected}[c.kind]
            selects.append(
                f"SELECT {sql_str(ingest_id)}, {sql_str(str(p.opened.path))}, _row, "
                f"{sql_str(p.source.table or '')}, {sql_str(c.source_column)}, "
                f"CAST({_raw_for_row(p, c.column)} AS VARCHAR), {sql_str(reason)}, "
                f"now()::TIMESTAMP FROM {ident(p.staged)} s "
                f"WHERE (_err{c.mask} >> {c.bit}) & 1 = 1")
        table = p.source.table or ""
        t = SCHEMA[table]
        for suffix, reason in (("_dups", "duplicate key"),
                               ("_dangling", "points to a missing parent row")):
            name = f"tbl_{table}{suffix}"
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0]
            if exists:
                k = [x for x in parts if x.source.table == table].index(p)
                selects.append(
                    f"SELECT {sql_str(ingest_id)}, {sql_str(str(p.opened.path))}, _row, "
                    f"{sql_str(table)}, {sql_str(', '.join(t.key))}, "
                    f"CAST({ident(t.key[0])} AS VARCHAR), {sql_str(reason)}, now()::TIMESTAMP "
                    f"FROM {ident(name)} WHERE _part = {k}")
    return " UNION ALL ".join(selects) if selects else ""


def _raw_for_row(part: Part, column: str) -> str:
    """The typed value is NULL for a failed cast, so show what we can: the column itself."""
    return f"s.{ident('_raw_' + column)}"


def _quarantine_examples(con: duckdb.DuckDBPyConnection) -> list[QuarantinedRow]:
    rows = con.execute(f"SELECT * FROM {QUARANTINE} ORDER BY 2, 3 LIMIT 10").fetchall()
    return [QuarantinedRow(file=r[1], row=r[2], table=r[3], column=r[4], value=r[5],
                           reason=r[6]) for r in rows]


def _finalize(con: duckdb.DuckDBPyConnection, parts: list[Part], staged: dict[str, str],
              ingest_id: str, meta: dict[str, object], quarantine_sql: str | None
              ) -> dict[str, int]:
    """Leave the staging database holding exactly what this call adds to the store.

    Each canonical table under its own name with its canonical columns (staging tables are
    renamed, their helper columns dropped: no copy), ``_quarantine`` with the rejected rows
    and ``_ingests`` with this call's row. Returns the row count per table.
    """
    con.execute(f"CREATE TABLE {QUARANTINE} ({QUARANTINE_DDL})")
    if quarantine_sql:
        con.execute(f"INSERT INTO {QUARANTINE} {quarantine_sql}")
    con.execute(f"CREATE TABLE {INGESTS} ({INGESTS_DDL})")
    con.execute(f"INSERT INTO {INGESTS} VALUES (?, ?, ?, ?, ?, ?)",
                [ingest_id, datetime.now(UTC).replace(tzinfo=None), meta["profiles"],
                 meta["files"], meta["rows"], meta["rejected"]])
    kept = set(staged.values())
    for p in parts:
        if p.staged not in kept:
            con.execute(f"DROP TABLE IF EXISTS {ident(p.staged)}")
    counts: dict[str, int] = {}
    for table, name in sorted(staged.items()):
        wanted = SCHEMA[table].column_names
        have = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [name]
        ).fetchall()]
        for col in have:
            if col not in wanted:
                con.execute(f"ALTER TABLE {ident(name)} DROP COLUMN {ident(col)}")
        con.execute(f"ALTER TABLE {ident(name)} RENAME TO {ident(table)}")
        counts[table] = int(con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0])
    return counts


__all__ = ["ingest", "LoadReport", "TableReport"]
