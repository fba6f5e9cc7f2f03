"""The report as an Excel workbook: a summary sheet, one sheet per unit, the indicator table — and
the assessment itself in the template layout, so the workbook re-imports losslessly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exact import display, exact_text
from ..io.excel import _Book, _save_atomic
from ..tabular import require

if TYPE_CHECKING:
    from ..engine import Engine
    from .build import ReportData

__all__ = ["write_report_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet(wb: Any, title: str, rows: list[list[Any]], *, index: int | None = None) -> Any:
    base = _BAD.sub("-", title)[:31] or "Sheet"
    name, n = base, 1
    while name in wb.sheetnames:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    ws = wb.create_sheet(name, index)
    bold = require("openpyxl.styles", "excel").Font(bold=True)
    for row in rows:
        ws.append(row)
    for cell in ws[1] if rows else ():
        cell.font = bold
    for col in ws.columns:
        width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
        ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
    return ws


def write_report_workbook(engine: Engine, data: ReportData, path: Path) -> Path:
    r = data.latest
    acc = data.accountability
    wb = _Book(engine.catalogue(r.catalogue), r.assessment).build()
    summary: list[list[Any]] = [
        ["SPBE report", r.subject],
        ["period", r.period],
        ["catalogue", r.catalogue],
        ["index", r.display],
        ["index (exact)", str(r.index)],
        ["predikat", r.predikat],
        ["plan", acc.plan.summary() if acc.plan else ""],
        [],
        ["group", "name", "weight", "index", "predikat"],
        *[[g.id, g.name, str(g.weight), g.display, g.predikat] for g in r.groups.values()],
        [],
        list(acc.headers),
        *[list(row) for row in acc.rows()],
        [],
        list(data.series.headers),
        *[list(row) for row in data.series.rows()],
    ]
    _sheet(wb, "Ringkasan", summary, index=0)
    for u in acc.units:
        rows: list[list[Any]] = [list(u.headers), *[list(row) for row in u.rows()]]
        stages = u.stage_rows()
        if stages:
            rows += [[], list(u.stage_headers), *[list(row) for row in stages]]
        _sheet(wb, u.unit.id, rows)
    indicators: list[list[Any]] = [["indicator", "name", "level", "weight", "contribution", "contribution (exact)"]]
    for s in r.indicators.values():
        c = s.contribution
        indicators.append(
            [
                s.id,
                s.name,
                s.level,
                str(s.weight),
                display(c.numerator, c.denominator, 4),
                exact_text(c),
            ]
        )
    _sheet(wb, "Indikator", indicators)
    _save_atomic(wb, path, overwrite=True)
    return path
