"""`spbe report`: write report.html, report.md and report.xlsx into a folder, as one whole set.

Why a temporary folder: the three files are written next to the target and the folder is renamed
into place, so a reader (or a concurrent run) sees either the old set or the new one, never html, md
and xlsx from different runs, and an interrupted run leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SpbeError
from ..i18n import N_, current_language, language, local_time, tr, translate
from ..io.atomic import OverwriteRefused, protect
from . import html, markdown
from .build import ReportData, collect

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model.assessment import Assessment

__all__ = ["write_report"]

#: The files of a report folder: `overwrite` replaces a folder holding only these.
REPORT_FILES = ("report.html", "report.md", "report.xlsx")
REFUSAL = N_("refusing to overwrite an existing folder (use --force)")


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
    lang: str | None = None,
    overwrite: bool = False,
    tz: str = "WIB",
) -> dict[str, Path | str]:
    """Write the three formats in `lang` (default: the current language); returns each format's
    path, or the reason it was skipped (the Excel workbook needs openpyxl: the `excel` extra). The
    time the report was made is shown in the zone `tz` (WIB, WITA, WIT or an IANA name).

    An existing folder is replaced only with `overwrite`, and only when it holds nothing but a
    report (an empty folder needs no `overwrite`); the user's input files are never touched.
    """
    lang = lang or current_language()
    out = Path(out_dir)
    # the folder renamed into place: absolute (`.` has no name to rename), a link's target for a link
    place = out.resolve() if out.is_symlink() else Path(os.path.abspath(out))
    if place.exists() and not place.is_dir():
        raise SpbeError(tr("is a file, expected a folder for the report"), file=str(out))
    guarded = [*inputs, owners, *([targets] if targets else [])]
    for name in REPORT_FILES:
        protect(place / name, guarded)  # before any work: never a report over an input
    with language(lang):  # refuse an unknown language or time zone before doing any work
        local_time(dt.datetime.now(dt.UTC), tz)
    _replaceable(place, overwrite, shown=out)
    data = collect(engine, assessments, owners, targets, as_of, missing)
    place.parent.mkdir(parents=True, exist_ok=True)
    tmp = place.with_name(f".{place.name}.{secrets.token_hex(6)}.tmp")
    os.mkdir(tmp)  # exclusive, with the usual permissions (the umask applies)
    old: Path | None = None
    moved = False
    try:
        (tmp / "report.html").write_bytes(html.render(data, lang, tz).encode("utf-8"))
        (tmp / "report.md").write_bytes(markdown.render(data, lang, tz).encode("utf-8"))
        xlsx = _workbook(engine, data, tmp / "report.xlsx", lang, tz)
        old = _aside(place, overwrite, shown=out)
        try:
            os.rename(tmp, place)
        except OSError:
            if os.path.lexists(place):  # another run put a folder there meanwhile
                raise OverwriteRefused(translate(REFUSAL), file=str(out), what="folder") from None
            raise
        moved = True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            if not moved and not os.path.lexists(place):
                os.rename(old, place)  # interrupted between the two renames: put the old set back
            else:
                shutil.rmtree(old, ignore_errors=True)
    written: dict[str, Path | str] = {"html": out / "report.html", "md": out / "report.md"}
    written["xlsx"] = out / "report.xlsx" if xlsx is None else xlsx
    return written


def _workbook(engine: Engine, data: ReportData, path: Path, lang: str = "en", tz: str = "WIB") -> str | None:
    """Write the workbook; None when written, else why it was skipped (openpyxl is missing)."""
    try:
        from .xlsx import write_report_workbook
    except ImportError:  # pragma: no cover - the module ships with spbe_engine
        return tr("skipped: the Excel writer is unavailable")
    try:
        write_report_workbook(engine, data, path, lang=lang, tz=tz)
    except SpbeError as exc:
        if "openpyxl" not in str(exc):
            raise
        return tr("skipped: {reason}", reason=exc)
    return None


def _replaceable(place: Path, overwrite: bool, *, shown: Path) -> bool:
    """Whether `place` exists and must be moved aside; refuses a folder that is not ours to replace."""
    if not os.path.lexists(place):
        return False
    if Path.cwd().resolve().is_relative_to(place.resolve()):
        raise SpbeError(tr("refusing to replace the current folder; give a new folder for the report"), file=str(shown))
    entries = sorted(place.iterdir())
    if not entries:
        return True  # an empty folder: nothing to lose
    if not overwrite:
        raise OverwriteRefused(translate(REFUSAL), file=str(shown), what="folder")
    foreign = [p.name for p in entries if p.name not in REPORT_FILES or p.is_symlink() or not p.is_file()]
    if foreign:
        raise SpbeError(
            tr("refusing to replace a folder that holds more than a report: {foreign!r}", foreign=foreign[0]),
            file=str(shown),
            allowed=tr("a folder holding only {files}, or a new folder", files=", ".join(REPORT_FILES)),
        )
    return True


def _aside(place: Path, overwrite: bool, *, shown: Path) -> Path | None:
    """Move the folder being replaced out of the way (checked again: it may have changed meanwhile)."""
    if not _replaceable(place, overwrite, shown=shown):
        return None
    old = place.with_name(f".{place.name}.{secrets.token_hex(6)}.old")
    os.rename(place, old)
    return old
