"""The engine's accountability operations: per unit (OPD) responsibility and one subject's series
over the years. Exposed as `Engine.accountability` and `Engine.series`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from os import PathLike
from typing import TYPE_CHECKING

from ..accountability.ownership import Ownership, Targets, check_ownership, check_targets, load_ownership, load_targets
from ..errors import AssessmentError
from ..i18n import tr
from ..model.assessment import Assessment
from ..scoring.score import MissingPolicy

if TYPE_CHECKING:
    from ..accountability.monitoring import Series
    from ..accountability.report import Accountability
    from ..engine import Engine
    from ..scoring.compiled import CompiledCatalogue
    from .whatif import Target

__all__ = ["accountability", "series"]


def _targets(targets: str | PathLike[str] | Targets | None, cc: CompiledCatalogue) -> Targets | None:
    ids = list(cc.ids)
    lo, hi = dict(zip(ids, cc.lo, strict=True)), dict(zip(ids, cc.hi, strict=True))
    if isinstance(targets, Targets):
        return check_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
    if targets is not None:
        return load_targets(targets, indicator_ids=ids, lo=lo, hi=hi)
    return None


def accountability(
    engine: Engine,
    assessment: Assessment,
    *,
    owners: str | PathLike[str] | Ownership,
    targets: str | PathLike[str] | Targets | None = None,
    as_of: dt.date | None = None,
    plan_target: Target | None = None,
    missing: MissingPolicy = None,
) -> Accountability:
    """Per unit (OPD): its indicators, levels and targets, index points at stake, evidence status,
    findings and its share of the planner's steps; units ranked by points at stake. The plan aims
    at `plan_target`, else the next target index after the period (from `targets`), else the next
    band. During monitoring, `missing` (e.g. "minimum") scores indicators not yet assessed."""
    from ..accountability.report import build

    cc = engine.compiled(assessment.catalogue)
    ids = list(cc.ids)
    if isinstance(owners, Ownership):
        own = check_ownership(owners, ids, catalogue=assessment.catalogue)
    else:
        own = load_ownership(owners, catalogue=assessment.catalogue, indicator_ids=ids)
    tg = _targets(targets, cc)
    result = engine.score(assessment, missing=missing)
    goal: Target | None = plan_target
    upcoming = tg.next_index_target(assessment.period) if tg is not None and plan_target is None else None
    if upcoming is not None:
        goal = upcoming[1]
    if goal is None:
        bands = list(cc.catalogue.bands)
        pos = bands.index(cc.band(result.numerator, cc.total))
        goal = bands[pos - 1].predikat if pos > 0 else None  # the next band, by its name
    plan = engine.plan(assessment, goal, missing=missing) if goal is not None else None
    return build(result, own, tg, engine.check(assessment, as_of=as_of), plan)


def series(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    targets: str | PathLike[str] | Targets | None = None,
    missing: MissingPolicy = None,
) -> Series:
    """One subject's assessments across periods, in period order, against a target path. Points made
    under an older catalogue continue through the crosswalk into the latest one (marked migrated)."""
    from ..accountability.monitoring import Series, SeriesPoint

    items = sorted(assessments, key=lambda a: a.period)
    if not items:
        raise AssessmentError(tr("a series needs at least one assessment"), field="assessments")
    subjects = {a.subject for a in items}
    if len(subjects) > 1:
        raise AssessmentError(
            tr(
                "a series (and a report) follows one subject across periods, got {n_subjects} subjects: {subjects}",
                n_subjects=len(subjects),
                subjects=sorted(subjects)[:3],
            ),
            field="subject",
        )
    latest = items[-1].catalogue
    tg = _targets(targets, engine.compiled(latest))
    points = []
    for a in items:
        migrated = engine.migrate(a, to=latest) if a.catalogue != latest else None
        target = tg.index_target(a.period) if tg else None
        points.append(SeriesPoint(a.period, engine.score(a, missing=missing), migrated, target))
    return Series(items[-1].subject, latest, tuple(points))
