"""The monitoring snapshot: the units' returned workbooks merged into one assessment, with where each
reported value came from (provenance), every conflict found, and the action log.

Why an assessment: every command and `load_assessments` reads the snapshot as usual. Its `levels` are
the base assessment's (what was last assessed); the levels the units report go into its
`self_assessment` stage (penilaian mandiri), so scoring, the brief and the dashboard can compare both.
What an assessment cannot hold sits beside it, in two files next to the snapshot:

- `<name>.monev.yaml`: the record (`SnapshotRecord`): meeting, the base's fingerprint, one `Report`
  per indicator row a unit filled in, the conflicts, and the cell counts;
- `<name>.actions.yaml`: the action log after this meeting (`ActionLog`).

Conflicts are reported, never resolved silently: a level two units report differently is merged for
neither (the indicator keeps no reported level), and the counts account for every filled cell: read =
merged + in conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from pydantic import Field

from .._yaml import load_yaml_text, one_line, read_text
from ..errors import SpbeError
from ..i18n import N_, tr, translate
from ..io.atomic import OverwriteRefused
from ..model._base import StrictModel
from ..model.assessment import Assessment
from ..results import Cell, Result
from .actions import ActionLog, load_actions

if TYPE_CHECKING:
    from ..accountability.ownership import Ownership
    from ..resolver import Resolver

__all__ = [
    "CONFLICT_KINDS",
    "Conflict",
    "Counts",
    "Report",
    "Snapshot",
    "SnapshotError",
    "SnapshotRecord",
    "fingerprint",
    "load_snapshot",
    "sidecars",
    "write_snapshot",
]

RECORD_FORMAT = "spbe_engine.monev-snapshot"
RECORD_VERSION = 1

ConflictKind = Literal[
    "level_disagreement",
    "support_change",
    "other_catalogue",
    "other_period",
    "other_base",
    "edited_outside",
    "missing_workbook",
    "duplicate_workbook",
    "unknown_unit",
]
CONFLICT_KINDS: tuple[str, ...] = get_args(ConflictKind)  # the kinds in order, spelled once

#: What each kind of conflict means, for people (translated where shown).
CONFLICT_LABELS = {
    "level_disagreement": N_("units report different levels"),
    "support_change": N_("a supporting unit changes a level its lead did not"),
    "other_catalogue": N_("workbook for another catalogue"),
    "other_period": N_("workbook for another period"),
    "other_base": N_("workbook made from another base assessment"),
    "edited_outside": N_("workbook edited outside its fillable cells"),
    "missing_workbook": N_("no workbook returned"),
    "duplicate_workbook": N_("more than one workbook for the unit"),
    "unknown_unit": N_("workbook for a unit not in the ownership"),
}


class SnapshotError(SpbeError):
    """A snapshot, its record or the workbooks being collected are malformed."""


class SnapshotExists(SnapshotError, OverwriteRefused):
    """A file of the snapshot exists and `overwrite` was not given (nothing was written)."""


class Report(StrictModel):
    """What one unit reported for one indicator (one row of its workbook): provenance."""

    _error: ClassVar[type[SpbeError]] = SnapshotError

    indicator: str
    unit: str
    role: Literal["lead", "support"]
    file: str
    row: int
    level: int | None = None  # the progress level the unit reports (self-assessed)
    evidence: str | None = None  # evidence submitted: names or links, as typed
    action: str | None = None  # the id of the action-log entry this row filled
    cells: int = 0  # filled cells of the row read
    merged: int = 0  # of those, merged into the snapshot or the action log
    conflict: int = 0  # of those, held back by a conflict (cells = merged + conflict)


class Conflict(StrictModel):
    """A conflict met while collecting, with the units, indicator, file and cells it concerns."""

    _error: ClassVar[type[SpbeError]] = SnapshotError

    kind: ConflictKind
    unit: str | None = None  # the unit whose workbook it is (None for a conflict between units)
    indicator: str | None = None
    levels: dict[str, int] = Field(default_factory=dict)  # unit -> level reported (level conflicts)
    file: str | None = None
    cells: tuple[str, ...] = ()  # e.g. "Laporan!H7"
    detail: str | None = None  # more words (e.g. the period the workbook was made for)

    def message(self) -> str:
        """One line in the current language."""
        text = translate(CONFLICT_LABELS[self.kind])
        where = []
        if self.indicator is not None:
            where.append(tr("indicator {indicator}", indicator=self.indicator))
        if self.unit is not None:
            where.append(self.unit)
        if self.levels:
            where.append(", ".join(f"{u}: {lv}" for u, lv in self.levels.items()))
        if self.cells:
            shown = ", ".join(self.cells[:5]) + (" ..." if len(self.cells) > 5 else "")
            where.append(tr("cells {cells}", cells=shown))
        if self.detail:
            where.append(self.detail)
        return text + (" (" + "; ".join(where) + ")" if where else "")


class Counts(StrictModel):
    """The accounting of a collection: every filled cell read is merged or in conflict."""

    _error: ClassVar[type[SpbeError]] = SnapshotError

    workbooks: int = 0
    units_expected: int = 0
    units_reported: int = 0
    cells_read: int = 0
    cells_merged: int = 0
    cells_in_conflict: int = 0
    levels_merged: int = 0  # indicators with a reported level in the snapshot
    actions_added: int = 0
    actions_updated: int = 0


class SnapshotRecord(StrictModel):
    """The file beside a snapshot (`<name>.monev.yaml`)."""

    _error: ClassVar[type[SpbeError]] = SnapshotError

    format: Literal["spbe_engine.monev-snapshot"] = "spbe_engine.monev-snapshot"
    version: Literal[1] = 1
    meeting: str
    catalogue: str
    subject: str
    period: str
    base_fingerprint: str
    reports: tuple[Report, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    counts: Counts = Field(default_factory=Counts)


def fingerprint(assessment: Assessment) -> str:
    """sha256 of the assessment's content (canonical JSON): the same whatever file format held it, so
    a workbook can say which base it was made from."""
    data = assessment.model_dump(mode="json", exclude_defaults=True)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Snapshot(Result):
    """A monitoring snapshot: the merged assessment, its record (provenance, conflicts, counts) and
    the action log after the meeting."""

    assessment: Assessment
    record: SnapshotRecord
    actions: ActionLog

    @property
    def meeting(self) -> str:
        return self.record.meeting

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.record.conflicts

    @property
    def reports(self) -> tuple[Report, ...]:
        return self.record.reports

    @property
    def counts(self) -> Counts:
        return self.record.counts

    @property
    def reported_levels(self) -> dict[str, int]:
        """The levels merged from the units' reports (the snapshot's `self_assessment` stage)."""
        return dict(self.assessment.stages.get("self_assessment", {}))

    def provenance(self, indicator: str) -> tuple[Report, ...]:
        """Who reported what for `indicator`."""
        return tuple(r for r in self.record.reports if r.indicator == indicator)

    headers = ("indicator", "base level", "reported level", "reported by", "conflicts")

    def rows(self) -> list[list[Cell]]:
        """Per indicator that a unit reported on: the base level, the merged reported level (empty
        when none or in conflict), `unit=level` per report, and the kinds of its conflicts."""
        reported = self.reported_levels
        order = list(dict.fromkeys(r.indicator for r in self.record.reports))
        out: list[list[Cell]] = []
        for iid in order:
            by = [f"{r.unit}={'' if r.level is None else r.level}" for r in self.provenance(iid)]
            kinds = sorted({c.kind for c in self.record.conflicts if c.indicator == iid})
            base = self.assessment.levels.get(iid)
            out.append(
                [
                    iid,
                    "" if base is None else str(base),
                    str(reported[iid]) if iid in reported else "",
                    " ".join(by),
                    ", ".join(kinds),
                ]
            )
        return out

    def summary(self) -> str:
        c = self.record.counts
        return tr(
            "{units_reported} of {units_expected} unit(s) reported; {cells_read} cell(s) read, {cells_merged}"
            " merged, {cells_in_conflict} in conflict; {n_conflicts} conflict(s); {levels} level(s) merged",
            units_reported=c.units_reported,
            units_expected=c.units_expected,
            cells_read=c.cells_read,
            cells_merged=c.cells_merged,
            cells_in_conflict=c.cells_in_conflict,
            n_conflicts=len(self.record.conflicts),
            levels=c.levels_merged,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment.model_dump(mode="json", exclude_defaults=True),
            "record": self.record.model_dump(mode="json"),
            "actions": self.actions.model_dump(mode="json", exclude_none=True),
        }


def sidecars(path: str | PathLike[str]) -> tuple[Path, Path]:
    """The record and action-log files beside snapshot `path`: `<stem>.monev.yaml`, `<stem>.actions.yaml`."""
    p = Path(path)
    return p.with_name(f"{p.stem}.monev.yaml"), p.with_name(f"{p.stem}.actions.yaml")


def write_snapshot(snapshot: Snapshot, path: str | PathLike[str], *, overwrite: bool = False) -> dict[str, Path]:
    """Write the snapshot assessment (YAML or JSON by the suffix) and its two files beside it, each
    atomically; none over an existing file unless `overwrite` (checked for all three first)."""
    import os

    import yaml

    from ..io.atomic import EXISTS, write_atomic
    from ..io.writers import write_assessments

    p = Path(path)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise SnapshotError(
            tr("a snapshot is written as YAML or JSON, got {suffix!r}", suffix=p.suffix or "(none)"),
            file=str(p),
            allowed=".yaml, .yml, .json",
        )
    record_path, actions_path = sidecars(p)
    if not overwrite:
        for q in (p, record_path, actions_path):
            if os.path.lexists(q):
                raise SnapshotExists(translate(EXISTS), file=str(q))
    write_assessments(p, [snapshot.assessment], overwrite=overwrite)
    record = yaml.safe_dump(snapshot.record.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    write_atomic(record_path, record, overwrite=overwrite)
    snapshot.actions.save(actions_path, overwrite=overwrite)
    return {"snapshot": p, "record": record_path, "actions": actions_path}


def load_snapshot(path: str | PathLike[str], *, engine: Resolver | None = None) -> Snapshot:
    """Read a snapshot written by `write_snapshot` (the assessment and the two files beside it)."""
    from ..io.readers import load_assessments

    p = Path(path)
    items = load_assessments(p, engine=engine)
    if len(items) != 1:
        raise SnapshotError(tr("a snapshot holds one assessment, found {n}", n=len(items)), file=str(p))
    record_path, actions_path = sidecars(p)
    data = load_yaml_text(read_text(record_path, error=SnapshotError), source=str(record_path), error=SnapshotError)
    if not isinstance(data, dict):
        raise SnapshotError(tr("expected a snapshot record (a mapping)"), file=str(record_path))
    try:
        record = SnapshotRecord(**data)
    except SnapshotError as exc:
        raise SnapshotError(one_line(exc.message), file=str(record_path), field=exc.field) from None
    actions = load_actions(actions_path) if actions_path.exists() else ActionLog()
    return Snapshot(items[0], record, actions)


def collect(
    sources: Sequence[str | PathLike[str]],
    *,
    owners: str | PathLike[str] | Ownership,
    base: Assessment,
    engine: Resolver | None = None,
    actions: ActionLog | None = None,
    meeting: str | None = None,
) -> Snapshot:
    """Merge the returned unit workbooks (files, or folders of .xlsx files) into a snapshot of `base`.
    See `spbe_engine.monev.collect` for the rules."""
    from .collect import collect as _collect

    return _collect(sources, owners=owners, base=base, engine=engine, actions=actions, meeting=meeting)
