"""The report as an Excel workbook: a summary sheet, one sheet per unit, the indicator table — and
the assessment itself in the template layout, so the workbook re-imports losslessly."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exact import display, exact_text
from ..io.excel import Book, put_cell, save_workbook
from ..tabular import require
from .i18n import Words

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
            if r == 1:
                cell.font = bold
            widths[c] = max(widths.get(c, 0), len(str(value)))
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    return ws


def _number(weight: Decimal | Fraction) -> Decimal | str:
    """A weight as a number cell when it is a decimal (13.00); a ratio no decimal writes (20/6) stays
    exact text rather than becoming a rounded number."""
    return weight if isinstance(weight, Decimal) else exact_text(weight)


def write_report_workbook(engine: Engine, data: ReportData, path: Path, *, lang: str = "en") -> Path:
    """The report as a workbook, its labels in the report's language (the HTML's words)."""
    w = Words(lang)
    r = data.latest
    acc = data.accountability
    wb = Book(engine.catalogue(r.catalogue), r.assessment).build()
    summary: list[list[Any]] = [
        [w("SPBE report"), r.subject],
        [w("period"), r.period],
        [w("catalogue"), r.catalogue],
        [w("index"), Decimal(r.display)],
        [w("index (exact)"), exact_text(r.fraction)],
        ["predikat", r.predikat],
        [w("plan"), acc.plan.summary() if acc.plan else ""],
        [],
        w.all(("group", "name", "weight", "index", "predikat")),
        *[[g.id, g.name, _number(g.weight), Decimal(g.display), g.predikat] for g in r.groups.values()],
        [],
        w.all(acc.headers),
        *[list(row) for row in acc.rows()],
        [],
        w.all(data.series.headers),
        *w.rows(data.series.rows(), [5]),
    ]
    _sheet(wb, "Ringkasan", summary, index=0)
    for u in acc.units:
        rows: list[list[Any]] = [w.all(u.headers), *w.rows(u.rows(), [2])]
        stages = u.stage_rows()
        if stages:
            rows += [[], w.all(u.stage_headers), *[list(row) for row in stages]]
        _sheet(wb, u.unit.id, rows)
    indicators: list[list[Any]] = [
        w.all(("indicator", "name", "level", "weight", "contribution", "contribution (exact)"))
    ]
    for s in r.indicators.values():
        c = s.contribution
        indicators.append(
            [
                s.id,
                s.name,
                s.level,
                _number(s.weight),
                Decimal(display(c.numerator, c.denominator, 4)),
                exact_text(c),
            ]
        )
    _sheet(wb, "Indikator", indicators)
    save_workbook(wb, path, overwrite=True)
    return path
