"""The action log of the monitoring cycle: per indicator and unit, the obstacle (kendala), the agreed
action (rencana aksi), who is in charge (PIC), the due date, the status and the level it aims at.

Why a log rather than notes: it carries over from meeting to meeting. Entries have stable ids; a new
meeting's reports update entries by id (`ActionLog.merge`) and never duplicate them, so the log of
the last meeting is the agenda of the next one. An entry may point at a step of `spbe plan`
(`PlanLink`: indicator and the level the step reaches), so the plan becomes that agenda too.

Files: YAML (`entries:` a list of entries), CSV (one row per entry, the columns `COLUMNS`) or an
Excel workbook (.xlsx, the `excel` extra: one sheet "Rencana Aksi" with Indonesian headers, due dates
as dates, the status from a list); all read back to equal logs. CSV cells a spreadsheet would run as
formulas are neutralised on writing and restored on reading; a workbook's texts are text cells, and a
formula typed into one is refused naming the cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from .._yaml import load_yaml_text, one_line, plain, read_text
from ..errors import SpbeError
from ..exact import whole_number
from ..i18n import N_, tr, translate
from ..io.atomic import write_atomic
from ..model._base import StrictModel
from ..results import Cell, Result

__all__ = [
    "STATUSES",
    "Action",
    "ActionError",
    "ActionLog",
    "ActionTable",
    "PlanLink",
    "load_actions",
]

Status = Literal["open", "in_progress", "done", "dropped"]
STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "dropped")
"""An action's life: open (agreed), in progress, done, dropped (no longer pursued)."""
OPEN_STATUSES = ("open", "in_progress")

#: Status names as people read them (translated where shown).
STATUS_LABELS = {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}


def status_label(status: str) -> str:
    """The status as a workbook's status list shows it (Indonesian): in the unit workbooks and in the
    action log's sheet alike, so that a status copied from one reads in the other."""
    return translate(STATUS_LABELS[status], "id")


def status_validation(validation: Callable[..., Any]) -> Any:
    """The Excel validation of a status cell: one of the status labels. `validation` is openpyxl's
    DataValidation, passed in so that this module needs no openpyxl."""
    labels = [status_label(s) for s in STATUSES]
    return validation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error=", ".join(labels),
    )


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
_ID = re.compile(ID_PATTERN)


class ActionError(SpbeError):
    """An action log (or an entry of it) is malformed."""


def _meeting(v: Any) -> Any:
    """A meeting is named by its date or a label ("2025-Q1", "rapat monev III"); dates as ISO text."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


def _text_id(v: Any) -> Any:
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


def _blank_is_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


class PlanLink(StrictModel):
    """A step of a plan (`spbe plan`): the indicator and the level the step brings it to; `step`
    is its 1-based position in that plan, when known."""

    _error: ClassVar[type[SpbeError]] = ActionError

    indicator: str = Field(min_length=1)
    level: int = Field(ge=0)
    step: int | None = Field(default=None, ge=1)

    @field_validator("indicator", mode="before")
    @classmethod
    def _indicator(cls, v: Any) -> Any:
        return _text_id(v)

    @field_validator("level", "step", mode="before")
    @classmethod
    def _whole(cls, v: Any) -> Any:
        return None if v is None else whole_number(v)


class Action(StrictModel):
    """One entry of the action log."""

    _error: ClassVar[type[SpbeError]] = ActionError

    id: str = Field(pattern=ID_PATTERN)
    indicator: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    kendala: str | None = None
    rencana_aksi: str | None = None
    pic: str | None = None
    due: dt.date | None = None
    status: Status = "open"
    target_level: int | None = Field(default=None, ge=0)
    created: str = Field(min_length=1)  # the meeting that agreed it (a date or a label)
    updated: str = Field(min_length=1)  # the meeting that last changed it
    plan_step: PlanLink | None = None

    @field_validator("id", "indicator", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        return _text_id(v)

    @field_validator("created", "updated", mode="before")
    @classmethod
    def _meetings(cls, v: Any) -> Any:
        return _meeting(v)

    @field_validator("kendala", "rencana_aksi", "pic", "due", "plan_step", mode="before")
    @classmethod
    def _blank(cls, v: Any) -> Any:
        return _blank_is_none(v)

    @field_validator("due", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            if v.time() != dt.time():
                raise ValueError(tr("{value!r} has a time of day; give a date", value=v.isoformat()))
            return v.date()
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(tr("{value!r} is not a date (YYYY-MM-DD)", value=v)) from None
        return v

    @field_validator("target_level", mode="before")
    @classmethod
    def _level(cls, v: Any) -> Any:
        v = _blank_is_none(v)
        return None if v is None else whole_number(v)

    @model_validator(mode="after")
    def _plan_of_this_indicator(self) -> Action:
        if self.plan_step is not None and self.plan_step.indicator != self.indicator:
            raise ValueError(
                tr(
                    "plan_step is a step of indicator {step}, the action is for indicator {indicator}",
                    step=self.plan_step.indicator,
                    indicator=self.indicator,
                )
            )
        return self

    @property
    def is_open(self) -> bool:
        """Still to be done (open or in progress)."""
        return self.status in OPEN_STATUSES

    def overdue(self, as_of: dt.date) -> bool:
        """Open, with a due date before `as_of`."""
        return self.is_open and self.due is not None and self.due < as_of

    @property
    def aim(self) -> int | None:
        """The level this action is meant to reach: its own target, else its plan step's."""
        if self.target_level is not None:
            return self.target_level
        return self.plan_step.level if self.plan_step is not None else None


# Fields a meeting's report may change; `id`, `indicator`, `unit` and `created` are the entry's identity.
UPDATABLE = ("kendala", "rencana_aksi", "pic", "due", "status", "target_level", "plan_step")


@dataclass(frozen=True)
class MergeCounts:
    """What a merge did: entries added, entries changed, entries given again unchanged."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


class ActionLog(StrictModel):
    """Every action of a city's monitoring cycle, ids unique, in the order they were agreed."""

    _error: ClassVar[type[SpbeError]] = ActionError

    entries: tuple[Action, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> ActionLog:
        seen: set[str] = set()
        for a in self.entries:
            if a.id in seen:
                raise ValueError(tr("action id {id!r} appears twice", id=a.id))
            seen.add(a.id)
        return self

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Action]:  # type: ignore[override]  # entries, not pydantic's fields
        return iter(self.entries)

    def get(self, action_id: str) -> Action | None:
        for a in self.entries:
            if a.id == action_id:
                return a
        return None

    def ids(self) -> set[str]:
        return {a.id for a in self.entries}

    def merge(self, incoming: Iterable[Action], *, meeting: str | None = None) -> ActionLog:
        """This log updated by `incoming` (a later meeting's entries): an entry whose id is known
        updates that entry, a field left empty (None) keeping its value and `created` staying the
        first meeting's; an unknown id is added at the end. Never a duplicate. `meeting`, when
        given, is the `updated` of every entry that changed. An id reused for another indicator or
        unit is an error (the id names one action, for good)."""
        return self.merge_counted(incoming, meeting=meeting)[0]

    def merge_counted(self, incoming: Iterable[Action], *, meeting: str | None = None) -> tuple[ActionLog, MergeCounts]:
        """`merge`, and what it did."""
        order = [a.id for a in self.entries]
        by_id = {a.id: a for a in self.entries}
        added = updated = unchanged = 0
        batch: set[str] = set()
        for new in incoming:
            if new.id in batch:
                raise ActionError(tr("action id {id!r} is given twice in one update", id=new.id), field="id")
            batch.add(new.id)
            old = by_id.get(new.id)
            if old is None:
                by_id[new.id] = new if meeting is None else new.replace(updated=meeting)
                order.append(new.id)
                added += 1
                continue
            if (old.indicator, old.unit) != (new.indicator, new.unit):
                raise ActionError(
                    tr(
                        "action {id!r} is for indicator {old_indicator} of {old_unit}, not indicator {indicator}"
                        " of {unit}",
                        id=new.id,
                        old_indicator=old.indicator,
                        old_unit=old.unit,
                        indicator=new.indicator,
                        unit=new.unit,
                    ),
                    field="id",
                )
            changes = {k: getattr(new, k) for k in UPDATABLE if getattr(new, k) is not None}
            if "status" in changes and new.status == "open" and old.status != "open" and not _set(new, "status"):
                del changes["status"]  # the default, not a report: keep the status the log has
            if all(getattr(old, k) == v for k, v in changes.items()):
                unchanged += 1
                continue
            by_id[new.id] = old.replace(**changes, updated=meeting or new.updated)
            updated += 1
        log = ActionLog(entries=tuple(by_id[i] for i in order))
        return log, MergeCounts(added, updated, unchanged)

    def select(
        self,
        *,
        unit: str | None = None,
        indicator: str | None = None,
        status: Sequence[str] | None = None,
        overdue: bool = False,
        as_of: dt.date | None = None,
    ) -> list[Action]:
        """The entries of a unit, an indicator, with one of the statuses, and (with `overdue`)
        open past their due date as of `as_of` (default today)."""
        day = as_of or dt.date.today()
        return [
            a
            for a in self.entries
            if (unit is None or a.unit == unit)
            and (indicator is None or a.indicator == indicator)
            and (status is None or a.status in status)
            and (not overdue or a.overdue(day))
        ]

    def open(self) -> list[Action]:
        return [a for a in self.entries if a.is_open]

    def link_plan(self, steps: Iterable[PlanLink]) -> ActionLog:
        """Link each open entry without a plan step to the plan's step for its indicator (the
        highest level the plan reaches for it), and give it that level as its aim when it has none."""
        best: dict[str, PlanLink] = {}
        for s in steps:
            if s.indicator not in best or s.level > best[s.indicator].level:
                best[s.indicator] = s
        out = []
        for a in self.entries:
            step = best.get(a.indicator)
            if a.is_open and a.plan_step is None and step is not None:
                a = a.replace(plan_step=step, target_level=a.target_level if a.target_level is not None else step.level)
            out.append(a)
        return ActionLog(entries=tuple(out))

    def table(self, actions: Sequence[Action] | None = None, *, as_of: dt.date | None = None) -> ActionTable:
        """A `Result` listing `actions` (default: every entry), with overdue marked as of `as_of`."""
        return ActionTable(tuple(self.entries if actions is None else actions), as_of or dt.date.today())

    # files

    def to_yaml(self) -> str:
        import yaml

        data = {"entries": [_record(a) for a in self.entries]}
        return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    def to_csv(self) -> str:
        from ..io.writers import text_cell

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for a in self.entries:
            flat = _flat(a)
            w.writerow([text_cell(flat[c]) for c in COLUMNS])
        return buf.getvalue()

    def save(self, path: str | PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the log as YAML, CSV or Excel (by the suffix), atomically; never over an existing
        file unless `overwrite`. `load_actions` reads it back to an equal log."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in (".yaml", ".yml"):
            text = self.to_yaml()
        elif suffix == ".csv":
            text = self.to_csv()
        elif suffix == ".xlsx":
            from .actions_xlsx import save_xlsx

            save_xlsx(self, p, overwrite=overwrite)
            return p
        else:
            raise ActionError(
                tr("unknown file type {suffix!r}", suffix=suffix or "(none)"), file=str(p), allowed=SUFFIXES
            )
        return write_atomic(p, text, overwrite=overwrite)


def _set(a: Action, name: str) -> bool:
    return name in a.model_fields_set


def _record(a: Action) -> dict[str, Any]:
    """An entry for YAML: set fields only, dates as ISO text."""
    out: dict[str, Any] = {}
    for k, v in a.model_dump(mode="json", exclude_none=True).items():
        out[k] = v
    return out


SUFFIXES = ".yaml, .yml, .csv, .xlsx"

COLUMNS = (
    "id",
    "indicator",
    "unit",
    "kendala",
    "rencana_aksi",
    "pic",
    "due",
    "status",
    "target_level",
    "created",
    "updated",
    "plan_indicator",
    "plan_level",
    "plan_step",
)


def _flat(a: Action) -> dict[str, str]:
    step = a.plan_step
    return {
        "id": a.id,
        "indicator": a.indicator,
        "unit": a.unit,
        "kendala": a.kendala or "",
        "rencana_aksi": a.rencana_aksi or "",
        "pic": a.pic or "",
        "due": a.due.isoformat() if a.due else "",
        "status": a.status,
        "target_level": "" if a.target_level is None else str(a.target_level),
        "created": a.created,
        "updated": a.updated,
        "plan_indicator": step.indicator if step else "",
        "plan_level": str(step.level) if step else "",
        "plan_step": "" if step is None or step.step is None else str(step.step),
    }


def load_actions(path: str | PathLike[str]) -> ActionLog:
    """Read an action log (YAML, CSV or Excel); errors name the file, the row (CSV line, sheet row
    or entry number) and the field."""
    p = Path(path)
    source = str(p)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        from .actions_xlsx import xlsx_records

        return _build(xlsx_records(p), source)
    text = read_text(p, error=ActionError)
    if suffix in (".yaml", ".yml"):
        data = load_yaml_text(text, source=source, error=ActionError)
        if data is None:
            return ActionLog()
        if not isinstance(data, Mapping) or set(data) - {"entries"}:
            raise ActionError(tr("expected a mapping with `entries`, a list of actions"), file=source)
        raw = data.get("entries") or []
        if not isinstance(raw, list):
            raise ActionError(tr("`entries` must be a list of actions"), file=source, field="entries")
        return _build(((n, item) for n, item in enumerate(raw, 1)), source)
    if suffix == ".csv":
        return _build(_csv_records(text, source), source)
    raise ActionError(tr("unknown file type {suffix!r}", suffix=suffix or "(none)"), file=source, allowed=SUFFIXES)


def _build(records: Iterable[tuple[int, Any]], source: str) -> ActionLog:
    entries: list[Action] = []
    first: dict[str, int] = {}
    for n, item in records:
        if not isinstance(item, Mapping) or not all(isinstance(k, str) for k in item):
            raise ActionError(tr("an action must be a mapping of field names to values"), file=source, row=n)
        try:
            action = Action(**item)
        except ActionError as exc:
            raise ActionError(one_line(exc.message), file=source, row=n, field=exc.field, allowed=exc.allowed) from None
        if action.id in first:
            raise ActionError(
                tr("action id {id!r} appears twice (first at row {first})", id=action.id, first=first[action.id]),
                file=source,
                row=n,
                field="id",
            )
        first[action.id] = n
        entries.append(action)
    return ActionLog(entries=tuple(entries))


def record_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """An entry from a flat row (the columns `COLUMNS`; empty cells left out): the plan columns
    become its `plan_step`."""

    def value(key: str) -> Any:
        v = row.get(key)
        if isinstance(v, str):
            v = v.strip()
        return None if v is None or v == "" else v

    rec: dict[str, Any] = {k: v for k, v in row.items() if not k.startswith("plan_") and value(k) is not None}
    if value("plan_indicator") is not None or value("plan_level") is not None:
        rec["plan_step"] = {
            "indicator": value("plan_indicator") or row.get("indicator", ""),
            "level": value("plan_level"),
            "step": value("plan_step"),
        }
    return rec


def _csv_records(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    from ..io.readers import text_cell

    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    try:
        for raw in reader:
            n = reader.line_num
            if not any(c.strip() for c in raw):
                continue
            if header is None:
                header = [h.strip().lower() for h in raw]
                for h in header:
                    if h not in COLUMNS:
                        raise ActionError(tr("unknown column {h!r}", h=plain(h)), file=source, row=n, allowed=COLUMNS)
                    if header.count(h) > 1:
                        raise ActionError(tr("column {h!r} appears twice", h=h), file=source, row=n)
                for need in ("id", "indicator", "unit", "created", "updated"):
                    if need not in header:
                        raise ActionError(tr("missing column {col!r}", col=need), file=source, row=n, allowed=COLUMNS)
                continue
            if len(raw) > len(header) and any(c.strip() for c in raw[len(header) :]):
                raise ActionError(
                    tr("{n_raw} cells but {n_header} columns", n_raw=len(raw), n_header=len(header)),
                    file=source,
                    row=n,
                )
            yield n, record_of({h: text_cell(c) for h, c in zip(header, raw, strict=False)})
    except csv.Error as exc:
        raise ActionError(tr("invalid CSV: {exc}", exc=exc), file=source, row=reader.line_num) from None


@dataclass(frozen=True)
class ActionTable(Result):
    """Actions as a table (`spbe actions`), overdue ones marked as of a date."""

    actions: tuple[Action, ...]
    as_of: dt.date

    #: English names, translated where shown (`spbe actions --lang id`: tenggat, target tingkat, PIC, ...)
    headers = (
        N_("id"),
        N_("indicator"),
        N_("unit"),
        N_("status"),
        N_("due date"),
        N_("overdue"),
        N_("level aimed at"),
        N_("PIC"),
        N_("kendala"),
        N_("rencana aksi"),
    )

    def rows(self) -> list[list[Cell]]:
        """Per action: id, indicator, unit, status (translated), due date, "!" when overdue, the level
        it aims at, PIC, kendala and rencana aksi."""
        return [
            [
                a.id,
                a.indicator,
                a.unit,
                translate(STATUS_LABELS[a.status]),
                a.due.isoformat() if a.due else "",
                "!" if a.overdue(self.as_of) else "",
                "" if a.aim is None else str(a.aim),
                a.pic or "",
                a.kendala or "",
                a.rencana_aksi or "",
            ]
            for a in self.actions
        ]

    @property
    def overdue(self) -> list[Action]:
        return [a for a in self.actions if a.overdue(self.as_of)]

    def summary(self) -> str:
        n_open = sum(1 for a in self.actions if a.is_open)
        return tr(
            "{n} action(s): {n_open} open, {n_overdue} overdue as of {as_of}",
            n=len(self.actions),
            n_open=n_open,
            n_overdue=len(self.overdue),
            as_of=self.as_of.isoformat(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "actions": [{**_record(a), "overdue": a.overdue(self.as_of)} for a in self.actions],
        }
