"""The report as an Excel workbook: a summary sheet, one sheet per unit, the indicator table — and
the assessment itself in the template layout, so the workbook re-imports losslessly."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exact import exact_text
from ..i18n import N_, current_language, language, local_time, tr, translate
from ..io.excel import Book, put_cell, save_workbook
from ..tabular import require
from . import tables

if TYPE_CHECKING:
    from ..engine import Engine
    from .build import ReportData

__all__ = ["write_report_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")  # not in a sheet title (Excel), control characters included


def _title(wb: Any, title: str) -> str:
    """A sheet title from user text (a unit id): what Excel accepts, and unique as Excel compares
    titles, ignoring case (two units "Dinkes" and "dinkes" would make a workbook Excel repairs)."""
    base = _BAD.sub("-", title).strip("'")[:31].strip("'") or "Sheet"
    if base.casefold() == "history":  # reserved by Excel
        base = f"{base[:29]}~1"
    taken = {name.casefold() for name in wb.sheetnames}
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    return name


def _sheet(wb: Any, title: str, rows: list[list[Any]], *, index: int | None = None) -> Any:
    """A sheet of `rows`; every text a text cell, never a formula (`put_cell`); numbers stay numbers."""
    ws = wb.create_sheet(_title(wb, title), index)
    bold = require("openpyxl.styles", "excel").Font(bold=True)
    get_column_letter = require("openpyxl.utils", "excel").get_column_letter
    widths: dict[int, int] = {}
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            if value is None or value == "":
                continue
            cell = put_cell(ws, r, c, value, f"{ws.title}!{get_column_letter(c)}{r}")
            if isinstance(value, Decimal):  # a number people can sort and sum, shown as the report rounds it
                places = max(-int(value.as_tuple().exponent), 0)  # 3.00 keeps its two places
                cell.number_format = "0." + "0" * places if places else "0"
            if r == 1 or isinstance(row, _Head):
                cell.font = bold
            widths[c] = max(widths.get(c, 0), len(str(value)))
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    return ws


def _number(weight: Decimal | Fraction) -> Decimal | str:
    """A weight as a number cell when it is a decimal (13.00); a ratio no decimal writes (20/6) stays
    exact text rather than becoming a rounded number."""
    return weight if isinstance(weight, Decimal) else exact_text(weight)


class _Head(list[Any]):
    """A header row (drawn bold)."""


def _rows(t: tables.Table) -> list[list[Any]]:
    """A table for a sheet: its headers, then its cells; numbers stay numbers."""
    return [_Head(t.headers), *[list(row) for row in t.rows]]


def write_report_workbook(
    engine: Engine, data: ReportData, path: Path, *, lang: str | None = None, tz: str = "WIB"
) -> Path:
    """The report as a workbook, its labels in the report's language (the HTML's words); every number
    a number cell (2 decimals for indices and weights, 4 for points) with the exact value as text in
    its own column."""
    with language(lang or current_language()):
        return _write(engine, data, path, tz)


def _write(engine: Engine, data: ReportData, path: Path, tz: str) -> Path:
    r = data.latest
    acc = data.accountability
    wb = Book(engine.catalogue(r.catalogue), r.assessment).build()
    summary: list[list[Any]] = [
        [tr("SPBE report"), r.subject],
        [translate(N_("period")), r.period],
        [translate(N_("catalogue")), r.catalogue],
        [translate(N_("index")), Decimal(r.display)],
        [translate(N_("index (exact)")), exact_text(r.fraction)],
        [translate(N_("predikat")), r.predikat],
        [tr("plan"), acc.plan.summary() if acc.plan else ""],
        [tr("generated"), local_time(data.generated, tz)],
        [],
        *_rows(tables.groups(r, exact=True)),
        [],
        *_rows(tables.units(acc, exact=True)),
        [],
        *_rows(tables.series(data.series)),
    ]
    _sheet(wb, "Ringkasan", summary, index=0)
    for u in acc.units:
        rows: list[list[Any]] = _rows(tables.unit_lines(u, workbook=True))
        stages = tables.stages(u)
        if stages is not None:
            rows += [[], *_rows(stages)]
        _sheet(wb, u.unit.id, rows)
    head = (N_("indicator"), N_("name"), N_("level"), N_("weight"), N_("contribution"), N_("contribution (exact)"))
    indicators: list[list[Any]] = [_Head(translate(h) for h in head)]
    for s in r.indicators.values():
        c = s.contribution
        indicators.append(
            [
                s.id,
                s.name,
                s.level,
                _number(s.weight),
                tables.points(c),
                exact_text(c),
            ]
        )
    _sheet(wb, "Indikator", indicators)
    save_workbook(wb, path, overwrite=True)
    return path
