"""XLSX through calamine, handed to DuckDB as Arrow columns; error cells and formulas saved
without their value refused naming sheet and cell."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from throughline.core.errors import InputError
from throughline.ingest.readers.base import OpenedFile, cell_text, dedupe_names, register_arrow


def open_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, head: bytes, sheet: str | None, view_name: str
) -> OpenedFile:
    from python_calamine import CalamineWorkbook

    if not head.startswith(b"PK"):
        raise InputError("not an XLSX workbook (no zip signature)", file=str(path),
                         expected="an .xlsx file saved by Excel, Sheets or LibreOffice")
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise InputError(f"cannot open the workbook: {exc}", file=str(path)) from exc
    names = list(wb.sheet_names)
    if sheet is None:
        non_empty = [n for n in names if wb.get_sheet_by_name(n).to_python(nrows=2)]
        if len(non_empty) != 1:
            raise InputError(
                f"the workbook has {len(non_empty)} sheets with data "
                f"({', '.join(non_empty) or 'none'}); say which one to read",
                file=str(path), hint="set `sheet: NAME` for this source in a mapping file",
            )
        sheet = non_empty[0]
    if sheet not in names:
        raise InputError(f"no sheet named {sheet!r}", file=str(path),
                         expected="one of " + ", ".join(names))
    data = wb.get_sheet_by_name(sheet)
    rows = data.to_python(skip_empty_area=True)
    if not rows:
        raise InputError(f"sheet {sheet!r} is empty", file=str(path))
    raw = [str(h).strip() if h not in (None, "") else "" for h in rows[0]]
    first_col = (data.start or (0, 0))[1]
    check_xlsx_cells(path, sheet, [""] * first_col + raw)
    header = [h or f"column{i}" for i, h in enumerate(raw)]
    body = rows[1:]
    # columns, not rows: one Arrow array per column
    arrays = [pa.array([cell_text(v) for v in col], type=pa.string())
              for col in zip(*body)] if body else [pa.array([], pa.string()) for _ in header]
    table = pa.Table.from_arrays(arrays, names=dedupe_names(header))
    return OpenedFile(path=path, format="xlsx", relation=register_arrow(con, view_name, table),
                      columns=table.column_names, sheet=sheet, header=raw)


_CELL = rb"(?:\w+:)?c"
_XLSX_ERROR = re.compile(rb"<" + _CELL + rb"\b([^>]*\bt=\"e\"[^>]*)>(.*?)</" + _CELL + rb">",
                         re.S)
_XLSX_FORMULA = re.compile(
    rb"<" + _CELL + rb"\b([^>/]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</" + _CELL + rb">")
_REF = re.compile(rb"\br=\"([A-Z]+[0-9]+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


def _sheet_xml_path(zf: Any, sheet: str) -> str | None:
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next((s.get(ns_rel + "id") for s in wb.iter(ns_main + "sheet")
                if s.get("name") == sheet), None)
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for r in rels:
        if r.get("Id") == rid:
            target = r.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def check_xlsx_cells(path: Path, sheet: str, header: list[str]) -> None:
    """Refuse error cells (#DIV/0!, #N/A, …) and formulas saved without a computed value.

    Both read as empty cells; loading them would turn a value the user sees in Excel into
    NULL. The sheet's XML is searched with two patterns (no walk over every cell).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            name = _sheet_xml_path(zf, sheet)
            if name is None or name not in zf.namelist():
                return
            xml = zf.read(name)
    except (KeyError, zipfile.BadZipFile, ValueError, SyntaxError):
        return  # calamine read it; nothing more to check here
    found: list[tuple[int, str, str, str]] = []
    err = _XLSX_ERROR.search(xml)
    if err:
        ref = _REF.search(err.group(1))
        val = _VALUE.search(err.group(2))
        code = val.group(1).decode("utf-8", "replace") if val else "#ERROR"
        found.append((err.start(), ref.group(1).decode() if ref else "?",
                      f"error value {code}", code))
    for m in _XLSX_FORMULA.finditer(xml):
        attrs = m.group(1)
        if m.group(2) is not None and b't="str"' in attrs:
            continue  # a formula whose cached result is the empty string
        ref = _REF.search(attrs)
        f = re.search(rb"<(?:\w+:)?f\b[^>]*>([^<]*)<", m.group(0))
        formula = "=" + f.group(1).decode("utf-8", "replace") if f and f.group(1) else ""
        found.append((m.start(), ref.group(1).decode() if ref else "?",
                      f"formula {formula} with no cached value".replace("  ", " ")
                      + " (the workbook was saved without calculating it)",
                      formula or "(shared formula)"))
        break
    if not found:
        return
    _, ref, what, value = min(found)
    col = re.match(r"[A-Z]+", ref)
    index = 0
    for ch in col.group(0) if col else "":
        index = index * 26 + ord(ch) - 64
    column = header[index - 1] if 0 < index <= len(header) else None
    where = f"sheet '{sheet}', cell {ref}" + (f" (column '{column}')" if column else "")
    raise InputError(
        f"{where}: {what}", file=str(path), value=value,
        expected="a value: reading the cell would load it as empty",
        hint="open the workbook in Excel or LibreOffice, fix or recalculate the cell, save, "
        "and ingest again (or export the sheet as CSV)")
