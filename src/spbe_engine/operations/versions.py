"""The engine's version operations: diff, migrate, transition. Exposed as `Engine.diff`,
`Engine.migrate`, `Engine.migrate_many` and `Engine.transition`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..model.assessment import Assessment
from ..scoring.score import MissingPolicy, check_levels

if TYPE_CHECKING:
    from ..engine import Engine
    from ..parallel import EngineSpec, Executor
    from ..versions.diff import CatalogueDiff
    from ..versions.migrate import Migration
    from ..versions.transition import Transition

__all__ = ["diff", "migrate", "migrate_many", "transition"]


def diff(engine: Engine, old: str, new: str) -> CatalogueDiff:
    """What changed from catalogue `old` to `new`: indicators added, removed, renamed, moved,
    reweighted, re-scaled, split or merged; groups added, removed, reweighted; bands."""
    import networkx as nx

    from ..versions.compose import version_graph
    from ..versions.diff import diff as diff_catalogues

    g = version_graph(engine.crosswalks())  # a broken crosswalk is an error, not "no crosswalk"
    linked = old in g and new in g and nx.has_path(g, old, new)
    composed = engine.crosswalk(old, new) if linked else None
    return diff_catalogues(engine.catalogue(old), engine.catalogue(new), composed)


def migrate(engine: Engine, assessment: Assessment, *, to: str) -> Migration:
    """Migrate an assessment to catalogue `to`: the new (partial) assessment, per-indicator
    provenance, the indicators that need fresh assessment, and the index as an interval."""
    from ..versions.migrate import migrate as migrate_one

    if assessment.inputs:
        assessment = engine.with_computed_levels(assessment)
    composed = engine.crosswalk(assessment.catalogue, to)
    source_cc = engine.compiled(assessment.catalogue)
    check_levels(source_cc, assessment)
    catalogues = {c: engine.catalogue(c) for c in engine.catalogue_ids()}
    return migrate_one(assessment, composed, catalogues, source_cc, engine.compiled(to))


def migrate_many(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    to: str,
    executor: Executor | None = None,
    chunk_size: int = 50,
) -> list[Migration]:
    """Migrate a table of assessments (e.g. the national results) to catalogue `to`, optionally
    on an executor; the same results either way."""
    from ..parallel import chunked, run, spec_of

    if executor is None:
        return [migrate(engine, a, to=to) for a in assessments]
    spec = spec_of(engine)
    chunks = ((spec, chunk, to) for chunk in chunked(assessments, chunk_size))
    return [m for part in run(migrate_chunk, chunks, executor, window=4) for m in part]


def transition(
    engine: Engine, assessments: Iterable[Assessment], *, to: str, missing: MissingPolicy = None
) -> Transition:
    """Score the same agencies under their catalogue and under `to`, side by side: who gains, who
    loses, rank ranges, and where the predikat disagrees. Partial assessments need `missing`
    for their old score (migration itself treats unassessed indicators as the whole scale)."""
    from ..versions.transition import transition as side_by_side

    items = list(assessments)
    before = engine.score_many(items, missing=missing)
    migrations = [migrate(engine, a, to=to) for a in items]
    return side_by_side(before, migrations, [b.predikat for b in engine.catalogue(to).bands])


def migrate_chunk(spec: EngineSpec, items: Sequence[Assessment], to: str) -> list[Migration]:
    """Migrate a chunk in a worker."""
    from ..parallel import worker_engine

    engine = worker_engine(spec)
    return [migrate(engine, a, to=to) for a in items]
