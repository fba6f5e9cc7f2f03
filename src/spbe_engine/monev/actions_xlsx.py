"""The action log as an Excel workbook, for the coordinator who keeps it in a spreadsheet.

One sheet, "Rencana Aksi": a header row in Bahasa Indonesia (the file is data: the same headers
whatever the language of the command), then one row per entry in the log's order. Due dates are
date cells, levels are numbers, the status is its Indonesian label chosen from a list (data
validation), every other value a text cell (`io.excel.put_cell`: text that looks like a formula stays
text). Reading goes through the library's safe streaming reader (`io.excel.open_workbook`): bounded
memory, a formula refused naming its cell. Headers are matched by their Indonesian name or by the
CSV column name (`indicator`, `rencana_aksi`), so a sheet made by hand reads too; statuses by their
Indonesian or English label or their key.

openpyxl is optional (the `excel` extra) and imported only here, when a workbook is read or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpbeError
from ..i18n import tr
from ..tabular import require
from .actions import COLUMNS, STATUS_LABELS, STATUSES, ActionError, record_of, status_label, status_validation

if TYPE_CHECKING:
    from .actions import ActionLog

__all__ = ["HEADERS", "SHEET", "save_xlsx", "xlsx_records"]

SHEET = "Rencana Aksi"

#: column -> (Indonesian header, width); in `COLUMNS` order
HEADERS: dict[str, tuple[str, float]] = {
    "id": ("ID", 20),
    "indicator": ("Indikator", 10),
    "unit": ("Perangkat daerah", 16),
    "kendala": ("Kendala", 40),
    "rencana_aksi": ("Rencana aksi", 40),
    "pic": ("PIC", 24),
    "due": ("Tenggat", 12),
    "status": ("Status", 16),
    "target_level": ("Target tingkat", 10),
    "created": ("Rapat penetapan", 16),
    "updated": ("Rapat pembaruan", 16),
    "plan_indicator": ("Indikator rencana", 10),
    "plan_level": ("Tingkat rencana", 10),
    "plan_step": ("Langkah rencana", 10),
}
assert tuple(HEADERS) == COLUMNS
WHOLE = ("target_level", "plan_level", "plan_step")
EXTRA_ROWS = 500  # empty rows below the log that carry the validations, for entries added by hand
_EXCEL_EPOCH = dt.date(1900, 3, 1)  # earlier dates do not survive Excel's serial numbers: written as text
_EXCEL_DAY0 = dt.date(1899, 12, 30)


def save_xlsx(log: ActionLog, path: Path, *, overwrite: bool = False) -> None:
    """Write the log as a workbook at `path`, atomically (`io.excel.save_workbook`)."""
    from ..io.excel import put_cell, save_workbook

    xl = require("openpyxl", "excel")
    styles = require("openpyxl.styles", "excel")
    letter = require("openpyxl.utils", "excel").get_column_letter
    validation = require("openpyxl.worksheet.datavalidation", "excel").DataValidation
    wb = xl.Workbook()
    ws = wb.active
    ws.title = SHEET
    col = {key: n for n, key in enumerate(HEADERS, 1)}
    bold, fill = styles.Font(bold=True), styles.PatternFill("solid", fgColor="DDEBF7")
    wrap = styles.Alignment(wrap_text=True, vertical="top")
    for key, (header, width) in HEADERS.items():
        cell = put_cell(ws, 1, col[key], header, "header")
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        ws.column_dimensions[letter(col[key])].width = width
    for n, a in enumerate(log.entries, 2):
        what = tr("action {id}", id=a.id)
        step = a.plan_step
        texts = {
            "id": a.id,
            "indicator": a.indicator,
            "unit": a.unit,
            "kendala": a.kendala,
            "rencana_aksi": a.rencana_aksi,
            "pic": a.pic,
            "status": status_label(a.status),
            "created": a.created,
            "updated": a.updated,
            "plan_indicator": step.indicator if step else None,
        }
        for key, text in texts.items():
            if text is not None:
                put_cell(ws, n, col[key], text, what).alignment = wrap
        numbers = {
            "target_level": a.target_level,
            "plan_level": step.level if step else None,
            "plan_step": step.step if step else None,
        }
        for key, number in numbers.items():
            put_cell(ws, n, col[key], number, what)
        if a.due is not None:
            if a.due < _EXCEL_EPOCH:
                put_cell(ws, n, col["due"], a.due.isoformat(), what)
            else:
                put_cell(ws, n, col["due"], a.due, what)
    last = len(log.entries) + 1 + EXTRA_ROWS
    for n in range(2, last + 1):
        ws.cell(row=n, column=col["due"]).number_format = "yyyy-mm-dd"
    rules = [
        ("status", status_validation(validation)),
        (
            "due",
            validation(
                type="date",
                operator="greaterThan",
                formula1=str((dt.date(2000, 1, 1) - _EXCEL_DAY0).days),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Tenggat",
                error="Isi tanggal, mis. 2025-06-30",
            ),
        ),
    ]
    for key in WHOLE:
        rules.append(
            (
                key,
                validation(
                    type="whole",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=HEADERS[key][0],
                    error="Isi bilangan bulat",
                ),
            )
        )
    for key, dv in rules:
        ws.add_data_validation(dv)
        dv.add(f"{letter(col[key])}2:{letter(col[key])}{last}")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{letter(len(HEADERS))}{len(log.entries) + 1}"
    save_workbook(wb, path, overwrite=overwrite)


def xlsx_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(sheet row, entry fields) for each non-empty row of the log's sheet."""
    from ..io.excel import SheetReader, open_workbook, unreadable

    file = str(path)
    try:
        with open_workbook(path) as wb:
            reader = SheetReader(file, wb)
            try:
                yield from _records(reader, file)
            except SpbeError as exc:
                raise ActionError(exc.message, file=file, row=exc.row, field=exc.field, allowed=exc.allowed) from None
            except Exception as exc:  # XML, zip and openpyxl errors met while streaming the sheet
                raise unreadable(path, exc) from None
    except ActionError:
        raise
    except SpbeError as exc:  # not a workbook at all, too large, unreadable
        raise ActionError(exc.message, file=file, row=exc.row, field=exc.field, allowed=exc.allowed) from None


def _records(reader: Any, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    from ..io.excel import cell_text

    if not reader.sheet(SHEET):
        raise ActionError(tr("no {sheet!r} sheet", sheet=SHEET), file=file, allowed=SHEET)
    names: dict[str, str] = {}
    for key, (header, _) in HEADERS.items():
        names[_normal(header)] = key
        names[_normal(key)] = key
    labels: dict[str, str] = {}
    for s in STATUSES:
        for label in (s, s.replace("_", " "), STATUS_LABELS[s], status_label(s)):
            labels[label.casefold()] = s
    col: dict[str, int] | None = None
    for n, raw in reader.rows(SHEET):
        if col is None:
            col = _header(reader, file, n, raw, names)
            continue
        cells = reader.cells(SHEET, n, raw, col, list(col))
        if all(cell_text(v) is None or not str(cell_text(v)).strip() for v in cells.values()):
            continue  # a row of blanks is no entry
        row: dict[str, Any] = {}
        for key, value in cells.items():
            if key == "due":
                row[key] = reader.date(value, n, key)
            elif key in WHOLE:
                row[key] = None if cell_text(value) is None else reader.whole(value, n, key, "level")
            elif key == "status":
                text = (cell_text(value) or "").strip()
                row[key] = labels.get(text.casefold(), text)
            else:  # as typed, like a CSV cell (an identifier with a space is refused by the entry's checks)
                row[key] = cell_text(value)
        yield n, record_of(row)


def _header(reader: Any, file: str, n: int, raw: dict[int, Any], names: dict[str, str]) -> dict[str, int]:
    from ..io.excel import cell_text

    col: dict[str, int] = {}
    for c, value in sorted(raw.items()):
        header = cell_text(value)
        if header is None or not header.strip():
            continue
        key = names.get(_normal(header))
        if key is None:
            raise ActionError(
                tr("unknown column {h!r}", h=header.strip()),
                file=file,
                row=n,
                allowed=", ".join(h for h, _ in HEADERS.values()),
            )
        if key in col:
            raise ActionError(tr("column {h!r} appears twice", h=header.strip()), file=file, row=n)
        col[key] = c
    for need in ("id", "indicator", "unit", "created", "updated"):
        if need not in col:
            raise ActionError(
                tr("missing column {col!r}", col=HEADERS[need][0]),
                file=file,
                row=n,
                allowed=", ".join(h for h, _ in HEADERS.values()),
            )
    return col


def _normal(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()
