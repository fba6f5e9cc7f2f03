"""What the meeting brief and the dashboard share: the actions as the meeting reads them, projected
levels (every open action reaching its level, a unit reaching its targets) and the province ranking.

Why one place: the brief prints a projected index and the dashboard computes the same projection in
the browser; both must apply the same rule (a level only rises: an action or target below the current
level changes nothing) and rank against the same peers in the same way (shared ranks on the
published 2-decimal index, as `Engine.rank` and the official tables do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exact import hundredths  # the peers' ranking key (shown by the brief); kept in this module's names

if TYPE_CHECKING:
    from os import PathLike

    from ..accountability.ownership import Ownership, Targets
    from ..engine import Engine
    from ..model.assessment import Assessment
    from .snapshot import Conflict, Snapshot

__all__ = [
    "OPEN_STATUSES",
    "ActionView",
    "MeetingSnapshot",
    "PeerContext",
    "action_views",
    "hundredths",
    "merged_targets",
    "open_snapshot",
    "peer_context",
    "projected_levels",
    "target_levels",
]

#: Action statuses that still count as open (the work is not finished nor abandoned).
OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class ActionView:
    """One action of the log as the meeting reads it."""

    id: str
    indicator: str
    unit: str
    kendala: str
    rencana: str
    pic: str
    due: dt.date | None
    status: str
    level: int | None  # the level the action is meant to reach

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, as_of: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < as_of


def _status(value: Any) -> str:
    text = str(getattr(value, "value", value) or "open").strip().lower().replace(" ", "_").replace("-", "_")
    return text


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def action_views(actions: Iterable[Any]) -> tuple[ActionView, ...]:
    """The entries of an action log (its models, or mappings with the same fields) as `ActionView`s."""
    out = []
    for a in actions:
        if isinstance(a, ActionView):
            out.append(a)
            continue

        def get(name: str, *alts: str, a: Any = a) -> Any:
            for key in (name, *alts):
                value = a.get(key) if isinstance(a, Mapping) else getattr(a, key, None)
                if value is not None:
                    return value
            return None

        level = getattr(a, "aim", None) if not isinstance(a, Mapping) else None  # the action log's own rule
        if level is None:
            level = get("level", "target_level", "aim")
        out.append(
            ActionView(
                id=str(get("id") or len(out) + 1),
                indicator=str(get("indicator")),
                unit=str(get("unit") or ""),
                kendala=str(get("kendala", "problem") or ""),
                rencana=str(get("rencana_aksi", "rencana", "action", "solution") or ""),
                pic=str(get("pic") or ""),
                due=_date(get("due", "due_date")),
                status=_status(get("status")),
                level=None if level is None else int(level),
            )
        )
    return tuple(out)


def projected_levels(
    levels: Mapping[str, int], actions: Iterable[ActionView], unit: str | None = None
) -> dict[str, int]:
    """The levels if every open action (of `unit`, or of every unit) reaches its level; a level never falls."""
    out = dict(levels)
    for a in actions:
        if a.is_open and a.level is not None and (unit is None or a.unit == unit) and a.indicator in out:
            out[a.indicator] = max(out[a.indicator], a.level)
    return out


def merged_targets(assessment: Assessment, targets: Targets | None) -> dict[str, int]:
    """Target level per indicator: the assessment's `target` stage, overridden by a targets file (as the
    accountability report reads them)."""
    out = dict(assessment.stages.get("target", {}))
    if targets is not None:
        out.update(targets.levels)
    return out


def target_levels(
    levels: Mapping[str, int], targets: Mapping[str, int], ownership: Ownership, unit: str | None = None
) -> dict[str, int]:
    """The levels if `unit` (or every unit) reaches the target levels (`merged_targets`) of the indicators
    it leads; a level never falls."""
    out = dict(levels)
    for r in ownership.indicators:
        target = targets.get(r.indicator)
        if target is not None and (unit is None or r.lead == unit) and r.indicator in out:
            out[r.indicator] = max(out[r.indicator], target)
    return out


@dataclass(frozen=True)
class PeerContext:
    """The peers a city is ranked among: its province's agencies (or every peer, without a province tag)."""

    group: str | None  # the province, when the subject has one
    period: str
    peers: tuple[tuple[str, int, str], ...]  # (subject, index in hundredths, predikat), best first

    def rank(self, index_hundredths: int) -> tuple[int, int]:
        """(rank, group size) of an index among the peers: ties share a rank (1, 2, 2, 4)."""
        return 1 + sum(1 for _, v, _ in self.peers if v > index_hundredths), len(self.peers) + 1


def peer_context(
    engine: Engine, subject: Assessment, peers: Sequence[Assessment], missing: str | int | None = None
) -> PeerContext | None:
    """The subject's provincial peers (tag `province`), scored, in the snapshot's period when they have it,
    else their latest period. None when no peer is left."""
    province = subject.tags.get("province")
    pool = [
        p
        for p in peers
        if p.subject != subject.subject
        and p.catalogue == subject.catalogue
        and (province is None or p.tags.get("province", "").casefold() == province.casefold())
    ]
    if not pool:
        return None
    periods = {p.period for p in pool}
    period = subject.period if subject.period in periods else max(periods)
    chosen = [p for p in pool if p.period == period]
    results = engine.score_many(chosen, missing=missing)
    rows = sorted(
        ((r.subject, hundredths(r.numerator, r.compiled.total), r.predikat) for r in results),
        key=lambda x: (-x[1], x[0]),
    )
    return PeerContext(province, period, tuple(rows))


@dataclass(frozen=True)
class MeetingSnapshot:
    """A snapshot as the meeting reads it: the levels as the units reported them (the base levels with
    the merged reports laid over them), the base, the collection record when there is one, the actions."""

    assessment: Assessment  # as reported: what "now" means in the meeting
    base: Assessment  # the levels before the units reported
    snapshot: Snapshot | None  # None for a plain assessment file (no collection record beside it)
    actions: tuple[ActionView, ...]

    @property
    def meeting(self) -> str | None:
        return None if self.snapshot is None else self.snapshot.meeting

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return () if self.snapshot is None else self.snapshot.conflicts


def open_snapshot(
    engine: Engine, path: str | PathLike[str], *, actions: str | PathLike[str] | None = None
) -> MeetingSnapshot:
    """Read a snapshot written by `spbe collect` (with its record and action log), or any assessment file
    holding one assessment; `actions` (an action log file) replaces the log beside the snapshot."""
    from ..errors import AssessmentError
    from ..i18n import tr
    from ..io.readers import load_assessments
    from .actions import load_actions
    from .snapshot import load_snapshot, sidecars

    record, _ = sidecars(path)
    snap: Snapshot | None = None
    if record.exists():
        snap = load_snapshot(path, engine=engine)
        base = snap.assessment
        log: Iterable[Any] = snap.actions
    else:
        items = load_assessments(Path(path), engine=engine)
        if len(items) != 1:
            raise AssessmentError(tr("a snapshot holds one assessment, found {n}", n=len(items)), file=str(path))
        base = items[0]
        log = ()
    if actions is not None:
        log = load_actions(actions)
    reported = dict(base.stages.get("self_assessment", {})) if snap is not None else {}
    now = base.replace(levels={**base.levels, **reported}) if reported else base
    return MeetingSnapshot(now, base, snap, action_views(log))
