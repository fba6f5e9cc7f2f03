"""Unit workbooks (laporan kemajuan): one Excel workbook per unit (OPD) with only the indicators it
leads or supports, for the unit to report progress, evidence, obstacles and actions before a monev
meeting. `spbe collect` (`monev.collect`) reads them back.

Layout (format version 1), Bahasa Indonesia first:

- "Laporan": a header block (unit, period, catalogue), then one row per indicator with what the unit
  needs to know (locked: id, name, role, current level and its criteria, target, evidence status)
  and the cells it fills in (unlocked, yellow: progress level, evidence submitted, kendala, rencana
  aksi, PIC, due date, status), then the action id (locked). The sheet is protected and the fillable
  cells carry data validation (levels of the indicator's scale, dates, status from a list).
- "Petunjuk": instructions in Bahasa Indonesia, then English.

Bahasa Indonesia first: every label is Indonesian, followed by its English in an English-speaking
session (`lang="en"`: "Tingkat capaian / Progress level"), and Indonesian only in an Indonesian one.
- "spbe_monev" (hidden, protected): catalogue, period, subject, unit, the sha256 fingerprint of the
  base assessment, and per row of "Laporan" a digest of its locked cells, so collection can tell a
  workbook made from another base, or edited outside its fillable cells (sheet protection guards
  against accidents, not against a determined hand: the digests catch what gets through).

Every text from user data is written as a text cell (`io.excel.put_cell`), never a formula.
openpyxl is optional (the `excel` extra) and imported only here, when a workbook is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import SpbeError
from ..i18n import N_, current_language, tr, translate
from ..io.atomic import OverwriteRefused
from ..tabular import require
from .actions import STATUSES, Action, ActionLog, status_label, status_validation
from .snapshot import fingerprint

if TYPE_CHECKING:
    from ..accountability.ownership import Ownership, Targets
    from ..model.assessment import Assessment
    from ..model.catalogue import Catalogue, Indicator, LevelScale
    from ..resolver import Resolver

__all__ = ["FORMAT", "FORMAT_VERSION", "UnitRow", "unit_rows", "write_workbooks"]

FORMAT = "spbe_engine.monev-workbook"
FORMAT_VERSION = 1
REPORT = "Laporan"
HELP = "Petunjuk"
META = "spbe_monev"
HEAD = 6  # the table's header row; indicator rows follow

# Columns of "Laporan", in order: key -> (English header, width, fillable).
COLUMNS: dict[str, tuple[str, float, bool]] = {
    "indicator": (N_("Indicator"), 10, False),
    "name": (N_("Indicator name"), 42, False),
    "role": (N_("Role"), 14, False),
    "level": (N_("Current level"), 10, False),
    "criteria": (N_("Criteria of the current level"), 40, False),
    "target": (N_("Target level"), 10, False),
    "evidence_status": (N_("Evidence status"), 18, False),
    "progress": (N_("Progress level (self-assessed)"), 14, True),
    "evidence": (N_("Evidence submitted (names or links)"), 32, True),
    "kendala": (N_("Kendala (obstacles)"), 32, True),
    "rencana_aksi": (N_("Rencana aksi (action plan)"), 32, True),
    "pic": (N_("PIC (person in charge)"), 20, True),
    "due": (N_("Due date"), 12, True),
    "status": (N_("Action status"), 14, True),
    "action": (N_("Action id"), 18, False),
}
COL = {key: n for n, key in enumerate(COLUMNS, 1)}
FILLABLE = tuple(k for k, (_, _, fill) in COLUMNS.items() if fill)
ACTION_FIELDS = ("kendala", "rencana_aksi", "pic", "due", "status")

ROLE_LABELS = {"lead": N_("lead unit"), "support": N_("supporting unit")}
EVIDENCE_LABELS = {
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "needs_revision": N_("needs revision"),
}
_SAFE_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_EXCEL_DAY0 = dt.date(1899, 12, 30)


def bilingual(message: str, lang: str | None = None) -> str:
    """Indonesian first, then English: "Tingkat capaian / Progress level" (one text when they agree, or
    when `lang`, default the current language, is Indonesian)."""
    indonesian = translate(message, "id")
    if (lang or current_language()) == "id" or indonesian == message:
        return indonesian
    return f"{indonesian} / {message}"


@dataclass(frozen=True)
class UnitRow:
    """One indicator row of a unit's workbook."""

    indicator: str
    name: str
    role: str  # lead or support
    level: int | None
    criteria: str
    target: int | None
    evidence_status: str
    scale_min: int
    scale_max: int
    action: Action | None  # the open action carried over, if any
    action_id: str


def unit_rows(
    cat: Catalogue,
    base: Assessment,
    own: Ownership,
    unit: str,
    targets: Targets | None = None,
    actions: ActionLog | None = None,
) -> list[UnitRow]:
    """The rows of `unit`'s workbook, in catalogue order: the indicators it leads, then those it supports."""
    roles: dict[str, str] = {}
    for r in own.indicators:
        if r.lead == unit:
            roles[r.indicator] = "lead"
        elif unit in r.support:
            roles[r.indicator] = "support"
    scales = {s.id: s for s in cat.scales}
    rows: list[UnitRow] = []
    for ind in cat.indicators():
        role = roles.get(ind.id)
        if role is None:
            continue
        scale = scales[ind.scale]
        level = base.levels.get(ind.id)
        carried = _carried(actions, ind.id, unit)
        rows.append(
            UnitRow(
                indicator=ind.id,
                name=ind.name,
                role=role,
                level=level,
                criteria=_criteria(scale, level),
                target=targets.levels.get(ind.id) if targets is not None else None,
                evidence_status=_evidence_status(base, ind),
                scale_min=scale.min,
                scale_max=scale.max,
                action=carried,
                action_id=carried.id if carried is not None else _fresh_id(actions, ind.id, unit),
            )
        )
    rows.sort(key=lambda r: r.role != "lead")  # stable: catalogue order within each role
    return rows


def _carried(actions: ActionLog | None, indicator: str, unit: str) -> Action | None:
    """The unit's latest open action for the indicator, carried into the new workbook."""
    if actions is None:
        return None
    found = [a for a in actions.select(unit=unit, indicator=indicator) if a.is_open]
    return found[-1] if found else None


def _fresh_id(actions: ActionLog | None, indicator: str, unit: str) -> str:
    """`<indicator>.<unit>.<n>`, n one more than the unit's earlier actions for the indicator."""
    known = actions.ids() if actions is not None else set()
    n = 1 + (len(actions.select(unit=unit, indicator=indicator)) if actions is not None else 0)
    while f"{indicator}.{unit}.{n}" in known:
        n += 1
    return f"{indicator}.{unit}.{n}"


def _criteria(scale: LevelScale, level: int | None) -> str:
    if level is None:
        return ""
    for lv in scale.levels:
        if lv.value == level:
            return f"{lv.value} {lv.name}" + (f": {lv.criteria}" if lv.criteria else "")
    return str(level)


def _evidence_status(base: Assessment, ind: Indicator) -> str:
    counts: Counter[str] = Counter(ev.status for ev in base.evidence.get(ind.id, ()))
    if not counts:
        return "-"
    return ", ".join(f"{counts[s]} {translate(EVIDENCE_LABELS[s], 'id')}" for s in EVIDENCE_LABELS if counts[s])


def cell_text(value: Any) -> str:
    """A cell's value as the digest sees it, the same written and read back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def row_digest(cells: Mapping[int, Any], fillable: Iterable[int] = ()) -> str:
    """A digest of a row's cells other than the fillable ones (column -> value)."""
    skip = set(fillable)
    parts = [f"{c}\x1f{cell_text(v)}" for c, v in sorted(cells.items()) if c not in skip and cell_text(v) != ""]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]


def write_workbooks(
    engine: Resolver,
    base: Assessment,
    owners: Ownership,
    out_dir: str | PathLike[str],
    *,
    targets: Targets | None = None,
    actions: ActionLog | None = None,
    units: Sequence[str] | None = None,
    overwrite: bool = False,
    lang: str | None = None,
) -> dict[str, Path]:
    """Write `<unit id>.xlsx` into `out_dir` for every unit with at least one indicator (or the
    `units` given); returns unit id -> path. `lang` (default: the current language) is "id" for
    Indonesian labels only, else Indonesian with English.

    All or nothing: every workbook is built and saved beside its target before any is put in place,
    so bad data (a text no Excel cell holds) writes nothing. No file is written when any of them
    exists already, unless `overwrite`: then the unit workbooks are replaced (each atomically) and
    any other file of the folder is left alone."""
    require("openpyxl", "excel")
    lang = lang or current_language()
    cat = engine.catalogue(base.catalogue)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpbeError(tr("is a file, expected a folder"), file=str(out))
    chosen = list(units) if units is not None else [u.id for u in owners.units]
    known = {u.id for u in owners.units}
    plans: dict[str, list[UnitRow]] = {}
    for unit in chosen:
        if unit not in known:
            raise SpbeError(tr("unknown unit {unit!r}", unit=unit), field="unit", allowed=sorted(known))
        if not _SAFE_UNIT.match(unit):
            raise SpbeError(
                tr("unit id {unit!r} cannot name a file", unit=unit),
                field="units",
                allowed=tr("letters, digits, '.', '_' and '-'"),
            )
        rows = unit_rows(cat, base, owners, unit, targets, actions)
        if rows:
            plans[unit] = rows
    paths = {unit: out / f"{unit}.xlsx" for unit in plans}
    for p in paths.values():
        if p.is_symlink() or (p.exists() and not p.is_file()):
            raise SpbeError(tr("refusing to replace what is not a workbook file"), file=str(p))
        if p.exists() and not overwrite:
            raise OverwriteRefused(translate(EXISTS), file=str(p), what="workbook")
    digest = fingerprint(base)
    books = {unit: _UnitBook(cat, base, owners, unit, rows, digest, lang).build() for unit, rows in plans.items()}
    _publish(books, paths, overwrite)
    return paths


#: The refusal to write over a workbook (the command line adds "use --force").
EXISTS = N_("refusing to overwrite an existing workbook")


def _publish(books: Mapping[str, Any], paths: Mapping[str, Path], overwrite: bool) -> None:
    """Save every workbook to a temporary file beside its target, then put them all in place. Without
    `overwrite` it is all or nothing: a target that appeared meanwhile (or a failed link) takes back
    the workbooks this call put in place. (Replacing with `overwrite` cannot be taken back.)"""
    import os
    import secrets

    from ..io.excel import save_workbook

    staged: dict[str, Path] = {}
    linked: list[Path] = []
    try:
        for unit, wb in books.items():
            tmp = paths[unit].with_name(f".{paths[unit].name}.{secrets.token_hex(6)}.tmp")
            save_workbook(wb, tmp, overwrite=False)
            staged[unit] = tmp
        for unit, tmp in staged.items():
            target = paths[unit]
            try:
                if overwrite:
                    os.replace(tmp, target)
                else:
                    os.link(tmp, target)  # fails if the target appeared meanwhile: never an overwrite
                    linked.append(target)
            except FileExistsError:
                raise OverwriteRefused(translate(EXISTS), file=str(target), what="workbook") from None
            except OSError as exc:
                raise SpbeError(tr("cannot write: {exc}", exc=exc.strerror or exc), file=str(target)) from None
    except BaseException:
        for target in linked:  # ours: made by this call a moment ago
            target.unlink(missing_ok=True)
        raise
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


class _UnitBook:
    """Builds one unit's workbook (openpyxl objects are `Any`: the library is optional and untyped)."""

    def __init__(
        self, cat: Catalogue, base: Assessment, own: Ownership, unit: str, rows: list[UnitRow], digest: str, lang: str
    ) -> None:
        self.cat, self.base, self.own, self.unit, self.rows, self.digest = cat, base, own, unit, rows, digest
        self.lang = lang
        self.xl = require("openpyxl", "excel")
        self.styles = require("openpyxl.styles", "excel")
        self.dv_class = require("openpyxl.worksheet.datavalidation", "excel").DataValidation
        self.letter = require("openpyxl.utils", "excel").get_column_letter
        from ..io.excel import put_cell

        self.put = put_cell
        self.row_digests: list[tuple[int, str, str]] = []  # (row, indicator or "", digest)

    def both(self, message: str) -> str:
        return bilingual(message, self.lang)

    def pair(self, indonesian: str, english: str) -> str:
        """A fixed Indonesian text, with its English in an English-speaking session."""
        return indonesian if self.lang == "id" else f"{indonesian} / {english}"

    def build(self) -> Any:
        wb = self.xl.Workbook()
        self.report(wb.active)
        self.help(wb.create_sheet(HELP))
        self.meta(wb.create_sheet(META))
        return wb

    def report(self, ws: Any) -> None:
        ws.title = REPORT
        s = self.styles
        unit = self.own.unit(self.unit)
        bold = s.Font(bold=True)
        title = self.both(N_("SPBE progress report"))
        self.put(ws, 1, 1, title, "title").font = s.Font(bold=True, size=13)
        header = [
            (self.both(N_("Unit")), f"{unit.id} — {unit.name}"),
            (self.both(N_("Period")), self.base.period),
            (self.both(N_("Catalogue")), f"{self.cat.id} — {self.base.subject}"),
        ]
        for row, (label, value) in enumerate(header, 2):
            self.put(ws, row, 1, label, "header").font = bold
            self.put(ws, row, 2, value, "header")
        self.put(ws, 5, 1, self.both(N_("Fill in the yellow cells only; the other cells are locked.")), "header")
        fill_head = s.PatternFill("solid", fgColor="DDEBF7")
        fill_in = s.PatternFill("solid", fgColor="FFF2CC")
        wrap = s.Alignment(wrap_text=True, vertical="top")
        unlocked = s.Protection(locked=False)
        for key, (english, width, _) in COLUMNS.items():
            cell = self.put(ws, HEAD, COL[key], self.both(english), "header")
            cell.font = bold
            cell.fill = fill_head
            cell.alignment = wrap
            ws.column_dimensions[self.letter(COL[key])].width = width
        by_scale: dict[tuple[int, int], list[int]] = {}
        for n, r in enumerate(self.rows, HEAD + 1):
            what = f"indicator {r.indicator}"
            if r.indicator.isascii() and r.indicator.isdecimal() and str(int(r.indicator)) == r.indicator:
                self.put(ws, n, COL["indicator"], int(r.indicator), what)
            else:
                self.put(ws, n, COL["indicator"], r.indicator, what)
            self.put(ws, n, COL["name"], r.name, what).alignment = wrap
            self.put(ws, n, COL["role"], translate(ROLE_LABELS[r.role], "id"), what)
            self.put(ws, n, COL["level"], r.level, what)
            self.put(ws, n, COL["criteria"], r.criteria, what).alignment = wrap
            self.put(ws, n, COL["target"], r.target, what)
            self.put(ws, n, COL["evidence_status"], r.evidence_status, what)
            self.put(ws, n, COL["action"], r.action_id, what)
            for key in FILLABLE:
                cell = ws.cell(row=n, column=COL[key])
                cell.fill = fill_in
                cell.protection = unlocked
                if key in ("evidence", "kendala", "rencana_aksi"):
                    cell.alignment = wrap
            ws.cell(row=n, column=COL["due"]).number_format = "yyyy-mm-dd"
            a = r.action
            if a is not None:  # the open action carried over: the unit updates it
                self.put(ws, n, COL["kendala"], a.kendala, what)
                self.put(ws, n, COL["rencana_aksi"], a.rencana_aksi, what)
                self.put(ws, n, COL["pic"], a.pic, what)
                if a.due is not None:
                    ws.cell(row=n, column=COL["due"], value=a.due)
                self.put(ws, n, COL["status"], status_label(a.status), what)
            by_scale.setdefault((r.scale_min, r.scale_max), []).append(n)
        last = HEAD + len(self.rows)
        self.validations(ws, by_scale, last)
        ws.freeze_panes = ws.cell(row=HEAD + 1, column=COL["level"])
        protection = ws.protection
        protection.sheet = True
        protection.formatColumns = False  # widening a column or a row changes no value
        protection.formatRows = False
        for n in range(1, last + 1):
            cells = {c.column: c.value for c in ws[n] if c.value is not None}
            fillable = [COL[k] for k in FILLABLE] if n > HEAD else []
            iid = self.rows[n - HEAD - 1].indicator if n > HEAD else ""
            self.row_digests.append((n, iid, row_digest(cells, fillable)))

    def validations(self, ws: Any, by_scale: Mapping[tuple[int, int], list[int]], last: int) -> None:
        if last <= HEAD:
            return
        for (lo, hi), rows in by_scale.items():
            dv = self.dv_class(
                type="whole",
                operator="between",
                formula1=str(lo),
                formula2=str(hi),
                allow_blank=True,
                showInputMessage=True,
                promptTitle=f"Tingkat {lo}–{hi}",
                prompt=self.pair(f"Bilangan bulat {lo}–{hi}", f"a whole number {lo}–{hi}"),
                showErrorMessage=True,
                errorTitle="Tingkat",
                error=self.pair(f"Bilangan bulat {lo}–{hi}", f"a whole number {lo}–{hi}"),
            )
            ws.add_data_validation(dv)
            for n in rows:
                dv.add(f"{self.letter(COL['progress'])}{n}")
        due = self.letter(COL["due"])
        dv = self.dv_class(
            type="date",
            operator="greaterThan",
            formula1=str((dt.date(2000, 1, 1) - _EXCEL_DAY0).days),
            allow_blank=True,
            showInputMessage=True,
            promptTitle=self.pair("Tanggal", "date"),
            prompt=self.pair("Tanggal, mis. 2025-06-30", "a date"),
            showErrorMessage=True,
            errorTitle=self.pair("Tanggal", "date"),
            error=self.pair("Isi tanggal (YYYY-MM-DD)", "give a date (YYYY-MM-DD)"),
        )
        ws.add_data_validation(dv)
        dv.add(f"{due}{HEAD + 1}:{due}{last}")
        status = self.letter(COL["status"])
        dv = status_validation(self.dv_class)
        ws.add_data_validation(dv)
        dv.add(f"{status}{HEAD + 1}:{status}{last}")

    def help(self, ws: Any) -> None:
        bold = self.styles.Font(bold=True)
        ws.column_dimensions["A"].width = 6
        ws.column_dimensions["B"].width = 110
        labels = ", ".join(status_label(s) for s in STATUSES)
        steps = [
            N_("This workbook lists the indicators your unit leads or supports, for the SPBE monitoring meeting."),
            N_(
                "Fill in only the yellow cells of the Laporan sheet; the other cells are locked and must stay as they"
                " are."
            ),
            N_(
                "Progress level: the level you assess the indicator at now (a whole number of its scale); leave it"
                " empty if unchanged."
            ),
            N_("Evidence submitted: the names or links of the documents (data dukung) you submitted."),
            N_(
                "Kendala, rencana aksi, PIC and due date: the obstacle, the agreed action, the person in charge and"
                " the date it is due (YYYY-MM-DD)."
            ),
            N_("Action status: one of the list ({labels})."),
            N_(
                "Do not rename sheets, insert rows or columns, or type formulas; return the file to the coordinator"
                " with its name unchanged."
            ),
        ]
        rows: list[tuple[str, str]] = [("", "Petunjuk (Bahasa Indonesia)")]
        rows += [(str(n), translate(t, "id").format(labels=labels)) for n, t in enumerate(steps, 1)]
        if self.lang != "id":
            rows += [("", ""), ("", "Instructions (English)")]
            rows += [(str(n), t.format(labels=labels)) for n, t in enumerate(steps, 1)]
        for n, (a, b) in enumerate(rows, 1):
            self.put(ws, n, 1, a, "help")
            cell = self.put(ws, n, 2, b, "help")
            if not a:
                cell.font = bold
        ws.protection.sheet = True

    def meta(self, ws: Any) -> None:
        unit = self.own.unit(self.unit)
        values: list[tuple[str, Any]] = [
            ("format", FORMAT),
            ("version", FORMAT_VERSION),
            ("catalogue", self.cat.id),
            ("subject", self.base.subject),
            ("period", self.base.period),
            ("unit", unit.id),
            ("base_fingerprint", self.digest),
            ("sheet", REPORT),
            ("head", HEAD),
            ("rows", len(self.rows)),
            ("written_by", __version__),
            *((f"status.{s}", status_label(s)) for s in STATUSES),
        ]
        for n, (key, value) in enumerate(values, 1):
            self.put(ws, n, 1, key, META)
            self.put(ws, n, 2, value, META)
        self.put(ws, 1, 4, "row", META)
        self.put(ws, 1, 5, "indicator", META)
        self.put(ws, 1, 6, "role", META)
        self.put(ws, 1, 7, "target", META)
        self.put(ws, 1, 8, "digest", META)
        for n, (row, iid, digest) in enumerate(self.row_digests, 2):
            self.put(ws, n, 4, row, META)
            self.put(ws, n, 5, iid, META)
            r = self.rows[row - HEAD - 1] if row > HEAD else None
            self.put(ws, n, 6, r.role if r else "", META)
            self.put(ws, n, 7, r.target if r else None, META)
            self.put(ws, n, 8, digest, META)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True
