"""Returned unit workbooks merged into a monitoring snapshot (`spbe collect`).

Rules (why: a meeting must see every disagreement, never a silent choice):

- A workbook made for another catalogue, period or base assessment (its fingerprint), for a unit not
  in the ownership, or one of two workbooks for the same unit: all its filled cells are in conflict.
- A row whose locked cells were changed (edited outside the fillable cells; a stray value outside
  the table too): its filled cells are in conflict; the other rows merge.
- Levels: when the units reporting on an indicator agree, the level merges into the snapshot's
  `self_assessment` stage, unless only supporting units report it and it differs from the base level
  (a supporting unit changing a level its lead did not). Two different levels merge for nobody.
- Evidence submitted merges as provenance; kendala, rencana aksi, PIC, due date and status update
  the action log by the row's action id (never a duplicate).
- A unit with indicators and no workbook is a conflict (missing workbook).

Reading uses the library's safe streaming workbook reader (`io.excel`): bounded memory, formulas
refused naming the cell. A malformed value (a level outside the scale, a date that is no date, an
unknown status) is an error naming the file, row and column, as for any bad input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpbeError
from ..i18n import tr
from .actions import STATUS_LABELS, STATUSES, Action, ActionLog
from .snapshot import Conflict, Counts, Report, Snapshot, SnapshotError, SnapshotRecord, fingerprint
from .workbooks import ACTION_FIELDS, COL, FILLABLE, FORMAT, FORMAT_VERSION, META, REPORT, row_digest

if TYPE_CHECKING:
    from ..accountability.ownership import Ownership
    from ..model.assessment import Assessment
    from ..resolver import Resolver

__all__ = ["collect", "workbook_files"]


@dataclass
class _Row:
    """The filled cells of one indicator row of a returned workbook."""

    indicator: str
    role: str
    row: int
    target: int | None
    action_id: str | None
    values: dict[str, Any] = field(default_factory=dict)  # fillable key -> value (only filled cells)
    edited: bool = False


@dataclass
class _Book:
    """One returned workbook, read."""

    file: str
    meta: dict[str, str]
    rows: list[_Row]
    edited: list[str]  # cell references of edits outside the fillable cells
    stray: int  # filled cells outside the table (counted as read, in conflict)

    @property
    def unit(self) -> str:
        return self.meta.get("unit", "")


def workbook_files(sources: Iterable[str | PathLike[str]]) -> list[Path]:
    """The .xlsx files given, a folder standing for the .xlsx files in it (not Excel's `~$` lock
    files or hidden files), in name order within a folder; each file once."""
    out: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() == ".xlsx" and not q.name.startswith(("~$", ".")))
            if not found:
                raise SnapshotError(tr("no .xlsx workbook in this folder"), file=str(p))
            out.extend(found)
        elif not p.exists():
            raise SnapshotError(tr("no such file"), file=str(p))
        elif p.suffix.lower() != ".xlsx":
            raise SnapshotError(tr("not a workbook (.xlsx)"), file=str(p), allowed=tr(".xlsx files or folders"))
        else:
            out.append(p)
    unique: dict[Path, Path] = {}
    for p in out:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def read_unit_workbook(path: Path, levels: dict[str, tuple[int, int]]) -> _Book:
    """Read a returned workbook: its meta, the filled cells of each row, and what was edited outside
    the fillable cells. `levels`: indicator -> (lowest, highest) level of its scale."""
    from ..io.excel import Formula, SheetReader, cell_text, open_workbook

    with open_workbook(path) as wb:
        reader = SheetReader(str(path), wb)
        try:
            return _read(reader, wb, path, levels, Formula, cell_text)
        except SpbeError:
            raise
        except Exception as exc:  # XML, zip and openpyxl errors met while streaming a sheet
            from ..io.excel import unreadable

            raise unreadable(path, exc) from None


def _read(reader: Any, wb: Any, path: Path, levels: dict[str, tuple[int, int]], formula_type: Any, text: Any) -> _Book:
    file = str(path)
    if META not in wb.sheets or REPORT not in wb.sheets:
        raise SnapshotError(
            tr("not a unit workbook of spbe workbooks (no {META!r} or {REPORT!r} sheet)", META=META, REPORT=REPORT),
            file=file,
        )
    meta: dict[str, str] = {}
    digests: dict[int, tuple[str, str, int | None, str]] = {}  # row -> (indicator, role, target, digest)
    for n, r in reader.rows(META):
        for col, value in r.items():
            if isinstance(value, formula_type):
                raise reader.formula(META, "meta", n, col, value)
        key = text(r.get(1))
        if key:
            meta[key.strip()] = (text(r.get(2)) or "").strip()
        if n > 1 and r.get(4) is not None:
            target = r.get(7)
            digests[int(r[4])] = (
                (text(r.get(5)) or "").strip(),
                (text(r.get(6)) or "").strip(),
                reader.whole(target, n, f"{META}.target") if target is not None else None,
                (text(r.get(8)) or "").strip(),
            )
    if meta.get("format") != FORMAT:
        raise SnapshotError(tr("not a unit workbook of spbe workbooks (format {FORMAT!r})", FORMAT=FORMAT), file=file)
    if meta.get("version") != str(FORMAT_VERSION):
        raise SnapshotError(
            tr("unsupported unit workbook version {version!r}", version=meta.get("version")),
            file=file,
            allowed=str(FORMAT_VERSION),
        )
    labels = {s: s for s in STATUSES}
    for s in STATUSES:
        labels[STATUS_LABELS[s].casefold()] = s
        shown = meta.get(f"status.{s}")
        if shown:
            labels[shown.casefold()] = s
    fill_cols = {COL[k]: k for k in FILLABLE}
    letter = _letter()
    rows: list[_Row] = []
    edited: list[str] = []
    stray = 0
    seen: set[int] = set()
    for n, r in reader.rows(REPORT):
        for col, value in r.items():
            if isinstance(value, formula_type):
                key = fill_cols.get(col, "locked")
                raise reader.formula(REPORT, key, n, col, value)
        seen.add(n)
        known = digests.get(n)
        if known is None:  # a value where the workbook had no row
            stray += len(r)
            edited.extend(f"{REPORT}!{letter(c)}{n}" for c in sorted(r))
            continue
        iid, role, target, digest = known
        if not iid:  # the header block
            if row_digest(r) != digest:
                edited.append(f"{REPORT}!{n}:{n}")
            continue
        row = _Row(iid, role, n, target, text(r.get(COL["action"])))
        row.edited = row_digest(r, fill_cols) != digest
        if row.edited:
            edited.append(f"{REPORT}!{n}:{n}")
        for col, key in fill_cols.items():
            value = r.get(col)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            row.values[key] = _value(
                reader, [meta.get(f"status.{s}", "") for s in STATUSES], key, value, n, iid, levels, labels, text
            )
        rows.append(row)
    for n, (iid, _, _, digest) in digests.items():  # a row whose every cell was cleared
        if n not in seen and digest != row_digest({}):
            edited.append(f"{REPORT}!{n}:{n}")
            if iid:
                rows.append(_Row(iid, "", n, None, None, edited=True))
    return _Book(file, meta, rows, edited, stray)


def _letter() -> Any:
    from ..tabular import require

    return require("openpyxl.utils", "excel").get_column_letter


def _value(
    reader: Any,
    shown_labels: Sequence[str],
    key: str,
    value: Any,
    n: int,
    iid: str,
    levels: dict[str, tuple[int, int]],
    labels: dict[str, str],
    text: Any,
) -> Any:
    where = f"{REPORT}.{key}"
    if key == "progress":
        level = int(reader.whole(value, n, where))
        lo, hi = levels.get(iid, (level, level))
        if not lo <= level <= hi:
            raise SnapshotError(
                tr("level {level} of indicator {iid} is outside its scale", level=level, iid=iid),
                file=reader.file,
                row=n,
                field=where,
                allowed=f"{lo}–{hi}",
            )
        return level
    if key == "due":
        return reader.date(value, n, where)
    if key == "status":
        shown = (text(value) or "").strip()
        status = labels.get(shown.casefold()) or labels.get(shown.casefold().replace(" ", "_"))
        if status is None:
            raise SnapshotError(
                tr("unknown status {status!r}", status=shown),
                file=reader.file,
                row=n,
                field=where,
                allowed=", ".join([*(meta_label for meta_label in shown_labels if meta_label), *STATUSES]),
            )
        return status
    return text(value)


def collect(
    sources: Sequence[str | PathLike[str]],
    *,
    owners: str | PathLike[str] | Ownership,
    base: Assessment,
    engine: Resolver | None = None,
    actions: ActionLog | None = None,
    meeting: str | None = None,
) -> Snapshot:
    """Merge the returned unit workbooks into a snapshot of `base` (see the module docstring).
    `actions`: the action log of the previous meeting, updated by id; `meeting`: the label of this
    meeting (default: today's date)."""
    from ..accountability.ownership import Ownership, check_ownership, load_ownership

    if engine is None:
        from ..resolver import Resolver

        engine = Resolver()
    cc = engine.compiled(base.catalogue)
    ids = list(cc.ids)
    if isinstance(owners, Ownership):
        own = check_ownership(owners, ids, catalogue=base.catalogue)
    else:
        own = load_ownership(owners, catalogue=base.catalogue, indicator_ids=ids)
    label = meeting or dt.date.today().isoformat()
    levels = {iid: (lo, hi) for iid, lo, hi in zip(ids, cc.lo, cc.hi, strict=True)}
    files = workbook_files(sources)
    books = [read_unit_workbook(p, levels) for p in files]
    return merge(books, own=own, base=base, actions=actions or ActionLog(), meeting=label)


def merge(books: Sequence[_Book], *, own: Ownership, base: Assessment, actions: ActionLog, meeting: str) -> Snapshot:
    """The snapshot of `base` from workbooks already read."""
    conflicts: list[Conflict] = []
    roles: dict[tuple[str, str], str] = {}
    for r in own.indicators:
        roles[r.indicator, r.lead] = "lead"
        for u in r.support:
            roles.setdefault((r.indicator, u), "support")
    expected = [u.id for u in own.units if any(unit == u.id for _, unit in roles)]
    by_unit: dict[str, list[_Book]] = {}
    for b in books:
        by_unit.setdefault(b.unit, []).append(b)
    digest = fingerprint(base)
    accepted: list[_Book] = []
    for b in books:
        problem = _book_conflict(b, base, digest, own, by_unit)
        if problem is not None:
            conflicts.append(problem)
        else:
            accepted.append(b)
    for unit in expected:
        if unit not in by_unit:
            conflicts.append(Conflict(kind="missing_workbook", unit=unit))
    for b in accepted:
        if b.edited:
            conflicts.append(Conflict(kind="edited_outside", unit=b.unit, file=b.file, cells=tuple(b.edited)))
    reports: list[Report] = []
    rejected = {id(b) for b in books} - {id(b) for b in accepted}
    # level reports per indicator from the rows that may merge
    claims: dict[str, list[tuple[str, str, int]]] = {}
    for b in accepted:
        for row in b.rows:
            ok = not row.edited and roles.get((row.indicator, b.unit)) == row.role
            if ok and "progress" in row.values:
                claims.setdefault(row.indicator, []).append((b.unit, row.role, row.values["progress"]))
    merged_levels: dict[str, int] = {}
    level_conflict: set[str] = set()
    for iid, claim in claims.items():
        reported = {unit: level for unit, _, level in claim}
        distinct = set(reported.values())
        if len(distinct) > 1:
            conflicts.append(Conflict(kind="level_disagreement", indicator=iid, levels=reported))
            level_conflict.add(iid)
            continue
        level = distinct.pop()
        lead_reported = any(role == "lead" for _, role, _ in claim)
        if not lead_reported and level != base.levels.get(iid):
            conflicts.append(Conflict(kind="support_change", indicator=iid, levels=reported))
            level_conflict.add(iid)
            continue
        merged_levels[iid] = level
    incoming: list[Action] = []
    for b in books:
        for row in b.rows:
            filled = len(row.values)
            ok = id(b) not in rejected and not row.edited
            if ok and filled and roles.get((row.indicator, b.unit)) != row.role:  # the ownership changed since
                ok = False
                conflicts.append(
                    Conflict(
                        kind="other_base",
                        unit=b.unit,
                        indicator=row.indicator,
                        file=b.file,
                        detail=tr("the ownership changed since the workbook was made"),
                    )
                )
            merged = 0
            if ok:
                merged = filled - (1 if "progress" in row.values and row.indicator in level_conflict else 0)
                action = _action(row, b.unit, meeting)
                if action is not None:
                    incoming.append(action)
            if filled or row.edited:
                reports.append(
                    Report(
                        indicator=row.indicator,
                        unit=b.unit,
                        role="support" if row.role == "support" else "lead",
                        file=b.file,
                        row=row.row,
                        level=row.values.get("progress"),
                        evidence=row.values.get("evidence"),
                        action=row.action_id if any(k in row.values for k in ACTION_FIELDS) else None,
                        cells=filled,
                        merged=merged,
                        conflict=filled - merged,
                    )
                )
    log, counted = actions.merge_counted(incoming, meeting=meeting)
    stray = sum(b.stray for b in books)
    read = sum(r.cells for r in reports) + stray
    merged_cells = sum(r.merged for r in reports)
    stages: dict[str, dict[str, int]] = {k: v for k, v in base.stages.items() if k != "self_assessment"}
    if merged_levels:
        stages["self_assessment"] = dict(sorted(merged_levels.items(), key=lambda kv: _order(base, kv[0])))
    snapshot = base.replace(stages=stages)
    counts = Counts(
        workbooks=len(books),
        units_expected=len(expected),
        units_reported=len({b.unit for b in books if b.unit in expected}),
        cells_read=read,
        cells_merged=merged_cells,
        cells_in_conflict=read - merged_cells,
        levels_merged=len(merged_levels),
        actions_added=counted.added,
        actions_updated=counted.updated,
    )
    record = SnapshotRecord(
        meeting=meeting,
        catalogue=base.catalogue,
        subject=base.subject,
        period=base.period,
        base_fingerprint=digest,
        reports=tuple(reports),
        conflicts=tuple(conflicts),
        counts=counts,
    )
    return Snapshot(snapshot, record, log)


def _order(base: Assessment, iid: str) -> tuple[int, str]:
    keys = list(base.levels)
    return (keys.index(iid), iid) if iid in base.levels else (len(keys), iid)


def _book_conflict(
    b: _Book, base: Assessment, digest: str, own: Ownership, by_unit: dict[str, list[_Book]]
) -> Conflict | None:
    """Why a whole workbook cannot merge, if it cannot."""
    m = b.meta
    if m.get("catalogue") != base.catalogue:
        return Conflict(kind="other_catalogue", unit=b.unit or None, file=b.file, detail=m.get("catalogue"))
    if m.get("period") != base.period:
        return Conflict(kind="other_period", unit=b.unit or None, file=b.file, detail=m.get("period"))
    if m.get("base_fingerprint") != digest:
        return Conflict(
            kind="other_base",
            unit=b.unit or None,
            file=b.file,
            detail=tr(
                "fingerprint {found}, the base's {digest}", found=m.get("base_fingerprint", "")[:12], digest=digest[:12]
            ),
        )
    if b.unit not in {u.id for u in own.units}:
        return Conflict(kind="unknown_unit", unit=b.unit or None, file=b.file)
    if len(by_unit.get(b.unit, [])) > 1:
        others = ", ".join(Path(o.file).name for o in by_unit[b.unit] if o is not b)
        return Conflict(kind="duplicate_workbook", unit=b.unit, file=b.file, detail=others)
    return None


def _action(row: _Row, unit: str, meeting: str) -> Action | None:
    """The action-log entry a row reports, when any action cell is filled."""
    given = {k: row.values[k] for k in ACTION_FIELDS if k in row.values}
    if not given:
        return None
    action_id = row.action_id or f"{row.indicator}.{unit}.1"
    try:
        return Action(
            id=action_id,
            indicator=row.indicator,
            unit=unit,
            target_level=row.target,
            created=meeting,
            updated=meeting,
            **given,
        )
    except SpbeError as exc:
        raise SnapshotError(exc.message, row=row.row, field=f"{REPORT}.{exc.field or 'action'}") from None
