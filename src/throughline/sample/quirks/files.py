"""The files a quirk rewrites after the CSVs are written: Windows-1252 with CRLF line
ends (``cp1252``), and the Account export as an Excel workbook (``xlsx``) with fixed
timestamps, so the bytes depend only on the data."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pyarrow as pa


def to_windows(path: Path, block: int = 1 << 20) -> None:
    """Re-encode a UTF-8 CSV as Windows-1252 with CRLF line ends, block by block."""
    tmp = path.with_name(path.name + ".cp1252")
    with path.open("r", encoding="utf-8", newline="") as src, \
            tmp.open("w", encoding="cp1252", newline="") as dst:
        while True:
            text = src.read(block)
            if not text:
                break
            dst.write(text.replace("\n", "\r\n"))
    tmp.replace(path)


FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def write_xlsx(csv_path: Path, out: Path, sheet: str) -> None:
    """The CSV as a one-sheet workbook (numbers as numbers, text as text), with fixed zip
    and document timestamps so the bytes depend only on the data."""
    import openpyxl
    import pyarrow.csv as pacsv

    typed = pacsv.read_csv(csv_path)
    text = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in typed.column_names}))
    # numbers as numbers; everything else (ids, names, timestamps) as the export's text
    table = pa.table({name: (typed.column(name) if pa.types.is_integer(typed.column(name).type)
                             or pa.types.is_floating(typed.column(name).type)
                             else text.column(name)) for name in typed.column_names})
    wb = openpyxl.Workbook(write_only=True)
    wb.properties.created = datetime(2020, 1, 1)
    wb.properties.modified = datetime(2020, 1, 1)
    wb.properties.creator = "throughline sample"
    ws = wb.create_sheet(sheet)
    ws.append(table.column_names)
    cols = [c.to_pylist() for c in table.columns]
    for row in zip(*cols):
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    _fixed_zip(buf.getvalue(), out)


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes, out: Path) -> None:
    """Rewrite the workbook's zip with fixed entry times, and fixed document times (openpyxl
    stamps ``modified`` with the clock when it saves)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", body)
            dst.writestr(fixed, body)
