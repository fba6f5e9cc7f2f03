"""`spbe report`: write report.html, report.md and report.xlsx into a folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SpbeError
from ..io.atomic import protect, write_atomic
from . import html, markdown
from .build import collect

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model.assessment import Assessment

__all__ = ["write_report"]


def write_report(
    engine: Engine,
    assessments: Sequence[Assessment],
    *,
    owners: str | PathLike[str],
    out_dir: str | PathLike[str],
    targets: str | PathLike[str] | None = None,
    as_of: dt.date | None = None,
    inputs: Sequence[str | PathLike[str]] = (),
    missing: str | int | None = None,
    lang: str = "en",
) -> dict[str, Path | str]:
    """Write the three formats; returns each format's path, or the reason it was skipped (the
    Excel workbook needs openpyxl: the `excel` extra)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpbeError("is a file, expected a folder for the report", file=str(out))
    guarded = [*inputs, owners, *([targets] if targets else [])]
    paths = {fmt: out / f"report.{fmt}" for fmt in ("html", "md", "xlsx")}
    for p in paths.values():
        protect(p, guarded)  # before any work: never a half-written report over an input
    from .i18n import Words

    Words(lang)  # refuse an unknown language before doing any work
    data = collect(engine, assessments, owners, targets, as_of, missing)
    written: dict[str, Path | str] = {
        "html": write_atomic(paths["html"], html.render(data, lang)),
        "md": write_atomic(paths["md"], markdown.render(data, lang)),
    }
    try:
        from .xlsx import write_report_workbook
    except ImportError:  # pragma: no cover - the module ships with spbe_engine
        written["xlsx"] = "skipped: the Excel writer is unavailable"
        return written
    try:
        written["xlsx"] = write_report_workbook(engine, data, paths["xlsx"])
    except SpbeError as exc:
        if "openpyxl" not in str(exc):
            raise
        written["xlsx"] = f"skipped: {exc}"
    return written
