"""The engine's scoring operations: one assessment, many, or a stream of any length.

Defined here once, with their signatures, and exposed as `Engine.score`, `Engine.score_many` and
`Engine.iter_scores`. The hot path (`score.score`) takes a compiled catalogue and calls no hook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from operator import mul
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._gc import deferred_full_collections
from ..errors import AssessmentError
from ..i18n import tr
from ..model.assessment import Assessment
from ..scoring.result import NO_OPTIONS, ScoreResult
from ..scoring.result import scored as make_result
from ..scoring.score import MissingPolicy, check_missing_policy
from ..scoring.score import score as score_compiled

if TYPE_CHECKING:
    from ..engine import Engine
    from ..parallel import EngineSpec, Executor
    from ..resolver import Weighting
    from ..scoring.compiled import CompiledCatalogue

__all__ = ["iter_scores", "score", "score_many"]


def score(
    engine: Engine,
    assessment: Assessment,
    *,
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    apply_rules: bool = False,
    as_of: dt.date | None = None,
) -> ScoreResult:
    """Score one assessment exactly.

    `missing` names what to do with indicators not yet assessed: None (an error), "minimum"
    (the scale minimum) or a level; the result then says it is partial. With `apply_rules`,
    evidence and rules are checked as of `as_of` (default today), cap rules lower levels before
    scoring, and the result carries the findings and changes (the official score is uncapped).
    """
    if not isinstance(assessment, Assessment):
        raise AssessmentError(tr("expected an Assessment, got {type_name}", type_name=type(assessment).__name__))
    check_missing_policy(missing)
    cc = engine.compiled(assessment.catalogue, weighting)
    if assessment.inputs:
        assessment = engine.with_computed_levels(assessment)
    if not apply_rules:
        return score_compiled(cc, assessment, missing)
    from .rules import outcome

    when = as_of or dt.date.today()
    found = outcome(engine, assessment, when)
    capped = assessment if not found.changes else assessment.replace(levels=found.levels)
    return score_compiled(
        cc,
        capped,
        missing,
        findings=found.findings,
        changes=found.changes,
        options={"apply_rules": True, "as_of": when.isoformat()},
    )


def score_many(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    executor: Executor | None = None,
    chunk_size: int = 5_000,
) -> list[ScoreResult]:
    """Score many assessments (any iterable); identical to `score` one by one, compiled once.
    With an `executor` (a process pool, `dask_client.get_executor()`, ...) chunks run there."""
    check_missing_policy(missing)
    if executor is not None:
        return list(
            iter_scores(
                engine, assessments, weighting=weighting, missing=missing, executor=executor, chunk_size=chunk_size
            )
        )
    # Every result survives (the list holds it): the full collections that N new objects trigger
    # would find nothing, and on 10^5 results cost as much as the scoring (spbe_engine._gc).
    with deferred_full_collections():
        return _score_all(engine, assessments, weighting, missing)


def _score_all(
    engine: Engine, assessments: Iterable[Assessment], weighting: Weighting, missing: MissingPolicy
) -> list[ScoreResult]:
    # The loop of `score.score` inlined for the common case (every indicator given, one shared scale
    # checked in C): per catalogue once, what it needs; anything else goes through `score` itself.
    options = MappingProxyType({"missing": missing}) if missing is not None else NO_OPTIONS
    plans: dict[str, tuple[CompiledCatalogue, int, Any, Any, tuple[int, ...]]] = {}
    out: list[ScoreResult] = []
    append = out.append
    for a in assessments:
        if type(a) is not Assessment and not isinstance(a, Assessment):
            raise AssessmentError(tr("expected an Assessment, got {type_name}", type_name=type(a).__name__))
        plan = plans.get(a.catalogue)
        if plan is None:
            cc = engine.compiled(a.catalogue, weighting)
            plan = plans[a.catalogue] = (cc, len(cc.ids), cc.levels_of, cc.in_scale, cc.weights)
        cc, size, levels_of, in_scale, weights = plan
        if a.inputs:
            a = engine.with_computed_levels(a)
        levels = a.levels
        if in_scale is not None and len(levels) == size:
            try:
                vec = levels_of(levels)
            except KeyError:
                pass
            else:
                if in_scale(vec):
                    append(make_result(cc, a, vec, sum(map(mul, vec, weights)), options))
                    continue
        append(score_compiled(cc, a, missing))  # the general path, and its errors
    return out


def iter_scores(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    weighting: Weighting = None,
    missing: MissingPolicy = None,
    executor: Executor | None = None,
    chunk_size: int = 5_000,
) -> Iterator[ScoreResult]:
    """Score a stream of any length in chunks, yielding results in input order with bounded
    memory (at most a few chunks in flight on the executor)."""
    from ..parallel import chunked, run, spec_of

    check_missing_policy(missing)
    if executor is None:
        for chunk in chunked(assessments, chunk_size):
            yield from score_many(engine, chunk, weighting=weighting, missing=missing)
        return
    spec = spec_of(engine)
    chunks = ((spec, chunk, weighting, missing) for chunk in chunked(assessments, chunk_size))
    pending: list[list[Assessment]] = []

    def remember(args: tuple[Any, list[Assessment], Any, Any]) -> tuple[Any, ...]:
        pending.append(args[1])
        return args

    compiled: dict[str, CompiledCatalogue] = {}
    for rows in run(score_chunk, (remember(c) for c in chunks), executor, window=4):
        chunk = pending.pop(0)
        for a, (levels, numerator, groups, filled, options, scored) in zip(chunk, rows, strict=True):
            cc = compiled.get(a.catalogue)
            if cc is None:
                cc = compiled[a.catalogue] = engine.compiled(a.catalogue, weighting)
            yield ScoreResult(cc, scored or a, levels, numerator, groups, filled, options=options or None)


# -- run in a worker process (module level, so a process pool can pickle it) --------------------


def score_chunk(spec: EngineSpec, items: Sequence[Assessment], weighting: Any, missing: Any) -> list[tuple[Any, ...]]:
    """Score a chunk in a worker; plain tuples travel back, the caller rebuilds the results."""
    from ..parallel import worker_engine

    engine = worker_engine(spec)
    out = []
    for a, r in zip(items, score_many(engine, items, weighting=weighting, missing=missing), strict=True):
        scored = r.assessment if r.assessment is not a else None  # computed levels filled in
        out.append((r.levels, r.numerator, r.group_numerators, r.missing, dict(r.options), scored))
    return out
