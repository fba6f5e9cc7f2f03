"""The meeting brief (bahan rapat): what a monev meeting discusses, for the whole city and per unit.

Computed once here (`build_brief`) and written by three renderers (HTML and Markdown in
`brief_render`, Word in `brief_docx`): index now and projected (every open action reaching its
level), progress since the previous meeting (level changes, evidence added), points at stake,
target gaps, open and overdue actions, conflicts from the collection, and the province ranking.
Every index is an `engine.score()` of a level vector, so the brief's numbers are the engine's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..accountability.report import points
from ..errors import SpbeError
from ..exact import exact_text
from ..i18n import tr, translate
from ..results import Cell, Result, shown
from .meeting import (
    ActionView,
    MeetingSnapshot,
    PeerContext,
    hundredths,
    merged_targets,
    open_snapshot,
    peer_context,
    projected_levels,
)

if TYPE_CHECKING:
    from ..accountability.ownership import Ownership, Targets, Unit
    from ..accountability.report import Accountability
    from ..engine import Engine
    from ..model.assessment import Assessment
    from ..scoring.result import ScoreResult
    from .snapshot import Conflict

__all__ = [
    "BRIEF_FILES",
    "Brief",
    "EvidenceAdded",
    "LevelChange",
    "TargetGap",
    "UnitBrief",
    "build_brief",
    "write_brief",
]

#: The files of a brief folder.
BRIEF_FILES = ("brief.html", "brief.md", "brief.docx")


@dataclass(frozen=True)
class LevelChange:
    """An indicator whose level changed since the previous meeting."""

    indicator: str
    name: str
    unit: str  # the lead unit
    before: int
    after: int


@dataclass(frozen=True)
class EvidenceAdded:
    """Evidence (data dukung) that appeared since the previous meeting."""

    indicator: str
    unit: str
    what: str


@dataclass(frozen=True)
class TargetGap:
    """An indicator below its target level, with the index points reaching it would add."""

    indicator: str
    name: str
    unit: str
    level: int
    target: int
    points: Fraction


@dataclass(frozen=True)
class UnitBrief:
    """One unit's part of the brief."""

    unit: Unit
    lead: tuple[str, ...]
    support: tuple[str, ...]
    at_stake_target: Fraction
    at_stake_max: Fraction
    projected: ScoreResult  # the city's index if this unit's open actions reach their levels
    gaps: tuple[TargetGap, ...]
    changes: tuple[LevelChange, ...]
    evidence: tuple[EvidenceAdded, ...]
    actions: tuple[ActionView, ...]  # open ones, overdue first
    overdue: tuple[ActionView, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def has_agenda(self) -> bool:
        """Whether the unit has anything for the meeting to discuss."""
        return bool(self.gaps or self.changes or self.evidence or self.actions or self.conflicts)


@dataclass(frozen=True)
class Brief(Result):
    """The meeting brief of a snapshot. As a table: one row per unit, ranked by points at stake."""

    now: ScoreResult
    projected: ScoreResult  # every open action reaching its level
    previous: ScoreResult | None
    meeting: str | None
    as_of: dt.date
    generated: dt.datetime
    index_target: tuple[str, Fraction] | None
    peers: PeerContext | None
    changes: tuple[LevelChange, ...]
    evidence: tuple[EvidenceAdded, ...]
    gaps: tuple[TargetGap, ...]
    actions: tuple[ActionView, ...]  # open, overdue first
    conflicts: tuple[Conflict, ...]
    units: tuple[UnitBrief, ...]
    counts: dict[str, int] | None  # the collection's accounting, when the snapshot has a record

    @property
    def overdue(self) -> tuple[ActionView, ...]:
        return tuple(a for a in self.actions if a.overdue(self.as_of))

    def rank(self, r: ScoreResult) -> tuple[int, int] | None:
        """(rank, group size) of a result among the provincial peers, None without peers."""
        if self.peers is None:
            return None
        return self.peers.rank(hundredths(r.numerator, r.compiled.total))

    headers = (
        "unit",
        "lead indicators",
        "points at stake (target)",
        "target gaps",
        "level changes",
        "open actions",
        "overdue actions",
        "conflicts",
        "projected index",
    )

    def rows(self) -> list[list[Cell]]:
        """Per unit: lead indicators, points at stake to the targets (4 decimals), counts of target gaps,
        level changes, open and overdue actions and conflicts, and the city's index if the unit's open
        actions succeed."""
        return [
            [
                u.unit.name,
                len(u.lead),
                points(u.at_stake_target),
                len(u.gaps),
                len(u.changes),
                len(u.actions),
                len(u.overdue),
                len(u.conflicts),
                u.projected.display,
            ]
            for u in self.units
        ]

    def summary(self) -> str:
        r, p = self.now, self.projected
        text = tr(
            "{subject} ({period}): index {now} ({predikat}); {projected} ({projected_predikat}) if every open"
            " action succeeds; {n_open} open action(s), {n_overdue} overdue",
            subject=r.subject,
            period=r.period,
            now=shown(r.fraction),
            predikat=r.predikat,
            projected=shown(p.fraction),
            projected_predikat=p.predikat,
            n_open=len(self.actions),
            n_overdue=len(self.overdue),
        )
        if self.previous is not None:
            text += tr("; previous meeting {previous}", previous=shown(self.previous.fraction))
        return text

    def to_dict(self) -> dict[str, Any]:
        """Exact indices (now, projected, previous), the target, the rank, and every list of the brief."""

        def score(r: ScoreResult | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"index": exact_text(r.fraction), "display": r.display, "predikat": r.predikat}

        def action(a: ActionView) -> dict[str, Any]:
            return {
                "id": a.id,
                "indicator": a.indicator,
                "unit": a.unit,
                "status": a.status,
                "due": None if a.due is None else a.due.isoformat(),
                "level": a.level,
                "overdue": a.overdue(self.as_of),
                "kendala": a.kendala,
                "rencana_aksi": a.rencana,
                "pic": a.pic,
            }

        def gap(g: TargetGap) -> dict[str, Any]:
            return {**g.__dict__, "points": exact_text(g.points)}

        return {
            "subject": self.now.subject,
            "period": self.now.period,
            "catalogue": self.now.catalogue,
            "meeting": self.meeting,
            "as_of": self.as_of.isoformat(),
            "now": score(self.now),
            "projected": score(self.projected),
            "previous": score(self.previous),
            "index_target": None
            if self.index_target is None
            else {"period": self.index_target[0], "index": exact_text(self.index_target[1])},
            "rank": self.rank(self.now),
            "rank_projected": self.rank(self.projected),
            "changes": [c.__dict__ for c in self.changes],
            "evidence": [e.__dict__ for e in self.evidence],
            "gaps": [gap(g) for g in self.gaps],
            "actions": [action(a) for a in self.actions],
            "conflicts": [c.model_dump(mode="json") for c in self.conflicts],
            "counts": self.counts,
            "units": [
                {
                    "unit": u.unit.id,
                    "name": u.unit.name,
                    "lead": list(u.lead),
                    "at_stake_target": exact_text(u.at_stake_target),
                    "at_stake_max": exact_text(u.at_stake_max),
                    "projected": score(u.projected),
                    "gaps": [gap(g) for g in u.gaps],
                    "changes": [c.__dict__ for c in u.changes],
                    "evidence": [e.__dict__ for e in u.evidence],
                    "actions": [action(a) for a in u.actions],
                    "conflicts": [c.model_dump(mode="json") for c in u.conflicts],
                }
                for u in self.units
            ],
        }


def _changes(
    now: Assessment, previous: Assessment | None, names: dict[str, str], lead: dict[str, str]
) -> list[LevelChange]:
    if previous is None:
        return []
    out = []
    for iid, level in now.levels.items():
        before = previous.levels.get(iid)
        if before is not None and before != level:
            out.append(LevelChange(iid, names.get(iid, ""), lead.get(iid, ""), before, level))
    return out


def _evidence(now: MeetingSnapshot, previous: MeetingSnapshot | None, lead: dict[str, str]) -> list[EvidenceAdded]:
    """Evidence items new in the assessment, and evidence the units reported in their workbooks that
    differs from what they reported before (all of it when there is no previous snapshot)."""
    out: list[EvidenceAdded] = []
    before_items = {} if previous is None else previous.assessment.evidence
    for iid, items in now.assessment.evidence.items():
        known = {e.id for e in before_items.get(iid, ())}
        out += [EvidenceAdded(iid, lead.get(iid, ""), e.id) for e in items if e.id not in known]
    if now.snapshot is not None:
        before_reports: dict[tuple[str, str], str | None] = {}
        if previous is not None and previous.snapshot is not None:
            before_reports = {(r.indicator, r.unit): r.evidence for r in previous.snapshot.reports}
        for r in now.snapshot.reports:
            if r.evidence and before_reports.get((r.indicator, r.unit)) != r.evidence:
                out.append(EvidenceAdded(r.indicator, r.unit, r.evidence))
    return out


def _open_first_overdue(actions: Iterable[ActionView], as_of: dt.date) -> tuple[ActionView, ...]:
    items = [a for a in actions if a.is_open]
    return tuple(sorted(items, key=lambda a: (not a.overdue(as_of), a.due or dt.date.max, a.indicator)))


def _key(iid: str) -> tuple[int, str]:
    return (int(iid), iid) if iid.isdigit() else (10**9, iid)


def build_brief(
    engine: Engine,
    snapshot: MeetingSnapshot,
    *,
    owners: str | PathLike[str] | Ownership,
    targets: str | PathLike[str] | Targets | None = None,
    previous: MeetingSnapshot | None = None,
    peers: Sequence[Assessment] = (),
    as_of: dt.date | None = None,
    missing: str | int | None = None,
    generated: dt.datetime | None = None,
) -> Brief:
    """The brief of `snapshot` (as `monev.meeting.open_snapshot` reads it)."""
    as_of = as_of or dt.date.today()
    now_a = snapshot.assessment
    acc: Accountability = engine.accountability(now_a, owners=owners, targets=targets, as_of=as_of, missing=missing)
    r = acc.result
    cc = r.compiled
    names = {i.id: i.name for i in cc.catalogue.indicators()}
    lead = {x.indicator: x.lead for x in acc.ownership.indicators}
    actions = snapshot.actions
    projected = engine.score(now_a.replace(levels=projected_levels(now_a.levels, actions)), missing=missing)
    prev_result = None
    if previous is not None:
        prev_result = engine.score(previous.assessment, missing=missing)
    changes = _changes(now_a, None if previous is None else previous.assessment, names, lead)
    evidence = _evidence(snapshot, previous, lead)
    target_levels = merged_targets(now_a, acc.targets)
    gaps = []
    for n, iid in enumerate(cc.ids):
        target = target_levels.get(iid)
        level = r.levels[n]
        if target is not None and target > level:
            points = Fraction((target - level) * cc.weights[n], cc.total)
            gaps.append(TargetGap(iid, names[iid], lead.get(iid, ""), level, target, points))
    gaps.sort(key=lambda g: (-g.points, _key(g.indicator)))
    open_actions = _open_first_overdue(actions, as_of)
    conflicts = snapshot.conflicts
    units = []
    for rep in acc.units:
        uid = rep.unit.id
        mine = {x.indicator for x in rep.lines}
        unit_actions = tuple(a for a in open_actions if a.unit == uid)
        levels = projected_levels(now_a.levels, actions, unit=uid)
        units.append(
            UnitBrief(
                unit=rep.unit,
                lead=tuple(x.indicator for x in rep.lines if x.role == "lead"),
                support=tuple(x.indicator for x in rep.lines if x.role == "support"),
                at_stake_target=rep.at_stake_target,
                at_stake_max=rep.at_stake_max,
                projected=engine.score(now_a.replace(levels=levels), missing=missing) if unit_actions else r,
                gaps=tuple(g for g in gaps if g.unit == uid),
                changes=tuple(c for c in changes if c.indicator in mine),
                evidence=tuple(e for e in evidence if e.unit == uid or (e.indicator in mine and not e.unit)),
                actions=unit_actions,
                overdue=tuple(a for a in unit_actions if a.overdue(as_of)),
                conflicts=tuple(
                    c for c in conflicts if c.unit == uid or uid in c.levels or (c.unit is None and c.indicator in mine)
                ),
            )
        )
    counts = None if snapshot.snapshot is None else snapshot.snapshot.counts.model_dump()
    return Brief(
        now=r,
        projected=projected,
        previous=prev_result,
        meeting=snapshot.meeting,
        as_of=as_of,
        generated=generated or dt.datetime.now(dt.UTC).replace(microsecond=0),
        index_target=acc.targets.next_index_target(now_a.period) if acc.targets is not None else None,
        peers=peer_context(engine, now_a, peers, missing) if peers else None,
        changes=tuple(changes),
        evidence=tuple(evidence),
        gaps=tuple(gaps),
        actions=open_actions,
        conflicts=conflicts,
        units=tuple(units),
        counts=counts,
    )


def write_brief(
    engine: Engine,
    snapshot: str | PathLike[str],
    *,
    owners: str | PathLike[str],
    out_dir: str | PathLike[str],
    previous: str | PathLike[str] | None = None,
    targets: str | PathLike[str] | None = None,
    actions: str | PathLike[str] | None = None,
    peers: Sequence[Assessment] = (),
    peer_files: Sequence[str | PathLike[str]] = (),
    lang: str = "id",
    as_of: dt.date | None = None,
    missing: str | int | None = None,
    overwrite: bool = False,
) -> dict[str, Path | str]:
    """Write brief.html, brief.md and brief.docx into `out_dir`; returns each format's path, or why
    it was skipped (the Word file needs python-docx: the `docx` extra). Existing brief files are
    replaced only with `overwrite`; the inputs are never written over."""
    from ..i18n import language
    from ..io.atomic import EXISTS, OverwriteRefused, protect, write_atomic
    from . import brief_render

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpbeError(tr("is a file, expected a folder for the brief"), file=str(out))
    inputs = [snapshot, owners, *(p for p in (previous, targets, actions) if p is not None), *peer_files]
    for name in BRIEF_FILES:
        protect(out / name, inputs)
        if not overwrite and os.path.lexists(out / name):
            raise OverwriteRefused(translate(EXISTS), file=str(out / name))
    with language(lang):  # an unknown language is refused before any work
        pass
    now = open_snapshot(engine, snapshot, actions=actions)
    before = open_snapshot(engine, previous) if previous is not None else None
    brief = build_brief(
        engine, now, owners=owners, targets=targets, previous=before, peers=peers, as_of=as_of, missing=missing
    )
    with language(lang):  # the documents speak `lang`; messages to the user keep the caller's language
        page = brief_render.html(brief)
        md = brief_render.markdown(brief)
        out.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path | str] = {}
        written["html"] = write_atomic(out / "brief.html", page.encode("utf-8"), overwrite=overwrite)
        written["md"] = write_atomic(out / "brief.md", md.encode("utf-8"), overwrite=overwrite)
        try:
            from .brief_docx import write_docx

            written["docx"] = write_docx(brief, out / "brief.docx", overwrite=overwrite)
        except ImportError:
            written["docx"] = tr("skipped: the Word file needs python-docx (pip install 'spbe_engine[docx]')")
    return written
