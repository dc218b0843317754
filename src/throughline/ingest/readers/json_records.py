"""JSON arrays and JSON Lines through DuckDB's ``read_json``, and nested fields checked to
hold one type in every record."""

from __future__ import annotations

from pathlib import Path

import duckdb

from throughline.core.errors import InputError
from throughline.ingest.readers.base import OpenedFile, duckdb_error
from throughline.ingest.sql import ident, sql_str


def open_json(
    con: duckdb.DuckDBPyConnection, path: Path, source: Path, fmt: str, head: bytes,
    records: str | None, view_name: str,
) -> OpenedFile:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    first = text[:1]
    if fmt == "json" and first == b"{" and records is None:
        # one object per line is JSON Lines; a single object is not a list of records
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and all(ln.strip().startswith(b"{") and ln.strip().endswith(b"}")
                                  for ln in lines[:-1]):
            fmt = "jsonl"
        else:
            raise InputError(
                "the JSON document is an object, not a list of records", file=str(path),
                expected="a JSON array of objects, or JSON Lines",
                hint="if the records sit under a key (e.g. 'items'), set `records: items` "
                "for this source in a mapping",
            )
    if fmt == "json" and first not in (b"[", b"{"):
        raise InputError("not a JSON document", file=str(path),
                         expected="a JSON array of objects, or JSON Lines")
    json_format = "newline_delimited" if fmt == "jsonl" else (
        "auto" if records else "array")
    relation = (f"read_json({sql_str(str(source))}, format='{json_format}', "
                f"sample_size=-1, maximum_object_size=67108864)")
    if records:
        relation = f"(SELECT unnest({ident(records)}, max_depth := 2) FROM {relation})"
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as exc:
        raise duckdb_error(path, exc, "JSON") from exc
    cols = [r[0] for r in desc]
    types = {r[0]: r[1] for r in desc}
    if cols == ["json"] or (len(cols) == 1 and not types[cols[0]].startswith("STRUCT")
                            and cols[0] in ("json", "unnest")):
        raise InputError("the JSON array does not hold objects", file=str(path),
                         expected="a JSON array of objects with named fields")
    return OpenedFile(path=path, format=fmt, relation=relation, columns=cols, types=types)


def check_nested(con: duckdb.DuckDBPyConnection, opened: OpenedFile, path: str) -> None:
    """Refuse a nested JSON field that has another type in some record.

    ``author.login`` needs ``author`` to be an object in every record, ``reviews[].x`` needs
    ``reviews`` to be a list of objects; DuckDB types a field that is an object in one record
    and a string in another as JSON, and reading the path would silently give NULL (or a
    quoted string). The first record of the wrong type is named with its value.
    """
    if opened.format not in ("json", "jsonl") or path.count(".") == 0 and "[]" not in path:
        return
    is_list = "[]" in path
    root = path.partition("[]")[0] if is_list else path.split(".")[0]
    col = opened.resolve(root)
    if col is None:
        return
    typ = opened.types.get(col, "")
    rest = (path.partition("[]")[2] if is_list else path.partition(".")[2]).strip(".")
    if is_list:
        ok = typ.endswith("[]") and (not rest or typ.startswith("STRUCT"))
        want, json_kind = ("a list of objects" if rest else "a list"), "ARRAY"
    else:
        ok = typ.startswith("STRUCT")
        want, json_kind = "an object", "OBJECT"
    if ok:
        return
    if typ == "JSON":
        cond, kind = f"json_type(v) NOT IN ('{json_kind}', 'NULL')", "json_type(v)"
    elif typ == "JSON[]" and rest:
        bad = "list_filter(v, x -> json_type(x) NOT IN ('OBJECT', 'NULL'))"
        cond, kind = f"len({bad}) > 0", f"'a list holding ' || json_type({bad}[1])"
    else:
        cond, kind = "true", sql_str(typ)
    row = con.execute(
        f"SELECT rn, CAST(v AS VARCHAR), {kind} FROM (SELECT row_number() OVER () AS rn, "
        f"{ident(col)} AS v FROM {opened.relation}) WHERE v IS NOT NULL AND {cond} "
        "ORDER BY rn LIMIT 1").fetchone()
    if row is None:
        return
    record, value, got = int(row[0]), str(row[1]), _json_kind(str(row[2]))
    holding = f" holding '{rest.split('.')[0]}'" if rest else ""
    err = InputError(
        f"record {record}, field '{col}': {got}, not {want}{holding} (needed for {path})",
        file=str(opened.path), value=value,
        expected=f"{want}{holding}" + (", as in the other records"
                                       if typ.startswith("JSON") else ""),
        hint="fix the record in the export, or map the field with `from:` instead of "
        "`path:` in a mapping if it is plain text")
    err.row, err.column = record, col
    raise err


def _json_kind(t: str) -> str:
    """A JSON or DuckDB type in words."""
    for prefix, words in (("a list holding ", "a list holding "), ):
        if t.startswith(prefix):
            return words + _json_kind(t[len(prefix):]).replace("a list", "lists")
    u = t.upper()
    if u in ("VARCHAR", "STRING"):
        return "a string"
    if u in ("BIGINT", "UBIGINT", "INTEGER", "DOUBLE", "HUGEINT", "DECIMAL") or \
            u.startswith("DECIMAL"):
        return "a number"
    if u == "BOOLEAN":
        return "true/false"
    if u == "ARRAY" or u.endswith("[]"):
        return "a list"
    if u in ("OBJECT",) or u.startswith(("STRUCT", "MAP")):
        return "an object"
    return "a " + t.lower()
